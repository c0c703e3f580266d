"""Gate enforcement: a contact is decided, logged, and (only if allowed) queued — in one transaction.

    built = gate_request.build(uow, debt_id="cl:42", recipient=None, channel="sms", purpose="collection", at=at)
    outcome = request_contact(uow, gate_request=built, message=message)

The request judged is always one built from stored facts by `fairdue.service.contact.gate_request.build`:
a `BuiltRequest` is used as it is; any other `gate_request` (a dict) is only a proposal — its debt id,
purpose and instant are kept (the message gives channel, recipient and text), the restrictions it adds are
kept (`Restrictions.of_proposal`), and every fact it states is replaced by the stored one. So no caller can
label a third party's number `borrower`, pick a time zone or a jurisdiction, or lift a stored cease request,
opt-out, dispute or contact fact.

`request_contact` calls `fairdue.policy.decide`, appends the decision with masked inputs to the
hash-chained decision log, and on allow writes the message to the outbox in
the same transaction, bound to the decision by its fingerprint (recipient,
channel, SHA-256 of the text; for a login code, purpose `authentication`, a
keyed hash of the text instead, so the code cannot be brute-forced from the
log or the outbox). A denial writes nothing to the outbox and
returns the violations and `next_allowed_at` so the caller can reschedule.
The gate is treated as fail-closed here too: an exception from it, or an
answer that is not a well-formed allow, is a denial (`check_contact`).
`judge_contact` is the same decision and log for a call (nothing queued: an agent dials).

The outbox keeps the address, subject, text and letter fields only as
field-cipher tokens (fairdue.adapters.crypto); `cipher=None` loads the
configured keys (FAIRDUE_KEYS / FAIRDUE_KEY_FILE, dev keys for SQLite only).
"""

from __future__ import annotations

import dataclasses
import json
import logging
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
from fairdue.domain.instants import parse_utc_or_none
from fairdue.domain.masking import mask_address, mask_decision, mask_request
from fairdue.domain.statuses import OutboxStatus
from fairdue.errors import Invalid
from fairdue.policy import decide
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.decision_log import append_decision
from fairdue.service.contact.gate_request import BuiltRequest, Restrictions
from fairdue.service.contact.history import RECEIPT_OUTCOMES as RECEIPT_OUTCOMES
from fairdue.service.contact.history import call_history as call_history
from fairdue.service.contact.history import history_for_debt as history_for_debt
from fairdue.service.contact.history import share_line_owners as share_line_owners

log = logging.getLogger("fairdue.contact")
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
        log.error("the policy gate raised; the contact is denied", exc_info=err)
        return _fail_closed(request, "internal error (logged)")
    if not isinstance(decision, dict) or not isinstance(decision.get("violations", []), list):
        return _fail_closed(request, "the gate answered with something that is not a decision")
    if decision.get("allowed") is True and decision.get("violations"):
        decision = {**decision, "allowed": False}
    try:
        json.dumps(decision, allow_nan=False)
    except (TypeError, ValueError):
        return _fail_closed(request, "the gate's answer cannot be logged as JSON")
    return decision


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


def _built(uow: Any, proposal: Any, message: OutgoingMessage, cipher: FieldCipher) -> BuiltRequest:
    """A caller's gate request (a dict) rebuilt from stored facts: its debt id, purpose and instant, the message's
    channel and recipient, and the restrictions it adds; nothing else it says is used."""
    if not isinstance(proposal, dict):
        raise ContactRequestInvalid("the gate request must be a JSON object")
    # What a proposal leaves out is the message's; what it names must be the message's (else a caller's bug).
    defaults = {"channel": message.channel, "recipient": {"address": message.recipient_address}}
    proposal = _check_matches({**defaults, **proposal}, message)
    debt = proposal.get("debt")
    debt_id = debt.get("id") if isinstance(debt, dict) else None
    purpose = proposal.get("purpose")
    at = parse_utc_or_none(proposal.get("at"))
    built = gate_requests.build(
        uow,
        debt_id=debt_id if isinstance(debt_id, str) and debt_id else "unknown",
        recipient=message.recipient_address,
        channel=message.channel,
        purpose=purpose if isinstance(purpose, str) else "",
        at=at if at is not None else uow.clock(),
        message=proposal.get("message") if isinstance(proposal.get("message"), dict) else None,
        restrictions=Restrictions.of_proposal(proposal),
        cipher=cipher,
    )
    if at is None:  # an unreadable instant stays unreadable: the gate denies it
        built.request["at"] = proposal.get("at")
    return built


