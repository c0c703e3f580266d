"""Contact facts: record, end and list them; hand the gate the ones in force.

    fact_id = record_fact(uow, borrower_id=7, kind="breathing_space", source="insolvency_service",
                          recorded_by="agent.li", account_id=12)
    end_fact(uow, fact_id=fact_id, ended_by="agent.li", reason="moratorium cancelled by the debt adviser")
    gate_facts(uow, borrower_id=7, account_id=12, at=now)
    # {"inconvenient_hours": [["12:00", "13:30"]], "represented_by_attorney": False,
    #  "bankruptcy": False, "breathing_space": True}

`gate_facts` returns exactly the gate request's `borrower` keys these facts own; the one builder of
gate requests (fairdue.service.contact.gate_request.build) puts them in, so the gate enforces them. A fact about another debt of the borrower does not count; a fact with no debt
counts for all of them. The attorney's name and contact are encrypted (FieldCipher, FACT_CONTEXTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.repos.contact import FACT_CONTEXTS
from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.domain.audit import copy_json
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.contact_facts import (
    FACTS_OPEN_MAX,
    INCONVENIENT_RANGES_MAX,
    REASON_LEN_MAX,
    RECORDED_BY_LEN_MAX,
    ContactFactInvalid,
    fact_from_input,
    in_force,
)
from fairdue.errors import Invalid

# The gate request's borrower keys owned here (fairdue.policy.request): flag name per fact kind.
FLAG_OF_KIND = {"attorney": "represented_by_attorney", "bankruptcy": "bankruptcy", "breathing_space": "breathing_space"}


class UnknownFact(Invalid):
    """No contact fact with that id."""


class FactAlreadyEnded(Invalid):
    """The fact was ended before; it stays ended."""


class TooManyFacts(Invalid):
    """A named limit on facts in force per borrower was reached; end one first."""


@dataclass(frozen=True, slots=True)
class ContactFact:
    """A stored fact, decrypted. account_id None: every debt of the borrower; effective_until/ended_at None:
    no end yet; hours: (start, end) local 'HH:MM' for inconvenient_hours, else None; attorney_*: attorney only."""

    id: int
    borrower_id: BorrowerId
    account_id: int | None
    kind: str
    source: str
    effective_from: datetime
    effective_until: datetime | None
    hours: tuple[str, str] | None
    attorney_name: str | None
    attorney_contact: str | None
    recorded_by: str
    recorded_at: datetime
    ended_at: datetime | None
    ended_by: str | None
    end_reason: str | None

    def in_force(self, at: datetime) -> bool:
        return in_force(
            effective_from=self.effective_from, effective_until=self.effective_until, ended_at=self.ended_at, at=at
        )


def _cipher(uow: Any, cipher: FieldCipher | None) -> FieldCipher:
    return cipher if cipher is not None else uow.cipher


def record_fact(
    uow: Any,
    *,
    borrower_id: BorrowerId,
    kind: str,
    source: str,
    recorded_by: str,
    account_id: int | None = None,
    effective_from: datetime | None = None,
    effective_until: datetime | None = None,
    open_ended: bool = False,
    hours: tuple[str, str] | list[str] | None = None,
    attorney_name: str | None = None,
    attorney_contact: str | None = None,
    cipher: FieldCipher | None = None,
    actor: StaffActor | None = None,
) -> int:
    """Store a fact that limits contact; returns its id. The caller commits. A staff member's record (`actor`) is
    a `contact_fact.recorded` row of the staff audit trail (kind, source, scope; no attorney details)."""
    now = uow.clock()
    fact = fact_from_input(
        kind=kind,
        source=source,
        recorded_by=recorded_by,
        now=now,
        account_id=account_id,
        effective_from=effective_from,
        effective_until=effective_until,
        open_ended=open_ended,
        hours=hours,
        attorney_name=attorney_name,
        attorney_contact=attorney_contact,
    )
    if not uow.contact.borrower_exists(borrower_id):
        raise ContactFactInvalid(f"borrower_id: no borrower #{borrower_id}")
    if fact.account_id is not None:
        owner = uow.contact.borrower_of_line(fact.account_id)
        if owner != borrower_id:
            raise ContactFactInvalid(f"account_id: borrower #{borrower_id} has no account #{fact.account_id}")
    _check_room(uow, borrower_id, kind)
    c = _cipher(uow, cipher) if fact.attorney_name is not None else None
    values = dict(
        borrower_id=borrower_id,
        account_id=fact.account_id,
        kind=fact.kind,
        source=fact.source,
        effective_from=fact.effective_from,
        effective_until=fact.effective_until,
        hours_start=fact.hours_start,
        hours_end=fact.hours_end,
        attorney_name_ct=None
        if c is None or fact.attorney_name is None
        else c.encrypt(fact.attorney_name, context=FACT_CONTEXTS["attorney_name_ct"]),
        attorney_contact_ct=(
            None
            if c is None or fact.attorney_contact is None
            else c.encrypt(fact.attorney_contact, context=FACT_CONTEXTS["attorney_contact_ct"])
        ),
        recorded_by=fact.recorded_by,
        recorded_at=now,
        ended_at=None,
        ended_by=None,
        end_reason=None,
    )
    _forget(uow)
    fact_id: int = uow.contact.add_fact(values)
    if actor is not None:
        details = {"borrower_id": int(borrower_id), "account_id": fact.account_id, "kind": fact.kind}
        _audit(uow, actor, "contact_fact.recorded", fact_id, {**details, "source": fact.source})
    return fact_id


def _check_room(uow: Any, borrower_id: BorrowerId, kind: str) -> None:
    """Refuse (TooManyFacts) a fact past the named limits on facts in force per borrower."""
    open_kinds = uow.contact.open_fact_kinds(borrower_id)
    if len(open_kinds) >= FACTS_OPEN_MAX:
        raise TooManyFacts(f"borrower #{borrower_id} has {FACTS_OPEN_MAX} facts not ended; end one first")
    if kind == "inconvenient_hours" and open_kinds.count("inconvenient_hours") >= INCONVENIENT_RANGES_MAX:
        raise TooManyFacts(
            f"borrower #{borrower_id} has {INCONVENIENT_RANGES_MAX} inconvenient time ranges; end one first"
        )


def _audit(uow: Any, actor: StaffActor, action: str, fact_id: int, details: dict[str, Any]) -> None:
    """The staff audit trail's row for a fact recorded or ended (ASVS V7.1.3), in the caller's transaction."""
    staff_audit_of(uow).append(
        actor=actor, action=action, subject_kind="contact_fact", subject_id=fact_id, details=details
    )


def end_fact(
    uow: Any,
    *,
    fact_id: int,
    ended_by: str,
    reason: str,
    at: datetime | None = None,
    actor: StaffActor | None = None,
) -> None:
    """End a fact at `at` (default now): contact it limited is no longer limited by it from then on.
    The row stays, with who ended it and why. The caller commits. A staff member's end (`actor`) is a
    `contact_fact.ended` row of the staff audit trail (no reason text)."""
    if not isinstance(ended_by, str) or not ended_by.strip() or len(ended_by.strip()) > RECORDED_BY_LEN_MAX:
        raise ContactFactInvalid(f"ended_by: expected 1..{RECORDED_BY_LEN_MAX} characters")
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > REASON_LEN_MAX:
        raise ContactFactInvalid(f"reason: expected 1..{REASON_LEN_MAX} characters")
    when = uow.clock() if at is None else at
    if when.tzinfo is None:
        raise ContactFactInvalid("at: expected an aware instant")
    row = uow.contact.lock_fact(fact_id)
    if row is None:
        raise UnknownFact(f"no contact fact #{fact_id}")
    if row.ended_at is not None:
        raise FactAlreadyEnded(f"contact fact #{fact_id} was ended at {row.ended_at.isoformat()}")
    uow.contact.end_fact(fact_id, at=when, ended_by=ended_by.strip(), reason=reason.strip())
    _forget(uow)
    if actor is not None:
        _audit(uow, actor, "contact_fact.ended", fact_id, {"borrower_id": int(row.borrower_id), "kind": row.kind})


def _fact(row: Any, c: FieldCipher | None) -> ContactFact:
    def opened(col: str) -> str | None:
        token = getattr(row, col)
        if token is None or c is None:
            return None
        return c.decrypt(token, context=FACT_CONTEXTS[col])

    return ContactFact(
        id=row.id,
        borrower_id=row.borrower_id,
        account_id=row.account_id,
        kind=row.kind,
        source=row.source,
        effective_from=row.effective_from,
        effective_until=row.effective_until,
        hours=None if row.hours_start is None else (row.hours_start, row.hours_end),
        attorney_name=opened("attorney_name_ct"),
        attorney_contact=opened("attorney_contact_ct"),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        end_reason=row.end_reason,
    )


def list_facts(
    uow: Any, *, borrower_id: BorrowerId, cipher: FieldCipher | None = None, decrypt: bool = True
) -> list[ContactFact]:
    """Every fact of the borrower, ended ones included, oldest first. decrypt=False leaves attorney fields None."""
    rows = uow.contact.facts_of_borrower(borrower_id)
    c = _cipher(uow, cipher) if decrypt and any(r.attorney_name_ct for r in rows) else None
    return [_fact(r, c) for r in rows]


_MEMO_ATTR = "_gate_facts_memo"


def _memo(uow: Any) -> dict | None:
    """gate_facts answers read in the unit of work's current transaction (a new transaction starts empty), or
    None when the unit of work cannot carry one. record_fact and end_fact drop it."""
    try:
        tx = uow.connection.get_transaction()
        held = uow.__dict__.get(_MEMO_ATTR)
    except AttributeError:
        return None
    if held is None or held[0] is not tx:
        held = (tx, {})
        uow.__dict__[_MEMO_ATTR] = held
    return held[1]


def _forget(uow: Any) -> None:
    getattr(uow, "__dict__", {}).pop(_MEMO_ATTR, None)


def gate_facts(uow: Any, *, borrower_id: BorrowerId, account_id: int, at: datetime, none_stored: bool = False) -> dict:
    """The gate request's borrower keys owned by stored facts, as of `at`:
    {"inconvenient_hours": [["HH:MM", "HH:MM"], ...], "represented_by_attorney": bool, "bankruptcy": bool,
    "breathing_space": bool}. Facts about another debt of the borrower do not count.

    Read once per (borrower, account, at) in a transaction (a composer's verdict and its send, or a run's
    repeated builds, ask again for the same answer). A fact recorded or ended through this unit of work drops
    what was read.

    none_stored: the caller has just read (fairdue.adapters.db.repos.contact.facts_stored, inside
    CollectionsRepository.debt_flags, in this transaction) that the borrower has no stored fact, so the answer is the empty one without a query (and is kept like a read one)."""
    if at.tzinfo is None:
        raise ContactFactInvalid("at: expected an aware instant")
    memo = _memo(uow)
    key = (borrower_id, account_id, at)
    if memo is not None and key in memo:
        return copy_json(memo[key])
    out = _no_facts() if none_stored else _read_gate_facts(uow, borrower_id=borrower_id, account_id=account_id, at=at)
    if memo is not None:
        memo[key] = copy_json(out)
    return out


def attorney_addresses(
    uow: Any, *, borrower_id: BorrowerId, account_id: int, at: datetime, cipher: FieldCipher | None = None
) -> list[str]:
    """The stored contact of each attorney fact in force about this debt at `at`, decrypted: the one person a
    represented borrower's debt is discussed with (Reg F 1006.6(b)(2); CONC 7.9; 《民法典》第161条 agency).
    Read only for an address that is not the borrower's or an emergency contact's: most requests never ask."""
    rows = [
        row
        for row in uow.contact.gate_fact_rows(borrower_id=borrower_id, account_id=account_id, at=at)
        if row.kind == "attorney"
        and row.attorney_contact_ct is not None
        and in_force(
            effective_from=row.effective_from, effective_until=row.effective_until, ended_at=row.ended_at, at=at
        )
    ]
    if not rows:
        return []
    c = _cipher(uow, cipher)
    return [c.decrypt(row.attorney_contact_ct, context=FACT_CONTEXTS["attorney_contact_ct"]) for row in rows]


def _no_facts() -> dict[str, Any]:
    """gate_facts' answer when no fact is in force."""
    return {"inconvenient_hours": [], "represented_by_attorney": False, "bankruptcy": False, "breathing_space": False}


def _read_gate_facts(uow: Any, *, borrower_id: BorrowerId, account_id: int, at: datetime) -> dict:
    rows = uow.contact.gate_fact_rows(borrower_id=borrower_id, account_id=account_id, at=at)
    out = _no_facts()
    for row in rows:
        if not in_force(
            effective_from=row.effective_from, effective_until=row.effective_until, ended_at=row.ended_at, at=at
        ):
            continue
        if row.kind == "inconvenient_hours":
            pair = [row.hours_start, row.hours_end]
            if pair not in out["inconvenient_hours"]:
                out["inconvenient_hours"].append(pair)
        else:
            out[FLAG_OF_KIND[row.kind]] = True
    return out
