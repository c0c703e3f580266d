"""`fairdue collections run` (issue 17 item 5) acts on what day-end left: the last closed business date, or a
closed --on; a date day-end has not closed, or no closed date at all, is refused with the command to run first."""

from __future__ import annotations

import datetime as dt

import pytest

from fairdue.adapters.db.views.cases import dpd_as_of
from fairdue.cli.collections import BusinessDateNotClosed, closed_business_date

CLOSED_ON = dt.date(2026, 5, 30)


def test_collections_run_defaults_to_the_last_closed_business_date_issue17_item5():
    assert closed_business_date(CLOSED_ON, None) == CLOSED_ON
    assert closed_business_date(CLOSED_ON, dt.date(2026, 5, 1)) == dt.date(2026, 5, 1)


def test_collections_run_refuses_an_unclosed_date_and_says_what_to_run_issue17_item5():
    with pytest.raises(BusinessDateNotClosed, match="run `fairdue day-end"):
        closed_business_date(None, None)
    with pytest.raises(BusinessDateNotClosed, match=r"2026-05-31 is not closed \(the last closed is 2026-05-30\)"):
        closed_business_date(CLOSED_ON, dt.date(2026, 5, 31))


def test_queue_dpd_counts_on_to_the_last_closed_date_between_day_end_events_issue17_item5():
    """The day-end kernel's DPD is business date - oldest overdue due date; between a line's events it grows by a
    day a day. The issue's line: 64 as of 2026-05-08 is 87 on 2026-05-31."""
    assert dpd_as_of(dpd=64, line_closed_on=dt.date(2026, 5, 8), closed_on=dt.date(2026, 5, 31)) == (
        87,
        dt.date(2026, 5, 31),
    )
    assert dpd_as_of(dpd=5, line_closed_on=CLOSED_ON, closed_on=CLOSED_ON) == (5, CLOSED_ON)
    later = dt.date(2026, 6, 2)  # an inline close (a payment) took the line past the closed date: its own state
    assert dpd_as_of(dpd=3, line_closed_on=later, closed_on=CLOSED_ON) == (3, later)
    assert dpd_as_of(dpd=0, line_closed_on=dt.date(2026, 5, 8), closed_on=CLOSED_ON) == (0, CLOSED_ON)
    assert dpd_as_of(dpd=7, line_closed_on=CLOSED_ON, closed_on=None) == (7, CLOSED_ON)
