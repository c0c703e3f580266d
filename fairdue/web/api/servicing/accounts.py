"""Accounts over the API: list (paginated, filtered), one account, its latest statement, its
installment schedules with true APR, payments with Idempotency-Key, and the decision-log check.

Borrowers see only their own accounts (another's id is 404, like a missing one);
staff see all.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from pydantic import BaseModel, Field

from fairdue.adapters.db.views import accounts as account_reads
from fairdue.adapters.db.views import portal as portal_reads
from fairdue.domain.audit_checkpoint import checkpoint_from_dict
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.money import Money
from fairdue.service.collections import assignment
from fairdue.service.contact.decision_log import newest_checkpoint, required_log_keys, verify_log
from fairdue.service.portal import lines as portal
from fairdue.service.servicing.accounts import get_account as account
from fairdue.service.servicing.accounts import product_of
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.statements import UnknownStatement
from fairdue.service.servicing.statements import get_statement as load
from fairdue.service.staff import audit_trail
from fairdue.service.staff.auth import Principal
from fairdue.web.api.common import IDEMPOTENT_RESPONSES, LineId, idempotent_run, visible_line
from fairdue.web.auth import Caller, Unit, requires
from fairdue.web.problems import NotFound

router = APIRouter(tags=["accounts"])


class AccountRead(BaseModel):
    id: int
    borrower_id: int
    product_code: str
    currency: str
    limit_minor: int
    status: str


class AccountPage(BaseModel):
    items: list[AccountRead]
    limit: int
    offset: int
    total: int


class AccountDetail(AccountRead):
    jurisdiction: str
    available_minor: int
    due_today_minor: int
    overdue_minor: int
    payoff_minor: int
    next_due_on: dt.date | None
    next_due_minor: int


class InstallmentRead(BaseModel):
    seq: int
    due_on: dt.date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    total_minor: int
    paid_minor: int
    status: str


class ScheduleRead(BaseModel):
    plan_id: int
    kind: str
    periods: int
    rate: str
    principal_minor: int
    currency: str
    start_on: dt.date
    status: str
    apr: str | None = Field(description="true annual rate as a decimal fraction, under `convention`")
    convention: str
    installments: list[InstallmentRead]


class StatementLineRead(BaseModel):
    seq: int
    kind: str
    posted_on: dt.date
    description: str
    amount_minor: int


class StatementRead(BaseModel):
    id: int
    statement_on: dt.date
    period_start_on: dt.date
    due_on: dt.date
    currency: str
    opening_balance_minor: int
    closing_balance_minor: int
    amount_due_minor: int
    minimum_due_minor: int
    lines: list[StatementLineRead]


class PaymentCreate(BaseModel):
    amount: str = Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$", description="major units, e.g. 120.50", examples=["120.50"]
    )
    received_on: dt.date


class PaymentRead(BaseModel):
    payment_id: int
    currency: str
    amount_minor: int
    fees_minor: int
    interest_minor: int
    principal_minor: int
    unapplied_minor: int


class AuditRead(BaseModel):
    ok: bool
    checked: int
    bad_seq: int | None
    problem: str | None
    message: str
    checkpoint_seq: int | None = None  # the newest signed checkpoint the log matched (the one this call signed)


class CheckpointExport(BaseModel):
    """A signed decision-log checkpoint as `fairdue audit checkpoint --export` writes it (for a witness)."""

    format: str
    seq: int
    head_hash: str
    entry_count: int
    signed_at: str
    key_id: str
    signature: str
    public_key: str | None = None


def _today(unit, who: Principal) -> dt.date:
    from zoneinfo import ZoneInfo

    if who.kind == "borrower":
        # a borrower principal always has one (web_sessions CHECK "subject")
        borrower_id = cast(BorrowerId, who.borrower_id)
        return portal_reads.borrower_today(unit.connection, borrower_id, unit.clock())
    return unit.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()


@router.get("/accounts", response_model=AccountPage, summary="Accounts (a borrower: their own)")
def list_accounts(
    who: Caller,
    unit: Unit,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=10_000_000),
    status: str | None = Query(None, pattern="^(active|closed|charged_off)$"),
    product: str | None = Query(None, max_length=40),
) -> AccountPage:
    total, rows = account_reads.account_page(
        unit.connection,
        borrower_id=who.borrower_id if who.kind == "borrower" else None,
        status=status,
        product=product,
        limit=limit,
        offset=offset,
    )
    return AccountPage(
        items=[
            AccountRead(
                id=r.id,
                borrower_id=r.borrower_id,
                product_code=r.code,
                currency=r.currency,
                limit_minor=r.limit_minor,
                status=r.status,
            )
            for r in rows
        ],
        limit=limit,
        offset=offset,
        total=total,
    )


@router.get("/accounts/{line_id}", response_model=AccountDetail, summary="One account with what is owed today")
def get_account(line_id: LineId, who: Caller, unit: Unit) -> AccountDetail:
    owner = visible_line(unit.connection, who, line_id)
    v = portal.line_view(unit, borrower_id=owner, line_id=line_id, today=_today(unit, who))
    return AccountDetail(
        id=v.id,
        borrower_id=owner,
        product_code=v.product_code,
        currency=v.currency,
        limit_minor=v.limit_minor,
        status=v.status,
        jurisdiction=v.jurisdiction,
        available_minor=v.available_minor,
        due_today_minor=v.due_today_minor,
        overdue_minor=v.overdue_minor,
        payoff_minor=v.payoff_minor,
        next_due_on=v.next_due_on,
        next_due_minor=v.next_due_minor,
    )


@router.get(
    "/accounts/{line_id}/schedules",
    response_model=list[ScheduleRead],
    summary="Installment plans with their schedules and true APR",
)
def get_schedules(line_id: LineId, who: Caller, unit: Unit) -> list[ScheduleRead]:
    visible_line(unit.connection, who, line_id)
    jurisdiction = _jurisdiction_of_line(unit, line_id)
    return [
        ScheduleRead(
            plan_id=p.id,
            kind=p.kind,
            periods=p.periods,
            rate=p.rate,
            principal_minor=p.principal_minor,
            currency=p.currency,
            start_on=p.start_on,
            status=p.status,
            apr=None if p.apr is None else str(p.apr),
            convention=p.convention,
            installments=[
                InstallmentRead(
                    seq=i.seq,
                    due_on=i.due_on,
                    principal_minor=i.principal_minor,
                    interest_minor=i.interest_minor,
                    fee_minor=i.fee_minor,
                    total_minor=i.total_minor,
                    paid_minor=i.paid_minor,
                    status=i.status,
                )
                for i in p.installments
            ],
        )
        for p in portal.plans_of_line(unit, line_id, jurisdiction)
    ]


def _jurisdiction_of_line(unit, line_id: int) -> str:
    return product_of(unit, account(unit, line_id=line_id)).jurisdiction


@router.get(
    "/accounts/{line_id}/statement",
    response_model=StatementRead,
    summary="The latest statement, or the one closed on `on`",
)
def get_statement(line_id: LineId, who: Caller, unit: Unit, on: dt.date | None = None) -> StatementRead:
    visible_line(unit.connection, who, line_id)
    try:
        s = load(unit, line_id=line_id, statement_on=on)
    except UnknownStatement as err:
        raise NotFound(str(err)) from None
    return StatementRead(
        id=s.id,
        statement_on=s.statement_on,
        period_start_on=s.period_start_on,
        due_on=s.due_on,
        currency=s.currency,
        opening_balance_minor=s.opening_balance_minor,
        closing_balance_minor=s.closing_balance_minor,
        amount_due_minor=s.amount_due_minor,
        minimum_due_minor=s.minimum_due_minor,
        lines=[
            StatementLineRead(
                seq=x.seq, kind=x.kind, posted_on=x.posted_on, description=x.description, amount_minor=x.amount_minor
            )
            for x in s.lines
        ],
    )


@router.post(
    "/accounts/{line_id}/payments",
    status_code=201,
    response_model=PaymentRead,
    summary="Record a payment received (Idempotency-Key: a repeat returns the first answer; "
    "a concurrent twin gets 409)",
    responses=IDEMPOTENT_RESPONSES,
)
def post_payment(
    request: Request,
    line_id: LineId,
    body: PaymentCreate = Body(...),
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=200),
    who: Principal = Depends(requires("agent", "supervisor", "admin")),
):
    def allowed(unit) -> None:
        visible_line(unit.connection, who, line_id)
        # ASVS V4.2.1: a payment changes the debt, so an agent records one only on a case assigned to them.
        assignment.require_account(unit, who=who, account_id=line_id)

    def work(unit) -> PaymentRead:
        allowed(unit)
        currency = account(unit, line_id=line_id).currency
        result = pay(
            unit,
            line_id=line_id,
            amount=Money.parse(body.amount, currency),
            received_on=body.received_on,
            key=f"api:{idempotency_key}",
            actor=audit_trail.actor_of(who, via="api"),
        )
        return PaymentRead(
            payment_id=result.payment_id,
            currency=result.currency,
            amount_minor=result.amount_minor,
            fees_minor=result.fees_minor,
            interest_minor=result.interest_minor,
            principal_minor=result.principal_minor,
            unapplied_minor=result.unapplied_minor,
        )

    # Scoped to the line, not the caller: any colleague's retry with the same key is the same payment.
    return idempotent_run(
        request,
        key=idempotency_key,
        scope=f"payment:{line_id}",
        body=body,
        work=work,
        check=allowed,
    )


class StaffActionRead(BaseModel):
    id: int
    at: dt.datetime
    staff_id: int
    username: str
    via: str = Field(description="api | console | cli")
    action: str
    subject_kind: str
    subject_id: str
    details: dict = Field(description="ids, codes and amounts in minor units; never personal data")


@router.get(
    "/audit/staff-actions",
    response_model=list[StaffActionRead],
    tags=["audit"],
    summary="The staff audit trail, newest first, by staff member and/or action (compliance, admin)",
)
def staff_actions(
    who: Annotated[Principal, Depends(requires(*audit_trail.AUDIT_READERS))],
    unit: Unit,
    staff_id: int | None = Query(None, ge=1, le=2**31 - 1),
    action: str | None = Query(None, max_length=40, pattern=r"^[a-z_.]+$"),
    limit: int = Query(200, ge=1, le=500),
) -> list[StaffActionRead]:
    rows = audit_trail.entries(unit, staff_id=staff_id, action=action, limit=limit)
    return [StaffActionRead(**{k: r[k] for k in StaffActionRead.model_fields}) for r in rows]


@router.get(
    "/audit/verify", response_model=AuditRead, tags=["audit"], summary="Verify the hash-chained decision log end to end"
)
def audit_verify(who: Annotated[Principal, Depends(requires("compliance", "admin"))], unit: Unit) -> AuditRead:
    """The chain, its head and every signed checkpoint; an intact log's head is signed (a new checkpoint)."""
    return _verified(unit, witness=None)


