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

from dataclasses import dataclass
from datetime import date, timedelta

from fairdue.adapters.db.schema.accounts import charges, installment_plans, installments, statement_lines, statements
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.money import Money
from fairdue.domain.statements import BilledItem, due_on_for, minimum_due_minor
from fairdue.errors import FairdueError
from fairdue.service import ledger
from fairdue.service.accounts import AccountNotActive, InvalidAccountRequest, book, code, get_account, product_of
from fairdue.service.payments import apply_credit
from fairdue.service.products import repo


_LABELS = {
    "purchase": "purchase",
    "billing": "installment interest and fees billed",
    "payment": "payment",
    "early_payoff": "early payoff",
    "payoff_billing": "early payoff: interest for the days used",
    "late_fee": "late fee (违约金)",
    "interest": "interest",
    "interest_accrual": "interest",
    "fee": "fee",
    "reversal": "reversal",
    "refund_adjustment": "refund: repaid principal to credit, unpaid charges waived",
    "charge_off": "charged off",
}


class UnknownStatement(FairdueError):
    pass


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
    lines = tuple(StatementLine(x.seq, x.kind, x.posted_on, x.description, x.amount_minor) for x in repo(uow).lines_of_statement(row.id))
    return Statement(row.id, row.credit_line_id, row.statement_on, row.period_start_on, row.due_on, row.currency,
                     row.opening_balance_minor, row.closing_balance_minor, row.amount_due_minor, row.minimum_due_minor,
                     lines, created)


