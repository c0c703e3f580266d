"""Gate enforcement: a contact is decided, logged, and (only if allowed) queued — in one transaction.

    outcome = request_contact(uow, gate_request=request, message=message)

calls `fairdue.policy.decide`, appends the decision with masked inputs to the
hash-chained decision log, and on allow writes the message to the outbox in
the same transaction, bound to the decision by its fingerprint (recipient,
channel, SHA-256 of the text; for a login code, purpose `authentication`, a
keyed hash of the text instead, so the code cannot be brute-forced from the
log or the outbox). A denial writes nothing to the outbox and
returns the violations and `next_allowed_at` so the caller can reschedule.
The gate is treated as fail-closed here too: an exception from it, or an
answer that is not a well-formed allow, is a denial (`check_contact`, the
public decision call for callers that log on their own, e.g. call tasks).

`history_for_debt` is the one frequency history of a debt (`cl:<line id>`,
fairdue.service.servicing.debts): the messages sent and the agents' logged calls; every
gate request about a debt (collections, console compose) is built with it.

Stored contact facts (fairdue.service.contact.facts: attorney, bankruptcy, breathing
space, inconvenient hours) of the debt's borrower, as of the request's `at`,
are put into every request here (`with_stored_facts`) whatever the caller
sent: a caller may add restrictions, never lift a stored one.

The outbox keeps the address, subject, text and letter fields only as
field-cipher tokens (fairdue.adapters.crypto); `cipher=None` loads the
configured keys (FAIRDUE_KEYS / FAIRDUE_KEY_FILE, dev keys for SQLite only).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fairdue.adapters.channels.letter import CollectionLetter, render_text
from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.repos.contact import OUTBOX_CONTEXTS
from fairdue.domain.audit import (
    KEYED_TEXT_PURPOSES,
    MESSAGE_TEXT_CONTEXT,
    copy_json,
    keyed_message_fingerprint,
    message_fingerprint,
    sha256_text,
)
from fairdue.domain.instants import aware, format_utc, parse_utc_or_none
from fairdue.domain.masking import mask_address, mask_decision, mask_request
from fairdue.domain.statuses import OutboxStatus
from fairdue.errors import Invalid
from fairdue.policy import decide
from fairdue.service.borrower.registry import get_borrower
from fairdue.service.contact.decision_log import append_decision
from fairdue.service.contact.facts import gate_facts
from fairdue.service.servicing.debts import line_id_of_debt

DEFAULT_ATTEMPTS_MAX = 8
# A decision judges one instant (the request's `at`); the message must leave within this window
# of it or expire unsent (a retry must not carry an 20:58 decision past 21:00).
SEND_WINDOW_S = 300
CHANNELS = ("sms", "email", "letter", "app_push", "voicemail", "call")
TEXT_CHARS_MAX = 20_000
GATE_ERROR_RULE = "ENFORCE.gate_error"


class ContactRequestInvalid(Invalid):
    """The message does not match the gate request it is supposed to be judged by."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What would be sent (at the gate request's `at`, within SEND_WINDOW_S). letter: the structured letter (letters only; its render_text must be `text`);
    subject: email only."""

    channel: str
    recipient_address: str
    language: str
    text: str
    subject: str | None = None
    letter: CollectionLetter | None = None


@dataclass(frozen=True, slots=True)
class ContactOutcome:
    """allowed: the gate allowed it and it is queued (outbox_id set); otherwise violations say why
    and next_allowed_at (may be None) says when to try again."""

    allowed: bool
    decision_seq: int
    outbox_id: int | None
    fingerprint: str
    violations: tuple[Mapping[str, Any], ...]
    next_allowed_at: datetime | None
    decision: Mapping[str, Any]


def default_decide(request: dict) -> dict:
    """The shipped gate (fairdue.policy.decide): what every contact path asks unless a test injects another."""
    return decide(request)


def _fail_closed(request: dict, why: str) -> dict:
    return {
        "allowed": False,
        "jurisdiction": request.get("jurisdiction"),
        "pack": None,
        "violations": [
            {
                "rule": GATE_ERROR_RULE,
                "category": "data_source",
                "reason_en": f"the policy gate could not decide: {why}",
                "reason_zh": f"合规闸门无法作出判断：{why}",
                "evidence": {},
            }
        ],
        "warnings": [],
        "next_allowed_at": None,
    }


def check_contact(request: dict, *, decide: Callable[[dict], dict] | None = None) -> dict:
    """The gate's decision on `request`, failing closed.

    An exception from the gate, an answer that is not a decision, an "allowed" that carries violations, or an
    answer that cannot be logged as JSON all become a denial (rule ENFORCE.gate_error) with the reason. The
    request is deep-copied first, so the gate cannot change what the caller logs. Nothing is logged here:
    callers append the decision (request_contact does; a call task's judge does its own logging).
    """
    decide = decide or default_decide
    try:
        decision = decide(copy_json(request))
    except Exception as err:  # fail closed: any gate failure is a denial, logged with its reason
        return _fail_closed(request, f"{type(err).__name__}: {err}")
    if not isinstance(decision, dict) or not isinstance(decision.get("violations", []), list):
        return _fail_closed(request, "the gate answered with something that is not a decision")
    if decision.get("allowed") is True and decision.get("violations"):
        decision = {**decision, "allowed": False}
    try:
        json.dumps(decision, allow_nan=False)
    except (TypeError, ValueError):
        return _fail_closed(request, "the gate's answer cannot be logged as JSON")
    return decision


_LINE_OWNERS_ATTR = "_contacts_line_owners"


def share_line_owners(uow: Any, owners: dict[int, int]) -> None:
    """Let this unit of work use `owners` (credit line id -> borrower id, as the caller read them from
    credit_lines) instead of reading a line's borrower again; a line's borrower never changes. Lines missing from
    it are read from the database and added."""
    uow.__dict__[_LINE_OWNERS_ATTR] = owners


def _line_borrower(uow: Any, debt_id: Any) -> tuple[int, int] | None:
    """(account id, borrower id) when the debt id names a stored credit line (`cl:<id>`), else None."""
    account_id = line_id_of_debt(debt_id)
    if account_id is None:
        return None
    owners = getattr(uow, "__dict__", {}).get(_LINE_OWNERS_ATTR)
    borrower_id = owners.get(account_id) if owners is not None else None
    if borrower_id is None:
        borrower_id = uow.contact.borrower_of_line(account_id)
        if borrower_id is not None and owners is not None:
            owners[account_id] = borrower_id
    return None if borrower_id is None else (account_id, borrower_id)


def with_stored_facts(uow: Any, request: dict) -> dict:
    """`request` with the stored contact facts (fairdue.service.contact.facts.gate_facts) of its debt's borrower as of its
    `at` put into `borrower`: flags are OR-ed and inconvenient hours joined, so a caller can add restrictions
    but never lift a stored one. Unchanged when the debt is not a stored credit line or `at` is unreadable (the
    gate then judges the caller's facts, and denies a missing `at` itself). A `borrower` that is not an object
    is left for the gate to deny as malformed."""
    debt = request.get("debt")
    at = parse_utc_or_none(request.get("at"))
    owner = _line_borrower(uow, debt.get("id")) if isinstance(debt, dict) else None
    if owner is None or at is None:
        return request
    borrower = request.get("borrower", {})
    if borrower is None:
        borrower = {}
    if not isinstance(borrower, dict):
        return request
    facts = gate_facts(uow, borrower_id=owner[1], account_id=owner[0], at=at)
    merged = dict(borrower)
    for flag in ("represented_by_attorney", "bankruptcy", "breathing_space"):
        if facts[flag]:
            merged[flag] = True
    given = merged.get("inconvenient_hours")
    if facts["inconvenient_hours"]:
        if given is None:
            given = []
        if isinstance(given, list):  # a malformed list is left for the gate to deny
            merged["inconvenient_hours"] = list(given) + [h for h in facts["inconvenient_hours"] if h not in given]
    return {**request, "borrower": merged}


def _check_matches(request: dict, message: OutgoingMessage) -> dict:
    if message.channel not in CHANNELS:
        raise ContactRequestInvalid(f"channel {message.channel!r} cannot carry a message; use one of {CHANNELS}")
    if not message.text or len(message.text) > TEXT_CHARS_MAX:
        raise ContactRequestInvalid(f"message text must be 1..{TEXT_CHARS_MAX} characters")
    if not isinstance(request, dict):
        raise ContactRequestInvalid("the gate request must be a JSON object")
    request = dict(request)  # only the top-level "message" key may be added; decide and masking copy deeply
    if request.get("channel") != message.channel:
        raise ContactRequestInvalid(
            f"gate request is for channel {request.get('channel')!r}, message is {message.channel!r}"
        )
    recipient = request.get("recipient")
    if (
        not isinstance(recipient, dict)
        or str(recipient.get("address", "")).strip() != message.recipient_address.strip()
    ):
        raise ContactRequestInvalid("gate request and message name different recipients")
    gate_message = request.get("message")
    if gate_message is None:
        request["message"] = {"language": message.language, "text": message.text}
    elif not isinstance(gate_message, dict) or gate_message.get("text") != message.text:
        raise ContactRequestInvalid("gate request judges a different text than the message carries")
    if message.channel == "letter":
        if message.letter is None:
            raise ContactRequestInvalid("a letter needs its structured fields (CollectionLetter)")
        if render_text(message.letter) != message.text:
            raise ContactRequestInvalid("the letter's text is not what its fields render")
    elif message.letter is not None:
        raise ContactRequestInvalid("only letters carry letter fields")
    return request


def cipher_for(uow: Any, cipher: FieldCipher | None) -> FieldCipher:
    """The given cipher, or the unit of work's (wired at start-up by fairdue.bootstrap)."""
    return cipher if cipher is not None else uow.cipher


def seal_outbox_fields(
    cipher: FieldCipher, *, recipient_address: str, subject: str | None, body: str, payload: str | None
) -> dict[str, str | None]:
    """The encrypted outbox columns for these plaintext values."""
    plain = {
        "recipient_address_enc": recipient_address,
        "subject_enc": subject,
        "body_enc": body,
        "payload_enc": payload,
    }
    return {
        col: None if value is None else cipher.encrypt(value, context=OUTBOX_CONTEXTS[col])
        for col, value in plain.items()
    }


def open_outbox_fields(cipher: FieldCipher, row: Any) -> dict[str, str | None]:
    """recipient_address, subject, body, payload decrypted from an outbox row."""
    out = {}
    for col, context in OUTBOX_CONTEXTS.items():
        token = getattr(row, col)
        out[col.removesuffix("_enc")] = None if token is None else cipher.decrypt(token, context=context)
    return out


def request_contact(
    uow: Any,
    *,
    gate_request: dict,
    message: OutgoingMessage,
    decide: Callable[[dict], dict] | None = None,
    names: Iterable[str] = (),
    attempts_max: int = DEFAULT_ATTEMPTS_MAX,
    commit: bool = True,
    cipher: FieldCipher | None = None,
    send_window_s: int = SEND_WINDOW_S,
) -> ContactOutcome:
    """Decide, log, and on allow queue the message; all in the unit of work's transaction.

    names: personal names to mask inside the logged message text (e.g. the borrower's).
    commit: False leaves committing to the caller (to group several contacts in one transaction).
    """
    request = _check_matches(gate_request, message)
    cipher = cipher_for(uow, cipher)
    now = uow.clock()
    at = parse_utc_or_none(request.get("at"))
    if at is not None and at + timedelta(seconds=send_window_s) < now:
        raise ContactRequestInvalid(
            f"the gate request is for {request.get('at')}, more than {send_window_s} s ago: ask for a time still ahead"
        )
    request = with_stored_facts(uow, request)
    decision = check_contact(request, decide=decide)
    if decision.get("allowed") is True and at is None:
        decision = _fail_closed(request, "the request names no valid instant ('at') to send at")
    allowed = decision.get("allowed") is True
    address = message.recipient_address.strip()
    if request.get("purpose") in KEYED_TEXT_PURPOSES:  # a login code: no brute-forceable plain hash of it
        text_hmac, text_sha256 = cipher.blind_index(message.text, context=MESSAGE_TEXT_CONTEXT), None
        fingerprint = keyed_message_fingerprint(channel=message.channel, recipient=address, text_hmac=text_hmac)
    else:
        text_hmac, text_sha256 = None, sha256_text(message.text)
        fingerprint = message_fingerprint(channel=message.channel, recipient=address, text=message.text)
    recipient = request.get("recipient") or {}
    debt = request.get("debt") if isinstance(request.get("debt"), dict) else {}
    masked_request = mask_request(request, names=names)
    # The request's recipient is the message's (checked above; blanks aside, which masks ignore): its mask is reused
    # for the record and the outbox row rather than parsing the number again.
    given = recipient.get("address")
    address_masked = masked_request["recipient"]["address"] if isinstance(given, str) else mask_address(address)
    record = {
        "kind": "contact_decision",
        "decided_at": now.isoformat(),
        "debt_id": debt.get("id"),
        "channel": message.channel,
        "purpose": request.get("purpose"),
        "recipient": {"role": recipient.get("role"), "address_masked": address_masked},
        "fingerprint": fingerprint,
        "text_sha256": text_sha256,
        **({"text_hmac": text_hmac} if text_hmac is not None else {}),
        "request": masked_request,
        "decision": mask_decision(decision, names=names),
    }
    entry = append_decision(uow, record)
    outbox_id = None
    if allowed:
        values = dict(
            decision_seq=entry.seq,
            debt_id=debt.get("id"),
            channel=message.channel,
            recipient_role=str(recipient.get("role") or "unknown"),
            address_masked=address_masked,
            language=message.language,
            **seal_outbox_fields(
                cipher,
                recipient_address=address,
                subject=message.subject,
                body=message.text,
                payload=message.letter.to_json() if message.letter else None,
            ),
            # the column holds the keyed hash for a login code (the record names which: text_hmac)
            text_sha256=text_sha256 or text_hmac,
            fingerprint=fingerprint,
            status=OutboxStatus.PENDING,
            attempts=0,
            attempts_max=attempts_max,
            next_attempt_at=max(now, at),
            send_by=at + timedelta(seconds=send_window_s),
            created_at=now,
            provider_message_id=None,
            lease_owner=None,
            lease_until=None,
            delivery_status=None,
            last_error=None,
            sent_at=None,
        )
        outbox_id = uow.contact.add_outbox_message(values)
    if commit:
        uow.commit()
    return ContactOutcome(
        allowed=allowed,
        decision_seq=entry.seq,
        outbox_id=outbox_id,
        fingerprint=fingerprint,
        violations=tuple(decision.get("violations") or ()),
        next_allowed_at=None if allowed else parse_utc_or_none(decision.get("next_allowed_at")),
        decision=decision,
    )


RECEIPT_OUTCOMES = {
    "delivered": "delivered",
    "read": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "invalid_number": "invalid_number",
}


def history_for_debt(
    uow: Any, *, debt_id: str, cipher: FieldCipher | None = None, call_address: str | None = None
) -> list[dict]:
    """Everything done about a debt that the gate's frequency caps count, oldest first, as gate `history` items
    (address unmasked, for decide): the messages sent (outbox) and the agents' logged calls (`call_history`).

    call_address: the number a call task rings (the borrower's first mobile), when the caller has the borrower
    decrypted already; else it is read here, and only if the debt has logged calls.
    """
    cipher = cipher_for(uow, cipher)
    context = OUTBOX_CONTEXTS["recipient_address_enc"]
    rows = uow.contact.history_of_debt(debt_id)
    sent = [
        {
            "at": format_utc(aware(row.at)),
            "channel": row.channel,
            "address": cipher.decrypt(row.recipient_address_enc, context=context),
            "role": row.recipient_role,
            "outcome": RECEIPT_OUTCOMES.get(row.delivery_status or "", "delivered"),
        }
        for row in rows
        if row.kind == "sent"
    ]
    calls = _call_items(
        uow, [row for row in rows if row.kind == "call"], debt_id=debt_id, cipher=cipher, call_address=call_address
    )
    if not calls:
        return sent
    return sorted(sent + calls, key=lambda h: parse_utc_or_none(h["at"]))


def call_history(
    uow: Any, *, debt_id: str, cipher: FieldCipher | None = None, call_address: str | None = None
) -> list[dict]:
    """The agents' logged calls about the debt (decision-log `call_outcome` records), oldest first, as gate history
    items, so the call caps (e.g. Reg F 7 in 7 days, none within 7 days of a conversation; CN unanswered calls per
    number per day) see them. The outbox holds messages only.

    A call task always rings the borrower's own first mobile (collections.build_gate_request), so that number is
    the call's address (the log keeps it masked only); its outcome is the record's history outcome. A debt that
    names no stored line, or a borrower without a mobile, has no call history.
    """
    rows = uow.contact.logged_calls_of_debt(debt_id)
    return _call_items(uow, rows[::-1], debt_id=debt_id, cipher=cipher, call_address=call_address)


def _call_items(
    uow: Any, rows: list[Any], *, debt_id: str, cipher: FieldCipher | None, call_address: str | None
) -> list[dict]:
    """call_history's items from its decision-log rows (at: decided_at, record), oldest first."""
    if not rows:
        return []
    if call_address is None:
        owner = _line_borrower(uow, debt_id)
        if owner is None:
            return []

        mobiles = get_borrower(uow, borrower_id=owner[1], cipher=cipher_for(uow, cipher)).mobiles
        if not mobiles:
            return []
        call_address = mobiles[0][0]
    items = []
    for r in rows:
        record = json.loads(r.record)
        outcome = (record.get("call") or {}).get("history_outcome") if record.get("kind") == "call_outcome" else None
        if outcome is None:
            continue
        items.append(
            {
                "at": format_utc(aware(r.at)),
                "channel": "call",
                "address": call_address,
                "role": "borrower",
                "outcome": outcome,
            }
        )
    return items
