"""Logging what happened on an agent's call task: only a call the gate allowed moments ago can be logged as made.

    task = collections.judge_call_task(uow, action_id=..., at=now)       # the gate, logged
    log_call_outcome(uow, action_id=..., outcome="promise", staff_id=..., promise=(amount, promised_on), ...)

The outcome is appended to the hash-chained decision log (kind `call_outcome`, bound to the gate
decision that allowed the call by its seq), a promise is recorded through the promises service, and
the task is completed through the collections service, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.domain.statuses import ActionStatus
from fairdue.errors import Conflict, Invalid
from fairdue.service.collections.engine import complete_task
from fairdue.service.collections.promises import record_promise
from fairdue.service.contact.decision_log import append_decision, get_entry

# outcome -> the gate's history vocabulary (fairdue.policy.request.OUTCOMES)
OUTCOMES = {
    "answered": "conversation",
    "promise": "conversation",
    "refused": "conversation",
    "no_answer": "no_answer",
    "wrong_party": "invalid_number",  # the number does not reach the borrower
}
JUDGMENT_AGE_S_MAX = 300  # a verdict older than this must be asked again before the call is logged as made


class CallOutcomeRefused(Conflict):
    """The call cannot be logged as made (not judged, denied, judged too long ago, or a bad outcome)."""


class CallOutcomeInvalid(Invalid):
    """The outcome form is wrong (unknown outcome, a promise without amount or date)."""


@dataclass(frozen=True, slots=True)
class LoggedCall:
    """What was written: the outcome's decision-log seq, the gate decision it rests on, a promise id or None."""

    seq: int
    gate_seq: int
    promise_id: int | None


def task_row(uow: Any, *, action_id: int):
    """The call task with its case's account, agent and status; None when there is no such action."""
    return uow.actions.task_with_case(action_id)


def gate_decision(uow: Any, *, seq: int | None) -> dict | None:
    """The logged (masked) record of a gate decision, or None."""
    if seq is None:
        return None
    entry = get_entry(uow, seq)
    return None if entry is None else json.loads(entry.record_text)


def _judged_recently(uow: Any, row: Any, action_id: int, now: dt.datetime) -> dict:
    """The allowing gate decision the call rests on; CallOutcomeRefused when there is none or it is stale."""
    if row is None or row.channel != "call":
        raise CallOutcomeRefused(f"no call task {action_id}")
    if row.status != ActionStatus.TASK:
        raise CallOutcomeRefused(f"call task {action_id} is {row.status}, not open")
    verdict = json.loads(row.verdict or "{}")
    if verdict.get("allowed") is not True or row.decision_seq is None:
        raise CallOutcomeRefused("the gate did not allow this call: it cannot be logged as made")
    judged = gate_decision(uow, seq=row.decision_seq) or {}
    decided_at = judged.get("decided_at")
    try:
        age_s = (now - dt.datetime.fromisoformat(decided_at)).total_seconds() if decided_at else None
    except (TypeError, ValueError):
        age_s = None
    if age_s is None or age_s > JUDGMENT_AGE_S_MAX or age_s < 0:
        raise CallOutcomeRefused(
            f"the gate's verdict is older than {JUDGMENT_AGE_S_MAX} s: ask the gate again before logging the call"
        )
    return judged


def _outcome_record(
    judged: dict, row: Any, *, action_id: int, outcome: str, staff_id: int | None, promise_id: int | None, now: Any
) -> dict:
    request = asked if isinstance(asked := judged.get("request"), dict) else {}
    return {
        "kind": "call_outcome",
        "decided_at": now.isoformat(),
        "debt_id": judged.get("debt_id"),
        "channel": "call",
        "purpose": judged.get("purpose"),
        "recipient": judged.get("recipient") or {"role": (request.get("recipient") or {}).get("role")},
        "fingerprint": None,
        "text_sha256": None,
        "call": {
            "action_id": action_id,
            "case_id": row.case_id,
            "outcome": outcome,
            "history_outcome": OUTCOMES[outcome],
            "gate_seq": row.decision_seq,
            "staff_id": staff_id,
            "promise_id": promise_id,
        },
        # The call was made under this allowing decision (kept so the contact log shows an allowed call).
        "decision": {"allowed": True, "violations": [], "by_seq": row.decision_seq},
    }


def log_call_outcome(
    uow: Any,
    *,
    action_id: int,
    outcome: str,
    staff_id: int | None,
    now: dt.datetime,
    promise: tuple[Any, dt.date] | None = None,
    business_on: dt.date | None = None,
    actor: StaffActor | None = None,
) -> LoggedCall:
    """Log the outcome of an allowed call; with outcome `promise`, record the promise (Money, date) too. With
    `actor` (the staff member), the call is a `call.outcome_logged` row of the staff audit trail (and a promise a
    `promise.recorded` row), in this transaction."""
    if outcome not in OUTCOMES:
        raise CallOutcomeInvalid(f"unknown call outcome {outcome!r}; expected one of {sorted(OUTCOMES)}")
    if (outcome == "promise") != (promise is not None):
        raise CallOutcomeInvalid("a promise outcome needs an amount and a date (and only a promise has them)")
    if actor is not None:
        staff_id = actor.staff_id
    row = uow.actions.task_with_case(action_id)
    judged = _judged_recently(uow, row, action_id, now)
    promise_id = None
    if promise is not None:
        amount, promised_on = promise
        promise_id = record_promise(
            uow,
            account_id=row.account_id,
            amount=amount,
            promised_on=promised_on,
            business_on=business_on or now.date(),
            staff_id=staff_id,
            actor=actor,
        )
    record = _outcome_record(
        judged, row, action_id=action_id, outcome=outcome, staff_id=staff_id, promise_id=promise_id, now=now
    )
    entry = append_decision(uow, record)
    complete_task(uow, action_id=action_id)
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="call.outcome_logged",
            subject_kind="account",
            subject_id=row.account_id,
            details={
                "case_id": row.case_id,
                "action_id": action_id,
                "outcome": outcome,
                "outcome_seq": entry.seq,
                "gate_seq": row.decision_seq,
                "promise_id": promise_id,
            },
        )
    return LoggedCall(seq=entry.seq, gate_seq=row.decision_seq, promise_id=promise_id)
