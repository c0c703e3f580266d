"""PIPL data rights from the portal: a copy of my data (Art. 45), correction (Art. 46) and deletion
(Art. 47) requests, and consent withdrawal for emergency contacts.

The copy includes the stored contact facts (fairdue.service.contact.facts; the attorney's details decrypted). A
correction or deletion request records which contact facts are held (ids and kinds, no attorney details) and
may name one (details["fact_id"]); contact facts are retained (RETAINED) since they protect the borrower.

Deletion is restricted where a retention law applies, and the request says so:
collection records are kept at least 2 years (card rules Art. 68 [V2]),
account and ledger records for the accounting-archive period, and the
decision log is append-only (hash-chained) so what is in it stays, masked.
Requests are answered by staff (answer_request: done, partially_done or refused — a refusal gives its
reason, PIPL Art. 50 — with who and when); RESPONSE_DAYS is this lender's policy (PIPL sets no number of
days, and RULES.md names no legal deadline for these requests in any jurisdiction).

The value a correction asks for (an ID number, a new phone) is personal data: it is stored encrypted through
the PII seam (fairdue.adapters.crypto.FieldCipher, context CORRECTION_VALUE_CONTEXT) as details["value_ct"],
never in clear (issue 16, ASVS V8.3.4). The borrower's own reads (requests_of, export) decrypt it; the staff
reads (open_requests, get_request, answered_requests) carry only details["value_held"], and staff see the value
through `correction_value`, which the console calls after writing the reveal to the access log. Answers are
staff actions: `answer_request(..., actor=...)` adds a `data_request.answered` row to the staff audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.repos.servicing import aware
from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.contact_facts import in_force
from fairdue.domain.statuses import DataRightsStatus
from fairdue.errors import Conflict, FairdueError, Invalid, NotFound
from fairdue.service.borrower.registry import get_borrower, list_emergency_contacts
from fairdue.service.contact.facts import list_facts
from fairdue.service.portal import complaints
from fairdue.service.portal import lines as portal
from fairdue.service.servicing import plan_requests

RESPONSE_DAYS = 15
CORRECTION_VALUE_CONTEXT = "data_rights.correction_value"  # the cipher's associated data: decrypts only here
CORRECTABLE_FIELDS = ("name", "mobile", "email", "address", "id_number", "other")
DETAILS_LENGTH_MAX = 2000
RETAINED = (
    "collection_records_2y",  # card rules Art. 68: records of collection at least 2 years
    "account_and_ledger_records",  # accounting archives
    "decision_log_append_only",  # hash-chained; kept, addresses masked
    # Stored contact facts (attorney, bankruptcy, breathing space, inconvenient hours) limit contact: deleting
    # one would lift the borrower's own protection, and they are part of the collection records (2 years).
    "contact_facts",
)


class DataRightsError(FairdueError):
    """Any refused data-rights request (the context base; raise a subclass)."""


class DataRequestInvalid(DataRightsError, Invalid):
    """A data-rights request or answer with bad input (kind, field, note, outcome)."""

    slug = "data-rights-error"  # the problem type clients saw before this class was split off


class DataRequestNotFound(DataRightsError, NotFound):
    """No data-rights request with that id."""


class DataRequestAnswered(DataRightsError, Conflict):
    """The request was answered already; an answer is never overwritten."""


ANSWER_OUTCOMES = ("done", "partially_done", "refused")
REASONED_OUTCOMES = ("partially_done", "refused")  # PIPL Art. 50: a refusal (even in part) gives its reasons
NOTE_LENGTH_MAX = 2000
STAFF_LENGTH_MAX = 80


def answer_request(
    uow: UnitOfWork,
    *,
    request_id: int,
    outcome: str,
    note: str,
    staff: str,
    now: dt.datetime,
    actor: StaffActor | None = None,
) -> None:
    """Answer an unanswered request once: `outcome` becomes its status, `note` what the borrower reads; `actor`
    (the staff member answering) is recorded in the staff audit trail."""
    if outcome not in ANSWER_OUTCOMES:
        raise DataRequestInvalid(f"unknown outcome {outcome!r}: one of {', '.join(ANSWER_OUTCOMES)}")
    text = (note or "").strip()
    if outcome in REASONED_OUTCOMES and not text:
        raise DataRequestInvalid(f"a {outcome.replace('_', ' ')} answer must give the borrower its reason")
    if len(text) > NOTE_LENGTH_MAX:
        raise DataRequestInvalid(f"note too long (at most {NOTE_LENGTH_MAX} characters)")
    who = (staff or "").strip()
    if not who or len(who) > STAFF_LENGTH_MAX:
        raise DataRequestInvalid(f"say who answers (1 to {STAFF_LENGTH_MAX} characters)")
    if now.tzinfo is None:
        raise DataRequestInvalid("the answer time must be timezone-aware")
    if isinstance(request_id, bool) or not isinstance(request_id, int):
        raise DataRequestNotFound(f"data request {request_id!r} not found")
    # Only a received request moves; a concurrent second answer finds no row to update.
    moved = uow.portal.answer_data_request(
        request_id, status=outcome, decided_at=now, decided_by=who, outcome=text or None
    )
    if moved == 1:
        if actor is not None:
            staff_audit_of(uow).append(
                actor=actor,
                action="data_request.answered",
                subject_kind="data_request",
                subject_id=request_id,
                details={"outcome": outcome},
            )
        return
    status = uow.portal.data_request_status(request_id)
    if status is None:
        raise DataRequestNotFound(f"data request {request_id} not found")
    raise DataRequestAnswered(f"data request {request_id} was answered already ({status})")


def answer_of(uow: UnitOfWork, *, request_id: int) -> dict[str, Any] | None:
    """{status, decided_at, decided_by, note} of a request (decided_* None while unanswered), or None."""
    row = uow.portal.data_request_answer(request_id)
    return (
        None
        if row is None
        else {
            "status": row.status,
            "decided_at": aware(row.decided_at),
            "decided_by": row.decided_by,
            "note": row.outcome,
        }
    )


def _sealed(details: dict[str, Any], cipher: FieldCipher) -> dict[str, Any]:
    """details with a correction's value encrypted (value → value_ct); nothing else changes."""
    if "value" not in details:
        return details
    rest = {k: v for k, v in details.items() if k != "value"}
    return {**rest, "value_ct": cipher.encrypt(str(details["value"]), context=CORRECTION_VALUE_CONTEXT)}


