"""Statement use case: close a cycle — bill what falls in it, apply credit, total it, list its lines.

`generate_statement(uow, line_id=…, statement_on=…)` is idempotent per (line,
statement date): the second call returns the stored statement. Installments
whose statement date is on or before `statement_on` and still scheduled are
billed (catch-up of missed cycles included), their interest and fees posted
(Dr cl:N:interest/fees, Cr income); charges not yet on a statement are listed;
the borrower's credit is applied to what is billed; then the closing balance
(everything owed, billed or not, less credit), the amount due (billed and
unpaid) and the minimum due are stored with the statement's lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from fairdue.adapters.db.repos.statements import INSTALLMENT_COLUMNS, StatementsBulkRepository
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.ledger import AccountSpec, EntryDraft, PostingLine
from fairdue.domain.money import Money
from fairdue.domain.statements import (
    BILLED_ITEM_SCHEMA,
    MINIMUM_DUE_RULE_SCHEMA,
    BilledItem,
    billing_description,
    billing_key,
    due_line_text,
    due_on_for,
    minimum_due_minor,
    movement_line,
    statement_totals,
)
from fairdue.domain.statuses import CreditLineStatus
from fairdue.errors import Invalid
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import (
    AccountNotActive,
    InvalidAccountRequest,
    book,
    code,
    get_account,
    product_of,
)
from fairdue.service.servicing.posting import apply_credit
from fairdue.service.servicing.products import get_product


class UnknownStatement(Invalid):
    """No statement for that account and date."""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a statement.

    kind: the ledger entry kind for a movement (purchase, payment, billing, late_fee, reversal, …; amount_minor is
    the change in what is owed), or "due" for an item the statement bills (amount_minor is its total; information
    only). Movements sum from the opening to the closing balance.
    """

    seq: int
    kind: str
    posted_on: date
    description: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Statement:
    """A closed cycle of a credit line (amounts in minor units of `currency`).

    opening/closing_balance_minor: everything owed (billed or not) less credit, as of the previous / this
    statement date; the movement lines sum from one to the other.
    amount_due_minor: billed and unpaid at close (pay this to clear the statement).
    minimum_due_minor: the least payment that keeps the account current. due_on: when both are due.
    created: False when the statement already existed.
    """

    id: int
    line_id: int
    statement_on: date
    period_start_on: date
    due_on: date
    currency: str
    opening_balance_minor: int
    closing_balance_minor: int
    amount_due_minor: int
    minimum_due_minor: int
    lines: tuple[StatementLine, ...]
    created: bool = False


def _load(uow: UnitOfWork, row, created: bool) -> Statement:
    lines = tuple(
        StatementLine(x.seq, x.kind, x.posted_on, x.description, x.amount_minor)
        for x in uow.accounts.lines_of_statement(row.id)
    )
    return Statement(
        row.id,
        row.credit_line_id,
        row.statement_on,
        row.period_start_on,
        row.due_on,
        row.currency,
        row.opening_balance_minor,
        row.closing_balance_minor,
        row.amount_due_minor,
        row.minimum_due_minor,
        lines,
        created,
    )