def generate_statement(uow: UnitOfWork, *, line_id: int, statement_on: date) -> Statement:
    """Close the cycle ending on `statement_on` (the line's cycle day); idempotent per date."""
    r = repo(uow)
    line = get_account(uow, line_id=line_id, lock=True)
    existing = r.statement(line_id, statement_on)
    if existing is not None:
        return _load(uow, existing, created=False)
    if statement_on.day != line.cycle_day:
        raise InvalidAccountRequest(f"account {line_id} closes statements on day {line.cycle_day}; {statement_on} is not one")
    if line.status == "closed":
        raise AccountNotActive(line_id, line.status, "issue a statement")
    later = r.latest_statement(line_id)
    if later is not None and later.statement_on > statement_on:
        raise InvalidAccountRequest(f"account {line_id} already has a later statement ({later.statement_on})")
    product = product_of(uow, line)
    cur = line.currency
    prev = r.last_statement_before(line_id, statement_on)
    period_start = prev.statement_on + timedelta(days=1) if prev else line.opened_on
    after = prev.statement_on if prev else line.opened_on - timedelta(days=1)
    due_on = due_on_for(statement_on, product)

    to_bill = r.installments_to_bill(line_id, statement_on)
    interest = sum(i.interest_due_minor for i in to_bill)
    fees = sum(i.fee_due_minor for i in to_bill)
    postings = []
    if interest:
        postings += [(code(line_id, "interest"), Money(interest, cur)), (book(cur, "interest_income"), Money(-interest, cur))]
    if fees:
        postings += [(code(line_id, "fees"), Money(fees, cur)), (book(cur, "fee_income"), Money(-fees, cur))]
    entry_id = None
    if postings:
        entry_id = ledger.post_entry(uow, key=f"statement:{line_id}:{statement_on.isoformat()}", kind="billing",
                                     business_on=statement_on, postings=postings,
                                     description=f"installment interest and fees billed on {statement_on}").id
    sid = r.insert(
        statements, credit_line_id=line_id, statement_on=statement_on, period_start_on=period_start, due_on=due_on,
        currency=cur, opening_balance_minor=prev.closing_balance_minor if prev else 0, closing_balance_minor=0,
        amount_due_minor=0, minimum_due_minor=0, ledger_entry_id=entry_id, created_at=uow.clock(),
    )
    for i in to_bill:
        r.update(installments, i.id, status="billed", billed_statement_id=sid)
    new_charges = r.charges_to_bill(line_id, statement_on)
    for c in new_charges:
        r.update(charges, c.id, billed_statement_id=sid)
    apply_credit(uow, line_id=line_id, on=statement_on, key=f"credit:{line_id}:{statement_on.isoformat()}")

    # Movement lines: every ledger entry on the line's accounts dated up to the statement date that no
    # earlier statement showed (late-posted entries included), so opening + movements = closing exactly.
    lines: list[tuple[str, date, str, int, int | None]] = []
    for entry_id, kind, on, description, delta, on_credit in r.unstated_entries(line_id, statement_on):
        label = _LABELS.get(kind.removeprefix("dayend_"), kind.replace("_", " "))
        if kind == "credit_applied":
            text = f"credit {Money(on_credit, cur).format()} applied to what is billed"
        elif kind == "purchase":
            text = label + (f": {description}" if description else "")
        else:
            text = description or label
        lines.append((kind.removeprefix("dayend_")[:20], on, text, delta, entry_id))
    # Due lines (information, no entry): what this statement bills, item by item.
    plans = {}
    for i in to_bill:
        plan = plans.get(i.plan_id) or plans.setdefault(i.plan_id, r.one(installment_plans, id=i.plan_id))
        label = "upfront fee" if i.seq == 0 else (f"installment {i.seq}/{plan.periods}" if plan.kind != "full" else "balance due")
        total = i.principal_due_minor + i.interest_due_minor + i.fee_due_minor
        parts = f"principal {Money(i.principal_due_minor, cur)}, interest {Money(i.interest_due_minor, cur)}, fee {Money(i.fee_due_minor, cur)}"
        lines.append(("due", i.due_on, f"plan #{plan.id} ({plan.kind}) {label}: {parts}", total, None))
    r.insert_many(statement_lines, [
        {"statement_id": sid, "credit_line_id": line_id, "seq": k, "kind": kind, "posted_on": on, "description": text[:300],
         "amount_minor": amt, "ledger_entry_id": entry_id}
        for k, (kind, on, text, amt, entry_id) in enumerate(lines, start=1)
    ])
    opening = prev.closing_balance_minor if prev else 0
    closing = opening + sum(amt for _k, _on, _t, amt, entry_id in lines if entry_id is not None)

    # Totals after billing and credit.
    billed: list[BilledItem] = []
    plan_kind = {}
    for i in r.open_billed_installments(line_id):
        kind = plan_kind.get(i.plan_id) or plan_kind.setdefault(i.plan_id, r.one(installment_plans, id=i.plan_id).kind)
        billed.append(BilledItem(i.fee_due_minor - i.fee_paid_minor, i.interest_due_minor - i.interest_paid_minor,
                                 i.principal_due_minor - i.principal_paid_minor, revolving=kind == "full"))
    for c in r.open_charges(line_id):
        owed = c.amount_minor - c.paid_minor
        billed.append(BilledItem(owed if c.component == "fees" else 0, owed if c.component == "interest" else 0, 0, False))
    amount_due = sum(b.fees_minor + b.interest_minor + b.principal_minor for b in billed)
    minimum = minimum_due_minor(billed, product)
    r.update(statements, sid, closing_balance_minor=closing, amount_due_minor=amount_due, minimum_due_minor=minimum)
    return _load(uow, r.one(statements, id=sid), created=True)


def get_statement(uow: UnitOfWork, *, line_id: int, statement_on: date | None = None) -> Statement:
    """A stored statement (the latest when no date is given)."""
    get_account(uow, line_id=line_id)
    r = repo(uow)
    row = r.statement(line_id, statement_on) if statement_on else r.latest_statement(line_id)
    if row is None:
        raise UnknownStatement(f"account {line_id} has no statement" + (f" on {statement_on}" if statement_on else " yet"))
    return _load(uow, row, created=False)
