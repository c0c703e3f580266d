"""Closing many lines inline at once (a day's repayment file) gives each line exactly what closing it alone gives."""

from __future__ import annotations

from datetime import date

from dayend_helpers import dayend_digest, journal_digest, open_line, seed_portfolio

from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.close import close_inline


def _digests(uow) -> tuple[str, str]:
    return journal_digest(uow.connection), dayend_digest(uow.connection)


def test_many_lines_closed_together_equal_each_closed_alone(uow_factory):
    with uow_factory() as uow:
        lines = seed_portfolio(uow, 12)  # cycle days 1 … 25: each line has its own dates with work
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 1))
    with uow_factory() as uow:
        late = open_line(uow, 99, opened_on=date(2026, 2, 20))  # opened after the batch: not enrolled
        uow.commit()
    on = date(2026, 3, 10)  # five weeks behind: statements, due dates and overdue events to catch up

    with uow_factory() as uow:
        alone = sum(close_inline(uow, [line], on) for line in [*lines, late])
        expected = _digests(uow)
        uow.rollback()
    with uow_factory() as uow:
        together = close_inline(uow, [late, *reversed(lines), lines[0]], on)  # any order, duplicates
        assert _digests(uow) == expected
        assert together == alone
        assert together > 2 * len(lines)  # several dates per line, then the eve of the write
        # Done once: a second pass (each payment's own close_inline) has nothing left to close.
        assert close_inline(uow, lines, on) == 0
        assert _digests(uow) == expected
        uow.commit()


def test_close_inline_enrolls_lines_but_a_write_alone_does_not(uow_factory):
    with uow_factory() as uow:
        lines = seed_portfolio(uow, 3)
        uow.commit()
    with uow_factory() as uow:
        # Never enrolled (no batch ran): the explicit inline close enrolls them and closes up to the eve.
        assert close_inline(uow, lines[:2], date(2026, 1, 20), enroll=True) > 0
        assert close_inline(uow, [lines[2]], date(2026, 1, 20)) == 0  # a write alone does not enroll a line
        uow.commit()
    with uow_factory() as uow:
        state = dict(
            uow.connection.exec_driver_sql(
                "SELECT account_id, last_closed_on FROM dayend_account ORDER BY account_id"
            ).all()
        )
        assert set(state) == set(lines[:2])
        assert {str(d) for d in state.values()} == {"2026-01-19"}
