"""ledger (issue 2: journal entries, postings, balances).

Tables mirror fairdue/adapters/db/schema/ledger.py. The database itself
refuses what the code also refuses:

* an entry whose postings do not sum to zero per currency, or with fewer than
  two postings —
  PostgreSQL: a deferred constraint trigger on ledger_entry re-checks each new
  entry's postings at COMMIT, and a statement-level trigger on ledger_posting
  refuses any INSERT/COPY whose added postings do not sum to zero per entry
  and currency (so postings cannot unbalance an entry stored earlier);
  SQLite (no deferred triggers): postings are written first, then their entry;
  inserting the entry checks its postings, a posting for an entry that already
  exists is refused (an entry is sealed when written), and the deferred foreign
  key from posting to entry refuses, at COMMIT, postings left without an entry;
* any UPDATE or DELETE of an entry or posting (and TRUNCATE on PostgreSQL):
  corrections are reversing entries.

Revision ID: 0001
Revises: None
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = ("ledger_entry", "ledger_posting")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "ledger_account",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("owner", sa.String(80), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('asset','liability','income','expense','equity')", name="kind"),
        sa.CheckConstraint("length(currency) = 3", name="currency"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_account"),
        sa.UniqueConstraint("code", name="uq_ledger_account_code"),
        sa.UniqueConstraint("id", "currency", name="uq_ledger_account_id_currency"),
    )
    op.create_index("ix_ledger_account_owner", "ledger_account", ["owner"])

    op.create_table(
        "ledger_entry",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("business_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("reverses_entry_id", ID, nullable=True),
        sa.CheckConstraint("reverses_entry_id IS NULL OR reverses_entry_id <> id", name="not_self_reversal"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entry"),
        sa.UniqueConstraint("idempotency_key", name="uq_ledger_entry_idempotency_key"),
        sa.UniqueConstraint("reverses_entry_id", name="uq_ledger_entry_reverses_entry_id"),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"], ["ledger_entry.id"], name="fk_ledger_entry_reverses_entry_id_ledger_entry"
        ),
    )
    op.create_index("ix_ledger_entry_business_on", "ledger_entry", ["business_on"])

    op.create_table(
        "ledger_posting",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.CheckConstraint("amount_minor <> 0", name="nonzero"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_posting"),
        # Deferred on SQLite only, where postings are written before their entry.
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entry.id"],
            name="fk_ledger_posting_entry_id_ledger_entry",
            **({"deferrable": True, "initially": "DEFERRED"} if sqlite else {}),
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "currency"],
            ["ledger_account.id", "ledger_account.currency"],
            name="fk_ledger_posting_account_currency",
        ),
    )
    op.create_index("ix_ledger_posting_entry_id", "ledger_posting", ["entry_id"])
    op.create_index("ix_ledger_posting_account_id", "ledger_posting", ["account_id"])

    op.create_table(
        "ledger_balance",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger, nullable=False),
        sa.Column("posting_count", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_ledger_balance"),
        sa.ForeignKeyConstraint(
            ["account_id", "currency"],
            ["ledger_account.id", "ledger_account.currency"],
            name="fk_ledger_balance_account_currency",
        ),
    )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgres_triggers()
    elif dialect == "sqlite":
        _sqlite_triggers()
    else:  # engine.normalize_url admits only these two
        raise RuntimeError(f"no ledger integrity triggers for dialect {dialect!r}")


def _postgres_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused (post a reversing entry instead)', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$;
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        )
    op.execute(
        """
        CREATE FUNCTION ledger_check_entry_balanced(p_entry_id bigint) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            bad record;
            n bigint;
        BEGIN
            SELECT count(*) INTO n FROM ledger_posting WHERE entry_id = p_entry_id;
            IF n < 2 THEN
                RAISE EXCEPTION 'ledger entry % has % posting(s); an entry needs at least 2', p_entry_id, n
                    USING ERRCODE = 'check_violation';
            END IF;
            SELECT currency, sum(amount_minor) AS total INTO bad
              FROM ledger_posting WHERE entry_id = p_entry_id
             GROUP BY currency HAVING sum(amount_minor) <> 0 LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'ledger entry % does not balance: % postings sum to % minor units',
                    p_entry_id, bad.currency, bad.total
                    USING ERRCODE = 'check_violation';
            END IF;
        END $$;
        """
    )
    op.execute(
        """
        CREATE FUNCTION ledger_entry_balanced_trg() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM ledger_check_entry_balanced(NEW.id);
            RETURN NULL;
        END $$;
        """
    )
    # Postings: one set-based check per INSERT/COPY statement over the rows it added.
    # Stored entries balance (the invariant), so an entry balances after the
    # statement iff the postings this statement added to it sum to zero per currency.
    op.execute(
        """
        CREATE FUNCTION ledger_postings_balanced_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            bad record;
        BEGIN
            SELECT entry_id, currency, sum(amount_minor) AS total INTO bad
              FROM new_postings GROUP BY entry_id, currency HAVING sum(amount_minor) <> 0 LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'ledger entry % does not balance: % postings added by one statement sum to % minor units',
                    bad.entry_id, bad.currency, bad.total
                    USING ERRCODE = 'check_violation',
                          HINT = 'insert all postings of an entry in one statement';
            END IF;
            RETURN NULL;
        END $$;
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced_trg()"
    )
    op.execute(
        "CREATE TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting "
        "REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_balanced_stmt()"
    )


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused "
                f"(post a reversing entry instead)'); END"
            )
    # An entry is sealed once written: its postings must already be there.
    op.execute(
        "CREATE TRIGGER ledger_posting_entry_sealed BEFORE INSERT ON ledger_posting "
        "WHEN EXISTS (SELECT 1 FROM ledger_entry WHERE id = NEW.entry_id) "
        "BEGIN SELECT RAISE(ABORT, 'ledger entry is sealed: postings cannot be added to an existing entry'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_entry_balanced BEFORE INSERT ON ledger_entry "
        "WHEN (SELECT count(*) FROM ledger_posting WHERE entry_id = NEW.id) < 2 "
        "  OR EXISTS (SELECT 1 FROM ledger_posting WHERE entry_id = NEW.id "
        "             GROUP BY currency HAVING sum(amount_minor) <> 0) "
        "BEGIN SELECT RAISE(ABORT, 'ledger entry does not balance per currency or has fewer than 2 postings'); END"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in ("ledger_entry_balanced", "ledger_posting_balanced"):
            table = name.rsplit("_", 1)[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.drop_table("ledger_balance")
    op.drop_table("ledger_posting")
    op.drop_table("ledger_entry")
    op.drop_table("ledger_account")
    if dialect == "postgresql":
        for fn in (
            "ledger_postings_balanced_stmt()",
            "ledger_entry_balanced_trg()",
            "ledger_check_entry_balanced(bigint)",
            "ledger_refuse_change()",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
