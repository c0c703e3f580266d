"""Day-end on real storage (SQLite and PostgreSQL): hand-checked portfolio, idempotent reruns, inline close."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from dayend_helpers import add_product, buy, dayend_digest, journal_digest, open_line, seed_portfolio

from fairdue.adapters.db.schema.accounts import charges
from fairdue.adapters.db.schema.dayend import dayend_account, dayend_event_outbox
from fairdue.domain.money import Money
from fairdue.service.dayend.runner import NothingToClose, run_day_end
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.close import close_inline


def _events(uow, account_id=None):
    q = sa.select(
        dayend_event_outbox.c.business_on,
        dayend_event_outbox.c.kind,
        dayend_event_outbox.c.payload,
        dayend_event_outbox.c.account_id,
    ).order_by(dayend_event_outbox.c.id)
    if account_id is not None:
        q = q.where(dayend_event_outbox.c.account_id == account_id)
    return [(r.business_on, r.kind, json.loads(r.payload)) for r in uow.connection.execute(q)]


def _state(uow, account_id):
    return uow.connection.execute(sa.select(dayend_account).where(dayend_account.c.account_id == account_id)).first()


def test_hand_checked_line_that_never_pays(uow_factory):
    # cn-ecard-std: grace 3 days, late fee 5% (max CNY 200), 24% cost cap, next-business-day rule.
    # Bought 2026-01-03 on cycle day 5: 3 × 100,000 zero-fee installments due 1-26, 2-25, 3-25.
    with uow_factory() as uow:
        add_product(uow)
        line = open_line(uow, 1, opened_on=date(2026, 1, 2), cycle_day=5)
        buy(uow, line, 300_000, date(2026, 1, 3), "3-zero_fee", "p1")
        uow.commit()
    summary = run_day_end(uow_factory, through_on=date(2026, 3, 31))
    assert summary.dates_closed[0] == date(2026, 1, 3) and summary.dates_closed[-1] == date(2026, 3, 31)
    assert (summary.fees, summary.fees_capped, summary.bucket_moves) == (3, 0, 3)
    with uow_factory() as uow:
        ev = [(d.isoformat(), k) for d, k, _ in _events(uow) if k != "statement_closed"]
        assert ev == [
            ("2026-01-26", "installment_due"),
            ("2026-01-30", "became_overdue"),
            ("2026-01-30", "bucket_changed"),
            ("2026-01-30", "fee_assessed"),
            ("2026-02-25", "installment_due"),
            ("2026-02-26", "bucket_changed"),  # DPD 31: M2
            ("2026-03-01", "became_overdue"),
            ("2026-03-01", "fee_assessed"),
            ("2026-03-25", "installment_due"),
            ("2026-03-28", "bucket_changed"),  # DPD 61: M3
            ("2026-03-29", "became_overdue"),
            ("2026-03-29", "fee_assessed"),
        ]
        fees = [p["fee_minor"] for _, k, p in _events(uow) if k == "fee_assessed"]
        assert fees == [5_000, 5_000, 5_000]  # 5% of 100,000 each
        s = _state(uow, line)
        # DPD is derived from the oldest overdue due date, not rewritten daily: stored as of the last
        # touch (3-29: 62), 64 on 3-31 = 3-31 − 1-26.
        assert (s.bucket, s.dpd, s.oldest_overdue_on, s.last_closed_on) == (
            "M3",
            62,
            date(2026, 1, 26),
            date(2026, 3, 29),
        )
        assert (date(2026, 3, 31) - s.oldest_overdue_on).days == 64
        assert ledger.balance(uow, f"cl:{line}:fees") == Money(15_000, "CNY")
        stored = uow.connection.execute(sa.select(charges.c.amount_minor, charges.c.kind)).all()
        assert sorted(stored) == [(5_000, "late_fee")] * 3
        assert ledger.verify(uow).ok


def test_rerun_of_a_closed_date_is_a_no_op(uow_factory):
    with uow_factory() as uow:
        seed_portfolio(uow, 4)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 10))
    with uow_factory() as uow:
        before = (journal_digest(uow.connection), dayend_digest(uow.connection))
    again = run_day_end(uow_factory, business_on=date(2026, 1, 30))
    assert again.dates_closed == [] and again.dates_skipped == [date(2026, 1, 30)]
    nothing = run_day_end(uow_factory, through_on=date(2026, 2, 10))
    assert nothing.dates_closed == [] and nothing.accounts_touched == 0
    with uow_factory() as uow:
        assert (journal_digest(uow.connection), dayend_digest(uow.connection)) == before


def test_partitioning_does_not_change_the_outcome(engine, uow_factory, tmp_path, backend, request):
    """One big partition or many small ones: same journal, same events, same state."""
    with uow_factory() as uow:
        seed_portfolio(uow, 7)
        uow.commit()
    # Run in small partitions (span 2 -> 4+ partitions per date).
    s = run_day_end(uow_factory, through_on=date(2026, 3, 10), partition_span=2)
    assert s.partitions >= 4 * len(s.dates_closed)
    with uow_factory() as uow:
        small = (journal_digest(uow.connection), dayend_digest(uow.connection))
    # Expected digests from a one-partition run are checked in the crash test; here: rerun is stable.
    s2 = run_day_end(uow_factory, through_on=date(2026, 3, 10), partition_span=1000)
    assert s2.dates_closed == []
    with uow_factory() as uow:
        assert (journal_digest(uow.connection), dayend_digest(uow.connection)) == small


def test_payment_closes_account_inline_then_batch_skips_it_and_cures(uow_factory):
    from fairdue.service.servicing.payments import pay

    with uow_factory() as uow:
        add_product(uow)
        line = open_line(uow, 1, opened_on=date(2026, 1, 2), cycle_day=5)
        buy(uow, line, 300_000, date(2026, 1, 3), "3-zero_fee", "p1")
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 1))  # overdue since 1-30: M1, fee 5,000
    # A payment on 2026-2-10 while 2-2 … 2-9 are not closed: the account is closed inline first.
    with uow_factory() as uow:
        closed = close_inline(uow, [line], date(2026, 2, 10), enroll=True)
        # 2-5 (statement) had work among 2-2 … 2-9; then 2-9 itself, so accrual and principal-days
        # reach the day before the payment.
        assert closed == 2
        pay(uow, line_id=line, amount=Money(105_000, "CNY"), received_on=date(2026, 2, 10), key="pay-1")
        uow.commit()
        assert _state(uow, line).last_closed_on == date(2026, 2, 9)
    s = run_day_end(uow_factory, through_on=date(2026, 2, 10))
    with uow_factory() as uow:
        kinds = [(d.isoformat(), k) for d, k, _ in _events(uow, line)]
        assert ("2026-02-10", "cured") in kinds
        assert [k for _, k in kinds].count("statement_closed") == 2  # 1-5 and 2-5, the latter inline only
        st = _state(uow, line)
        assert (st.bucket, st.dpd, st.oldest_overdue_on) == ("current", 0, None)
        assert ledger.verify(uow).ok
    assert s.accounts_touched == 1


def test_nothing_enrolled_is_a_clear_error(uow_factory):
    with pytest.raises(NothingToClose, match="no accounts"):
        run_day_end(uow_factory, through_on=date(2026, 2, 1))


def test_outbox_consumers_see_each_event_once_and_closed_lines_are_left_alone(uow_factory):
    from fairdue.service.dayend.runner import mark_events_consumed, pending_events
    from fairdue.service.servicing.accounts import close_account

    with uow_factory() as uow:
        add_product(uow)
        busy = open_line(uow, 1, opened_on=date(2026, 1, 2), cycle_day=5)
        buy(uow, busy, 300_000, date(2026, 1, 3), "3-zero_fee", "p1")
        idle = open_line(uow, 2, opened_on=date(2026, 1, 2), cycle_day=10)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 6))
    with uow_factory() as uow:
        close_account(uow, line_id=idle, closed_on=date(2026, 1, 7))
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 31))
    with uow_factory() as uow:
        first = pending_events(uow, limit=2)
        assert [(e.account_id, e.kind, e.business_on) for e in first] == [
            (busy, "statement_closed", date(2026, 1, 5)),
            (busy, "installment_due", date(2026, 1, 26)),
        ]
        assert mark_events_consumed(uow, event_ids=[e.id for e in first]) == 2
        assert mark_events_consumed(uow, event_ids=[first[0].id]) == 0  # consumed once only
        uow.commit()
    with uow_factory() as uow:
        rest = pending_events(uow)
        assert {e.account_id for e in rest} == {busy}  # the line closed on 1-7 got no statement on 1-10
        assert [e.kind for e in rest] == ["became_overdue", "bucket_changed", "fee_assessed"]
        assert rest[0].payload["dpd"] == 4


def test_charge_off_at_181_dpd_writes_off_principal_and_stops(uow_factory):
    # Oldest overdue due date 2026-01-26: DPD 181 on 2026-07-26.
    with uow_factory() as uow:
        add_product(uow)
        line = open_line(uow, 1, opened_on=date(2026, 1, 2), cycle_day=5)
        buy(uow, line, 300_000, date(2026, 1, 3), "3-zero_fee", "p1")
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 7, 25))
    with uow_factory() as uow:
        assert _state(uow, line).bucket == "M6" and not _state(uow, line).charged_off
    s = run_day_end(uow_factory, through_on=date(2026, 8, 31))
    assert s.charged_off == 1
    with uow_factory() as uow:
        off = [(d, p) for d, k, p in _events(uow, line) if k == "charged_off"]
        assert off == [
            (
                date(2026, 7, 26),
                {"dpd": 181, "principal_written_off_minor": 300_000, "charge_off_dpd": 181, "currency": "CNY"},
            )
        ]
        assert ledger.balance(uow, f"cl:{line}:principal") == Money(0, "CNY")
        assert ledger.balance(uow, "book:CNY:charge_off_expense") == Money(300_000, "CNY")
        from fairdue.adapters.db.schema.accounts import credit_lines

        status = uow.connection.execute(sa.select(credit_lines.c.status, credit_lines.c.charged_off_on)).first()
        assert tuple(status) == ("charged_off", date(2026, 7, 26))
        # Nothing after the charge-off: no statements, fees or moves in August.
        assert [k for d, k, _ in _events(uow, line) if d > date(2026, 7, 26)] == []
        assert ledger.verify(uow).ok


def test_revolving_purchase_accrues_daily_interest_after_its_due_date(uow_factory):
    # A purchase of 200,000 without a plan is one revolving item, billed on the 1-5 statement and due
    # 1-25 (a Sunday: honoured 1-26). Unpaid, it bears 0.05% a day from 1-27: on 1-30 (overdue after
    # 3 days' grace) 4 days × 100 = 400 is accrued; on 1-31 one more day, 100.
    with uow_factory() as uow:
        add_product(uow)
        line = open_line(uow, 1, opened_on=date(2026, 1, 2), cycle_day=5)
        buy(uow, line, 200_000, date(2026, 1, 3), None, "r1")
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 30))
    with uow_factory() as uow:
        rows = uow.connection.execute(
            sa.select(charges.c.kind, charges.c.amount_minor, charges.c.charged_on).order_by(charges.c.id)
        ).all()
        # The late fee wanted is 5% of 200,000 = 10,000, but the 24% all-in cap allows
        # 2400 × (200,000 × 28 days since 1-2) / 3,650,000 = 3,682 of cost, 400 already interest:
        # 3,282 is charged and a fee_capped event says why.
        assert [tuple(r) for r in rows] == [
            ("interest", 400, date(2026, 1, 30)),
            ("late_fee", 3_282, date(2026, 1, 30)),
        ]
        (capped,) = [p for _, k, p in _events(uow, line) if k == "fee_capped"]
        assert (
            capped["fee_wanted_minor"],
            capped["fee_charged_minor"],
            capped["allowance_minor"],
            capped["cost_before_minor"],
        ) == (10_000, 3_282, 3_682, 400)
        assert ledger.balance(uow, f"cl:{line}:interest") == Money(400, "CNY")
        assert _state(uow, line).accrual_remainder == 0
    # The payment on 2-3 closes the account inline through 2-2 first: 3 more days (1-31 … 2-2) = 300.
    from fairdue.service.servicing.payments import pay

    with uow_factory() as uow:
        close_inline(uow, [line], date(2026, 2, 3), enroll=True)
        pay(uow, line_id=line, amount=Money(200_000 + 700 + 3_282, "CNY"), received_on=date(2026, 2, 3), key="pay-r1")
        uow.commit()
        assert ledger.balance(uow, f"cl:{line}:interest") == Money(0, "CNY")  # 400 + 300 paid
        assert ledger.balance(uow, f"cl:{line}:principal") == Money(0, "CNY")
    run_day_end(uow_factory, through_on=date(2026, 2, 10))
    with uow_factory() as uow:
        assert ledger.balance(uow, f"cl:{line}:interest") == Money(0, "CNY")  # nothing accrues once paid
        assert _state(uow, line).bucket == "current"
        assert ledger.verify(uow).ok


def test_cli_closes_dates_and_prints_a_summary(database_url, uow_factory):
    from typer.testing import CliRunner

    from fairdue.cli import app
    from fairdue.cli.dayend import BadDate

    with uow_factory() as uow:
        add_product(uow)
        line = open_line(uow, 1, opened_on=date(2026, 1, 2), cycle_day=5)
        buy(uow, line, 300_000, date(2026, 1, 3), "3-zero_fee", "p1")
        uow.commit()
    runner = CliRunner()
    done = runner.invoke(app, ["day-end", "--through", "2026-01-31", "--database-url", database_url, "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["dates_closed"][0], summary["dates_closed"][-1]) == ("2026-01-03", "2026-01-31")
    assert (summary["fees"], summary["bucket_moves"], summary["postings"]) == (1, 1, 2)
    again = runner.invoke(app, ["day-end", "--date", "2026-01-30", "--database-url", database_url])
    assert again.exit_code == 0 and "closed: none (already closed: 2026-01-30)" in again.stdout
    bad = runner.invoke(app, ["day-end", "--date", "30/01/2026", "--database-url", database_url])
    assert isinstance(bad.exception, BadDate) and "YYYY-MM-DD" in str(bad.exception)
