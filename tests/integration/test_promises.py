"""Promises to pay refuse what cannot be a promise, and a new promise replaces a pending one (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from test_collections import world  # noqa: F401  (fixture)

from fairdue.domain.money import Money
from fairdue.service.collections import engine as coll
from fairdue.service.collections.promises import PromiseInvalid, promises_of, record_promise


@pytest.mark.parametrize(
    ("amount", "promised_on", "why"),
    [
        (Money(10_000, "USD"), date(2026, 2, 3), "USD"),
        (Money(0, "CNY"), date(2026, 2, 3), "positive"),
        (Money(10_000, "CNY"), date(2026, 1, 30), "within"),
        (Money(10_000, "CNY"), date(2026, 3, 15), "within"),
    ],
)
def test_a_promise_that_cannot_be_kept_as_given_is_refused(uow_factory, world, amount, promised_on, why):
    with uow_factory() as uow, pytest.raises(PromiseInvalid, match=why):
        record_promise(
            uow, account_id=world["lines"][0], amount=amount, promised_on=promised_on, business_on=date(2026, 1, 31)
        )


def test_a_new_promise_replaces_the_pending_one_and_belongs_to_the_open_case(uow_factory, world):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with uow_factory() as uow:
        record_promise(
            uow,
            account_id=line,
            amount=Money(10_000, "CNY"),
            promised_on=date(2026, 2, 3),
            business_on=date(2026, 1, 31),
        )
        record_promise(
            uow,
            account_id=line,
            amount=Money(20_000, "CNY"),
            promised_on=date(2026, 2, 5),
            business_on=date(2026, 2, 1),
        )
        assert [(p.status, p.amount_minor) for p in promises_of(uow, account_id=line)] == [
            ("cancelled", 10_000),
            ("pending", 20_000),
        ]
        case = coll.open_case_of(uow, account_id=line)
        bid = uow.connection.execute(
            sa.text("SELECT borrower_id FROM credit_lines WHERE id = :i"), {"i": line}
        ).scalar_one()
        flags = coll.borrower_flags(uow, account_id=line, borrower_id=bid)
        assert case is not None and flags["promise_pending"]
