"""plan restructure (issue 6 item 4): what accepting a negotiated plan needs on servicing installments.

* installments.status and charges.status may be 'restructured': an installment or charge replaced by a
  negotiated plan's installments (not in day-end's open set, not paid, not in the ledger's reconciliation);
* installment_plans.kind may be 'negotiated': such a plan has no purchase (purchase_id NULL) and points at
  the collections plan it carries out (negotiated_plan_id, unique); every other plan keeps its purchase;
* plan_restructured_items: which installments and charges a negotiated plan closed, and the status each had,
  so reverting the plan restores them exactly.

PostgreSQL alters the constraints in place. SQLite cannot alter a CHECK constraint, so the three tables are
rebuilt (create new, copy, drop old, rename) inside the migration's transaction — children before parents
and with the new `installments` referring to the new `installment_plans` before the rename, because SQLite
keeps foreign keys on and cannot turn them off inside a transaction.

The shapes are frozen here (a later change gets its own revision).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = sa.DateTime(timezone=True)

_PLAN_KINDS_OLD = "('full','annuity','equal_principal','flat_fee','zero_fee','upfront_fee')"
_PLAN_KINDS_NEW = "('full','annuity','equal_principal','flat_fee','zero_fee','upfront_fee','negotiated')"
_INST_STATUSES_OLD = "('scheduled','billed','paid','cancelled')"
_INST_STATUSES_NEW = "('scheduled','billed','paid','cancelled','restructured')"
_CHARGE_STATUSES_OLD = "('open','paid','waived')"
_CHARGE_STATUSES_NEW = "('open','paid','waived','restructured')"
_PLAN_ORIGIN = (
    "(kind = 'negotiated' AND purchase_id IS NULL AND negotiated_plan_id IS NOT NULL) OR "
    "(kind <> 'negotiated' AND purchase_id IS NOT NULL AND negotiated_plan_id IS NULL)"
)


def _items_table(md: sa.MetaData) -> sa.Table:
    return sa.Table(
        "plan_restructured_items",
        md,
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "plan_id",
            ID,
            sa.ForeignKey("coll_plans.id", name="fk_plan_restructured_items_plan_id_coll_plans"),
            nullable=False,
            index=True,
        ),
        sa.Column("target_kind", sa.String(12), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("status_before", sa.String(12), nullable=False),
        sa.UniqueConstraint("plan_id", "target_kind", "target_id", name="uq_plan_restructured_items_plan_id"),
        sa.CheckConstraint("target_kind IN ('installment','charge')", name="ck_plan_restructured_items_target_kind"),
    )


# -- SQLite: rebuild the three tables ---------------------------------------------------------------
def _stubs(md: sa.MetaData) -> None:
    """Referenced tables, only so the foreign keys compile (never created here)."""
    for name in ("credit_lines", "purchases", "statements", "ledger_entry", "coll_plans"):
        sa.Table(name, md, sa.Column("id", ID, primary_key=True))


def _sqlite_tables(md: sa.MetaData, suffix: str, new: bool) -> tuple[sa.Table, sa.Table, sa.Table]:
    plans_name = f"installment_plans{suffix}"
    plan_cols = [
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "credit_line_id",
            ID,
            sa.ForeignKey("credit_lines.id", name="fk_installment_plans_credit_line_id_credit_lines"),
            nullable=False,
        ),
        sa.Column(
            "purchase_id",
            ID,
            sa.ForeignKey("purchases.id", name="fk_installment_plans_purchase_id_purchases"),
            nullable=new,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("periods", sa.Integer, nullable=False),
        sa.Column("rate", sa.String(40), nullable=False),
        sa.Column("principal_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("first_due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.UniqueConstraint("purchase_id", name="uq_installment_plans_purchase_id"),
        sa.CheckConstraint(f"kind IN {_PLAN_KINDS_NEW if new else _PLAN_KINDS_OLD}", name="ck_installment_plans_kind"),
        sa.CheckConstraint("status IN ('active','paid_off','refunded')", name="ck_installment_plans_status"),
        sa.CheckConstraint("periods >= 1", name="ck_installment_plans_periods"),
    ]
    if new:
        plan_cols += [
            sa.Column(
                "negotiated_plan_id",
                ID,
                sa.ForeignKey("coll_plans.id", name="fk_installment_plans_negotiated_plan_id_coll_plans"),
                nullable=True,
            ),
            sa.UniqueConstraint("negotiated_plan_id", name="uq_installment_plans_negotiated_plan_id"),
            sa.CheckConstraint(_PLAN_ORIGIN, name="ck_installment_plans_origin"),
        ]
    plans = sa.Table(plans_name, md, *plan_cols)
    insts = sa.Table(
        f"installments{suffix}",
        md,
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "plan_id",
            ID,
            sa.ForeignKey(f"{plans_name}.id", name="fk_installments_plan_id_installment_plans"),
            nullable=False,
        ),
        sa.Column(
            "credit_line_id",
            ID,
            sa.ForeignKey("credit_lines.id", name="fk_installments_credit_line_id_credit_lines"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("period_start_on", sa.Date, nullable=False),
        sa.Column("statement_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("principal_due_minor", sa.BigInteger, nullable=False),
        sa.Column("interest_due_minor", sa.BigInteger, nullable=False),
        sa.Column("fee_due_minor", sa.BigInteger, nullable=False),
        sa.Column("principal_paid_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("interest_paid_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("fee_paid_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column(
            "billed_statement_id",
            ID,
            sa.ForeignKey("statements.id", name="fk_installments_billed_statement_id_statements"),
            nullable=True,
        ),
        sa.Column("status", sa.String(12), nullable=False),
        sa.UniqueConstraint("plan_id", "seq", name="uq_installments_plan_id"),
        sa.CheckConstraint(
            f"status IN {_INST_STATUSES_NEW if new else _INST_STATUSES_OLD}", name="ck_installments_status"
        ),
        sa.CheckConstraint(
            "principal_paid_minor BETWEEN 0 AND principal_due_minor AND interest_paid_minor BETWEEN 0 AND "
            "interest_due_minor AND fee_paid_minor BETWEEN 0 AND fee_due_minor",
            name="ck_installments_paid_within_due",
        ),
    )
    charges = sa.Table(
        f"charges{suffix}",
        md,
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "credit_line_id",
            ID,
            sa.ForeignKey("credit_lines.id", name="fk_charges_credit_line_id_credit_lines"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("component", sa.String(10), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("paid_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("charged_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("description", sa.String(300), nullable=True),
        sa.Column(
            "ledger_entry_id",
            ID,
            sa.ForeignKey("ledger_entry.id", name="fk_charges_ledger_entry_id_ledger_entry"),
            nullable=False,
        ),
        sa.Column(
            "billed_statement_id",
            ID,
            sa.ForeignKey("statements.id", name="fk_charges_billed_statement_id_statements"),
            nullable=True,
        ),
        sa.Column("status", sa.String(12), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_charges_idempotency_key"),
        sa.CheckConstraint("component IN ('fees','interest')", name="ck_charges_component"),
        sa.CheckConstraint("kind IN ('late_fee','interest','fee')", name="ck_charges_kind"),
        sa.CheckConstraint(
            f"status IN {_CHARGE_STATUSES_NEW if new else _CHARGE_STATUSES_OLD}", name="ck_charges_status"
        ),
        sa.CheckConstraint(
            "amount_minor > 0 AND paid_minor BETWEEN 0 AND amount_minor", name="ck_charges_paid_within_amount"
        ),
    )
    return plans, insts, charges


_INDEXES = (
    ("ix_installment_plans_credit_line_id", "installment_plans", ("credit_line_id",)),
    ("ix_installments_due_status", "installments", ("due_on", "status")),
    ("ix_installments_line_due", "installments", ("credit_line_id", "due_on")),
    ("ix_charges_credit_line_id", "charges", ("credit_line_id",)),
)


def _sqlite_rebuild(new: bool) -> None:
    bind = op.get_bind()
    md = sa.MetaData()
    _stubs(md)
    plans, insts, charges = _sqlite_tables(md, "__new", new)
    for table in (plans, insts, charges):
        table.create(bind)
    for table, old in ((plans, "installment_plans"), (insts, "installments"), (charges, "charges")):
        cols = ", ".join(c.name for c in table.columns if c.name != "negotiated_plan_id")
        bind.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {old}")  # nosec B608
    for name, _table, _cols in _INDEXES:
        bind.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    # Children first: dropping installment_plans while installments still refers to it breaks the foreign key.
    for old in ("installments", "charges", "installment_plans"):
        bind.exec_driver_sql(f"DROP TABLE {old}")
    # Renaming installment_plans__new rewrites installments__new's reference to it (SQLite >= 3.26).
    for old in ("installment_plans", "installments", "charges"):
        bind.exec_driver_sql(f"ALTER TABLE {old}__new RENAME TO {old}")
    for name, table, cols in _INDEXES:
        bind.exec_driver_sql(f"CREATE INDEX {name} ON {table} ({', '.join(cols)})")


# -- PostgreSQL: alter in place ---------------------------------------------------------------------
def _pg_checks(new: bool) -> None:
    for table, name, values in (
        ("installments", "ck_installments_status", _INST_STATUSES_NEW if new else _INST_STATUSES_OLD),
        ("charges", "ck_charges_status", _CHARGE_STATUSES_NEW if new else _CHARGE_STATUSES_OLD),
    ):
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, f"status IN {values}")
    op.drop_constraint(op.f("ck_installment_plans_kind"), "installment_plans", type_="check")
    kinds = _PLAN_KINDS_NEW if new else _PLAN_KINDS_OLD
    op.create_check_constraint(op.f("ck_installment_plans_kind"), "installment_plans", f"kind IN {kinds}")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_rebuild(new=True)
    else:
        _pg_checks(new=True)
        op.alter_column("installment_plans", "purchase_id", existing_type=ID, nullable=True)
        op.add_column("installment_plans", sa.Column("negotiated_plan_id", ID, nullable=True))
        op.create_foreign_key(
            op.f("fk_installment_plans_negotiated_plan_id_coll_plans"),
            "installment_plans",
            "coll_plans",
            ["negotiated_plan_id"],
            ["id"],
        )
        op.create_unique_constraint(
            op.f("uq_installment_plans_negotiated_plan_id"), "installment_plans", ["negotiated_plan_id"]
        )
        op.create_check_constraint(op.f("ck_installment_plans_origin"), "installment_plans", _PLAN_ORIGIN)
    md = sa.MetaData()
    _stubs(md)
    items = _items_table(md)
    items.create(bind)


def downgrade() -> None:
    """Refused (by the old CHECK constraints) while any negotiated plan or restructured row exists."""
    bind = op.get_bind()
    op.drop_table("plan_restructured_items")
    if bind.dialect.name == "sqlite":
        _sqlite_rebuild(new=False)
        return
    op.drop_constraint(op.f("ck_installment_plans_origin"), "installment_plans", type_="check")
    op.drop_constraint(op.f("uq_installment_plans_negotiated_plan_id"), "installment_plans", type_="unique")
    op.drop_constraint(
        op.f("fk_installment_plans_negotiated_plan_id_coll_plans"), "installment_plans", type_="foreignkey"
    )
    op.drop_column("installment_plans", "negotiated_plan_id")
    op.alter_column("installment_plans", "purchase_id", existing_type=ID, nullable=False)
    _pg_checks(new=False)