def _opened(uow: UnitOfWork, details: dict[str, Any], cipher: FieldCipher | None) -> dict[str, Any]:
    """details as the borrower sent them (value_ct → value, with `cipher` or the unit of work's): only for the
    borrower's own reads and a logged staff reveal."""
    if "value_ct" not in details:
        return details
    rest = {k: v for k, v in details.items() if k != "value_ct"}
    c = cipher or uow.cipher
    return {**rest, "value": c.decrypt(details["value_ct"], context=CORRECTION_VALUE_CONTEXT)}


def _masked(details: dict[str, Any]) -> dict[str, Any]:
    """details as staff see them before a logged reveal: no value (sealed, or clear from before issue 16), only
    value_held when there is one."""
    if "value_ct" not in details and "value" not in details:
        return details
    rest = {k: v for k, v in details.items() if k not in ("value", "value_ct")}
    return {**rest, "value_held": True}


RESEAL_BATCH_ROWS = 500


@dataclass(frozen=True, slots=True)
class ResealCounts:
    """What `reseal_correction_values` did: sealed, plain values encrypted; rotated, sealed values re-encrypted
    under the current key; kept, values already sealed under it (a second run only keeps)."""

    sealed: int = 0
    rotated: int = 0
    kept: int = 0


def _resealed(details: dict[str, Any], cipher: FieldCipher) -> tuple[dict[str, Any], str]:
    """(details, what happened: sealed | rotated | kept) for one request's details."""
    if "value" in details:  # written before the values were encrypted (issue 16): seal it now
        rest = {k: v for k, v in details.items() if k != "value_ct"}
        return _sealed(rest, cipher), "sealed"
    token = details["value_ct"]
    if cipher.needs_rotation(token):
        return {**details, "value_ct": cipher.reencrypt(token, context=CORRECTION_VALUE_CONTEXT)}, "rotated"
    return details, "kept"


