"""The day-end's set-based statement close (close_statements) stores exactly what generate_statement stores,
line by line, on SQLite and PostgreSQL — for a small hand-checked portfolio over two cycles."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from dayend_helpers import add_product, journal_digest, open_line

from fairdue.domain.money import Money
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import InvalidAccountRequest, post_charge
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.purchases import purchase
from fairdue.service.servicing.statements import close_statements, generate_statement

JAN, FEB = date(2026, 1, 5), date(2026, 2, 5)


def cny(major: str) -> Money:
    return Money.parse(major, "CNY")


@pytest.fixture
def lines(uow_factory):
    """Five lines on cycle day 5, opened 2026-01-02:
    a: 12-month annuity of 1,200 + a 300 purchase left revolving;  b: 300 revolving, overpaid later (credit);
    c: 3-month zero-fee plan of 3,000 + a 50 fee charge;  d: nothing at all;  e: 6-month flat-fee plan of 1,200."""
    with uow_factory() as uow:
        add_product(uow)
        ids = [open_line(uow, n + 1, opened_on=date(2026, 1, 2), cycle_day=5, limit_minor=2_000_000) for n in range(5)]
        a, b, c, _d, e = ids
        purchase(uow, line_id=a, amount=cny("1200"), purchased_on=date(2026, 1, 3), key="a1", plan="12")
        purchase(uow, line_id=a, amount=cny("300"), purchased_on=date(2026, 1, 4), key="a2")
        purchase(uow, line_id=b, amount=cny("300"), purchased_on=date(2026, 1, 3), key="b1")
        purchase(uow, line_id=c, amount=cny("3000"), purchased_on=date(2026, 1, 3), key="c1", plan="3-zero_fee")
        post_charge(
            uow,
            line_id=c,
            kind="fee",
            amount=cny("50"),
            charged_on=date(2026, 1, 4),
            due_on=date(2026, 1, 26),
            key="c-fee",
        )
        purchase(uow, line_id=e, amount=cny("1200"), purchased_on=date(2026, 1, 3), key="e1", plan="6-flat_fee")
        uow.commit()
    return ids


def snapshot(uow, line_ids) -> dict:
    """Everything a statement close writes, without ids or times (statement and entry ids as (line, date) / key)."""
    ids = ",".join(str(i) for i in line_ids)
    q = lambda sql: [tuple(r) for r in uow.connection.execute(sa.text(sql))]  # noqa: E731
    return {
        "statements": q(
            "SELECT s.credit_line_id, s.statement_on, s.period_start_on, s.due_on, s.currency, s.opening_balance_minor, "
            "s.closing_balance_minor, s.amount_due_minor, s.minimum_due_minor, e.idempotency_key FROM statements s "
            f"LEFT JOIN ledger_entry e ON e.id = s.ledger_entry_id WHERE s.credit_line_id IN ({ids}) "
            "ORDER BY s.credit_line_id, s.statement_on"
        ),
        "lines": q(
            "SELECT s.credit_line_id, s.statement_on, l.seq, l.kind, l.posted_on, l.description, l.amount_minor, "
            "e.idempotency_key FROM statement_lines l JOIN statements s ON s.id = l.statement_id "
            f"LEFT JOIN ledger_entry e ON e.id = l.ledger_entry_id WHERE s.credit_line_id IN ({ids}) "
            "ORDER BY s.credit_line_id, s.statement_on, l.seq"
        ),
        "installments": q(
            "SELECT i.credit_line_id, i.plan_id, i.seq, i.status, i.principal_paid_minor, i.interest_paid_minor, "
            "i.fee_paid_minor, s.statement_on FROM installments i LEFT JOIN statements s ON s.id = i.billed_statement_id "
            f"WHERE i.credit_line_id IN ({ids}) ORDER BY i.credit_line_id, i.plan_id, i.seq"
        ),
        "charges": q(
            "SELECT c.idempotency_key, c.paid_minor, c.status, s.statement_on FROM charges c "
            f"LEFT JOIN statements s ON s.id = c.billed_statement_id WHERE c.credit_line_id IN ({ids}) "
            "ORDER BY c.idempotency_key"
        ),
        "journal": journal_digest(uow.connection),
    }


def both_ways(uow_factory, line_ids, on):
    """Close `on` line by line (rolled back), then in bulk (committed); both snapshots and the bulk totals."""
    with uow_factory() as uow:
        single = [generate_statement(uow, line_id=i, statement_on=on) for i in line_ids]
        by_single = snapshot(uow, line_ids)
        uow.rollback()
    with uow_factory() as uow:
        totals = close_statements(uow, line_ids=line_ids, statement_on=on)
        by_bulk = snapshot(uow, line_ids)
        report = ledger.verify(uow)
        assert report.ok, [str(d) for d in report.drifts] + [str(i) for i in report.imbalances]
        uow.commit()
    assert [
        (t.line_id, t.due_on, t.closing_balance_minor, t.amount_due_minor, t.minimum_due_minor) for t in totals
    ] == [(s.line_id, s.due_on, s.closing_balance_minor, s.amount_due_minor, s.minimum_due_minor) for s in single]
    return by_single, by_bulk, {t.line_id: t for t in totals}


def test_bulk_close_stores_what_generate_statement_stores(uow_factory, lines):
    a, b, c, d, e = lines
    by_single, by_bulk, totals = both_ways(uow_factory, lines, JAN)
    assert by_bulk == by_single
    # Hand-checked (cn-ecard-std: due 20 days after the statement, next business day; minimum = billed interest,
    # fees and installment principal + max(10% of revolving, CNY 100), capped at what is billed).
    # a: installment 1/12 of the annuity (9,331 principal + 1,500 interest at 1.25%/month on 1,200) and the 300
    #    revolving: due 10,831 + 30,000; minimum 10,831 + max(3,000, 10,000).
    assert (totals[a].due_on, totals[a].amount_due_minor, totals[a].minimum_due_minor) == (
        date(2026, 1, 26),
        40_831,
        20_831,
    )
    assert totals[a].closing_balance_minor == 150_000 + 1_500
    # b: 300 revolving only: minimum is the CNY 100 floor.
    assert (totals[b].amount_due_minor, totals[b].minimum_due_minor) == (30_000, 10_000)
    # c: installment 1/3 of 3,000 at zero fee (100,000) + the 50 fee charge, all in full.
    assert (totals[c].amount_due_minor, totals[c].minimum_due_minor) == (105_000, 105_000)
    assert (totals[d].amount_due_minor, totals[d].minimum_due_minor, totals[d].closing_balance_minor) == (0, 0, 0)
    # e: flat fee 0.6%/month on 1,200 = 720 a period; installment 20,000 + 720.
    assert (totals[e].amount_due_minor, totals[e].minimum_due_minor) == (20_720, 20_720)
    kinds = [r[3] for r in by_bulk["lines"] if r[0] == a]
    assert kinds == ["purchase", "purchase", "billing", "due", "due"]

    # Second cycle: payments (b overpays: credit, applied through the single-line path), a late charge.
    with uow_factory() as uow:
        pay(uow, line_id=a, amount=cny("200"), received_on=date(2026, 1, 20), key="pa")
        pay(uow, line_id=b, amount=cny("500"), received_on=date(2026, 1, 10), key="pb")
        purchase(uow, line_id=b, amount=cny("150"), purchased_on=date(2026, 1, 20), key="b2")
        pay(uow, line_id=c, amount=cny("1050"), received_on=date(2026, 1, 25), key="pc")
        post_charge(
            uow,
            line_id=e,
            kind="late_fee",
            amount=cny("25"),
            charged_on=date(2026, 1, 30),
            due_on=date(2026, 1, 30),
            key="e-late",
        )
        uow.commit()
    by_single, by_bulk, totals = both_ways(uow_factory, lines, FEB)
    assert by_bulk == by_single
    assert (totals[b].amount_due_minor, totals[b].minimum_due_minor) == (0, 0)  # 200 credit covers the 150
    assert totals[c].amount_due_minor == 100_000 and totals[d].amount_due_minor == 0
    # Rerun: nothing new, the stored figures come back.
    with uow_factory() as uow:
        again = close_statements(uow, line_ids=lines, statement_on=FEB)
        assert [t.created for t in again] == [False] * 5
        assert snapshot(uow, lines) == by_bulk


def test_bulk_close_refuses_what_generate_statement_refuses(uow_factory, lines):
    with uow_factory() as uow, pytest.raises(InvalidAccountRequest, match="closes statements on day 5"):
        close_statements(uow, line_ids=lines, statement_on=date(2026, 1, 6))


def test_day_end_statement_event_carries_the_stored_statement(uow_factory, lines):
    """One computation: the `statement_closed` event's figures are the stored statement's."""
    import json

    from fairdue.adapters.db.schema.dayend import dayend_event_outbox
    from fairdue.service.dayend.runner import run_day_end
    from fairdue.service.servicing.statements import get_statement

    with uow_factory() as uow:  # what servicing's single-line path stores (rolled back)
        for line_id in lines:
            generate_statement(uow, line_id=line_id, statement_on=JAN)
        by_single = snapshot(uow, lines)
        uow.rollback()
    run_day_end(uow_factory, through_on=JAN)  # the day-end's partition path (installments read once, reused)
    with uow_factory() as uow:
        by_dayend = snapshot(uow, lines)
        for part in ("statements", "lines", "installments", "charges"):
            assert by_dayend[part] == by_single[part], part
        o = dayend_event_outbox.c
        events = {
            r.account_id: json.loads(r.payload)
            for r in uow.connection.execute(sa.select(o.account_id, o.payload).where(o.kind == "statement_closed"))
        }
        assert sorted(events) == sorted(lines)
        for line_id, payload in events.items():
            st = get_statement(uow, line_id=line_id, statement_on=JAN)
            assert payload == {
                "statement_on": "2026-01-05",
                "due_on": st.due_on.isoformat(),
                "closing_balance_minor": st.closing_balance_minor,
                "amount_due_minor": st.amount_due_minor,
                "minimum_due_minor": st.minimum_due_minor,
                "currency": "CNY",
            }
        a = lines[0]
        assert (events[a]["amount_due_minor"], events[a]["minimum_due_minor"]) == (40_831, 20_831)
