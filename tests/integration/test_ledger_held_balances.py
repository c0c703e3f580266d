"""Held balances (LedgerRepository.hold_balances): a batch keeps the deltas of hot shared accounts
(the books) in memory and writes them in one statement at its end; the journal is written at once,
the held balances only on apply, and then everything agrees (verify passes)."""

from __future__ import annotations

from datetime import date

import pytest

from fairdue.domain.ledger import AccountSpec, EntryDraft, PostingLine
from fairdue.domain.money import Money
from fairdue.service.ledger import journal as L

DAY = date(2026, 1, 15)


def _fee(key: str, line_id: int, income_id: int, amount: int) -> EntryDraft:
    return EntryDraft(
        key=key,
        kind="late_fee",
        business_on=DAY,
        postings=(PostingLine(line_id, amount, "CNY"), PostingLine(income_id, -amount, "CNY")),
    )


def test_held_book_balance_is_written_on_apply_only(uow_factory):
    with uow_factory() as uow:
        acc = L.ensure_accounts(
            uow,
            [
                AccountSpec("cl:1:fees", "asset", "CNY", "credit_line:1"),
                AccountSpec("cl:2:fees", "asset", "CNY", "credit_line:2"),
                AccountSpec("book:CNY:fee_income", "income", "CNY"),
            ],
        )
        line1, line2, income = acc["cl:1:fees"].id, acc["cl:2:fees"].id, acc["book:CNY:fee_income"].id
        uow.ledger.hold_balances([income])
        L.post_entries_bulk(uow, [_fee("f1", line1, income, 1_500), _fee("f2", line2, income, 250)])
        L.post_entries_bulk(uow, [_fee("f3", line1, income, 40)])
        # The lines' balances are written at once; the held income balance not yet.
        assert L.balance(uow, "cl:1:fees") == Money(1_540, "CNY")
        assert L.balance(uow, "cl:2:fees") == Money(250, "CNY")
        assert L.balance(uow, "book:CNY:fee_income") == Money(0, "CNY")
        with pytest.raises(RuntimeError, match="already held"):
            uow.ledger.hold_balances([income])
        uow.ledger.apply_held_balances()
        assert L.balance(uow, "book:CNY:fee_income") == Money(-1_790, "CNY")
        # No longer held: a later posting goes straight to the stored balance.
        L.post_entries_bulk(uow, [_fee("f4", line2, income, 10)])
        assert L.balance(uow, "book:CNY:fee_income") == Money(-1_800, "CNY")
        uow.commit()
    with uow_factory() as uow:
        assert L.balance(uow, "book:CNY:fee_income") == Money(-1_800, "CNY")
        report = L.verify(uow)
        assert report.ok, [str(d) for d in report.drifts]


def test_held_deltas_left_unapplied_show_as_drift(uow_factory):
    """The hold is the caller's duty to close: committed without apply, verify names the drift."""
    with uow_factory() as uow:
        acc = L.ensure_accounts(
            uow,
            [
                AccountSpec("cl:7:fees", "asset", "CNY", "credit_line:7"),
                AccountSpec("book:CNY:fee_income", "income", "CNY"),
            ],
        )
        uow.ledger.hold_balances([acc["book:CNY:fee_income"].id])
        L.post_entries_bulk(uow, [_fee("g1", acc["cl:7:fees"].id, acc["book:CNY:fee_income"].id, 300)])
        uow.commit()
    with uow_factory() as uow:
        report = L.verify(uow)
        assert not report.ok
        assert len(report.drifts) == 1