def reseal_correction_values(uow: UnitOfWork, *, cipher: FieldCipher) -> ResealCounts:
    """Encrypt every correction value still plain at rest (ASVS V8.3.x) and re-encrypt sealed ones under the
    current field key, in the caller's transaction; idempotent (a second run finds nothing to do)."""
    counts = {"sealed": 0, "rotated": 0, "kept": 0}
    after = 0
    while batch := uow.portal.data_requests_holding_values(after_id=after, limit=RESEAL_BATCH_ROWS):
        for row in batch:
            after = row.id
            details = json.loads(row.details)
            if not isinstance(details, dict) or ("value" not in details and "value_ct" not in details):
                continue  # the text matched, but not as a key of the details
            new, what = _resealed(details, cipher)
            counts[what] += 1
            if what != "kept":
                text = json.dumps(new, ensure_ascii=False, sort_keys=True)
                uow.portal.set_data_request_details(row.id, details=text)
    return ResealCounts(**counts)


def correction_value(uow: UnitOfWork, *, request_id: int, cipher: FieldCipher | None = None) -> str | None:
    """The value a correction request asks for, decrypted, or None when it has none. Staff callers write the
    reveal to the access log first (fairdue.service.staff.access_log.record), in the same transaction."""
    row = uow.portal.data_request(request_id)
    if row is None:
        raise DataRequestNotFound(f"data request {request_id} not found")
    details = _opened(uow, json.loads(row.details), cipher)
    value = details.get("value")
    return None if value is None else str(value)


def file_request(
    uow: UnitOfWork,
    *,
    borrower_id: BorrowerId,
    kind: str,
    details: dict[str, Any],
    now: dt.datetime,
    cipher: FieldCipher | None = None,
) -> int:
    """Record a correction, deletion or copy request; due RESPONSE_DAYS later. A correction's value is stored
    encrypted (`cipher`, by default the unit of work's)."""
    if kind not in ("copy", "correction", "deletion"):
        raise DataRequestInvalid(f"unknown request {kind!r}")
    if kind == "correction":
        if details.get("field") not in CORRECTABLE_FIELDS:
            raise DataRequestInvalid(f"say which field to correct: one of {', '.join(CORRECTABLE_FIELDS)}")
        if not str(details.get("value", "")).strip():
            raise DataRequestInvalid("give the correct value")
    fact_id = details.get("fact_id")
    held = stored_facts(uow, borrower_id=borrower_id, now=now) if kind in ("correction", "deletion") else []
    if fact_id is not None and (kind == "copy" or isinstance(fact_id, bool) or fact_id not in {f["id"] for f in held}):
        raise DataRequestInvalid(f"you have no stored contact fact #{fact_id} to correct or delete")
    text = json.dumps(details, ensure_ascii=False, sort_keys=True)
    if len(text) > DETAILS_LENGTH_MAX:
        raise DataRequestInvalid(f"details too long (at most {DETAILS_LENGTH_MAX} characters)")
    if kind == "deletion":
        details = {**details, "restricted_by_retention": list(RETAINED)}
    if held:  # whoever answers sees the contact facts the request concerns (no attorney details: ids only)
        details = {**details, "contact_facts": held}
    if "value" in details:
        details = _sealed(details, cipher or uow.cipher)
    text = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return uow.portal.add_data_request(
        borrower_id=borrower_id,
        kind=kind,
        details=text,
        status=DataRightsStatus.RECEIVED,
        received_at=now,
        due_at=now + dt.timedelta(days=RESPONSE_DAYS),
    )


def stored_facts(uow: UnitOfWork, *, borrower_id: BorrowerId, now: dt.datetime) -> list[dict[str, Any]]:
    """The borrower's stored contact facts (fairdue.service.contact.facts) as {id, kind, account_id, in_force}, oldest
    first: what a correction or deletion request concerns besides the profile."""
    try:
        key = BorrowerId(int(borrower_id))
    except (TypeError, ValueError):
        raise DataRequestInvalid(f"no borrower {borrower_id!r}") from None
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "account_id": r.account_id,
            "in_force": in_force(
                effective_from=r.effective_from, effective_until=r.effective_until, ended_at=r.ended_at, at=now
            ),
        }
        for r in uow.portal.contact_facts_of(key)
    ]


