"""Credit-line (e-card account) use cases: open, look up, close, post a charge; the ledger accounts behind a line.

Ledger accounts of credit line N (owner "credit_line:N", the line's currency):
  cl:N:principal  asset      principal lent and not yet repaid (billed or not)
  cl:N:interest   asset      interest billed and not yet paid
  cl:N:fees       asset      fees (plan fees, late fees) billed and not yet paid
  cl:N:credit     liability  the borrower's credit balance (overpayments, refunds of repaid principal)
Book accounts per currency C: book:C:cash (asset), book:C:interest_income,
book:C:fee_income (income).

Every function takes the unit of work first and keyword-only arguments; it
never commits (the caller does), so an error leaves nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from fairdue.adapters.db.repos.servicing import aware
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.ledger import AccountKind, AccountSpec
from fairdue.domain.money import Money
from fairdue.domain.products import Product
from fairdue.domain.statuses import CreditLineStatus
from fairdue.errors import Invalid
from fairdue.service.borrower.registry import UnknownBorrower
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.products import get_product


class UnknownAccount(Invalid):
    def __init__(self, ref: object):
        super().__init__(f"unknown account {ref!r}")
        self.ref = ref


class AccountNotActive(Invalid):
    def __init__(self, line_id: int, status: str, action: str):
        super().__init__(f"account {line_id} is {status}; cannot {action}")
        self.line_id, self.status = line_id, status


class InvalidAccountRequest(Invalid, ValueError):
    """An account request with a bad limit, cycle day or currency."""


class IdempotencyKeyReused(Invalid):
    """An idempotency key already used for a different request.

    Invalid (422), not Conflict: the IETF Idempotency-Key draft answers a reused key with a different
    payload with 422; 409 is for the same key still in flight (fairdue/web/idempotency.py).
    """


@dataclass(frozen=True, slots=True)
class CreditLine:
    """An e-card credit line.

    id, borrower_id, product_id, product_code. limit_minor/currency: the credit limit.
    cycle_day: statement day of month; due_days_after_statement: from the product (due day = statement + this).
    status: active / closed / charged_off. opened_on: local date. closed_on/charged_off_on: None unless so.
    """

    id: int
    borrower_id: BorrowerId
    product_id: int
    product_code: str
    currency: str
    limit_minor: int
    cycle_day: int
    due_days_after_statement: int
    status: str
    opened_on: date
    closed_on: date | None
    charged_off_on: date | None
    created_at: datetime

    @property
    def limit(self) -> Money:
        return Money(self.limit_minor, self.currency)


class LineParts(Protocol):
    """What `balances` reads of a line it is handed: a CreditLine, or any object with these (id and currency name
    the ledger accounts and the money; limit_minor gives available_minor)."""

    @property
    def id(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def limit_minor(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Balances:
    """What the borrower owes on a line, from the ledger (minor units, the line's currency).

    principal_minor: lent, not repaid. interest_minor / fees_minor: billed, unpaid.
    credit_minor: the borrower's credit. owed_minor = principal + interest + fees − credit.
    available_minor: limit − (principal + interest + fees) + credit, never below 0.
    """

    currency: str
    principal_minor: int
    interest_minor: int
    fees_minor: int
    credit_minor: int
    limit_minor: int

    @property
    def owed_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fees_minor - self.credit_minor

    @property
    def available_minor(self) -> int:
        return max(
            0, self.limit_minor - self.principal_minor - self.interest_minor - self.fees_minor + self.credit_minor
        )


def code(line_id: int, part: str) -> str:
    """Ledger account code of a line's part (principal, interest, fees, credit)."""
    return f"cl:{line_id}:{part}"


def book(currency: str, part: str) -> str:
    """Ledger account code of a book-wide account (cash, interest_income, fee_income)."""
    return f"book:{currency}:{part}"


_LINE_PARTS = (("principal", "asset"), ("interest", "asset"), ("fees", "asset"), ("credit", "liability"))
_BOOK_PARTS = (("cash", "asset"), ("interest_income", "income"), ("fee_income", "income"))


def ensure_ledger_accounts(uow: UnitOfWork, *, line_id: int, currency: str) -> None:
    """Create the line's and the book's ledger accounts if absent (one bulk ensure: a few statements, not seven)."""
    ledger.ensure_accounts(
        uow,
        [
            *(
                AccountSpec(code(line_id, part), AccountKind(kind), currency, f"credit_line:{line_id}")
                for part, kind in _LINE_PARTS
            ),
            *(AccountSpec(book(currency, part), AccountKind(kind), currency) for part, kind in _BOOK_PARTS),
        ],
    )


def _line(row, product_code: str, due_days: int) -> CreditLine:
    return CreditLine(
        id=row.id,
        borrower_id=row.borrower_id,
        product_id=row.product_id,
        product_code=product_code,
        currency=row.currency,
        limit_minor=row.limit_minor,
        cycle_day=row.cycle_day,
        due_days_after_statement=due_days,
        status=row.status,
        opened_on=row.opened_on,
        closed_on=row.closed_on,
        charged_off_on=row.charged_off_on,
        created_at=aware(row.created_at),  # type: ignore[arg-type]
    )


def open_account(
    uow: UnitOfWork,
    *,
    borrower_id: BorrowerId,
    product_code: str,
    limit: Money,
    cycle_day: int,
    opened_on: date,
    key: str,
) -> CreditLine:
    """Open an e-card credit line for a borrower; the same `key` again returns the same line."""
    r = uow.accounts
    existing = r.line_by_open_key(key)
    if existing is not None:
        stored = get_product(uow, product_id=existing.product_id)
        same = (
            existing.borrower_id,
            stored.product.code,
            existing.limit_minor,
            existing.currency,
            existing.cycle_day,
        ) == (borrower_id, product_code, limit.amount_minor, limit.currency, cycle_day)
        if not same:
            raise IdempotencyKeyReused(f"key {key!r} already opened account {existing.id} with different terms")
        return _line(existing, stored.product.code, stored.product.due_days_after_statement)
    if uow.borrowers.borrower(borrower_id) is None:
        raise UnknownBorrower(borrower_id)
    stored = get_product(uow, code=product_code)
    p: Product = stored.product
    if limit.currency != p.currency:
        raise InvalidAccountRequest(f"limit is in {limit.currency}; product {p.code} lends in {p.currency}")
    if limit.amount_minor <= 0:
        raise InvalidAccountRequest(f"limit must be positive, got {limit}")
    if limit.amount_minor > p.credit_limit_minor_max:
        raise InvalidAccountRequest(
            f"limit {limit} is above product {p.code}'s maximum {Money(p.credit_limit_minor_max, p.currency)}"
        )
    if cycle_day not in p.cycle_days:
        raise InvalidAccountRequest(
            f"cycle day {cycle_day} is not offered by {p.code}; choose one of {list(p.cycle_days)}"
        )
    line_id = r.add_line(
        borrower_id=borrower_id,
        product_id=stored.id,
        currency=p.currency,
        limit_minor=limit.amount_minor,
        cycle_day=cycle_day,
        opened_on=opened_on,
        open_key=key,
        created_at=uow.clock(),
    )
    if line_id is None:  # a concurrent twin with the same key stored its line first: answer as a replay
        return open_account(
            uow,
            borrower_id=borrower_id,
            product_code=product_code,
            limit=limit,
            cycle_day=cycle_day,
            opened_on=opened_on,
            key=key,
        )
    ensure_ledger_accounts(uow, line_id=line_id, currency=p.currency)
    return get_account(uow, line_id=line_id)


def get_account(uow: UnitOfWork, *, line_id: int, lock: bool = False) -> CreditLine:
    """The credit line (UnknownAccount if none); `lock` takes a row lock on PostgreSQL for a write."""
    if isinstance(line_id, bool) or not isinstance(line_id, int):
        raise UnknownAccount(line_id)
    row = uow.accounts.line(line_id, lock=lock)
    if row is None:
        raise UnknownAccount(line_id)
    stored = get_product(uow, product_id=row.product_id)
    return _line(row, stored.product.code, stored.product.due_days_after_statement)


def product_of(uow: UnitOfWork, line: CreditLine) -> Product:
    return get_product(uow, product_id=line.product_id).product


def balances(uow: UnitOfWork, *, line_id: int, line: LineParts | None = None) -> Balances:
    """The line's balances from the ledger's stored balances (one query)."""
    line = line if line is not None and line.id == line_id else get_account(uow, line_id=line_id)
    codes = {part: code(line_id, part) for part, _ in _LINE_PARTS}
    stored = uow.accounts.ledger_balances(list(codes.values()))
    sign = {"principal": 1, "interest": 1, "fees": 1, "credit": -1}  # debit-positive → as the account kind reads it
    b = {part: sign[part] * stored.get(c, 0) for part, c in codes.items()}
    return Balances(line.currency, b["principal"], b["interest"], b["fees"], b["credit"], line.limit_minor)


def close_account(uow: UnitOfWork, *, line_id: int, closed_on: date) -> CreditLine:
    """Close a line with nothing owed and no credit; refused otherwise."""
    line = get_account(uow, line_id=line_id, lock=True)
    if line.status != CreditLineStatus.ACTIVE:
        raise AccountNotActive(line_id, line.status, "close it")
    bal = balances(uow, line_id=line_id, line=line)
    if bal.owed_minor != 0 or bal.credit_minor != 0:
        raise InvalidAccountRequest(
            f"account {line_id} still has {Money(bal.owed_minor, line.currency)} owed and "
            f"{Money(bal.credit_minor, line.currency)} credit; settle it before closing"
        )
    uow.accounts.close_line(line_id, closed_on=closed_on)
    return get_account(uow, line_id=line_id)


def post_charge(
    uow: UnitOfWork,
    *,
    line_id: int,
    kind: str,
    amount: Money,
    charged_on: date,
    due_on: date,
    key: str,
    description: str | None = None,
) -> int:
    """Charge a late fee (违约金), revolving interest or a fee to a line, once per key; returns the charge id.

    For the day-end batch: the charge is payable at once (the waterfall pays it
    oldest-due first) and appears on the next statement. Late fees and fees go
    to `cl:N:fees`, interest to `cl:N:interest`; none of them ever bears interest.
    """
    if kind not in ("late_fee", "interest", "fee"):
        raise InvalidAccountRequest(f"charge kind must be late_fee, interest or fee, got {kind!r}")
    r = uow.accounts
    line = get_account(uow, line_id=line_id, lock=True)  # lock first, then look for the key (concurrent twins)
    existing = r.charge_by_idempotency_key(key)
    if existing is not None:
        if (existing.credit_line_id, existing.kind, existing.amount_minor, existing.currency) != (
            line_id,
            kind,
            amount.amount_minor,
            amount.currency,
        ):
            raise IdempotencyKeyReused(f"charge key {key!r} was already used for a different charge")
        return existing.id
    if line.status == CreditLineStatus.CLOSED:
        raise AccountNotActive(line_id, line.status, "charge it")
    if amount.currency != line.currency or amount.amount_minor <= 0:
        raise InvalidAccountRequest(f"a charge must be a positive amount in {line.currency}, got {amount}")
    component = "interest" if kind == "interest" else "fees"
    income = "interest_income" if kind == "interest" else "fee_income"
    entry = ledger.post_entry(
        uow,
        key=f"charge:{key}",
        kind=kind,
        business_on=charged_on,
        postings=[(code(line_id, component), amount), (book(line.currency, income), -amount)],
        description=description,
    )
    return r.add_charge(
        line_id=line_id,
        key=key,
        kind=kind,
        component=component,
        amount_minor=amount.amount_minor,
        currency=amount.currency,
        charged_on=charged_on,
        due_on=due_on,
        description=description,
        ledger_entry_id=entry.id,
    )


def reconcile_line(uow: UnitOfWork, *, line_id: int) -> list[str]:
    """Check the servicing records of a line against its ledger balances; each mismatch is named (empty: they agree).

    principal = Σ installments (principal due − paid); interest and fees = Σ billed installments'
    (due − paid) + open charges' (amount − paid). Scheduled interest and fees are not yet in the ledger.
    Installments and charges a negotiated plan restructured are left out: the plan's rows carry them.
    """
    line = get_account(uow, line_id=line_id)
    bal = balances(uow, line_id=line_id, line=line)
    r = uow.accounts
    principal, interest, fees = r.installment_owed_sums(line_id)  # restructured rows left out: the plan's carry them
    for component, owed in r.charge_owed_by_component(line_id):
        if component == "interest":
            interest += owed
        else:
            fees += owed
    problems = []
    for part, records, ledger_minor in (
        ("principal", principal, bal.principal_minor),
        ("interest", interest, bal.interest_minor),
        ("fees", fees, bal.fees_minor),
    ):
        if int(records) != ledger_minor:
            problems.append(
                f"account {line_id} {part}: servicing records say {int(records)}, ledger cl:{line_id}:{part} says {ledger_minor}"
            )
    return problems
