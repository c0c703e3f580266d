"""Negotiated repayment plans (workout): plan requests, plans, their installments and restructured rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.repos.dayend import OPEN_INSTALLMENT_STATUSES  # what day-end ages
from fairdue.adapters.db.schema.accounts import (
    charges,
    credit_lines,
    installment_plans,
    installments,
    plan_restructured_items,
)
from fairdue.adapters.db.schema.collections_engine import coll_cases, coll_plans, coll_promises
from fairdue.adapters.db.schema.dayend import dayend_installment
from fairdue.adapters.db.schema.web import plan_requests
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.statuses import (
    CaseStatus,
    ChargeStatus,
    InstallmentPlanStatus,
    InstallmentStatus,
    PlanRequestStatus,
    PlanStatus,
)

NEGOTIATED_PLAN_KIND = "negotiated"  # installment_plans.kind of a plan's installments
PLANS_PER_QUERY_MAX = 500  # ids per IN (...) list when day-end reads many plans at once
_RESTRUCTURABLE = {"installment": installments, "charge": charges}  # plan_restructured_items.target_kind


def _plan_installments_query() -> sa.Select:
    i, ip = installments.c, installment_plans.c
    return (
        sa.select(installments)
        .join(installment_plans, ip.id == i.plan_id)
        .where(ip.negotiated_plan_id == sa.bindparam("plan_id"))
        .order_by(i.seq)
    )


_PLAN_INSTALLMENTS = _plan_installments_query()  # built once: day-end reads it for every active plan


def _check_plans_queries() -> tuple[sa.Select, sa.Select, sa.Select, sa.Select]:
    i, ip = installments.c, installment_plans.c
    ids: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    repaid = (
        sa.select(ip.negotiated_plan_id)
        .select_from(installment_plans.join(installments, i.plan_id == ip.id))
        .join(coll_plans, coll_plans.c.id == ip.negotiated_plan_id)
        .where(coll_plans.c.status == PlanStatus.BROKEN)
        .group_by(ip.negotiated_plan_id)
        .having(
            sa.func.sum(sa.case((i.status.in_((InstallmentStatus.PAID, InstallmentStatus.CANCELLED)), 0), else_=1)) == 0
        )
        .order_by(ip.negotiated_plan_id)
    )
    plans = sa.select(coll_plans).where(coll_plans.c.status == PlanStatus.ACTIVE).order_by(coll_plans.c.id)
    rows = (
        sa.select(installments, ip.negotiated_plan_id.label("negotiated_plan_id"))
        .join(installment_plans, ip.id == i.plan_id)
        .where(ip.negotiated_plan_id.in_(ids))
        .order_by(ip.negotiated_plan_id, i.seq)
    )
    lines = sa.select(credit_lines.c.id, credit_lines.c.product_id).where(credit_lines.c.id.in_(ids))
    return repaid, plans, rows, lines


# Built once: day-end reads the broken plans repaid since, the active plans, their installments and their lines'
# products (a query each, not one per plan) with these.
_REPAID_BROKEN_PLANS, _ACTIVE_PLANS, _INSTALLMENTS_OF_PLANS, _PRODUCTS_OF_LINES = _check_plans_queries()


class PlansRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    # -- plans -------------------------------------------------------------------------------------------------
    def find_plan(self, plan_id: int) -> sa.Row | None:
        """The plan's row, or None."""
        return self.conn.execute(sa.select(coll_plans).where(coll_plans.c.id == plan_id)).one_or_none()

    def plan(self, plan_id: int) -> sa.Row:
        """The plan's row (it must exist)."""
        return self.conn.execute(sa.select(coll_plans).where(coll_plans.c.id == plan_id)).one()

    def proposal_of(self, plan_id: int) -> str:
        """The plan's stored proposal (JSON) as accepted."""
        proposal: str = self.conn.execute(
            sa.select(coll_plans.c.proposal).where(coll_plans.c.id == plan_id)
        ).scalar_one()
        return proposal

    def account_of_plan(self, plan_id: int) -> int:
        """The line the plan restructured."""
        account_id: int = self.conn.execute(
            sa.select(coll_plans.c.account_id).where(coll_plans.c.id == plan_id)
        ).scalar_one()
        return account_id

    def has_active_plan(self, account_id: int) -> bool:
        """True when the line has an active plan."""
        return (
            self.conn.execute(
                sa.select(coll_plans.c.id).where(
                    coll_plans.c.account_id == account_id, coll_plans.c.status == PlanStatus.ACTIVE
                )
            ).first()
            is not None
        )

    def open_case_id_of(self, account_id: int) -> int | None:
        """The id of the line's open collections case (read only: the plan is accepted on it), or None."""
        case_id: int | None = self.conn.execute(
            sa.select(coll_cases.c.id).where(
                coll_cases.c.account_id == account_id, coll_cases.c.status == CaseStatus.OPEN
            )
        ).scalar_one_or_none()
        return case_id

    def promise_recorded_since(self, account_id: int, at: datetime) -> bool:
        """True when a promise to pay was recorded on the line after `at` (read only)."""
        return (
            self.conn.execute(
                sa.select(coll_promises.c.id).where(
                    coll_promises.c.account_id == account_id, coll_promises.c.recorded_at > at
                )
            ).first()
            is not None
        )

    def add_plan(
        self,
        *,
        account_id: int,
        case_id: int | None,
        kind: str,
        proposal: str,
        rows: str,
        currency: str,
        accepted_on: date,
        accepted_at: datetime,
        paid_before_minor: int,
    ) -> int:
        """An accepted, active plan (proposal and rows as JSON, no ledger entries yet); returns its id."""
        plan_id: int = self.conn.execute(
            coll_plans.insert()
            .values(
                account_id=account_id,
                case_id=case_id,
                kind=kind,
                proposal=proposal,
                rows=rows,
                currency=currency,
                status=PlanStatus.ACTIVE,
                accepted_on=accepted_on,
                accepted_at=accepted_at,
                paid_before_minor=paid_before_minor,
                ledger_entry_ids="[]",
                ended_on=None,
            )
            .returning(coll_plans.c.id)
        ).scalar_one()
        return plan_id

    def set_ledger_entries(self, plan_id: int, entry_ids: list[int]) -> None:
        """Record the ledger entries the plan's acceptance posted (a revert reverses them)."""
        self.conn.execute(
            coll_plans.update().where(coll_plans.c.id == plan_id).values(ledger_entry_ids=json.dumps(entry_ids))
        )

    def end_plan(self, plan_id: int, *, status: str, ended_on: date, if_status_in: Sequence[str] | None = None) -> bool:
        """Set the plan's final status and end date (only from one of `if_status_in`, when given); True if it moved."""
        q = coll_plans.update().where(coll_plans.c.id == plan_id)
        if if_status_in is not None:
            q = q.where(coll_plans.c.status.in_(if_status_in))
        return bool(self.conn.execute(q.values(status=status, ended_on=ended_on)).rowcount)

    # -- what a plan restructures --------------------------------------------------------------------------------
    def open_rows_of(self, account_id: int) -> tuple[list[sa.Row], list[sa.Row]]:
        """(id, status) of the line's open installments and of its open charges, in id order."""
        old_insts = self.conn.execute(
            sa.select(installments.c.id, installments.c.status)
            .where(installments.c.credit_line_id == account_id, installments.c.status.in_(OPEN_INSTALLMENT_STATUSES))
            .order_by(installments.c.id)
        ).all()
        old_charges = self.conn.execute(
            sa.select(charges.c.id, charges.c.status)
            .where(charges.c.credit_line_id == account_id, charges.c.status == ChargeStatus.OPEN)
            .order_by(charges.c.id)
        ).all()
        return list(old_insts), list(old_charges)

    def uncounted_carried_minor(self, installment_ids: list[int], *, fees_carried: bool) -> int:
        """Unpaid interest (and fees, when carried) of these installments whose day-end `billed` flag is not set."""
        i, f = installments.c, dayend_installment.c
        unpaid = (
            i.interest_due_minor
            - i.interest_paid_minor
            + ((i.fee_due_minor - i.fee_paid_minor) if fees_carried else sa.literal(0))
        )
        uncounted = self.conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(unpaid), 0))
            .select_from(installments.outerjoin(dayend_installment, f.installment_id == i.id))
            .where(i.id.in_(installment_ids), sa.func.coalesce(f.billed, sa.false()) == sa.false())
        ).scalar_one()
        return int(uncounted)

    def restructure_rows(self, *, plan_id: int, old_insts: list[Any], old_charges: list[Any]) -> None:
        """Close these installments and charges as restructured by the plan, keeping what each was for a revert."""
        items = [
            {"plan_id": plan_id, "target_kind": "installment", "target_id": r.id, "status_before": r.status}
            for r in old_insts
        ] + [
            {"plan_id": plan_id, "target_kind": "charge", "target_id": r.id, "status_before": r.status}
            for r in old_charges
        ]
        if items:
            self.conn.execute(plan_restructured_items.insert(), items)
        if old_insts:
            self.conn.execute(
                installments.update()
                .where(installments.c.id.in_([r.id for r in old_insts]))
                .values(status=InstallmentStatus.RESTRUCTURED)
            )
        if old_charges:
            self.conn.execute(
                charges.update()
                .where(charges.c.id.in_([r.id for r in old_charges]))
                .values(status=ChargeStatus.RESTRUCTURED)
            )

    def restructured_items(self, plan_id: int) -> list[sa.Row]:
        """What the plan restructured: each item's target_kind, target_id and status_before."""
        return list(
            self.conn.execute(
                sa.select(plan_restructured_items).where(plan_restructured_items.c.plan_id == plan_id)
            ).all()
        )

    def restore_restructured(self, *, target_kind: str, ids: list[int], status: str) -> int:
        """Give these restructured installments or charges (`target_kind`) back their status; returns how many."""
        table = _RESTRUCTURABLE[target_kind]
        restored: int = self.conn.execute(
            table.update()
            .where(table.c.id.in_(ids), table.c.status == InstallmentStatus.RESTRUCTURED)
            .values(status=status)
        ).rowcount
        return restored

    def drop_plan_schedule(self, plan_id: int, *, installment_ids: list[int]) -> None:
        """A reverted plan's records go: what it restructured, its installments (and day-end's flags of them), its
        installment plan."""
        self.conn.execute(plan_restructured_items.delete().where(plan_restructured_items.c.plan_id == plan_id))
        if installment_ids:
            self.conn.execute(
                dayend_installment.delete().where(dayend_installment.c.installment_id.in_(installment_ids))
            )
            self.conn.execute(installments.delete().where(installments.c.id.in_(installment_ids)))
        self.conn.execute(installment_plans.delete().where(installment_plans.c.negotiated_plan_id == plan_id))

    def plans_restructuring_installments(self, installment_ids: list[int]) -> set[int]:
        """The ids of the plans that restructured any of these installments."""
        return {
            row[0]
            for row in self.conn.execute(
                sa.select(plan_restructured_items.c.plan_id).where(
                    plan_restructured_items.c.target_kind == "installment",
                    plan_restructured_items.c.target_id.in_(installment_ids),
                )
            )
        }

    def plan_restructuring_installment(self, installment_id: int) -> sa.Row:
        """(id, kind) of the plan that restructured this installment (it must be one)."""
        return self.conn.execute(
            sa.select(coll_plans.c.id, coll_plans.c.kind)
            .join(plan_restructured_items, plan_restructured_items.c.plan_id == coll_plans.c.id)
            .where(
                plan_restructured_items.c.target_kind == "installment",
                plan_restructured_items.c.target_id == installment_id,
            )
        ).one()

    def installment_statuses_before(self, plan_id: int, installment_ids: list[int]) -> dict[int, str]:
        """Per installment the plan restructured (of these): its status before the plan."""
        return dict(
            self.conn.execute(
                sa.select(plan_restructured_items.c.target_id, plan_restructured_items.c.status_before).where(
                    plan_restructured_items.c.plan_id == plan_id,
                    plan_restructured_items.c.target_kind == "installment",
                    plan_restructured_items.c.target_id.in_(installment_ids),
                )
            ).all()
        )

    def late_fees_restructured_by(self, plan_id: int) -> list[sa.Row]:
        """(idempotency_key, amount_minor, paid_minor) of the late-fee charges the plan restructured."""
        return list(
            self.conn.execute(
                sa.select(charges.c.idempotency_key, charges.c.amount_minor, charges.c.paid_minor)
                .join(
                    plan_restructured_items,
                    sa.and_(
                        plan_restructured_items.c.target_id == charges.c.id,
                        plan_restructured_items.c.target_kind == "charge",
                    ),
                )
                .where(plan_restructured_items.c.plan_id == plan_id, charges.c.kind == "late_fee")
            ).all()
        )

    # -- the plan's installments ---------------------------------------------------------------------------------
    def add_plan_schedule(
        self,
        *,
        account_id: int,
        plan_id: int,
        periods: int,
        rate: str,
        principal_minor: int,
        currency: str,
        start_on: date,
        created_at: datetime,
        rows: list[dict[str, Any]],
    ) -> None:
        """The plan's installment plan (kind negotiated) and its scheduled, unpaid installments.

        rows: per installment its seq, period_start_on, statement_on, due_on, principal_due_minor,
        interest_due_minor and fee_due_minor (in seq order; the first's due_on is the plan's first due date).
        """
        iplan = self.conn.execute(
            installment_plans.insert()
            .values(
                credit_line_id=account_id,
                purchase_id=None,
                negotiated_plan_id=plan_id,
                kind=NEGOTIATED_PLAN_KIND,
                periods=periods,
                rate=rate,
                principal_minor=principal_minor,
                currency=currency,
                start_on=start_on,
                first_due_on=rows[0]["due_on"],
                status=InstallmentPlanStatus.ACTIVE,
                created_at=created_at,
            )
            .returning(installment_plans.c.id)
        ).scalar_one()
        self.conn.execute(
            installments.insert(),
            [
                {
                    "plan_id": iplan,
                    "credit_line_id": account_id,
                    "seq": r["seq"],
                    "period_start_on": r["period_start_on"],
                    "statement_on": r["statement_on"],
                    "due_on": r["due_on"],
                    "currency": currency,
                    "principal_due_minor": r["principal_due_minor"],
                    "interest_due_minor": r["interest_due_minor"],
                    "fee_due_minor": r["fee_due_minor"],
                    "principal_paid_minor": 0,
                    "interest_paid_minor": 0,
                    "fee_paid_minor": 0,
                    "status": InstallmentStatus.SCHEDULED,
                }
                for r in rows
            ],
        )

    def plan_installments(self, plan_id: int) -> list[sa.Row]:
        """The servicing installments that carry out a negotiated plan, in seq order."""
        return list(self.conn.execute(_PLAN_INSTALLMENTS, {"plan_id": plan_id}))

    def set_installment_owed(
        self,
        installment_id: int,
        *,
        principal_due_minor: int,
        interest_due_minor: int,
        fee_due_minor: int,
        status: str | None = None,
    ) -> None:
        """A plan installment's amounts due after a refund credited to it (and its status, when it closes)."""
        values: dict[str, Any] = {
            "principal_due_minor": principal_due_minor,
            "interest_due_minor": interest_due_minor,
            "fee_due_minor": fee_due_minor,
        }
        if status is not None:
            values["status"] = status
        self.conn.execute(installments.update().where(installments.c.id == installment_id).values(**values))

    # -- day-end's check of the plans ------------------------------------------------------------------------------
    def repaid_broken_plan_ids(self) -> list[int]:
        """Broken plans whose installments are all paid or cancelled now, in id order (one query)."""
        return list(self.conn.execute(_REPAID_BROKEN_PLANS).scalars().all())

    def active_plans(self) -> list[sa.Row]:
        """Every active plan, oldest first."""
        return list(self.conn.execute(_ACTIVE_PLANS).all())

    def installments_of_plans(self, plan_ids: list[int]) -> dict[int, list[sa.Row]]:
        """Per plan id: its installments in seq order (a query per PLANS_PER_QUERY_MAX plans)."""
        rows: dict[int, list[sa.Row]] = {}
        for start in range(0, len(plan_ids), PLANS_PER_QUERY_MAX):
            for r in self.conn.execute(_INSTALLMENTS_OF_PLANS, {"ids": plan_ids[start : start + PLANS_PER_QUERY_MAX]}):
                rows.setdefault(r.negotiated_plan_id, []).append(r)
        return rows

    def product_ids_of_lines(self, line_ids: list[int]) -> dict[int, int]:
        """Per line id: its product id (a query per PLANS_PER_QUERY_MAX lines)."""
        product_ids: dict[int, int] = {}
        for start in range(0, len(line_ids), PLANS_PER_QUERY_MAX):
            for line in self.conn.execute(_PRODUCTS_OF_LINES, {"ids": line_ids[start : start + PLANS_PER_QUERY_MAX]}):
                product_ids[line.id] = line.product_id
        return product_ids

    # -- plan requests (the portal) --------------------------------------------------------------------------------
    def add_plan_request(
        self,
        *,
        borrower_id: BorrowerId,
        line_id: str,
        currency: str,
        income_minor: int,
        expenses_minor: int,
        balance_minor: int,
        kind: str,
        periods: int,
        rate: str,
        installment_minor: int,
        apr: str,
        requested_at: datetime,
    ) -> int:
        """A borrower's plan request, status requested; returns its id."""
        request_id: int = self.conn.execute(
            sa.insert(plan_requests)
            .values(
                borrower_id=borrower_id,
                line_id=line_id,
                currency=currency,
                income_minor=income_minor,
                expenses_minor=expenses_minor,
                balance_minor=balance_minor,
                kind=kind,
                periods=periods,
                rate=rate,
                installment_minor=installment_minor,
                apr=apr,
                status=PlanRequestStatus.REQUESTED,
                requested_at=requested_at,
            )
            .returning(plan_requests.c.id)
        ).scalar_one()
        return request_id

    def plan_requests_of(self, borrower_id: BorrowerId) -> list[sa.Row]:
        """The borrower's plan requests, newest first."""
        return list(
            self.conn.execute(
                sa.select(plan_requests)
                .where(plan_requests.c.borrower_id == borrower_id)
                .order_by(plan_requests.c.id.desc())
            ).all()
        )

    def pending_plan_requests(self, *, limit: int) -> list[sa.Row]:
        """Plan requests waiting for a decision, oldest first."""
        return list(
            self.conn.execute(
                sa.select(plan_requests)
                .where(plan_requests.c.status == PlanRequestStatus.REQUESTED)
                .order_by(plan_requests.c.id)
                .limit(limit)
            ).all()
        )

    def plan_request(self, request_id: int) -> sa.Row | None:
        """The plan request, or None."""
        return self.conn.execute(sa.select(plan_requests).where(plan_requests.c.id == request_id)).first()

    def decide_plan_request(self, request_id: int, *, status: str, decided_at: datetime, decided_by: str) -> None:
        """Record the decision on a plan request."""
        self.conn.execute(
            sa.update(plan_requests)
            .where(plan_requests.c.id == request_id)
            .values(status=status, decided_at=decided_at, decided_by=decided_by)
        )