def generate_statement(uow: UnitOfWork, *, line_id: int, statement_on: date) -> Statement:
    """Close the cycle ending on `statement_on` (the line's cycle day); idempotent per date."""
    r = uow.accounts
    line = get_account(uow, line_id=line_id, lock=True)
    existing = r.statement(line_id, statement_on)
    if existing is not None:
        return _load(uow, existing, created=False)
    if statement_on.day != line.cycle_day:
        raise InvalidAccountRequest(
            f"account {line_id} closes statements on day {line.cycle_day}; {statement_on} is not one"
        )
    if line.status == CreditLineStatus.CLOSED:
        raise AccountNotActive(line_id, line.status, "issue a statement")
    later = r.latest_statement(line_id)
    if later is not None and later.statement_on > statement_on:
        raise InvalidAccountRequest(f"account {line_id} already has a later statement ({later.statement_on})")
    product = product_of(uow, line)
    cur = line.currency
    prev = r.last_statement_before(line_id, statement_on)
    period_start = prev.statement_on + timedelta(days=1) if prev else line.opened_on
    due_on = due_on_for(statement_on, product)

    to_bill = r.installments_to_bill(line_id, statement_on)
    interest = sum(i.interest_due_minor for i in to_bill)
    fees = sum(i.fee_due_minor for i in to_bill)
    postings = []
    if interest:
        postings += [
            (code(line_id, "interest"), Money(interest, cur)),
            (book(cur, "interest_income"), Money(-interest, cur)),
        ]
    if fees:
        postings += [(code(line_id, "fees"), Money(fees, cur)), (book(cur, "fee_income"), Money(-fees, cur))]
    entry_id = None
    if postings:
        entry_id = ledger.post_entry(
            uow,
            key=billing_key(line_id, statement_on),
            kind="billing",
            business_on=statement_on,
            postings=postings,
            description=billing_description(statement_on),
        ).id
    sid = r.add_statement(
        line_id=line_id,
        statement_on=statement_on,
        period_start_on=period_start,
        due_on=due_on,
        currency=cur,
        opening_balance_minor=prev.closing_balance_minor if prev else 0,
        ledger_entry_id=entry_id,
        created_at=uow.clock(),
    )
    r.bill_installments([i.id for i in to_bill], statement_id=sid)
    r.bill_charges([c.id for c in r.charges_to_bill(line_id, statement_on)], statement_id=sid)
    apply_credit(uow, line_id=line_id, on=statement_on, key=f"credit:{line_id}:{statement_on.isoformat()}")

    # Movement lines: every ledger entry on the line's accounts dated up to the statement date that no
    # earlier statement showed (late-posted entries included), so opening + movements = closing exactly.
    lines: list[tuple[str, date, str, int, int | None]] = []
    for entry_id, kind, on, description, delta, on_credit in r.unstated_entries(line_id, statement_on):
        line_kind, text = movement_line(kind, description, on_credit, cur)
        lines.append((line_kind, on, text, delta, entry_id))
    # Due lines (information, no entry): what this statement bills, item by item.
    plans = {}
    for i in to_bill:
        plan = plans.get(i.plan_id) or plans.setdefault(i.plan_id, r.plan(i.plan_id))
        total = i.principal_due_minor + i.interest_due_minor + i.fee_due_minor
        text = due_line_text(
            plan.id, plan.kind, plan.periods, i.seq, i.principal_due_minor, i.interest_due_minor, i.fee_due_minor, cur
        )
        lines.append(("due", i.due_on, text, total, None))
    r.add_statement_lines(
        [
            {
                "statement_id": sid,
                "credit_line_id": line_id,
                "seq": k,
                "kind": kind,
                "posted_on": on,
                "description": text,
                "amount_minor": amt,
                "ledger_entry_id": entry_id,
            }
            for k, (kind, on, text, amt, entry_id) in enumerate(lines, start=1)
        ],
    )
    opening = prev.closing_balance_minor if prev else 0
    closing = opening + sum(amt for _k, _on, _t, amt, entry_id in lines if entry_id is not None)

    # Totals after billing and credit.
    billed: list[BilledItem] = []
    plan_kind = {}
    for i in r.open_billed_installments(line_id):
        kind = plan_kind.get(i.plan_id) or plan_kind.setdefault(i.plan_id, r.plan(i.plan_id).kind)
        billed.append(
            BilledItem(
                i.fee_due_minor - i.fee_paid_minor,
                i.interest_due_minor - i.interest_paid_minor,
                i.principal_due_minor - i.principal_paid_minor,
                revolving=kind == "full",
            )
        )
    for c in r.open_charges(line_id):
        owed = c.amount_minor - c.paid_minor
        billed.append(
            BilledItem(owed if c.component == "fees" else 0, owed if c.component == "interest" else 0, 0, False)
        )
    amount_due = sum(b.fees_minor + b.interest_minor + b.principal_minor for b in billed)
    minimum = minimum_due_minor(billed, product)
    r.set_statement_totals(sid, closing_balance_minor=closing, amount_due_minor=amount_due, minimum_due_minor=minimum)
    return _load(uow, r.statement_by_id(sid), created=True)


