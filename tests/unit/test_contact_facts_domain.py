"""Contact-fact validation and the in-force rule are pure and exact at their edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairdue.domain.contact_facts import (
    BREATHING_SPACE_DAYS,
    ContactFactInvalid,
    fact_from_input,
    hhmm_minutes,
    in_force,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def fact(**kw):
    args = {"kind": "bankruptcy", "source": "court_notice", "recorded_by": "ops", "now": NOW}
    args.update(kw)
    return fact_from_input(**args)


def test_defaults_start_now_and_open_ended():
    f = fact()
    assert (f.effective_from, f.effective_until, f.account_id, f.hours_start) == (NOW, None, None, None)


def test_standard_breathing_space_lasts_60_days_unless_told_otherwise():
    start = NOW - timedelta(days=3)
    assert fact(kind="breathing_space", effective_from=start).effective_until == start + timedelta(
        days=BREATHING_SPACE_DAYS
    )
    assert fact(kind="breathing_space", open_ended=True).effective_until is None  # mental-health crisis
    assert fact(kind="breathing_space", effective_until=NOW + timedelta(days=5)).effective_until == NOW + timedelta(
        days=5
    )
    with pytest.raises(ContactFactInvalid, match="exclude"):
        fact(kind="breathing_space", open_ended=True, effective_until=NOW + timedelta(days=5))
    with pytest.raises(ContactFactInvalid, match="breathing space only"):
        fact(open_ended=True)


@pytest.mark.parametrize("text, minutes", [("00:00", 0), ("09:30", 570), ("24:00", 1440)])
def test_hhmm(text, minutes):
    assert hhmm_minutes(text, "f") == minutes


@pytest.mark.parametrize("text", ["9:30", "24:01", "12:60", "ab:cd", None, "1230"])
def test_hhmm_refuses(text):
    with pytest.raises(ContactFactInvalid):
        hhmm_minutes(text, "f")


def test_inconvenient_hours_are_about_the_borrower_and_may_cross_midnight():
    f = fact(kind="inconvenient_hours", source="borrower_oral", hours=("22:00", "07:00"))
    assert (f.hours_start, f.hours_end) == ("22:00", "07:00")
    with pytest.raises(ContactFactInvalid, match="not one debt"):
        fact(kind="inconvenient_hours", source="borrower_oral", hours=("22:00", "07:00"), account_id=3)
    with pytest.raises(ContactFactInvalid, match="cannot be 24:00"):
        fact(kind="inconvenient_hours", source="borrower_oral", hours=("24:00", "07:00"))


def test_attorney_needs_a_name_and_only_attorneys_carry_one():
    assert fact(kind="attorney", source="attorney_notice", attorney_name="  Jane Roe ").attorney_name == "Jane Roe"
    with pytest.raises(ContactFactInvalid, match="attorney facts only"):
        fact(attorney_name="Jane Roe")
    with pytest.raises(ContactFactInvalid, match="at most"):
        fact(kind="attorney", source="attorney_notice", attorney_name="x" * 201)


@pytest.mark.parametrize("account_id", [0, -1, True, "3"])
def test_account_id_must_be_a_positive_integer(account_id):
    with pytest.raises(ContactFactInvalid, match="account_id"):
        fact(account_id=account_id)


def test_in_force_is_half_open_and_ends_at_the_earlier_end():
    start, until = NOW, NOW + timedelta(days=2)
    assert not in_force(effective_from=start, effective_until=until, ended_at=None, at=start - timedelta(seconds=1))
    assert in_force(effective_from=start, effective_until=until, ended_at=None, at=start)
    assert not in_force(effective_from=start, effective_until=until, ended_at=None, at=until)
    ended = start + timedelta(hours=1)
    assert in_force(effective_from=start, effective_until=until, ended_at=ended, at=ended - timedelta(seconds=1))
    assert not in_force(effective_from=start, effective_until=None, ended_at=ended, at=ended)
