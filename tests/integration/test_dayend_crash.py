"""Day-end survives SIGKILL anywhere: after a rerun the journal and day-end state equal an uninterrupted run's."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from datetime import date

import pytest
from dayend_helpers import dayend_digest, journal_digest, seed_portfolio

from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import UnitOfWork

pytestmark = [pytest.mark.slow]

LINES = 9  # also used by the concurrency test
SPAN = 3  # line ids 1..9 -> partitions 0 (1-2), 1 (3-5), 2 (6-8), 3 (9)
SEED_THROUGH = date(2026, 1, 24)
CRASH_THROUGH = date(2026, 1, 31)  # 7 dates: statements (cycle 25), installments due 1-26, overdue + fees 1-30
# Checkpoints per partition: loaded, ledger, state, events, before commit, after commit; +1 per date closed.
CHECKPOINTS = 7 * (4 * 6 + 1)
KILL_POINTS = list(range(2, CHECKPOINTS + 1, 8))  # 22 points, spread over every kind and partition


def _root_conftest():
    """tests/conftest.py itself: a bare `import conftest` may resolve to another folder's conftest."""
    import importlib.util
    import pathlib
    import sys

    path = pathlib.Path(__file__).resolve().parents[1] / "conftest.py"
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) and pathlib.Path(module.__file__).resolve() == path:
            return module
    spec = importlib.util.spec_from_file_location("fairdue_tests_root_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(url: str, crash_at: int | None) -> None:
    """In a forked child: run day-end through CRASH_THROUGH, SIGKILLing itself at checkpoint `crash_at`."""
    from fairdue.service.dayend.runner import CRASH_ENV, run_day_end

    if crash_at is not None:
        os.environ[CRASH_ENV] = str(crash_at)
    engine = make_engine(url)
    run_day_end(lambda: UnitOfWork(engine), through_on=CRASH_THROUGH, partition_span=SPAN)
    engine.dispose()
    os._exit(0)


_CTX = None


def _context():
    """A forkserver that has imported the day-end code but never run Polars (whose thread pool
    does not survive a plain fork): children start in milliseconds and are real processes."""
    global _CTX
    if _CTX is None:
        _CTX = multiprocessing.get_context("forkserver")
        _CTX.set_forkserver_preload(
            [
                "fairdue.service.dayend.runner",
                "fairdue.service.servicing.statements",
                "fairdue.service.servicing.payments",
                "fairdue.service.servicing.products",
                "fairdue.adapters.db.engine",
                "fairdue.domain.calendar",
                "holidays",
                "holidays.countries",
                "sqlalchemy",
                "polars",
                "psycopg",
            ]
        )
    return _CTX


def _child(url: str, crash_at: int | None) -> int:
    proc = _context().Process(target=_run, args=(url, crash_at))
    proc.start()
    proc.join(120)
    return proc.exitcode


def _rerun(url: str) -> None:
    """The rerun after a crash, in this process."""
    from fairdue.service.dayend.runner import run_day_end

    engine = make_engine(url)
    try:
        run_day_end(lambda: UnitOfWork(engine), through_on=CRASH_THROUGH, partition_span=SPAN)
    finally:
        engine.dispose()


def _digests(url: str) -> tuple[str, str, bool]:
    from fairdue.service.ledger.journal import verify

    engine = make_engine(url)
    try:
        with UnitOfWork(engine) as uow:
            return journal_digest(uow.connection), dayend_digest(uow.connection), verify(uow).ok
    finally:
        engine.dispose()


def _seed(url: str) -> None:
    from fairdue.service.dayend.runner import run_day_end

    engine = make_engine(url)
    try:
        with UnitOfWork(engine) as uow:
            seed_portfolio(uow, LINES)
            uow.commit()
        run_day_end(lambda: UnitOfWork(engine), through_on=SEED_THROUGH, partition_span=SPAN)
    finally:
        engine.dispose()


@pytest.fixture
def copies(backend, request, tmp_path):
    """(template url, make_copy()) on the backend: a seeded database and fresh copies of it."""
    if backend == "sqlite":
        from fairdue.adapters.db.migrate import migrate

        template = tmp_path / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        migrate(engine)
        engine.dispose()
        _seed(f"sqlite:///{template}")
        engine = make_engine(f"sqlite:///{template}")
        raw = engine.raw_connection()
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        engine.dispose()
        n = iter(range(10_000))

        def make_copy() -> str:
            path = tmp_path / f"copy{next(n)}.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"

        yield make_copy
        return
    root = _root_conftest()
    PG_ADMIN_URL, _db_url, _drop_pg_database = root.PG_ADMIN_URL, root._db_url, root._drop_pg_database

    admin = request.getfixturevalue("_pg_admin_engine")
    template = request.getfixturevalue("postgres_url")
    _seed(template)
    from sqlalchemy.engine import make_url

    template_name = make_url(template).database
    made: list[str] = []

    def make_copy() -> str:
        name = f"{template_name}_c{len(made)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        made.append(name)
        return _db_url(PG_ADMIN_URL, name)

    try:
        yield make_copy
    finally:
        for name in made:
            _drop_pg_database(admin, name)


def test_sigkill_at_many_points_then_rerun_gives_the_uninterrupted_result(copies):
    reference_url = copies()
    assert _child(reference_url, None) == 0
    reference = _digests(reference_url)
    assert reference[2], "the uninterrupted run must leave a ledger that verifies"
    killed = 0
    for point in KILL_POINTS:
        url = copies()
        code = _child(url, point)
        assert code == -signal.SIGKILL, f"kill point {point}: the run ended with {code} instead of SIGKILL"
        killed += 1
        _rerun(url)
        assert _digests(url) == reference, f"kill point {point}: result differs from the uninterrupted run"
    assert killed >= 20