def record_withdrawal(uow: UnitOfWork, *, borrower_id: BorrowerId, contact_id: int, now: dt.datetime) -> int:
    """A done consent_withdrawal request: the trace that the borrower withdrew it, and when."""
    return uow.portal.add_data_request(
        borrower_id=borrower_id,
        kind="consent_withdrawal",
        details=json.dumps({"emergency_contact_id": contact_id}),
        status=DataRightsStatus.DONE,
        received_at=now,
        due_at=now,
        decided_at=now,
        outcome="consent withdrawn; the contact's name and number were erased",
    )


def requests_of(uow: UnitOfWork, *, borrower_id: BorrowerId, cipher: FieldCipher | None = None) -> list[dict[str, Any]]:
    """The borrower's data-rights requests, newest first, details decoded (their own correction values
    decrypted: this is the borrower's read)."""
    rows = uow.portal.data_requests_of(borrower_id)
    return [{**_times_aware(r), "details": _opened(uow, json.loads(r.details), cipher)} for r in rows]


def _times_aware(row) -> dict[str, Any]:
    """The row as a dict, its instants aware UTC (SQLite hands them back naive)."""
    return {**dict(row._mapping), **{k: aware(getattr(row, k)) for k in ("received_at", "due_at", "decided_at")}}


def export(uow: Any, *, borrower_id: BorrowerId, cipher: Any, today: dt.date) -> dict[str, Any]:
    """Everything fairdue holds about the borrower, as JSON-ready data (PIPL Art. 45 copy)."""
    person = get_borrower(uow, borrower_id=BorrowerId(int(borrower_id)), cipher=cipher)
    now = uow.clock()
    lines = portal.lines_of(uow, borrower_id=borrower_id, today=today)
    return {
        "generated_at": now.isoformat(),
        "profile": {
            "name": person.name,
            "id_kind": person.id_kind,
            "id_number": person.id_number,
            "mobiles": [{"number": n, "source": s} for n, s in person.mobiles],
            "emails": [{"address": a, "source": s} for a, s in person.emails],
            "postal_region": person.postal_region,
            "address": person.address,
            "language": person.language,
            "time_zones": list(person.time_zones),
            "created_at": person.created_at.isoformat(),
        },
        "device_address_book": "fairdue has no place to store one; none is held",
        "emergency_contacts": [
            {
                "id": e.id,
                "name": e.name,
                "mobile": e.mobile,
                "relationship": e.relationship,
                "consent_scope": e.consent_scope,
                "consent_granted_at": e.consent_granted_at.isoformat(),
                "consent_withdrawn_at": e.consent_withdrawn_at.isoformat() if e.consent_withdrawn_at else None,
            }
            for e in list_emergency_contacts(uow, borrower_id=BorrowerId(int(borrower_id)), cipher=cipher)
        ],
        "contact_facts": [
            {
                "id": f.id,
                "kind": f.kind,
                "account_id": f.account_id,
                "source": f.source,
                "effective_from": f.effective_from.isoformat(),
                "effective_until": f.effective_until.isoformat() if f.effective_until else None,
                "inconvenient_hours": list(f.hours) if f.hours else None,
                "attorney_name": f.attorney_name,
                "attorney_contact": f.attorney_contact,
                "recorded_at": f.recorded_at.isoformat(),
                "in_force": f.in_force(now),
                "ended_at": f.ended_at.isoformat() if f.ended_at else None,
                "end_reason": f.end_reason,
            }
            for f in list_facts(uow, borrower_id=BorrowerId(int(borrower_id)), cipher=cipher)
        ],
        "accounts": [
            {
                "id": line.id,
                "product": line.product_code,
                "currency": line.currency,
                "status": line.status,
                "limit_minor": line.limit_minor,
                "payoff_minor": line.payoff_minor,
                "due_today_minor": line.due_today_minor,
                "plans": [
                    {
                        "id": p.id,
                        "kind": p.kind,
                        "periods": p.periods,
                        "principal_minor": p.principal_minor,
                        "apr": str(p.apr) if p.apr is not None else None,
                        "convention": p.convention,
                        "installments": [
                            {
                                "seq": i.seq,
                                "due_on": i.due_on.isoformat(),
                                "total_minor": i.total_minor,
                                "paid_minor": i.paid_minor,
                                "status": i.status,
                            }
                            for i in p.installments
                        ],
                    }
                    for p in line.plans
                ],
            }
            for line in lines
        ],
        "contact_log": [
            {
                "debt_id": debt_id,
                "decided_at": c.decided_at.isoformat(),
                "channel": c.channel,
                "recipient_role": c.recipient_role,
                "address_masked": c.address_masked,
                "allowed": c.allowed,
                "reasons": [
                    {"rule": r, "category": cat, "reason_en": en, "reason_zh": zh} for r, cat, en, zh in c.reasons
                ],
            }
            for debt_id, c in portal.contact_log(uow, borrower_id=borrower_id)
        ],
        "complaints": [
            {
                "id": c.id,
                "category": c.category,
                "text": c.text,
                "status": c.status,
                "received_at": c.received_at.isoformat(),
                "due_at": c.clock.due_at.isoformat(),
                "decision": c.decision,
            }
            for c in complaints.list_for_borrower(uow, borrower_id=borrower_id, now=now)
        ],
        "plan_requests": [
            {
                "id": r.id,
                "line_id": r.line_id,
                "periods": r.periods,
                "installment_minor": r.installment_minor,
                "apr": r.apr,
                "status": r.status,
            }
            for r in plan_requests.requests_of(uow, borrower_id=borrower_id)
        ],
        "data_rights_requests": [
            {
                "id": r["id"],
                "kind": r["kind"],
                "status": r["status"],
                "details": r["details"],
                "received_at": r["received_at"].isoformat(),
                "due_at": r["due_at"].isoformat(),
                "answered_at": r["decided_at"].isoformat() if r["decided_at"] else None,
                "answer": r["outcome"],
            }
            for r in requests_of(uow, borrower_id=borrower_id, cipher=cipher)
        ],
    }


