"""The lifecycle statuses stored in `status` columns, one StrEnum per lifecycle.

A StrEnum member is its string: it compares equal to the stored text, binds as that text in SQL and
serialises to it in JSON, so rows, queries and logged records are unchanged. The schema's CHECK constraints
are generated from these enums (fairdue.adapters.db.schema.types.sql_in): member order is the order of the
CHECK's IN list, so reordering members changes the DDL. A new member needs a migration.
"""

from __future__ import annotations

from enum import StrEnum

# --- servicing (fairdue/adapters/db/schema/accounts.py) --------------------------------------------------------


class CreditLineStatus(StrEnum):
    """credit_lines.status."""

    ACTIVE = "active"
    CLOSED = "closed"
    CHARGED_OFF = "charged_off"


class PurchaseStatus(StrEnum):
    """purchases.status."""

    POSTED = "posted"
    REFUNDED = "refunded"


class InstallmentPlanStatus(StrEnum):
    """installment_plans.status: a purchase's plan of installments (not a collections payment plan)."""

    ACTIVE = "active"
    PAID_OFF = "paid_off"
    REFUNDED = "refunded"


class InstallmentStatus(StrEnum):
    """installments.status."""

    SCHEDULED = "scheduled"
    BILLED = "billed"
    PAID = "paid"
    CANCELLED = "cancelled"
    RESTRUCTURED = "restructured"


class ChargeStatus(StrEnum):
    """charges.status (late fees, interest, fees)."""

    OPEN = "open"
    PAID = "paid"
    WAIVED = "waived"
    RESTRUCTURED = "restructured"


class PaymentStatus(StrEnum):
    """payments.status."""

    POSTED = "posted"
    REVERSED = "reversed"


# --- contact (fairdue/adapters/db/schema/collections.py) -------------------------------------------------------


class OutboxStatus(StrEnum):
    """outbox_messages.status."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    REFUSED = "refused"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


# --- collections (fairdue/adapters/db/schema/collections_engine.py) --------------------------------------------


class CaseStatus(StrEnum):
    """coll_cases.status: a closed case carries a close_reason, an open one none."""

    OPEN = "open"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    """coll_actions.status."""

    PLANNED = "planned"
    SENT = "sent"
    DENIED = "denied"
    RESCHEDULED = "rescheduled"
    TASK = "task"
    DONE = "done"
    SKIPPED = "skipped"


class PromiseStatus(StrEnum):
    """coll_promises.status."""

    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class PlanStatus(StrEnum):
    """coll_plans.status: a collections payment plan."""

    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    REVERTED = "reverted"


class DisputeStatus(StrEnum):
    """coll_disputes.status."""

    OPEN = "open"
    RESOLVED = "resolved"


class ReminderStatus(StrEnum):
    """coll_reminders.status."""

    PLANNED = "planned"
    SENT = "sent"
    DENIED = "denied"
    RESCHEDULED = "rescheduled"
    SKIPPED = "skipped"


# --- portal and staff (fairdue/adapters/db/schema/web.py) ------------------------------------------------------


class ComplaintStatus(StrEnum):
    """complaints.status."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    DECIDED = "decided"
    CLOSED = "closed"


class DataRightsStatus(StrEnum):
    """data_rights_requests.status."""

    RECEIVED = "received"
    DONE = "done"
    REFUSED = "refused"
    PARTIALLY_DONE = "partially_done"


class PlanRequestStatus(StrEnum):
    """plan_requests.status: a borrower's request for a payment plan."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
