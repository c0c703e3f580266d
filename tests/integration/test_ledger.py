"""The stored ledger stays balanced, append-only and idempotent on SQLite and PostgreSQL, and verify finds tampering."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from fairdue.cli import app as cli_app
from fairdue.domain.ledger import (
    AccountCurrencyMismatch,
    AlreadyReversed,
    CorruptEntry,
    EntryDraft,
    IdempotencyConflict,
    InvalidEntry,
    LedgerAccountConflict,
    PostingLine,
    UnbalancedEntry,
    UnknownEntry,
    UnknownLedgerAccount,
)
from fairdue.domain.money import Money, UnknownCurrency
from fairdue.service.ledger import journal as L

DAY = date(2026, 1, 15)
NOW = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


@pytest.fixture
def chart(uow_factory):
    """A small chart: cash, a credit line's receivable, fee income, and a USD cash account."""
    with uow_factory() as uow:
        accounts = {
            "cash": L.ensure_account(uow, code="book:cash:CNY", kind="asset", currency="CNY"),
            "rec": L.ensure_account(
                uow, code="cl:1:receivable_principal", kind="asset", currency="CNY", owner="credit_line:1"
            ),
            "fee": L.ensure_account(uow, code="book:fee_income:CNY", kind="income", currency="CNY"),
            "usd": L.ensure_account(uow, code="book:cash:USD", kind="asset", currency="USD"),
        }
        uow.commit()
    return accounts


def _purchase(uow, chart, key="purchase-1", minor=120_000, **kw):
    return L.post_entry(
        uow,
        key=key,
        kind="purchase",
        business_on=DAY,
        postings=[(chart["rec"], cny(minor)), ("book:cash:CNY", cny(-minor))],
        **kw,
    )


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


# -- posting and reading ---------------------------------------------------------------------------
def test_a_posted_entry_reads_back_and_moves_stored_balances(uow_factory, chart, clock):
    with uow_factory() as uow:
        rec = _purchase(uow, chart, description="phone")
        uow.commit()
    with uow_factory() as uow:
        again = L.get_entry(uow, key="purchase-1")
        assert again == rec
        assert again.created_at == clock.now and again.created_at.tzinfo is not None
        assert L.balance(uow, "cl:1:receivable_principal") == cny(120_000)
        assert L.balance(uow, chart["cash"]) == cny(-120_000)
        assert L.balance(uow, chart["cash"].id, normal=True) == cny(-120_000)
        assert L.verify(uow).ok


def test_accounts_are_created_once_and_conflicts_are_refused(uow_factory, chart):
    with uow_factory() as uow:
        same = L.ensure_account(uow, code="book:cash:CNY", kind="asset", currency="CNY")
        assert same == chart["cash"]
        with pytest.raises(LedgerAccountConflict):
            L.ensure_account(uow, code="book:cash:CNY", kind="liability", currency="CNY")
        with pytest.raises(LedgerAccountConflict):
            L.ensure_account(uow, code="book:cash:CNY", kind="asset", currency="USD")
        with pytest.raises(InvalidEntry):
            L.ensure_account(uow, code="x", kind="cash", currency="CNY")
        with pytest.raises(UnknownCurrency):
            L.ensure_account(uow, code="x", kind="asset", currency="XXX")
        assert [a.code for a in uow.ledger.accounts_by_owner("credit_line:1")] == ["cl:1:receivable_principal"]


def test_unbalanced_and_ill_formed_entries_are_refused_before_any_write(uow_factory, chart, engine):
    with uow_factory() as uow:
        with pytest.raises(UnbalancedEntry):
            L.post_entry(
                uow,
                key="bad",
                kind="x",
                business_on=DAY,
                postings=[(chart["rec"], cny(100)), (chart["cash"], cny(-99))],
            )
        with pytest.raises(AccountCurrencyMismatch):
            L.post_entry(
                uow,
                key="bad",
                kind="x",
                business_on=DAY,
                postings=[(chart["usd"], cny(100)), (chart["cash"], cny(-100))],
            )
        with pytest.raises(UnknownLedgerAccount):
            L.post_entry(
                uow, key="bad", kind="x", business_on=DAY, postings=[("nope", cny(100)), (chart["cash"], cny(-100))]
            )
        with pytest.raises(UnknownLedgerAccount):
            L.post_entry(
                uow, key="bad", kind="x", business_on=DAY, postings=[(999_999, cny(100)), (chart["cash"], cny(-100))]
            )
        with pytest.raises(InvalidEntry):
            L.post_entry(
                uow, key="bad", kind="x", business_on=DAY, postings=[(chart["rec"], 100), (chart["cash"], cny(-100))]
            )
        uow.commit()
    assert _count(engine, "ledger_entry") == 0
    assert _count(engine, "ledger_posting") == 0


