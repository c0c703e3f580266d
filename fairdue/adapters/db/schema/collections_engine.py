"""Collections engine tables (issue 6 items 1-4): cases, strategy assignments, planned actions,
agent teams, promises to pay, negotiated plans, disputes, cease / opt-out requests, the event cursor.

- `coll_event_cursor`: one row per consumer of the day-end event outbox; the last event id it
  handled, advanced in the same transaction as the work the events caused (idempotent replay).
- `coll_cases`: one open case per credit line at most (partial uniqueness is enforced in the
  service: a line's open case is looked up before one is opened, under the line's lock order).
- `coll_strategy_assignments`: which strategy variant a line got, recorded once and never changed.
- `coll_actions`: a strategy step planned for a case; `status` moves planned → sent / denied /
  rescheduled / task / skipped; `decision_seq` is the gate decision (decision_log.seq) that judged it.
- `coll_reminders`: a strategy's pre_due / due step for a line with no case (nothing overdue yet),
  one per (line, step, due date) so planning is idempotent per installment; same statuses as actions.
- `coll_teams` / `coll_team_members`: agents are `staff_users` (web schema), referenced by id.
- `coll_promises`, `coll_plans`, `coll_disputes`, `coll_cease_requests`: borrower-side facts that
  pause or suppress the cadence and are fed into every gate request.
Money columns are BIGINT minor units with a currency beside them.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, UtcDateTime, sql_in
from fairdue.domain.statuses import ActionStatus, CaseStatus, DisputeStatus, PlanStatus, PromiseStatus, ReminderStatus

CODE_LEN_MAX = 64
BUCKET_LEN_MAX = 20

CASE_STATUSES = ("open", "closed")
CLOSE_REASONS = ("cure", "plan", "charge_off")
ACTION_STATUSES = ("planned", "sent", "denied", "rescheduled", "task", "done", "skipped")
PROMISE_STATUSES = ("pending", "kept", "broken", "cancelled")
PLAN_STATUSES = ("active", "completed", "broken", "reverted")
DISPUTE_STATUSES = ("open", "resolved")
CEASE_CHANNELS = ("all", "sms", "email", "letter", "app_push", "call", "voicemail")

coll_event_cursor = sa.Table(
    "coll_event_cursor",
    metadata,
    sa.Column("consumer", sa.String(CODE_LEN_MAX), primary_key=True),
    sa.Column("last_event_id", ID, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

coll_teams = sa.Table(
    "coll_teams",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_LEN_MAX), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    # Which buckets this team works ('*' = any), space-separated.
    sa.Column("buckets", sa.String(200), nullable=False),
)

coll_team_members = sa.Table(
    "coll_team_members",
    metadata,
    sa.Column("team_id", ID, sa.ForeignKey("coll_teams.id"), primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id"), primary_key=True),
    sa.Column("active", sa.Boolean, nullable=False),
)

coll_strategy_assignments = sa.Table(
    "coll_strategy_assignments",
    metadata,
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), primary_key=True),
    sa.Column("strategy_code", sa.String(CODE_LEN_MAX), nullable=False),
    sa.Column("strategy_version", sa.String(CODE_LEN_MAX), nullable=False),
    sa.Column("variant", sa.String(CODE_LEN_MAX), nullable=False),
    sa.Column("assigned_at", UtcDateTime(), nullable=False),
)

coll_cases = sa.Table(
    "coll_cases",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("opened_on", sa.Date, nullable=False),
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("bucket", sa.String(BUCKET_LEN_MAX), nullable=False),
    sa.Column("bucket_entered_on", sa.Date, nullable=False),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("close_reason", sa.String(16), nullable=True),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("team_id", ID, sa.ForeignKey("coll_teams.id"), nullable=True),
    sa.Column("agent_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=True, index=True),
    sa.CheckConstraint(f"status IN {sql_in(CaseStatus)}", name="status"),
    sa.CheckConstraint("close_reason IS NULL OR close_reason IN ('cure','plan','charge_off')", name="close_reason"),
    sa.CheckConstraint(f"(status = '{CaseStatus.OPEN}') = (close_reason IS NULL)", name="closed_has_reason"),
    sa.Index("ix_coll_cases_status_agent", "status", "agent_id"),
)

coll_actions = sa.Table(
    "coll_actions",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("case_id", ID, sa.ForeignKey("coll_cases.id"), nullable=False, index=True),
    # stage:bucket:offset:channel plus the bucket entry date, so a re-entered bucket plans again.
    sa.Column("step_key", sa.String(200), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("template", sa.String(CODE_LEN_MAX), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decision_seq", ID, sa.ForeignKey("decision_log.seq"), nullable=True),
    sa.Column("next_allowed_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("agent_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=True),
    sa.Column("verdict", sa.Text, nullable=True),  # JSON: the gate's answer for a call task / a denial
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("case_id", "step_key", name="uq_coll_actions_case_step"),
    sa.CheckConstraint(f"status IN {sql_in(ActionStatus)}", name="status"),
    sa.CheckConstraint("attempts >= 0", name="attempts"),
    sa.Index("ix_coll_actions_due", "status", "due_at"),
)

coll_promises = sa.Table(
    "coll_promises",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("case_id", ID, sa.ForeignKey("coll_cases.id"), nullable=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("promised_on", sa.Date, nullable=False),
    sa.Column("paid_before_minor", sa.BigInteger, nullable=False),  # payments on the line when promised
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("recorded_by", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=True),
    sa.Column("resolved_on", sa.Date, nullable=True),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint(f"status IN {sql_in(PromiseStatus)}", name="status"),
)

coll_plans = sa.Table(
    "coll_plans",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("case_id", ID, sa.ForeignKey("coll_cases.id"), nullable=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("proposal", sa.Text, nullable=False),  # JSON of the chosen proposal
    sa.Column("rows", sa.Text, nullable=False),  # JSON: [{"due_on", "amount_minor"}]
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("accepted_on", sa.Date, nullable=False),
    sa.Column("accepted_at", UtcDateTime(), nullable=False),
    sa.Column("paid_before_minor", sa.BigInteger, nullable=False),
    sa.Column("ledger_entry_ids", sa.Text, nullable=False),  # JSON list of ledger_entry ids
    sa.Column("ended_on", sa.Date, nullable=True),
    sa.CheckConstraint(f"status IN {sql_in(PlanStatus)}", name="status"),
)

coll_disputes = sa.Table(
    "coll_disputes",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("resolved_at", UtcDateTime(), nullable=True),
    sa.Column("resolution", sa.Text, nullable=True),
    sa.CheckConstraint(f"status IN {sql_in(DisputeStatus)}", name="status"),
)

coll_cease_requests = sa.Table(
    "coll_cease_requests",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", ID, sa.ForeignKey("borrowers.id"), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),  # 'all' = cease communication
    sa.Column("source", sa.String(32), nullable=False),  # e.g. reply_stop, written, phone
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint("channel IN ('all','sms','email','letter','app_push','call','voicemail')", name="channel"),
)

coll_reminders = sa.Table(
    "coll_reminders",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False),
    sa.Column("step_key", sa.String(200), nullable=False),  # pre_due:-3:app_push / due:0:sms
    sa.Column("installment_due_on", sa.Date, nullable=False),  # the due date the step reminds of
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("template", sa.String(CODE_LEN_MAX), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decision_seq", ID, sa.ForeignKey("decision_log.seq"), nullable=True),
    sa.Column("next_allowed_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("verdict", sa.Text, nullable=True),  # JSON: the gate's rules on a denial, or why skipped
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("account_id", "step_key", "installment_due_on", name="uq_coll_reminders_step"),
    sa.CheckConstraint(f"status IN {sql_in(ReminderStatus)}", name="status"),
    sa.Index("ix_coll_reminders_due", "status", "due_at"),
)

TABLES = (
    coll_event_cursor,
    coll_teams,
    coll_team_members,
    coll_strategy_assignments,
    coll_cases,
    coll_actions,
    coll_promises,
    coll_plans,
    coll_disputes,
    coll_cease_requests,
    coll_reminders,
)
