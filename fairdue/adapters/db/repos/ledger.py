"""Ledger storage on one connection (SQLAlchemy Core), for SQLite and PostgreSQL.

Writes differ per engine only in order, because of how each database checks
balance (see migration 0001):

* PostgreSQL: `INSERT entry … ON CONFLICT DO NOTHING RETURNING id`; when no
  row comes back the key exists (maybe just committed by a concurrent
  transaction — READ COMMITTED sees it in the next statement), so read it back
  and compare. Then all its postings in ONE statement (a statement-level
  trigger checks they balance; a deferred trigger re-checks the entry at
  COMMIT). The bulk path stages entries with COPY and copies postings in.
* SQLite: the unit of work holds the write lock (BEGIN IMMEDIATE), so look the
  key up first; then allocate the id, write the postings, then the entry
  (its insert trigger checks the postings balance).

Stored balances change in the same transaction, in account-id order so two
transactions touching the same accounts cannot deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite as sqlite_dialect

from fairdue.adapters.db.schema.ledger import ledger_account, ledger_balance, ledger_entry, ledger_posting
from fairdue.domain.instants import as_utc
from fairdue.domain.ledger import (
    AccountKind,
    AccountSpec,
    AlreadyReversed,
    Drift,
    EntryDraft,
    EntryImbalance,
    EntryRecord,
    IdempotencyConflict,
    LedgerAccount,
    PostingLine,
    check_stored,
    differences,
)

# Rows per IN (...) list when looking keys up in bulk.
KEYS_PER_QUERY_MAX = 5_000
# Accounts per INSERT statement (7 parameters each).
ACCOUNT_ROWS_PER_STATEMENT = 1_000
# PostgreSQL: from this many accounts on, balances are staged with COPY and upserted in one statement.
BALANCE_COPY_ROWS_MIN = 200


# Hot-path statements, built once (building a statement costs more than running it on SQLite).
_ID_BY_KEY = sa.select(ledger_entry.c.id).where(ledger_entry.c.idempotency_key == sa.bindparam("key"))
_NEXT_ENTRY_ID = sa.select(sa.func.coalesce(sa.func.max(ledger_entry.c.id), 0) + 1)
# SQLite, one entry: (id already holding the key or NULL, next entry id) in one round trip.
_KEY_AND_NEXT_ID = sa.select(_ID_BY_KEY.scalar_subquery(), _NEXT_ENTRY_ID.scalar_subquery())
_INSERT_ENTRY = ledger_entry.insert()
_PG_INSERT_ENTRY = pg.insert(ledger_entry).on_conflict_do_nothing().returning(ledger_entry.c.id)
_INSERT_POSTING = ledger_posting.insert()
# PostgreSQL: all legs of an entry in ONE statement (its balance trigger is per statement), still one cached form.
_PG_INSERT_POSTINGS = sa.text(
    "INSERT INTO ledger_posting (entry_id, account_id, amount_minor, currency) "
    "SELECT :entry_id, a, m, c FROM unnest(CAST(:accounts AS bigint[]), CAST(:amounts AS bigint[]), "
    "CAST(:currencies AS text[])) AS t(a, m, c)"
)
_ACCOUNTS_BY_ID = sa.select(ledger_account).where(ledger_account.c.id.in_(sa.bindparam("ids", expanding=True)))
_ACCOUNTS_BY_CODE = sa.select(ledger_account).where(ledger_account.c.code.in_(sa.bindparam("codes", expanding=True)))
_INSERT_BALANCE = ledger_balance.insert()


def _account_insert(insert):
    """Accounts whose code is new (executemany; only the rows written come back)."""
    return (
        insert(ledger_account)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(ledger_account.c.id, ledger_account.c.currency)
    )


_ACCOUNT_INSERT = {"postgresql": _account_insert(pg.insert), "sqlite": _account_insert(sqlite_dialect.insert)}


def _balance_upsert(insert):
    stmt = insert(ledger_balance)
    return stmt.on_conflict_do_update(
        index_elements=["account_id"],
        set_={
            "balance_minor": ledger_balance.c.balance_minor + stmt.excluded.balance_minor,
            "posting_count": ledger_balance.c.posting_count + stmt.excluded.posting_count,
        },
    )


_BALANCE_UPSERT = {"postgresql": _balance_upsert(pg.insert), "sqlite": _balance_upsert(sqlite_dialect.insert)}


@dataclass(frozen=True, slots=True)
class BulkResult:
    """created: entries written now; existing: keys already present with the same content."""

    created: int
    existing: int


def _account(row) -> LedgerAccount:
    return LedgerAccount(
        id=row.id, code=row.code, kind=AccountKind(row.kind), currency=row.currency, owner=row.owner, name=row.name
    )


class LedgerRepository:
    """Accounts, entries, postings and balances on `connection` (the unit of work's)."""

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime]):
        self.connection = connection
        self.clock = clock
        self._pg = connection.dialect.name == "postgresql"
        self._held_ids: frozenset[int] = frozenset()
        self._held: dict[int, list] = {}

    # -- held balances ----------------------------------------------------------------------
    def hold_balances(self, account_ids: Iterable[int]) -> None:
        """From now on, keep the balance deltas of these accounts in memory (this transaction only)
        instead of writing them; apply_held_balances writes them. For a batch that posts to hot,
        shared rows (the book accounts): it locks them only for its last statement, not its whole
        transaction. While held, the stored balances of these accounts lag the journal."""
        if self._held:
            raise RuntimeError("balances are already held with deltas pending; apply them first")
        self._held_ids = frozenset(account_ids)

    def apply_held_balances(self) -> None:
        """Write the held deltas (one upsert, account-id order) and stop holding."""
        held, self._held, self._held_ids = self._held, {}, frozenset()
        if held:
            self._write_balance_deltas(held)

    def _now(self) -> datetime:
        """The clock's instant as aware UTC (a naive clock is a wiring bug)."""
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the unit of work's clock returned a naive datetime; it must be aware UTC")
        return now.astimezone(UTC)

    def _insert(self, table: sa.Table):
        return (pg.insert if self._pg else sqlite_dialect.insert)(table)

    # -- accounts ------------------------------------------------------------------------
    def add_account_if_absent(
        self, *, code: str, kind: AccountKind, currency: str, owner: str | None, name: str | None
    ) -> LedgerAccount:
        """Insert the account (and its zero balance) unless the code exists; return what is stored."""
        stmt = (
            self._insert(ledger_account)
            .values(code=code, kind=kind.value, currency=currency, owner=owner, name=name, created_at=self._now())
            .on_conflict_do_nothing(index_elements=["code"])
            .returning(ledger_account.c.id)
        )
        new_id = self.connection.execute(stmt).scalar()
        if new_id is not None:
            self.connection.execute(
                ledger_balance.insert().values(account_id=new_id, currency=currency, balance_minor=0, posting_count=0)
            )
        account = self.account_by_code(code)
        if account is None:  # pragma: no cover - the insert or the conflict guarantees a row
            raise RuntimeError(f"ledger account {code!r} vanished after insert")
        return account

    def add_accounts_if_absent(self, specs: Sequence[AccountSpec]) -> dict[str, LedgerAccount]:
        """Insert every spec whose code is new (with zero balances), in chunks; return all of them as stored."""
        now = self._now()
        for i in range(0, len(specs), ACCOUNT_ROWS_PER_STATEMENT):
            chunk = specs[i : i + ACCOUNT_ROWS_PER_STATEMENT]
            # One cached statement, executemany: SQLAlchemy sends the rows as one multi-row INSERT … RETURNING.
            created = self.connection.execute(
                _ACCOUNT_INSERT[self.connection.dialect.name],
                [
                    {
                        "code": s.code,
                        "kind": s.kind.value,
                        "currency": s.currency,
                        "owner": s.owner,
                        "name": s.name,
                        "created_at": now,
                    }
                    for s in chunk
                ],
            ).all()
            if created:
                self.connection.execute(
                    _INSERT_BALANCE,
                    [
                        {"account_id": r.id, "currency": r.currency, "balance_minor": 0, "posting_count": 0}
                        for r in created
                    ],
                )
        return self.accounts_by_codes(s.code for s in specs)

    def account_by_code(self, code: str) -> LedgerAccount | None:
        row = self.connection.execute(sa.select(ledger_account).where(ledger_account.c.code == code)).first()
        return None if row is None else _account(row)

    def account_by_id(self, account_id: int) -> LedgerAccount | None:
        row = self.connection.execute(sa.select(ledger_account).where(ledger_account.c.id == account_id)).first()
        return None if row is None else _account(row)

    def accounts_by_codes(self, codes: Iterable[str]) -> dict[str, LedgerAccount]:
        """The stored accounts among `codes`, by code (missing codes are absent)."""
        wanted = sorted(set(codes))
        found: dict[str, LedgerAccount] = {}
        for i in range(0, len(wanted), KEYS_PER_QUERY_MAX):
            for row in self.connection.execute(_ACCOUNTS_BY_CODE, {"codes": wanted[i : i + KEYS_PER_QUERY_MAX]}):
                found[row.code] = _account(row)
        return found

    def accounts_by_owner(self, owner: str) -> list[LedgerAccount]:
        rows = self.connection.execute(
            sa.select(ledger_account).where(ledger_account.c.owner == owner).order_by(ledger_account.c.code)
        )
        return [_account(r) for r in rows]

    def accounts_by_ids(self, account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
        """The stored accounts among `account_ids`, by id (missing ids are absent)."""
        ids = sorted(set(account_ids))
        found: dict[int, LedgerAccount] = {}
        for i in range(0, len(ids), KEYS_PER_QUERY_MAX):
            for row in self.connection.execute(_ACCOUNTS_BY_ID, {"ids": ids[i : i + KEYS_PER_QUERY_MAX]}):
                found[row.id] = _account(row)
        return found

    def balances_of(self, account_ids: Iterable[int]) -> dict[int, int]:
        """Stored balance_minor by account id for the given ids (ids without a balance row are absent)."""
        ids = sorted(set(account_ids))
        out: dict[int, int] = {}
        for i in range(0, len(ids), KEYS_PER_QUERY_MAX):
            chunk = ids[i : i + KEYS_PER_QUERY_MAX]
            for r in self.connection.execute(
                sa.select(ledger_balance.c.account_id, ledger_balance.c.balance_minor).where(
                    ledger_balance.c.account_id.in_(chunk)
                )
            ):
                out[r.account_id] = r.balance_minor
        return out

    def balance_of(self, account_id: int) -> tuple[int, str] | None:
        """(balance_minor, currency) as stored, O(1); None if the account has no balance row."""
        row = self.connection.execute(
            sa.select(ledger_balance.c.balance_minor, ledger_balance.c.currency).where(
                ledger_balance.c.account_id == account_id
            )
        ).first()
        return None if row is None else (row.balance_minor, row.currency)

    # -- entries: read -----------------------------------------------------------------------
    def _records(self, where) -> list[EntryRecord]:
        entries = self.connection.execute(sa.select(ledger_entry).where(where).order_by(ledger_entry.c.id)).all()
        if not entries:
            return []
        ids = [e.id for e in entries]
        postings: dict[int, list[PostingLine]] = defaultdict(list)
        for i in range(0, len(ids), KEYS_PER_QUERY_MAX):
            chunk = ids[i : i + KEYS_PER_QUERY_MAX]
            rows = self.connection.execute(
                sa.select(ledger_posting).where(ledger_posting.c.entry_id.in_(chunk)).order_by(ledger_posting.c.id)
            )
            for p in rows:
                postings[p.entry_id].append(PostingLine(p.account_id, p.amount_minor, p.currency))
        return [
            check_stored(
                EntryRecord(
                    id=e.id,
                    key=e.idempotency_key,
                    kind=e.kind,
                    business_on=e.business_on,
                    created_at=as_utc(e.created_at),
                    postings=tuple(postings[e.id]),
                    description=e.description,
                    reverses_entry_id=e.reverses_entry_id,
                )
            )
            for e in entries
        ]

    def entry_by_key(self, key: str) -> EntryRecord | None:
        """The entry with this idempotency key (balance re-checked on read), or None."""
        found = self._records(ledger_entry.c.idempotency_key == key)
        return found[0] if found else None

    def entry_by_id(self, entry_id: int) -> EntryRecord | None:
        found = self._records(ledger_entry.c.id == entry_id)
        return found[0] if found else None

    def entries_for_account(self, account_id: int, *, limit: int = 1000) -> list[EntryRecord]:
        """Entries touching the account, oldest first (at most `limit`)."""
        ids = sa.select(ledger_posting.c.entry_id).where(ledger_posting.c.account_id == account_id)
        sub = sa.select(ledger_entry.c.id).where(ledger_entry.c.id.in_(ids)).order_by(ledger_entry.c.id).limit(limit)
        return self._records(ledger_entry.c.id.in_(sub.scalar_subquery()))

    def reversal_of(self, entry_id: int) -> int | None:
        """Id of the entry that reverses `entry_id`, or None."""
        return self.connection.execute(
            sa.select(ledger_entry.c.id).where(ledger_entry.c.reverses_entry_id == entry_id)
        ).scalar()

    # -- entries: write ------------------------------------------------------------------------
    def add_entry(self, draft: EntryDraft) -> tuple[EntryRecord, bool]:
        """Store a checked draft; (record, True) if written now, (first record, False) if the key exists.

        Raises IdempotencyConflict when the key exists with different content,
        AlreadyReversed when another entry already reverses the same entry.
        """
        created_at = self._now()
        if self._pg:
            # DO NOTHING on the key or on reverses_entry_id: _existing tells them apart.
            entry_id = self.connection.execute(_PG_INSERT_ENTRY, self._entry_row(draft, created_at)).scalar()
            if entry_id is None:
                return self._existing(draft), False
            self._insert_postings(entry_id, draft.postings)
        else:
            # The next id is safe to take now only because the unit of work holds the write lock (BEGIN IMMEDIATE).
            existing_id, entry_id = self.connection.execute(_KEY_AND_NEXT_ID, {"key": draft.key}).one()
            if existing_id is not None:
                return self._existing(draft), False
            if draft.reverses_entry_id is not None:
                by = self.reversal_of(draft.reverses_entry_id)
                if by is not None:
                    raise AlreadyReversed(draft.reverses_entry_id, by)
            self._insert_postings(entry_id, draft.postings)
            self.connection.execute(_INSERT_ENTRY, {"id": entry_id, **self._entry_row(draft, created_at)})
        self._apply_balances(draft.postings)
        return (
            EntryRecord(
                id=entry_id,
                key=draft.key,
                kind=draft.kind,
                business_on=draft.business_on,
                created_at=as_utc(created_at),
                postings=draft.postings,
                description=draft.description,
                reverses_entry_id=draft.reverses_entry_id,
            ),
            True,
        )

    def add_entries_bulk(self, drafts: Sequence[EntryDraft], *, check_existing: bool = True) -> BulkResult:
        """Store many checked drafts in few statements; keys already stored are skipped.

        With check_existing (default) a skipped key must carry the same content
        (IdempotencyConflict otherwise); without, skipped keys are not re-read.
        Duplicate keys inside `drafts` must carry the same content too.
        """
        by_key: dict[str, EntryDraft] = {}
        for d in drafts:
            seen = by_key.get(d.key)
            if seen is None:
                by_key[d.key] = d
            elif seen != d:
                raise IdempotencyConflict(d.key, -1, ["the same key appears twice in one batch with different content"])
        unique = list(by_key.values())
        if not unique:
            return BulkResult(0, 0)
        created_at = self._now()
        if self._pg:
            ids = self._pg_copy_entries(unique, created_at)
            fresh = [d for d in unique if d.key in ids]
            skipped = [d for d in unique if d.key not in ids]
            self._check_skipped(skipped, check_existing)
            self._pg_copy_postings(fresh, ids)
        else:
            stored = self._stored_keys([d.key for d in unique])
            fresh = [d for d in unique if d.key not in stored]
            skipped = [d for d in unique if d.key in stored]
            self._check_skipped(skipped, check_existing)
            first_id = self._next_sqlite_entry_id()
            ids = {d.key: first_id + n for n, d in enumerate(fresh)}
            postings = [
                {
                    "entry_id": ids[d.key],
                    "account_id": p.account_id,
                    "amount_minor": p.amount_minor,
                    "currency": p.currency,
                }
                for d in fresh
                for p in d.postings
            ]
            if postings:
                self.connection.execute(ledger_posting.insert(), postings)
            if fresh:
                self.connection.execute(
                    ledger_entry.insert(), [{"id": ids[d.key], **self._entry_row(d, created_at)} for d in fresh]
                )
        self._apply_balances(p for d in fresh for p in d.postings)
        return BulkResult(created=len(fresh), existing=len(skipped))

    def _check_skipped(self, skipped: Sequence[EntryDraft], check_existing: bool) -> None:
        """Stored entries for skipped keys must match their drafts (read in chunks)."""
        if not check_existing or not skipped:
            return
        for i in range(0, len(skipped), KEYS_PER_QUERY_MAX):
            chunk = skipped[i : i + KEYS_PER_QUERY_MAX]
            stored = {r.key: r for r in self._records(ledger_entry.c.idempotency_key.in_([d.key for d in chunk]))}
            for d in chunk:
                record = stored.get(d.key)
                if record is None:  # PostgreSQL: a conflict on another unique column
                    self._existing(d)
                    continue
                diffs = differences(d, record)
                if diffs:
                    raise IdempotencyConflict(d.key, record.id, diffs)

    def _raw_cursor(self):
        """A psycopg cursor on the unit of work's own connection and transaction (for COPY)."""
        driver = self.connection.connection.driver_connection
        if driver is None:  # only on an invalidated connection
            raise RuntimeError("the unit of work's connection was invalidated: no driver connection for COPY")
        return driver.cursor()

    def _pg_copy_entries(self, drafts: Sequence[EntryDraft], created_at: datetime) -> dict[str, int]:
        """COPY the drafts into a temporary stage, then one INSERT … ON CONFLICT DO NOTHING; key → new id."""
        with self._raw_cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS ledger_entry_stage ("
                " seq bigint, idempotency_key text, kind text, business_on date,"
                " created_at timestamptz, description text) ON COMMIT DELETE ROWS"
            )
            cur.execute("TRUNCATE ledger_entry_stage")
            with cur.copy(
                "COPY ledger_entry_stage (seq, idempotency_key, kind, business_on, created_at, description) FROM STDIN"
            ) as copy:
                for seq, d in enumerate(drafts):
                    copy.write_row((seq, d.key, d.kind, d.business_on, created_at, d.description))
            cur.execute(
                "INSERT INTO ledger_entry (idempotency_key, kind, business_on, created_at, description)"
                " SELECT idempotency_key, kind, business_on, created_at, description"
                " FROM ledger_entry_stage ORDER BY seq"
                " ON CONFLICT DO NOTHING RETURNING id, idempotency_key"
            )
            ids = {key: entry_id for entry_id, key in cur.fetchall()}
            cur.execute("TRUNCATE ledger_entry_stage")
        return ids

    def _pg_copy_postings(self, drafts: Sequence[EntryDraft], ids: dict[str, int]) -> None:
        """All postings of all drafts in one COPY (one statement: the balance trigger sees whole entries)."""
        if not drafts:
            return
        with (
            self._raw_cursor() as cur,
            cur.copy("COPY ledger_posting (entry_id, account_id, amount_minor, currency) FROM STDIN") as copy,
        ):
            for d in drafts:
                entry_id = ids[d.key]
                for p in d.postings:
                    copy.write_row((entry_id, p.account_id, p.amount_minor, p.currency))

    # -- verification ----------------------------------------------------------------------------
    def drifts(self) -> tuple[list[Drift], int]:
        """Accounts whose stored balance/count differs from their postings; and how many accounts exist."""
        sums = (
            sa.select(
                ledger_posting.c.account_id,
                sa.func.sum(ledger_posting.c.amount_minor).label("total"),
                sa.func.count().label("n"),
            )
            .group_by(ledger_posting.c.account_id)
            .subquery()
        )
        rows = self.connection.execute(
            sa.select(
                ledger_account.c.id,
                ledger_account.c.code,
                ledger_account.c.currency,
                ledger_balance.c.balance_minor,
                ledger_balance.c.posting_count,
                sums.c.total,
                sums.c.n,
            )
            .select_from(ledger_account)
            .outerjoin(ledger_balance, ledger_balance.c.account_id == ledger_account.c.id)
            .outerjoin(sums, sums.c.account_id == ledger_account.c.id)
            .where(
                sa.or_(
                    ledger_balance.c.balance_minor.is_(None),
                    ledger_balance.c.balance_minor != sa.func.coalesce(sums.c.total, 0),
                    ledger_balance.c.posting_count != sa.func.coalesce(sums.c.n, 0),
                )
            )
            .order_by(ledger_account.c.code)
        ).all()
        count = self.connection.execute(sa.select(sa.func.count()).select_from(ledger_account)).scalar_one()
        drifts = [
            Drift(
                account_id=r.id,
                code=r.code,
                currency=r.currency,
                stored_minor=r.balance_minor,
                computed_minor=int(r.total or 0),  # PostgreSQL sums BIGINT as NUMERIC: exact, made int here
                stored_postings=r.posting_count,
                computed_postings=int(r.n or 0),
            )
            for r in rows
        ]
        return drifts, count

    def imbalances(self) -> tuple[list[EntryImbalance], int]:
        """Stored entries that do not balance per currency or have < 2 postings; and how many entries exist."""
        total = sa.func.sum(ledger_posting.c.amount_minor)
        off = self.connection.execute(
            sa.select(
                ledger_posting.c.entry_id, ledger_posting.c.currency, total.label("total"), sa.func.count().label("n")
            )
            .group_by(ledger_posting.c.entry_id, ledger_posting.c.currency)
            .having(total != 0)
        ).all()
        counts = (
            sa.select(ledger_posting.c.entry_id, sa.func.count().label("n"))
            .group_by(ledger_posting.c.entry_id)
            .subquery()
        )
        short = self.connection.execute(
            sa.select(ledger_entry.c.id, sa.func.coalesce(counts.c.n, 0).label("n"))
            .select_from(ledger_entry)
            .outerjoin(counts, counts.c.entry_id == ledger_entry.c.id)
            .where(sa.func.coalesce(counts.c.n, 0) < 2)
        ).all()
        keys = self._keys_for([r.entry_id for r in off] + [r.id for r in short])
        found = [EntryImbalance(r.entry_id, keys.get(r.entry_id, "?"), r.currency, int(r.total), r.n) for r in off]
        found += [EntryImbalance(r.id, keys.get(r.id, "?"), None, 0, r.n) for r in short]
        count = self.connection.execute(sa.select(sa.func.count()).select_from(ledger_entry)).scalar_one()
        return sorted(found, key=lambda f: (f.entry_id, f.currency or "")), count

    def stored_balances(self) -> list[tuple[str, int]]:
        """(currency, balance_minor) of every stored balance, for the trial balance."""
        rows = self.connection.execute(sa.select(ledger_balance.c.currency, ledger_balance.c.balance_minor))
        return [(r.currency, r.balance_minor) for r in rows]

    # -- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _entry_row(draft: EntryDraft, created_at: datetime) -> dict:
        return {
            "idempotency_key": draft.key,
            "kind": draft.kind,
            "business_on": draft.business_on,
            "created_at": created_at,
            "description": draft.description,
            "reverses_entry_id": draft.reverses_entry_id,
        }

    def _existing(self, draft: EntryDraft) -> EntryRecord:
        """The stored entry for draft.key, which must match the draft; explains the conflict otherwise."""
        record = self.entry_by_key(draft.key)
        if record is None:
            # PostgreSQL's DO NOTHING also fires on the one-reversal-per-entry constraint.
            if draft.reverses_entry_id is not None:
                raise AlreadyReversed(draft.reverses_entry_id, self.reversal_of(draft.reverses_entry_id))
            raise RuntimeError(f"ledger entry insert for {draft.key!r} conflicted but no entry has that key")
        diffs = differences(draft, record)
        if diffs:
            raise IdempotencyConflict(draft.key, record.id, diffs)
        return record

    def _insert_postings(self, entry_id: int, postings: Sequence[PostingLine]) -> None:
        if self._pg:
            self.connection.execute(
                _PG_INSERT_POSTINGS,
                {
                    "entry_id": entry_id,
                    "accounts": [p.account_id for p in postings],
                    "amounts": [p.amount_minor for p in postings],
                    "currencies": [p.currency for p in postings],
                },
            )
        else:
            self.connection.execute(
                _INSERT_POSTING,
                [
                    {
                        "entry_id": entry_id,
                        "account_id": p.account_id,
                        "amount_minor": p.amount_minor,
                        "currency": p.currency,
                    }
                    for p in postings
                ],
            )

    def _apply_balances(self, postings: Iterable[PostingLine]) -> None:
        """Add the postings to the stored balances: one upsert per chunk of accounts, in account-id order.

        The order makes concurrent transactions lock balance rows the same way
        (no deadlock); the upsert also writes a balance row an account lacks.
        """
        deltas: dict[int, list] = {}
        for p in postings:
            slot = deltas.get(p.account_id)
            if slot is None:
                deltas[p.account_id] = [p.currency, p.amount_minor, 1]
            else:
                slot[1] += p.amount_minor
                slot[2] += 1
        if self._held_ids:
            for a in self._held_ids.intersection(deltas):
                currency, amount, count = deltas.pop(a)
                slot = self._held.setdefault(a, [currency, 0, 0])
                slot[1] += amount
                slot[2] += count
        self._write_balance_deltas(deltas)

    def _write_balance_deltas(self, deltas: dict[int, list]) -> None:
        """deltas: account id -> [currency, amount_minor, posting count]."""
        if not deltas:
            return
        if self._pg and len(deltas) >= BALANCE_COPY_ROWS_MIN:
            self._pg_copy_balances(deltas)
            return
        rows = [
            {"account_id": a, "currency": deltas[a][0], "balance_minor": deltas[a][1], "posting_count": deltas[a][2]}
            for a in sorted(deltas)
        ]
        # executemany of one cached upsert, rows in account-id order.
        self.connection.execute(_BALANCE_UPSERT[self.connection.dialect.name], rows)

    def _pg_copy_balances(self, deltas: dict[int, list]) -> None:
        """PostgreSQL, many accounts: COPY the deltas into a stage, then ONE upsert in account-id order."""
        with self._raw_cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS ledger_balance_stage ("
                " account_id bigint, currency text, balance_minor bigint, posting_count bigint) ON COMMIT DELETE ROWS"
            )
            cur.execute("TRUNCATE ledger_balance_stage")
            with cur.copy(
                "COPY ledger_balance_stage (account_id, currency, balance_minor, posting_count) FROM STDIN"
            ) as copy:
                for a in sorted(deltas):
                    slot = deltas[a]
                    copy.write_row((a, slot[0], slot[1], slot[2]))
            cur.execute(
                "INSERT INTO ledger_balance (account_id, currency, balance_minor, posting_count)"
                " SELECT account_id, currency, balance_minor, posting_count FROM ledger_balance_stage"
                " ORDER BY account_id"
                " ON CONFLICT (account_id) DO UPDATE SET"
                " balance_minor = ledger_balance.balance_minor + excluded.balance_minor,"
                " posting_count = ledger_balance.posting_count + excluded.posting_count"
            )
            cur.execute("TRUNCATE ledger_balance_stage")

    def _next_sqlite_entry_id(self) -> int:
        # Safe only because the SQLite unit of work holds the write lock (BEGIN IMMEDIATE).
        return self.connection.execute(_NEXT_ENTRY_ID).scalar_one()

    def _stored_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(keys), KEYS_PER_QUERY_MAX):
            chunk = keys[i : i + KEYS_PER_QUERY_MAX]
            found.update(
                self.connection.execute(
                    sa.select(ledger_entry.c.idempotency_key).where(ledger_entry.c.idempotency_key.in_(chunk))
                ).scalars()
            )
        return found

    def _keys_for(self, entry_ids: Sequence[int]) -> dict[int, str]:
        ids = sorted(set(entry_ids))
        out: dict[int, str] = {}
        for i in range(0, len(ids), KEYS_PER_QUERY_MAX):
            chunk = ids[i : i + KEYS_PER_QUERY_MAX]
            for r in self.connection.execute(
                sa.select(ledger_entry.c.id, ledger_entry.c.idempotency_key).where(ledger_entry.c.id.in_(chunk))
            ):
                out[r.id] = r.idempotency_key
        return out