# -- the database refuses what the code refuses --------------------------------------------------------
def _raw_entry(conn, backend: str, entry_id: int, legs: list[tuple[int, int]], key: str = "raw") -> None:
    """Write an entry with plain SQL in the order each engine's triggers expect."""
    entry = sa.text(
        "INSERT INTO ledger_entry (id, idempotency_key, kind, business_on, created_at) VALUES (:id, :k, 'raw', :d, :t)"
    )
    # All legs in one statement: PostgreSQL checks balance per statement.
    values = ", ".join(f"(:e, :a{i}, :m{i}, 'CNY')" for i in range(len(legs)))
    posting = sa.text(f"INSERT INTO ledger_posting (entry_id, account_id, amount_minor, currency) VALUES {values}")
    params = {
        "e": entry_id,
        **{f"a{i}": a for i, (a, _) in enumerate(legs)},
        **{f"m{i}": m for i, (_, m) in enumerate(legs)},
    }
    if backend == "postgresql":
        conn.execute(entry, {"id": entry_id, "k": key, "d": DAY, "t": NOW})
        if legs:
            conn.execute(posting, params)
    else:
        if legs:
            conn.execute(posting, params)
        conn.execute(entry, {"id": entry_id, "k": key, "d": DAY, "t": NOW})


def test_raw_sql_balanced_entry_is_accepted(engine, backend, chart):
    with engine.begin() as conn:
        _raw_entry(conn, backend, 500, [(chart["rec"].id, 10), (chart["cash"].id, -10)])
    assert _count(engine, "ledger_entry") == 1


@pytest.mark.parametrize(
    "legs",
    [[("rec", 10), ("cash", -9)], [("rec", 10)], []],
    ids=["unbalanced", "one-posting", "no-postings"],
)
def test_raw_sql_unbalanced_entry_is_refused_by_the_database(engine, backend, chart, legs):
    # PostgreSQL refuses at COMMIT, SQLite at the entry insert.
    with pytest.raises(sa.exc.DatabaseError, match=r"(?i)balance|posting"), engine.begin() as conn:
        _raw_entry(conn, backend, 500, [(chart[name].id, m) for name, m in legs])
    assert _count(engine, "ledger_entry") == 0
    assert _count(engine, "ledger_posting") == 0


def test_raw_sql_postings_added_to_a_stored_entry_are_refused(engine, backend, uow_factory, chart):
    with uow_factory() as uow:
        rec = _purchase(uow, chart)
        uow.commit()
    # SQLite: the entry is sealed; PostgreSQL: the extra posting unbalances it at COMMIT.
    with pytest.raises(sa.exc.DatabaseError, match=r"(?i)sealed|balance"), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO ledger_posting (entry_id, account_id, amount_minor, currency) VALUES (:e, :a, 5, 'CNY')"
            ),
            {"e": rec.id, "a": chart["fee"].id},
        )
    assert _count(engine, "ledger_posting") == 2


