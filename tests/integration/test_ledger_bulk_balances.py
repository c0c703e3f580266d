"""Bulk posting to many accounts at once (PostgreSQL stages the balance deltas with COPY from
BALANCE_COPY_ROWS_MIN accounts on): balances and counts come out exact, and verify passes."""

from __future__ import annotations

from datetime import date

from fairdue.adapters.db.repos.ledger import BALANCE_COPY_ROWS_MIN
from fairdue.domain.ledger import AccountSpec, EntryDraft, PostingLine
from fairdue.domain.money import Money
from fairdue.service.ledger import journal as L

DAY = date(2026, 1, 15)


def test_bulk_posting_to_many_accounts_keeps_balances_exact(uow_factory):
    n = BALANCE_COPY_ROWS_MIN + 50
    with uow_factory() as uow:
        specs = [AccountSpec(f"cl:{i}:fees", "asset", "CNY", f"credit_line:{i}") for i in range(n)]
        specs.append(AccountSpec("book:CNY:fee_income", "income", "CNY"))
        accounts = L.ensure_accounts(uow, specs)
        income = accounts["book:CNY:fee_income"]
        # Two entries per account (fee i, then fee 2i), each against the one income account.
        drafts = [
            EntryDraft(
                key=f"fee:{k}:{i}",
                kind="late_fee",
                business_on=DAY,
                postings=(
                    PostingLine(accounts[f"cl:{i}:fees"].id, (k + 1) * (i + 1), "CNY"),
                    PostingLine(income.id, -(k + 1) * (i + 1), "CNY"),
                ),
            )
            for k in range(2)
            for i in range(n)
        ]
        result = L.post_entries_bulk(uow, drafts)
        uow.commit()
    assert (result.created, result.existing) == (2 * n, 0)
    with uow_factory() as uow:
        assert L.balance(uow, "cl:0:fees") == Money(1 + 2, "CNY")
        assert L.balance(uow, f"cl:{n - 1}:fees") == Money(3 * n, "CNY")
        assert L.balance(uow, income) == Money(-3 * n * (n + 1) // 2, "CNY")
        report = L.verify(uow)
        assert report.ok, [str(d) for d in report.drifts]