def _built_for(
    uow: Any, gate_request: BuiltRequest | dict, message: OutgoingMessage, cipher: FieldCipher
) -> tuple[BuiltRequest, OutgoingMessage]:
    """The built request to judge, and the message to queue: a proposal is rebuilt from stored facts, and an address
    on file goes out in its stored spelling, not the caller's."""
    if isinstance(gate_request, BuiltRequest):
        return gate_request, message
    built = _built(uow, gate_request, message, cipher)
    if built.recipient is not None and built.recipient.on_file:
        message = dataclasses.replace(message, recipient_address=built.recipient.address)
    return built, message


def judge_contact(
    uow: Any,
    built: BuiltRequest,
    *,
    decide: Callable[[dict], dict] | None = None,
    names: Iterable[str] = (),
) -> tuple[dict, int]:
    """The gate's decision on a contact that is not a queued message (a call an agent is about to make), appended
    to the decision log: (decision, log seq). Only a BuiltRequest is judged."""
    if not isinstance(built, BuiltRequest):
        raise ContactRequestInvalid("a contact is judged only on a request built from stored facts")
    request = built.request
    decision = check_contact(request, decide=decide)
    masked = mask_request(request, names=names)  # its recipient address is mask_address of the request's
    masked_decision = mask_decision(decision, names=names)
    record = _decision_record(uow.clock(), request, masked, masked_decision, masked["recipient"]["address"], None, None)
    return decision, append_decision(uow, record).seq


def _decision_record(
    now: datetime,
    request: dict,
    masked_request: dict,
    masked_decision: dict,
    address_masked: str,
    fingerprint: str | None,
    text_sha256: str | None,
) -> dict[str, Any]:
    """The decision log's `contact_decision` record (inputs masked); a call has no fingerprint or text hash."""
    debt = request.get("debt") if isinstance(request.get("debt"), dict) else {}
    return {
        "kind": "contact_decision",
        "decided_at": now.isoformat(),
        "debt_id": debt.get("id"),
        "channel": request.get("channel"),
        "purpose": request.get("purpose"),
        "recipient": {"role": (request.get("recipient") or {}).get("role"), "address_masked": address_masked},
        "fingerprint": fingerprint,
        "text_sha256": text_sha256,
        "request": masked_request,
        "decision": masked_decision,
    }


def request_contact(
    uow: Any,
    *,
    gate_request: BuiltRequest | dict,
    message: OutgoingMessage,
    decide: Callable[[dict], dict] | None = None,
    names: Iterable[str] = (),
    attempts_max: int = DEFAULT_ATTEMPTS_MAX,
    commit: bool = True,
    cipher: FieldCipher | None = None,
    send_window_s: int = SEND_WINDOW_S,
) -> ContactOutcome:
    """Decide, log, and on allow queue the message; all in the unit of work's transaction.

    gate_request: a BuiltRequest, or a proposal rebuilt from stored facts. names: personal names to mask in the
    logged text (e.g. the borrower's). commit: False leaves committing to the caller (several contacts, one transaction).
    """
    cipher = cipher_for(uow, cipher)
    built, message = _built_for(uow, gate_request, message, cipher)
    request = _check_matches(built.request, message)
    now = uow.clock()
    at = parse_utc_or_none(request.get("at"))
    if at is not None and at + timedelta(seconds=send_window_s) < now:
        raise ContactRequestInvalid(
            f"the gate request is for {request.get('at')}, more than {send_window_s} s ago: ask for a time still ahead"
        )

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
    record = _decision_record(
        now, request, masked_request, mask_decision(decision, names=names), address_masked, fingerprint, text_sha256
    )
    if text_hmac is not None:
        record["text_hmac"] = text_hmac
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
