"""A collection case as the console and the REST API show it, composed from the read model and the services.

The plain reads (the case's line, strategy, day-end state, plans, disputes, ceases; the queue; the API's lists)
are in `fairdue.adapters.db.views.cases`; this adds the case's actions with their gate verdicts and its
promises (collections services) and a decision-log entry's gate decision (contact service).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any

from fairdue.adapters.db.views import cases as case_reads
from fairdue.adapters.db.views.cases import CaseDetails
from fairdue.domain.statuses import ActionStatus
from fairdue.errors import NotFound
from fairdue.service.collections.engine import Case, actions_of
from fairdue.service.collections.promises import promises_of
from fairdue.service.contact.decision_log import get_entry

CASE_ACTIONS_MAX = 500


class CaseNotFound(NotFound):
    """No such collection case."""


@dataclass(frozen=True, slots=True)
class ActionView:
    """A planned/done strategy step. allowed: the gate's last verdict (None = not judged yet);
    rules: the rule ids that denied it; why: a skip reason or error, when there is one."""

    id: int
    step_key: str
    channel: str
    template: str | None
    status: str
    due_at: dt.datetime
    attempts: int
    decision_seq: int | None
    allowed: bool | None
    rules: tuple[str, ...]
    next_allowed_at: dt.datetime | None
    why: str | None


@dataclass(frozen=True, slots=True)
class CaseView(CaseDetails):
    """Everything the case page shows: the read model's details (fairdue.adapters.db.views.cases.CaseDetails)
    with the case as a Case, its actions with their gate verdicts, and its promises."""

    case: Case
    actions: tuple[ActionView, ...]
    promises: tuple[Any, ...]  # fairdue.service.collections.promises.Promise

    @property
    def open_task_ids(self) -> tuple[int, ...]:
        return tuple(a.id for a in self.actions if a.status == ActionStatus.TASK)


def _action_view(row: Any) -> ActionView:
    try:
        verdict = json.loads(row.verdict) if row.verdict else {}
    except ValueError:
        verdict = {"why": "unreadable verdict"}
    if not isinstance(verdict, dict):
        verdict = {}
    allowed = verdict.get("allowed")
    return ActionView(
        id=row.id,
        step_key=row.step_key,
        channel=row.channel,
        template=row.template,
        status=row.status,
        due_at=row.due_at,
        attempts=row.attempts,
        decision_seq=row.decision_seq,
        allowed=allowed if isinstance(allowed, bool) else (True if row.status == ActionStatus.SENT else None),
        rules=tuple(str(r) for r in verdict.get("rules") or ()),
        next_allowed_at=row.next_allowed_at,
        why=verdict.get("why") or verdict.get("error"),
    )


def case_view(uow: Any, *, case_id: int) -> CaseView:
    """The case with its day-end state, strategy, actions (with verdicts), promises, plans, disputes and ceases."""
    details = case_reads.case_details(uow.connection, case_id=case_id)
    if details is None:
        raise CaseNotFound(f"no collection case {case_id}")
    case = Case.from_row(details.case)
    read = {f.name: getattr(details, f.name) for f in fields(details)}
    return CaseView(
        **read | {"case": case},
        actions=tuple(_action_view(a) for a in actions_of(uow, case_id=case_id)[:CASE_ACTIONS_MAX]),
        promises=tuple(promises_of(uow, account_id=case.account_id)),
    )


def decision_of(uow: Any, seq: int | None) -> dict[str, Any] | None:
    """The (masked) gate decision stored in decision-log entry `seq`, or None."""
    if seq is None:
        return None
    entry = get_entry(uow, seq)
    if entry is None:
        return None
    decision = json.loads(entry.record_text).get("decision")
    return decision if isinstance(decision, dict) else None