@pytest.mark.postgres
def test_postgres_refuses_postings_of_one_entry_split_over_statements(postgres_url):
    """PostgreSQL checks each INSERT's postings balance per entry: even a pair that would balance is refused when split."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.uow import UnitOfWork

    engine = make_engine(postgres_url)
    try:
        with UnitOfWork(engine) as uow:
            a = L.ensure_account(uow, code="a", kind="asset", currency="CNY")
            b = L.ensure_account(uow, code="b", kind="asset", currency="CNY")
            uow.commit()
        with pytest.raises(sa.exc.DatabaseError, match="does not balance"), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO ledger_entry (id, idempotency_key, kind, business_on, created_at) VALUES (1, 'k', 'x', :d, :t)"
                ),
                {"d": DAY, "t": NOW},
            )
            for acct, m in ((a, 5), (b, -5)):
                conn.execute(
                    sa.text(
                        "INSERT INTO ledger_posting (entry_id, account_id, amount_minor, currency) VALUES (1, :a, :m, 'CNY')"
                    ),
                    {"a": acct.id, "m": m},
                )
    finally:
        engine.dispose()


def test_raw_sql_orphan_postings_are_refused_at_commit(engine, chart):
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO ledger_posting (entry_id, account_id, amount_minor, currency) VALUES (9, :a, 5, 'CNY'), (9, :b, -5, 'CNY')"
            ),
            {"a": chart["rec"].id, "b": chart["cash"].id},
        )
    assert _count(engine, "ledger_posting") == 0


def test_a_posting_in_another_currency_than_its_account_is_refused_by_the_database(engine, backend, chart):
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO ledger_posting (entry_id, account_id, amount_minor, currency) VALUES (1, :a, 5, 'USD')"
            ),
            {"a": chart["rec"].id},
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_posting SET amount_minor = amount_minor + 1",
        "DELETE FROM ledger_posting",
        "UPDATE ledger_entry SET kind = 'edited'",
        "DELETE FROM ledger_entry",
    ],
)
def test_entries_and_postings_are_append_only(engine, uow_factory, chart, statement):
    with uow_factory() as uow:
        _purchase(uow, chart)
        uow.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement))
    with uow_factory() as uow:
        assert L.verify(uow).ok
        assert L.get_entry(uow, key="purchase-1").kind == "purchase"


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["ledger_posting", "ledger_entry"])
def test_postgres_refuses_truncate_of_the_journal(postgres_url, table):
    from fairdue.adapters.db.engine import make_engine

    engine = make_engine(postgres_url)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {table} CASCADE"))
    finally:
        engine.dispose()


# -- reversal ----------------------------------------------------------------------------------------
def test_a_reversal_undoes_an_entry_once(uow_factory, chart):
    with uow_factory() as uow:
        original = _purchase(uow, chart)
        rev = L.reverse_entry(uow, entry_id=original.id, key="refund-1", business_on=date(2026, 1, 20))
        assert rev.reverses_entry_id == original.id and rev.kind == "reversal"
        assert L.balance(uow, chart["rec"]) == cny(0) and L.balance(uow, chart["cash"]) == cny(0)
        again = L.reverse_entry(uow, entry_id=original.id, key="refund-1", business_on=date(2026, 1, 20))
        assert again.id == rev.id
        with pytest.raises(AlreadyReversed, match=f"#{original.id}"):
            L.reverse_entry(uow, entry_id=original.id, key="refund-2", business_on=date(2026, 1, 20))
        with pytest.raises(UnknownEntry):
            L.reverse_entry(uow, entry_id=987_654, key="refund-3", business_on=date(2026, 1, 20))
        uow.commit()
    with uow_factory() as uow:
        assert L.verify(uow).ok
        assert L.balance(uow, chart["rec"]) == cny(0)


def test_the_database_allows_one_reversal_per_entry(engine, uow_factory, chart):
    with uow_factory() as uow:
        original = _purchase(uow, chart)
        L.reverse_entry(uow, entry_id=original.id, key="refund-1", business_on=DAY)
        uow.commit()
    draft = EntryDraft(
        key="sneaky",
        kind="reversal",
        business_on=DAY,
        reverses_entry_id=original.id,
        postings=(PostingLine(chart["rec"].id, -120_000, "CNY"), PostingLine(chart["cash"].id, 120_000, "CNY")),
    )
    # Straight to the repository, past the service's check.
    with uow_factory() as uow, pytest.raises(AlreadyReversed):
        uow.ledger.add_entry(draft)


# -- idempotency ------------------------------------------------------------------------------------------
def test_the_same_key_twice_returns_the_first_entry_and_writes_nothing(uow_factory, chart, engine, clock):
    with uow_factory() as uow:
        first = _purchase(uow, chart)
        uow.commit()
    clock.advance(hours=1)
    with uow_factory() as uow:
        second = L.post_entry(
            uow,
            key="purchase-1",
            kind="purchase",
            business_on=DAY,
            postings=[("book:cash:CNY", cny(-120_000)), (chart["rec"], cny(120_000))],  # other order: same entry
        )
        uow.commit()
    assert second == first
    assert _count(engine, "ledger_entry") == 1 and _count(engine, "ledger_posting") == 2
    with uow_factory() as uow:
        assert L.balance(uow, chart["rec"]) == cny(120_000)


def test_the_same_key_with_other_content_is_a_precise_conflict(uow_factory, chart):
    with uow_factory() as uow:
        first = _purchase(uow, chart)
        with pytest.raises(IdempotencyConflict) as err:
            _purchase(uow, chart, minor=120_001)
        assert err.value.existing_entry_id == first.id
        assert "purchase-1" in str(err.value) and "postings" in str(err.value)
        with pytest.raises(IdempotencyConflict, match="description"):
            _purchase(uow, chart, description="other")


# -- bulk --------------------------------------------------------------------------------------------------
def _drafts(chart, n: int, prefix: str = "accrual") -> list[EntryDraft]:
    return [
        EntryDraft(
            key=f"{prefix}:{i}",
            kind="interest_accrual",
            business_on=DAY,
            postings=(PostingLine(chart["rec"].id, 10 + i, "CNY"), PostingLine(chart["fee"].id, -(10 + i), "CNY")),
        )
        for i in range(n)
    ]


def test_bulk_posting_writes_all_and_a_rerun_writes_nothing(uow_factory, chart, engine):
    drafts = _drafts(chart, 1_200)
    with uow_factory() as uow:
        result = L.post_entries_bulk(uow, drafts)
        uow.commit()
    assert (result.created, result.existing) == (1_200, 0)
    expected = sum(10 + i for i in range(1_200))
    with uow_factory() as uow:
        rerun = L.post_entries_bulk(uow, drafts[:700] + _drafts(chart, 5, prefix="more"))
        uow.commit()
    assert (rerun.created, rerun.existing) == (5, 700)
    with uow_factory() as uow:
        assert L.balance(uow, chart["rec"]) == cny(expected + sum(10 + i for i in range(5)))
        assert L.get_entry(uow, key="accrual:7").postings[0].amount_minor == 17
        report = L.verify(uow)
        assert report.ok and report.entries_checked == 1_205
    assert _count(engine, "ledger_posting") == 2 * 1_205


def test_bulk_posting_refuses_bad_drafts_and_changed_content(uow_factory, chart, engine):
    drafts = _drafts(chart, 3)
    with uow_factory() as uow:
        L.post_entries_bulk(uow, drafts)
        uow.commit()
    changed = EntryDraft(
        key="accrual:1",
        kind="interest_accrual",
        business_on=DAY,
        postings=(PostingLine(chart["rec"].id, 99, "CNY"), PostingLine(chart["fee"].id, -99, "CNY")),
    )
    unbalanced = EntryDraft(
        key="new",
        kind="x",
        business_on=DAY,
        postings=(PostingLine(chart["rec"].id, 5, "CNY"), PostingLine(chart["fee"].id, -4, "CNY")),
    )
    with uow_factory() as uow, pytest.raises(IdempotencyConflict):
        L.post_entries_bulk(uow, [changed])
    with uow_factory() as uow, pytest.raises(UnbalancedEntry):
        L.post_entries_bulk(uow, [unbalanced])
    with uow_factory() as uow, pytest.raises(IdempotencyConflict):
        L.post_entries_bulk(uow, [drafts[0], EntryDraft("accrual:0", "y", DAY, drafts[0].postings)])
    assert _count(engine, "ledger_entry") == 3


# -- verify ---------------------------------------------------------------------------------------------------
def _tamper_posting(engine, backend: str, posting_id: int, new_amount: int) -> None:
    """Alter one posting behind fairdue's back, getting past the append-only trigger."""
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(sa.text("ALTER TABLE ledger_posting DISABLE TRIGGER ledger_posting_append_only"))
            conn.execute(
                sa.text("UPDATE ledger_posting SET amount_minor = :m WHERE id = :i"), {"m": new_amount, "i": posting_id}
            )
            conn.execute(sa.text("ALTER TABLE ledger_posting ENABLE TRIGGER ledger_posting_append_only"))
        else:
            conn.execute(sa.text("DROP TRIGGER ledger_posting_no_update"))
            conn.execute(
                sa.text("UPDATE ledger_posting SET amount_minor = :m WHERE id = :i"), {"m": new_amount, "i": posting_id}
            )