# --- read views for the staff console --------------------------------------------------------------------

REQUESTS_LISTED_MAX = 200  # the console lists at most this many unanswered requests, soonest due first
ANSWERED_LISTED_MAX = 20  # ... and below them this many answered by staff, latest answer first


def _named_fact(uow: UnitOfWork, *, borrower_id: BorrowerId, fact_id: Any) -> dict[str, Any] | None:
    """The contact fact a request names, if it is the requesting borrower's (no attorney details), else None."""
    if not isinstance(fact_id, int) or isinstance(fact_id, bool):
        return None
    try:
        owner = BorrowerId(int(borrower_id))
    except (TypeError, ValueError):
        return None
    row = uow.portal.contact_fact_of(fact_id, owner)
    if row is None:
        return None
    fact = dict(row._mapping)
    fact["hours"] = None if row.hours_start is None else (row.hours_start, row.hours_end)
    return fact


def _with_named_fact(uow: UnitOfWork, row) -> dict[str, Any]:
    details = _masked(json.loads(row.details))
    return {
        **_times_aware(row),
        "details": details,
        "fact": _named_fact(uow, borrower_id=row.borrower_id, fact_id=details.get("fact_id")),
    }


def open_requests(uow: UnitOfWork, *, limit: int = REQUESTS_LISTED_MAX) -> list[dict[str, Any]]:
    """Requests not yet answered (status received), soonest due first, each with `fact`: the contact fact it
    names ({id, kind, source, account_id, effective_from, effective_until, hours, recorded_by, ended_at,
    ended_by, end_reason}) or None."""
    rows = uow.portal.unanswered_data_requests(limit=min(limit, REQUESTS_LISTED_MAX))
    return [_with_named_fact(uow, r) for r in rows]


def get_request(uow: UnitOfWork, *, request_id: int) -> dict[str, Any] | None:
    """One request with the contact fact it names (as open_requests), or None when there is no such request."""
    row = uow.portal.data_request(request_id)
    return None if row is None else _with_named_fact(uow, row)


def answered_requests(uow: UnitOfWork, *, limit: int = ANSWERED_LISTED_MAX) -> list[dict[str, Any]]:
    """Requests staff answered (consent withdrawals, done by the borrower's own act, are not), latest answer
    first, each with `fact` as open_requests and `decided_by`."""
    rows = uow.portal.staff_answered_data_requests(limit=min(limit, ANSWERED_LISTED_MAX))
    return [_with_named_fact(uow, r) for r in rows]
