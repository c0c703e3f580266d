"""Unit of work: one transaction, the repositories bound to it, commit or roll back.

    with uow_factory() as uow:       # BEGIN (SQLite: BEGIN IMMEDIATE)
        post_entry(uow, ...)
        uow.commit()                 # leaving without commit() rolls back

`uow.connection` is the SQLAlchemy Connection of the transaction; every
repository of the unit of work runs on it. After `commit()` a fresh
transaction begins on the same connection, so a long job (day-end) may commit
in chunks inside one `with` block.

The repositories are typed attributes, one or two per context (`uow.ledger`,
`uow.borrowers`, `uow.accounts`, `uow.statements`, `uow.plans`, `uow.dayend`,
`uow.contact`, `uow.collections`, `uow.actions`, `uow.portal`, `uow.staff`),
each built on first use with the connection and the unit of work's clock, and
kept until the `with` block ends.

A read-only unit (`UnitOfWork(engine, read_only=True)`, or `uow_factory().as_read_only()`; for routes that only
read, which opt in one by one: some GET routes write) takes no write lock: SQLite begins DEFERRED (a WAL snapshot, readers never wait for a writer) with
`PRAGMA query_only` on, PostgreSQL runs the transaction READ ONLY; either engine refuses a write statement, and
`commit()` raises ReadOnlyUnitOfWork.

The PII field cipher is `uow.cipher`: bootstrap loads the keys once at start-up
and hands them to every unit of work.

Events between contexts (fairdue.domain.events) are published on the unit of
work: `uow.publish(PlanAccepted(...))` runs every handler wired for the
event's type at once, in this transaction, so the reaction commits with the
change or not at all. A handler's error is not caught: it propagates and the
transaction rolls back. An event with no handler is refused (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Connection, Engine

from fairdue.adapters.crypto import FieldCipher, load_cipher
from fairdue.adapters.db.engine import READ_ONLY_OPTION
from fairdue.adapters.db.repos.borrower import BorrowerRepository
from fairdue.adapters.db.repos.collections import CollectionsRepository
from fairdue.adapters.db.repos.collections_actions import ActionsRepository
from fairdue.adapters.db.repos.contact import ContactRepository
from fairdue.adapters.db.repos.dayend import DayendRepository
from fairdue.adapters.db.repos.ledger import LedgerRepository
from fairdue.adapters.db.repos.plans import PlansRepository
from fairdue.adapters.db.repos.portal import PortalRepository
from fairdue.adapters.db.repos.servicing import AccountsRepository
from fairdue.adapters.db.repos.staff import StaffRepository
from fairdue.adapters.db.repos.statements import StatementsBulkRepository
from fairdue.domain.events import Event
from fairdue.errors import FairdueError


def utc_now() -> datetime:
    """The real clock: an aware UTC instant."""
    return datetime.now(UTC)


class UnitOfWorkNotActive(FairdueError):
    """A repository or commit was used outside `with uow:`."""


class UnhandledEvent(RuntimeError):
    """An event was published on a unit of work that has no handler for it: a wiring bug, never the caller's
    fault (so not a FairdueError: the web answers 500, the CLI shows the traceback)."""


class ReadOnlyUnitOfWork(RuntimeError):
    """commit() on a read-only unit of work: a wiring bug (a route that writes declared itself a reader)."""


class _Repository(Protocol):
    """How the unit of work builds each repository: on its connection, with its clock."""

    def __init__(self, connection: Connection, /, *, clock: Callable[[], datetime]) -> None: ...


R = TypeVar("R", bound=_Repository)
EventHandler = Callable[["UnitOfWork", Any], None]
EventHandlers = Mapping[type[Event], Sequence[EventHandler]]


class UnitOfWork:
    """A transaction on `engine`, its repositories (built on first use), and the event handlers it runs."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        handlers: EventHandlers | None = None,
        cipher: FieldCipher | None = None,
        read_only: bool = False,
    ):
        self.engine = engine
        self.clock = clock
        self.handlers: EventHandlers = handlers or {}
        self._cipher = cipher
        self.read_only = read_only
        self._connection: Connection | None = None
        self._repos: dict[type, Any] = {}

    # -- context manager -------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        if self._connection is not None:
            raise UnitOfWorkNotActive("this unit of work is already in use; create a new one")
        conn = self.engine.connect()
        try:
            if self.read_only:
                self._begin_read_only(conn)
            else:
                conn.begin()
        except BaseException:
            conn.close()
            raise
        self._connection = conn
        return self

    def _begin_read_only(self, conn: Connection) -> None:
        conn.execution_options(**{READ_ONLY_OPTION: True})  # SQLite: BEGIN DEFERRED (fairdue.adapters.db.engine)
        if self.dialect == "sqlite":
            _sqlite_query_only(conn, on=True)
            conn.begin()
        else:
            conn.begin()
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    def as_read_only(self) -> UnitOfWork:
        """A new read-only unit of work like this one (same engine, clock, handlers and cipher)."""
        return UnitOfWork(self.engine, clock=self.clock, handlers=self.handlers, cipher=self._cipher, read_only=True)

    def __exit__(self, *exc_info: object) -> None:
        conn, self._connection = self._connection, None
        self._repos.clear()
        if conn is None:
            return
        try:
            if conn.in_transaction():
                conn.rollback()
            if self.read_only and self.dialect == "sqlite" and not conn.invalidated:
                try:
                    _sqlite_query_only(conn, on=False)  # before the connection goes back to the pool
                except BaseException:
                    conn.invalidate()  # never pooled while it refuses writes
                    raise
        finally:
            conn.close()

    # -- transaction control ---------------------------------------------------
    @property
    def connection(self) -> Connection:
        """The live connection; only inside `with uow:`."""
        if self._connection is None:
            raise UnitOfWorkNotActive("use the unit of work inside `with uow:`")
        return self._connection

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def commit(self) -> None:
        """Commit the work so far; a new transaction starts for anything after. Refused on a read-only unit."""
        conn = self.connection
        if self.read_only:
            raise ReadOnlyUnitOfWork("this unit of work is read-only: open a writing one to commit")
        conn.commit()
        conn.begin()

    def rollback(self) -> None:
        """Discard the work so far; a new transaction starts for anything after."""
        conn = self.connection
        conn.rollback()
        conn.begin()

    @property
    def cipher(self) -> FieldCipher:
        """The PII field cipher wired by fairdue.bootstrap (loaded at start-up). A unit built without one (a test,
        a benchmark) loads the configured keys once: dev keys on SQLite, KeysNotConfigured on PostgreSQL."""
        if self._cipher is None:
            self._cipher = load_cipher(database_url=self.engine.url.render_as_string(hide_password=False))
        return self._cipher

    # -- events ----------------------------------------------------------------
    def publish(self, event: Event) -> None:
        """Run the handlers wired for this event's type now, in this transaction (errors propagate)."""
        handlers = self.handlers.get(type(event))
        if not handlers:
            raise UnhandledEvent(f"no handler for {type(event).__name__}: wire one in fairdue.bootstrap.EVENT_HANDLERS")
        self.connection  # noqa: B018 - refuses outside `with uow:`
        for handle in handlers:
            handle(self, event)

    # -- repositories ----------------------------------------------------------
    def _repo(self, cls: type[R]) -> R:
        repo = self._repos.get(cls)
        if repo is None:
            repo = self._repos[cls] = cls(self.connection, clock=self.clock)
        return cast(R, repo)

    @property
    def ledger(self) -> LedgerRepository:
        """The double-entry journal's accounts, entries and balances."""
        return self._repo(LedgerRepository)

    @property
    def accounts(self) -> AccountsRepository:
        """Servicing's rows: products, credit lines, purchases, installments, charges, payments, statements."""
        return self._repo(AccountsRepository)

    @property
    def dayend(self) -> DayendRepository:
        """Day-end's partitions, account state, installment flags, bucket history and event outbox."""
        return self._repo(DayendRepository)

    @property
    def staff(self) -> StaffRepository:
        """The staff context's rows: staff users and roles, sessions, one-time codes, the access log."""
        return self._repo(StaffRepository)

    @property
    def statements(self) -> StatementsBulkRepository:
        """Statements closed set-based (day-end's partitions)."""
        return self._repo(StatementsBulkRepository)

    @property
    def borrowers(self) -> BorrowerRepository:
        """The borrower registry: borrowers, phones, e-mails, emergency contacts, contact facts."""
        return self._repo(BorrowerRepository)

    @property
    def plans(self) -> PlansRepository:
        """Negotiated repayment plans (workout) and plan requests."""
        return self._repo(PlansRepository)

    @property
    def contact(self) -> ContactRepository:
        """The gate's stored facts, the decision log, the outbox and deliveries."""
        return self._repo(ContactRepository)

    @property
    def collections(self) -> CollectionsRepository:
        """Collections: teams, assignments, cases, the event cursor, a debt's gate facts."""
        return self._repo(CollectionsRepository)

    @property
    def actions(self) -> ActionsRepository:
        """Collections work on a case: steps, actions, reminders, tasks, promises, call outcomes, disputes."""
        return self._repo(ActionsRepository)

    @property
    def portal(self) -> PortalRepository:
        """The portal's complaints and data-rights requests."""
        return self._repo(PortalRepository)


UnitOfWorkFactory = Callable[[], UnitOfWork]


def _sqlite_query_only(conn: Connection, *, on: bool) -> None:
    """Turn SQLite's `PRAGMA query_only` on or off on the raw connection, outside any transaction (the engine
    hands transaction control to us: isolation_level None, so the pragma runs on its own)."""
    raw: Any = conn.connection.dbapi_connection
    if raw is None:
        raise UnitOfWorkNotActive("the connection is closed")
    raw.execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