def _verify_cli(url: str):
    return CliRunner().invoke(cli_app, ["ledger", "verify", "--database-url", url])


def test_verify_passes_on_good_data_and_names_the_account_after_tampering(
    uow_factory, chart, engine, backend, database_url
):
    with uow_factory() as uow:
        entry = _purchase(uow, chart)
        _purchase(uow, chart, key="purchase-2", minor=5_000)
        uow.commit()
    ok = _verify_cli(database_url)
    assert ok.exit_code == 0, ok.output
    assert "ledger OK: 4 accounts, 2 entries" in ok.output

    with engine.connect() as conn:
        posting_id = conn.execute(
            sa.text("SELECT id FROM ledger_posting WHERE entry_id = :e AND account_id = :a"),
            {"e": entry.id, "a": chart["rec"].id},
        ).scalar_one()
    _tamper_posting(engine, backend, posting_id, 100_000)

    with uow_factory() as uow:
        report = L.verify(uow)
        assert [d.code for d in report.drifts] == ["cl:1:receivable_principal"]
        assert report.drifts[0].stored_minor == 125_000 and report.drifts[0].computed_minor == 105_000
        assert [(i.entry_id, i.currency, i.total_minor) for i in report.imbalances] == [(entry.id, "CNY", -20_000)]
        with pytest.raises(CorruptEntry, match=f"#{entry.id}"):
            L.get_entry(uow, entry_id=entry.id)
    bad = _verify_cli(database_url)
    assert bad.exit_code == 1
    assert "DRIFT account cl:1:receivable_principal" in bad.output
    assert f"UNBALANCED entry #{entry.id} (purchase-1)" in bad.output