def get_statement(uow: UnitOfWork, *, line_id: int, statement_on: date | None = None) -> Statement:
    """A stored statement (the latest when no date is given)."""
    get_account(uow, line_id=line_id)
    r = uow.accounts
    row = r.statement(line_id, statement_on) if statement_on else r.latest_statement(line_id)
    if row is None:
        raise UnknownStatement(
            f"account {line_id} has no statement" + (f" on {statement_on}" if statement_on else " yet")
        )
    return _load(uow, row, created=False)


# -- many lines at once (day-end) ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StatementTotals:
    """The figures of one stored statement (what the day-end's `statement_closed` event carries).

    created: False when the statement already existed (a rerun).
    """

    line_id: int
    statement_id: int
    statement_on: date
    due_on: date
    currency: str
    closing_balance_minor: int
    amount_due_minor: int
    minimum_due_minor: int
    created: bool


def _totals_of(st: Statement) -> StatementTotals:
    return StatementTotals(
        st.line_id,
        st.id,
        st.statement_on,
        st.due_on,
        st.currency,
        st.closing_balance_minor,
        st.amount_due_minor,
        st.minimum_due_minor,
        st.created,
    )


def close_statements(
    uow: UnitOfWork, *, line_ids: Sequence[int], statement_on: date, installments: pl.DataFrame | None = None
) -> list[StatementTotals]:
    """`generate_statement` for many lines at once (the day-end's statement step), set-based.

    The same statements, line for line, as calling generate_statement for each line (the rule code is
    shared: domain.statements), but read with one query per kind of row and written in bulk. A line that
    already has its statement is returned as stored. Lines that need the single-line path go through it:
    a line with a credit balance (applying credit is a payment allocation), or one whose request is wrong
    (not its cycle day, not active, a later statement exists — generate_statement raises the error).
    Returns the figures of every line's statement, by line id.

    installments: the lines' billed installments and the scheduled ones with statement_on <= statement_on
    (statements_bulk_repo.INSTALLMENT_COLUMNS), when the caller has just read them in this transaction
    (the day-end partition has); None reads them.
    """
    wanted = sorted(set(int(i) for i in line_ids))
    if not wanted:
        return []

    bulk = uow.statements
    bulk.stage_lines(wanted)
    bulk.lock_lines()
    info = bulk.lines(statement_on)
    stored = bulk.stored(statement_on)
    out: list[StatementTotals] = [
        StatementTotals(
            r["line_id"],
            r["statement_id"],
            statement_on,
            r["due_on"],
            r["currency"],
            r["closing_balance_minor"],
            r["amount_due_minor"],
            r["minimum_due_minor"],
            False,
        )
        for r in stored.iter_rows(named=True)
    ]
    info = info.filter(~pl.col("line_id").is_in(stored.get_column("line_id").to_list()))
    single = (
        info.filter(
            (pl.col("credit_minor") > 0)
            | (pl.col("status") != "active")
            | (pl.col("cycle_day") != statement_on.day)
            | pl.col("latest_from_on").is_not_null()
        )
        .get_column("line_id")
        .to_list()
    )
    missing = sorted(set(wanted) - set(info.get_column("line_id").to_list()) - set(stored.get_column("line_id")))
    info = info.filter(~pl.col("line_id").is_in(single))
    if info.height:
        out += _close_bulk(uow, bulk, info, statement_on, get_product, installments)
    for line_id in sorted(single + missing):  # the single-line path, with its checks and errors
        out.append(_totals_of(generate_statement(uow, line_id=line_id, statement_on=statement_on)))
    return sorted(out, key=lambda t: t.line_id)


