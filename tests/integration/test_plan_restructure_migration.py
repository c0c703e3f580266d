"""Migration 0007 on a database that already holds servicing rows (SQLite and PostgreSQL): SQLite has to rebuild
installments, charges and installment_plans with foreign keys on, so the upgrade must keep every row and every
reference intact, and a downgrade must be refused while a negotiated plan exists."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from test_collections import CIPHER, _ric

from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.migrate import alembic_config, migrate
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.bootstrap import EVENT_HANDLERS
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import open_account, reconcile_line
from fairdue.service.servicing.plans import accept_plan, propose_plans_for_account
from fairdue.service.servicing.products import load_product_file
from fairdue.service.servicing.purchases import purchase

TABLES = ("installment_plans", "installments", "charges")


def _rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            t: [
                tuple(r) for r in conn.execute(sa.text(f"SELECT id, credit_line_id, status FROM {t} ORDER BY id")).all()
            ]
            for t in TABLES
        }


def _downgrade(engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_upgrade_keeps_servicing_rows_and_downgrade_is_refused_with_a_negotiated_plan(blank_database_url, clock):
    engine = make_engine(blank_database_url)
    try:
        assert migrate(engine, "0006") == "0006"
        uow_factory = lambda: UnitOfWork(engine, clock=clock, handlers=EVENT_HANDLERS)  # noqa: E731
        with uow_factory() as uow:
            for f in shipped_product_files():
                load_product_file(uow, path=f)
            bid = register_borrower(
                uow,
                data={
                    "name": "赵六",
                    "id_number": _ric(9),
                    "postal_region": "CN-11",
                    "mobiles": [{"number": "13800138009", "source": "contract"}],
                },
                cipher=CIPHER,
            )
            line = open_account(
                uow,
                borrower_id=bid,
                product_code="cn-ecard-std",
                limit=Money(2_000_000, "CNY"),
                cycle_day=5,
                opened_on=date(2026, 1, 2),
                key="open-mig",
            ).id
            purchase(
                uow,
                line_id=line,
                amount=Money(300_000, "CNY"),
                purchased_on=date(2026, 1, 3),
                key="m1",
                plan="3-zero_fee",
            )
            purchase(uow, line_id=line, amount=Money(50_000, "CNY"), purchased_on=date(2026, 1, 3), key="m2")
            uow.commit()
        run_day_end(uow_factory, through_on=date(2026, 1, 31))  # late fees and interest: open charges
        before = _rows(engine)
        assert len(before["installments"]) == 4 and len(before["charges"]) >= 3

        migrate(engine)
        assert _rows(engine) == before
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert {r[2] for r in conn.exec_driver_sql("PRAGMA foreign_key_list(installments)").all()} == {
                    "installment_plans",
                    "credit_lines",
                    "statements",
                }
        with uow_factory() as uow:
            plans = propose_plans_for_account(
                uow,
                account_id=line,
                monthly_income_minor=800_000,
                monthly_expenses_minor=600_000,
                as_of=date(2026, 2, 1),
            )
            accept_plan(uow, account_id=line, proposal=plans[0], business_on=date(2026, 2, 1))
            assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
            uow.commit()
        with pytest.raises(sa.exc.IntegrityError):
            _downgrade(engine, "0006")
        with engine.connect() as conn:  # the refused downgrade changed nothing
            assert (
                conn.execute(sa.text("SELECT count(*) FROM installment_plans WHERE kind = 'negotiated'")).scalar() == 1
            )
    finally:
        engine.dispose()