@router.post(
    "/audit/verify",
    response_model=AuditRead,
    tags=["audit"],
    summary="Verify the decision log against an exported checkpoint too (an external witness's copy)",
)
def audit_verify_witness(
    witness: CheckpointExport, who: Annotated[Principal, Depends(requires("compliance", "admin"))], unit: Unit
) -> AuditRead:
    return _verified(unit, witness=witness)


@router.get(
    "/audit/checkpoint",
    response_model=CheckpointExport,
    tags=["audit"],
    summary="The newest signed checkpoint of the decision log, with its public key, for an external witness",
)
def audit_checkpoint(who: Annotated[Principal, Depends(requires("compliance", "admin"))], unit: Unit):
    keys = required_log_keys(unit)
    found = newest_checkpoint(unit)
    if found is None:
        raise NotFound("the decision log has no signed checkpoint yet", reason="no_checkpoint")
    return keys.export(found)


def _verified(unit, *, witness: CheckpointExport | None) -> AuditRead:
    keys = required_log_keys(unit)
    parsed = None if witness is None else checkpoint_from_dict(witness.model_dump(exclude={"public_key"}))
    v = verify_log(unit, witness=parsed, keys=keys, sign=True)
    unit.commit()  # the checkpoint signed on an intact log
    return AuditRead(
        ok=v.ok,
        checked=v.checked,
        bad_seq=v.bad_seq,
        problem=v.problem,
        message=v.message,
        checkpoint_seq=v.checkpoint_seq,
    )
