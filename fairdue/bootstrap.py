"""The one wiring point: settings → engine, field cipher → unit-of-work factory (with the event handlers) → channels.

Entry points (CLI, web, demo, benchmarks) call `bootstrap()` and pass the
resulting `App.uow_factory` to the service layer; nothing else builds engines.
Which context reacts to which event is wired here (EVENT_HANDLERS), and the
channel adapters are bound to the decision log and sent-ledger here
(build_channels). Tests build the same thing from the fixtures in
tests/conftest.py.
"""

from __future__ import annotations

import os
import pathlib
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from fairdue.adapters.channels.base import ChannelAdapter
from fairdue.adapters.channels.wiring import build_adapters
from fairdue.adapters.crypto import FieldCipher, load_cipher
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.migrate import current_revision, head_revision, migrate
from fairdue.adapters.db.uow import EventHandlers, UnitOfWork, utc_now
from fairdue.config import Settings, load_settings
from fairdue.domain.events import PlanAccepted, PlanBroken, PlanCompleted, PlanReverted
from fairdue.errors import FairdueError
from fairdue.service.collections import handlers as collections_handlers
from fairdue.service.contact.decision_log import DecisionLookup
from fairdue.service.contact.dispatcher import DbSentLedger

# Every cross-context event and who reacts to it, in the publishing transaction (fairdue.domain.events).
EVENT_HANDLERS: EventHandlers = {
    PlanAccepted: (collections_handlers.on_plan_accepted,),
    PlanReverted: (collections_handlers.on_plan_reverted,),
    PlanBroken: (collections_handlers.on_plan_broken,),
    PlanCompleted: (collections_handlers.on_plan_completed,),
}


class SchemaNotCurrent(FairdueError):
    """The database was never migrated, or is behind the code: run `fairdue init-db`."""


@dataclass(frozen=True, slots=True)
class App:
    """settings: what was loaded; engine: the shared Engine; clock: the UTC clock units of work get; cipher: the
    PII field cipher (keys loaded at start-up; None only for an App a test builds, whose units then load the
    configured keys themselves)."""

    settings: Settings
    engine: Engine
    clock: Callable[[], datetime]
    cipher: FieldCipher | None = None

    def uow_factory(self) -> UnitOfWork:
        """A new unit of work on this app's engine (use it as `with app.uow_factory() as uow:`)."""
        return UnitOfWork(self.engine, clock=self.clock, handlers=EVENT_HANDLERS, cipher=self.cipher)

    def migrate(self) -> str | None:
        """Bring the schema to the newest revision (what `fairdue init-db` does)."""
        return migrate(self.engine)

    def check_schema(self) -> None:
        """Raise SchemaNotCurrent unless the database is at the newest revision (CLI commands call this first)."""
        current, head = current_revision(self.engine), head_revision()
        if current != head:
            state = "not initialised" if current is None else f"at revision {current}, code needs {head}"
            raise SchemaNotCurrent(f"database {self.safe_url} is {state}; run `fairdue init-db`")

    @property
    def safe_url(self) -> str:
        """The database URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    clock: Callable[[], datetime] = utc_now,
    cipher: FieldCipher | None = None,
    keys: bool = True,
) -> App:
    """Wire an App from settings (default: the environment); `database_url` overrides them.

    The field-encryption keys are loaded here, once: without FAIRDUE_KEYS / FAIRDUE_KEY_FILE a PostgreSQL
    deployment is refused at start-up (KeysNotConfigured), never at the first borrower it would encrypt;
    SQLite falls back to the dev key file. `cipher` replaces the configured keys (the demo's dev keys, a
    benchmark's throwaway keys). `keys=False` is for commands that never read personal data (init-db, day-end,
    ledger and audit checks): they start without keys, and a unit of work that did need them would load them
    then (and be refused on PostgreSQL)."""
    settings = settings or load_settings()
    if database_url is not None:
        settings = replace(settings, database_url=database_url)
    if cipher is None and keys:
        cipher = load_cipher(database_url=settings.database_url)
    private_sqlite_file(settings.database_url)
    return App(settings=settings, engine=make_engine(settings.database_url), clock=clock, cipher=cipher)


# A SQLite database file holds borrowers' personal data: readable and writable by its owner only. SQLite gives
# its -wal and -shm files the database file's mode.
SQLITE_FILE_MODE = 0o600


def private_sqlite_file(database_url: str) -> pathlib.Path | None:
    """Create the SQLite file of `database_url` with mode 0600 before SQLite does (umask 022 would make it
    world-readable), and take group and other access away from an existing one; returns its path (None for
    PostgreSQL or an in-memory database)."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = pathlib.Path(str(parsed.database))
    if str(parsed.database).startswith("file:"):
        return None  # a URI filename: its owner chose how to open it
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SQLITE_FILE_MODE))
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(SQLITE_FILE_MODE)
    return path


def build_channels(
    engine: Engine, environ: Mapping[str, str] | None = None, *, cipher: FieldCipher | None = None
) -> dict[str, ChannelAdapter]:
    """The channel adapters configured in the environment, reading decisions from the decision log (keyed text
    hashes checked with `cipher`, the app's) and writing the sent-ledger through `engine` (see
    fairdue.adapters.channels.wiring for the settings)."""
    return build_adapters(decisions=DecisionLookup(engine, cipher=cipher), ledger=DbSentLedger(engine), environ=environ)
