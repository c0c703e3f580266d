"""The demo seeds a fresh, consistent portfolio (CN and other jurisdictions) through the real services, on SQLite and
PostgreSQL, and `fairdue demo --no-serve` prints its summary and exits."""

from __future__ import annotations

import sys

import pytest

from fairdue.devtools.demo import DemoRefused, run_demo

ACCOUNTS = 24


def test_demo_seeds_a_consistent_portfolio(database_url, tmp_path):
    s = run_demo(database_url=database_url, accounts=ACCOUNTS, key_file=tmp_path / "keys.json")
    assert s.ledger_ok, s.ledger_problems
    assert s.reconcile_problems == ()
    assert s.accounts == ACCOUNTS == s.borrowers
    assert {p.jurisdiction for p in s.products} == {"CN", "US", "UK"}
    assert sum(p.accounts for p in s.products) == ACCOUNTS
    kinds = {k for p in s.products for k in p.plans_by_kind}
    assert {"full", "annuity"} <= kinds and len(kinds) >= 4
    assert s.payments > 0 and s.statements > ACCOUNTS
    assert all(p.owed_minor > 0 for p in s.products)
    assert s.ledger_entries_checked > s.payments


def test_demo_is_deterministic_and_recreates_its_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    a = run_demo(database_url=url, accounts=10, key_file=tmp_path / "k.json")
    b = run_demo(database_url=url, accounts=10, key_file=tmp_path / "k.json")  # fresh again, not doubled
    assert b.accounts == 10
    strip = lambda s: (s.accounts, s.plans, s.payments, s.statements, s.products)  # noqa: E731
    assert strip(a) == strip(b)


@pytest.mark.postgres
def test_demo_refuses_a_server_database_that_holds_accounts(postgres_url, tmp_path):
    run_demo(database_url=postgres_url, accounts=3, key_file=tmp_path / "k.json")
    with pytest.raises(DemoRefused, match="already holds accounts"):
        run_demo(database_url=postgres_url, accounts=3, key_file=tmp_path / "k.json")


def test_cli_demo_no_serve_prints_the_summary(tmp_path, monkeypatch, capsys):
    from fairdue.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRDUE_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setattr(
        sys, "argv", ["fairdue", "demo", "--no-serve", "--accounts", "8", "--sim-accounts", "6", "--sim-days", "12"]
    )
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    out, _ = capsys.readouterr()
    assert code in (0, None)
    assert "servicing records vs ledger: OK" in out
    assert "ledger verify: OK" in out and "cn-ecard-std (CN)" in out and "env.db" in out
    assert (tmp_path / "env.db").exists() and (tmp_path / "var" / "dev-keys.json").exists()
    # then the collections simulation, on its own file next to the demo database, with its table and PNG
    assert "simulation: 6 lines, 12 days" in out and "gate denials by category" in out
    assert f"plot: {tmp_path / 'simulation.png'}" in out.replace("\n", "")
    assert (tmp_path / "simulation.db").exists()
    assert (tmp_path / "simulation.png").read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setattr(sys, "argv", ["fairdue", "ledger", "verify"])
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    assert code in (0, None) and "ledger OK" in capsys.readouterr().out


def test_demo_never_deletes_a_database_it_did_not_make(tmp_path):
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import migrate

    url = f"sqlite:///{tmp_path / 'work.db'}"
    run_demo(database_url=url, accounts=3, key_file=tmp_path / "k.json")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE credit_lines SET open_key = 'real-customer-1' WHERE id = 1")
    finally:
        engine.dispose()
    with pytest.raises(DemoRefused, match="holds 1 account"):
        run_demo(database_url=url, accounts=3, key_file=tmp_path / "k.json")
    other = tmp_path / "notes.db"
    import sqlite3

    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (t TEXT)")
    con.commit()
    con.close()
    with pytest.raises(DemoRefused, match="not a fairdue database"):
        run_demo(database_url=f"sqlite:///{other}", accounts=3, key_file=tmp_path / "k.json")
    assert other.exists()
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(empty)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    assert run_demo(database_url=empty, accounts=2, key_file=tmp_path / "k.json").accounts == 2


def test_the_demo_simulation_recreates_its_own_file_and_never_deletes_another(tmp_path):
    from fairdue.devtools.demo import run_demo_simulation, simulation_paths

    demo_url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert simulation_paths(demo_url) == (tmp_path / "simulation.db", tmp_path / "simulation.png")
    first = run_demo_simulation(demo_url=demo_url, accounts=3, days=5)
    again = run_demo_simulation(demo_url=demo_url, accounts=3, days=5)  # recreated, not refused as used
    assert first.accounts == again.accounts == 3
    assert sum(v.lines for v in again.variants.values()) == 3
    import sqlite3

    con = sqlite3.connect(tmp_path / "simulation.db")
    con.execute("UPDATE credit_lines SET open_key = 'real-customer-1' WHERE id = 1")
    con.commit()
    con.close()
    with pytest.raises(DemoRefused, match="holds 1 account"):
        run_demo_simulation(demo_url=demo_url, accounts=3, days=5)
