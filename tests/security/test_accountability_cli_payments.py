"""A payment entered through the CLI names its operator (issue 16, OWASP ASVS 4.0 V7.1.3, V7.2.2): `fairdue pay`
requires `--actor`, an active staff username, and the payment's `payment.entered` row in the staff audit trail
carries that staff member and via=cli. Before the fix the CLI took payments from no one in particular."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from cli_helpers import CN, OPEN, cli_runner, row_counts
from test_cli_servicing import add_operator

from fairdue.adapters.db.schema.staff_audit import staff_audit

PAY = ("pay", "--account", "1", "--amount", "50.00", "--on", "2026-01-20", "--key", "cli-1")


def test_v7_1_3_cli_payment_requires_and_records_its_operator(database_url, monkeypatch, capsys):
    """ASVS V7.1.3: no --actor is a usage error; an unknown operator is refused and writes nothing; a staff
    operator's payment is audited with their id and via=cli (once, a replay adds nothing)."""
    cli = cli_runner(database_url, monkeypatch, capsys)
    ops = add_operator(database_url, "ops")
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    before = row_counts(database_url, ("payments", "staff_audit"))
    code, _, err = cli(*PAY)
    assert code != 0 and "--actor" in err
    code, _, err = cli(*PAY, "--actor", "nobody")
    assert code == 1 and "--actor 'nobody' is not an active staff user" in err
    assert row_counts(database_url, ("payments", "staff_audit")) == before
    code, _out, err = cli(*PAY, "--actor", "ops")
    assert code == 0, err
    assert "already recorded" in cli(*PAY, "--actor", "ops")[1]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(staff_audit)).all()
    finally:
        engine.dispose()
    assert [(r.action, r.staff_id, r.via, r.subject_kind) for r in rows] == [("payment.entered", ops, "cli", "payment")]
    assert json.loads(rows[0].details) == {
        "account_id": 1,
        "amount_minor": 5000,
        "currency": "CNY",
        "received_on": "2026-01-20",
    }