def _close_bulk(
    uow: UnitOfWork,
    bulk: StatementsBulkRepository,
    info: pl.DataFrame,
    statement_on: date,
    get_product,
    known: pl.DataFrame | None,
) -> list[StatementTotals]:
    """The bulk path of close_statements for the lines of `info` (active, on their cycle day, no credit)."""
    D = statement_on
    bulk.stage_lines(info.get_column("line_id").to_list())
    products = {pid: get_product(uow, product_id=pid).product for pid in info.get_column("product_id").unique()}
    rules = pl.DataFrame(
        [(pid, p.minimum_due.percent_bps, p.minimum_due.floor_minor, due_on_for(D, p)) for pid, p in products.items()],
        schema={"product_id": pl.Int64, "min_due_bps": pl.Int64, "min_due_floor_minor": pl.Int64, "due_on": pl.Date},
        orient="row",
    )
    info = info.join(rules, on="product_id", how="left").with_columns(
        pl.coalesce(pl.col("prev_statement_on") + pl.duration(days=1), pl.col("opened_on")).alias("period_start_on"),
        pl.col("prev_closing_minor").fill_null(0).alias("opening_balance_minor"),
    )
    currency = dict(zip(info.get_column("line_id").to_list(), info.get_column("currency").to_list(), strict=True))

    if known is None:
        insts = bulk.installments(D)
    else:
        insts = known.cast(INSTALLMENT_COLUMNS).filter(pl.col("line_id").is_in(info.get_column("line_id").to_list()))
    to_bill = insts.filter(pl.col("status") == "scheduled").sort("line_id", "due_on", "plan_id", "seq")

    # Billing entries: the interest and fees of what this statement bills (as generate_statement posts them).
    billing = to_bill.group_by("line_id").agg(
        pl.col("interest_due_minor").sum().alias("interest"), pl.col("fee_due_minor").sum().alias("fees")
    )
    billing = billing.filter((pl.col("interest") != 0) | (pl.col("fees") != 0)).sort("line_id")
    if billing.height:
        ids = bulk.line_ledger_ids()
        need: dict[str, AccountSpec] = {}
        for line_id, interest, fees in billing.iter_rows():
            cur = currency[line_id]
            for amount, line_code, book_code in (
                (interest, code(line_id, "interest"), book(cur, "interest_income")),
                (fees, code(line_id, "fees"), book(cur, "fee_income")),
            ):
                if amount:
                    need.setdefault(line_code, AccountSpec(line_code, "asset", cur, f"credit_line:{line_id}"))
                    need.setdefault(book_code, AccountSpec(book_code, "income", cur))
        absent = [spec for c, spec in need.items() if c not in ids]
        if absent:
            ids.update({c: a.id for c, a in ledger.ensure_accounts(uow, absent).items()})
        drafts = []
        for line_id, interest, fees in billing.iter_rows():
            cur = currency[line_id]
            postings = []
            if interest:
                postings += [
                    PostingLine(ids[code(line_id, "interest")], interest, cur),
                    PostingLine(ids[book(cur, "interest_income")], -interest, cur),
                ]
            if fees:
                postings += [
                    PostingLine(ids[code(line_id, "fees")], fees, cur),
                    PostingLine(ids[book(cur, "fee_income")], -fees, cur),
                ]
            drafts.append(
                EntryDraft(
                    key=billing_key(line_id, D),
                    kind="billing",
                    business_on=D,
                    postings=tuple(postings),
                    description=billing_description(D),
                )
            )
        ledger.post_entries_bulk(uow, drafts)
    entry_ids = bulk.entry_ids({billing_key(i, D): i for i in billing.get_column("line_id").to_list()})
    # Movement lines (every entry no statement showed yet, this billing included), then due lines.
    moves = bulk.unstated_entries(D)
    move_rows = [
        (line_id, *movement_line(kind, description, on_credit, currency[line_id]), on, amount, entry_id)
        for line_id, entry_id, kind, on, description, amount, on_credit in moves.iter_rows()
    ]
    due_rows = [
        (
            r["line_id"],
            "due",
            due_line_text(
                r["plan_id"],
                r["plan_kind"],
                r["periods"],
                r["seq"],
                r["principal_due_minor"],
                r["interest_due_minor"],
                r["fee_due_minor"],
                currency[r["line_id"]],
            ),
            r["due_on"],
            r["principal_due_minor"] + r["interest_due_minor"] + r["fee_due_minor"],
            None,
        )
        for r in to_bill.iter_rows(named=True)
    ]
    line_schema = {
        "credit_line_id": pl.Int64,
        "kind": pl.String,
        "description": pl.String,
        "posted_on": pl.Date,
        "amount_minor": pl.Int64,
        "ledger_entry_id": pl.Int64,
    }
    lines = pl.concat(
        [
            pl.DataFrame(move_rows, schema=line_schema, orient="row").with_columns(pl.lit(0).alias("_order")),
            pl.DataFrame(due_rows, schema=line_schema, orient="row").with_columns(pl.lit(1).alias("_order")),
        ]
    ).with_row_index("_n")
    # Stable: movements (already in date, entry order) before due lines (in billing order), per line.
    lines = lines.sort("credit_line_id", "_order", "_n").with_columns(
        (pl.int_range(pl.len()).over("credit_line_id") + 1).cast(pl.Int32).alias("seq")
    )
    movement_sum = (
        lines.filter(pl.col("ledger_entry_id").is_not_null())
        .group_by("credit_line_id")
        .agg(pl.col("amount_minor").sum().alias("_moved"))
    )

    # Totals after billing: what is billed and unpaid (installments and open charges), one rule for both paths.
    billed = insts.select(
        "line_id",
        (pl.col("fee_due_minor") - pl.col("fee_paid_minor")).alias("fees_minor"),
        (pl.col("interest_due_minor") - pl.col("interest_paid_minor")).alias("interest_minor"),
        (pl.col("principal_due_minor") - pl.col("principal_paid_minor")).alias("principal_minor"),
        (pl.col("plan_kind") == "full").alias("revolving"),
    )
    chg = bulk.open_charges().select(
        "line_id",
        pl.when(pl.col("component") == "fees").then(pl.col("owed_minor")).otherwise(0).alias("fees_minor"),
        pl.when(pl.col("component") == "interest").then(pl.col("owed_minor")).otherwise(0).alias("interest_minor"),
        pl.lit(0, dtype=pl.Int64).alias("principal_minor"),
        pl.lit(False).alias("revolving"),
    )
    items = pl.concat([billed.cast(BILLED_ITEM_SCHEMA), chg.cast(BILLED_ITEM_SCHEMA)])
    totals = statement_totals(
        items, info.select("line_id", "min_due_bps", "min_due_floor_minor").cast(MINIMUM_DUE_RULE_SCHEMA)
    )
    frame = (
        info.join(totals, on="line_id", how="left")
        .join(movement_sum.rename({"credit_line_id": "line_id"}), on="line_id", how="left")
        .with_columns(
            (pl.col("opening_balance_minor") + pl.col("_moved").fill_null(0)).alias("closing_balance_minor"),
        )
        .join(
            pl.DataFrame(
                list(entry_ids.items()), schema={"line_id": pl.Int64, "ledger_entry_id": pl.Int64}, orient="row"
            ),
            on="line_id",
            how="left",
        )
        .sort("line_id")
    )
    sids = bulk.insert_statements(
        frame.select(
            pl.col("line_id").alias("credit_line_id"),
            pl.lit(D).alias("statement_on"),
            "period_start_on",
            "due_on",
            "currency",
            "opening_balance_minor",
            "closing_balance_minor",
            "amount_due_minor",
            "minimum_due_minor",
            "ledger_entry_id",
        ),
        D,
    )
    sid_frame = pl.DataFrame(
        list(sids.items()), schema={"credit_line_id": pl.Int64, "statement_id": pl.Int64}, orient="row"
    )
    bulk.insert_statement_lines(
        lines.join(sid_frame, on="credit_line_id", how="inner")
        .sort("statement_id", "seq")
        .select(
            "statement_id",
            "credit_line_id",
            "seq",
            "kind",
            "posted_on",
            "description",
            "amount_minor",
            "ledger_entry_id",
        )
    )
    bulk.mark_billed(
        D,
        to_bill.select("id", pl.col("line_id").alias("credit_line_id")).join(
            sid_frame, on="credit_line_id", how="inner"
        ),
    )
    return [
        StatementTotals(
            r["line_id"],
            sids[r["line_id"]],
            D,
            r["due_on"],
            r["currency"],
            r["closing_balance_minor"],
            r["amount_due_minor"],
            r["minimum_due_minor"],
            True,
        )
        for r in frame.iter_rows(named=True)
    ]