def test_verify_names_a_stored_balance_edited_directly(uow_factory, chart, engine, database_url):
    with uow_factory() as uow:
        _purchase(uow, chart)
        uow.commit()
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE ledger_balance SET balance_minor = 1 WHERE account_id = :a"), {"a": chart["cash"].id}
        )
    with uow_factory() as uow:
        report = L.verify(uow)
    assert [d.code for d in report.drifts] == ["book:cash:CNY"]
    assert report.imbalances == ()
    assert report.trial_balance == {"CNY": 120_001, "USD": 0}
    result = _verify_cli(database_url)
    assert (
        result.exit_code == 1
        and "book:cash:CNY" in result.output
        and "TRIAL BALANCE CNY off by +120001" in result.output
    )


def test_init_db_cli_is_idempotent_and_verify_refuses_an_unmigrated_database(blank_database_url):
    runner = CliRunner()
    before = _verify_cli(blank_database_url)
    assert before.exit_code != 0 and "init-db" in str(before.exception)
    first = runner.invoke(cli_app, ["init-db", "--database-url", blank_database_url])
    assert first.exit_code == 0, first.output
    assert "migrated empty ->" in first.output
    second = runner.invoke(cli_app, ["init-db", "--database-url", blank_database_url])
    assert second.exit_code == 0 and "already at revision" in second.output
    assert _verify_cli(blank_database_url).exit_code == 0


def test_ensure_accounts_creates_many_once_and_reports_conflicts(uow_factory, chart, engine):
    specs = [L.AccountSpec(f"cl:{i}:receivable_interest", "asset", "CNY", f"credit_line:{i}") for i in range(2_500)]
    with uow_factory() as uow:
        made = L.ensure_accounts(uow, specs + [L.AccountSpec("book:cash:CNY", "asset", "CNY")])
        again = L.ensure_accounts(uow, specs[:10])
        uow.commit()
    assert len(made) == 2_501 and made["book:cash:CNY"] == chart["cash"]
    assert again == {s.code: made[s.code] for s in specs[:10]}
    assert _count(engine, "ledger_balance") == 4 + 2_500
    with uow_factory() as uow:
        with pytest.raises(LedgerAccountConflict):
            L.ensure_accounts(uow, [L.AccountSpec("cl:3:receivable_interest", "asset", "CNY", "credit_line:4")])
        with pytest.raises(LedgerAccountConflict, match="twice"):
            L.ensure_accounts(uow, [L.AccountSpec("n", "asset", "CNY"), L.AccountSpec("n", "asset", "USD")])
        with pytest.raises(InvalidEntry):
            L.ensure_accounts(uow, [L.AccountSpec("n", "receivable", "CNY")])
        _purchase(uow, chart)
        got = L.balances(uow, [chart["rec"], chart["cash"], made["cl:0:receivable_interest"]])
        assert got == {
            "cl:1:receivable_principal": cny(120_000),
            "book:cash:CNY": cny(-120_000),
            "cl:0:receivable_interest": cny(0),
        }


def test_a_naive_clock_is_refused(engine):
    from fairdue.adapters.db.uow import UnitOfWork

    with UnitOfWork(engine, clock=lambda: datetime(2026, 1, 15)) as uow, pytest.raises(ValueError, match="naive"):
        L.ensure_account(uow, code="x", kind="asset", currency="CNY")


def test_created_at_is_stored_as_utc_whatever_zone_the_clock_uses(engine, chart):
    from datetime import timedelta, timezone

    from fairdue.adapters.db.uow import UnitOfWork

    shanghai = timezone(timedelta(hours=8))
    with UnitOfWork(engine, clock=lambda: datetime(2026, 1, 15, 10, 0, tzinfo=shanghai)) as uow:
        _purchase(uow, chart)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert L.get_entry(uow, key="purchase-1").created_at == datetime(2026, 1, 15, 2, 0, tzinfo=UTC)
