"""A debt's contact history, as the gate's `history` items: the messages sent and the agents' logged calls.

`history_for_debt` is the one frequency history of a debt (`cl:<line id>`, fairdue.service.servicing.debts);
every gate request about a debt is built with it (fairdue.service.contact.gate_request).
"""

from __future__ import annotations

import json
from typing import Any

from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.repos.contact import OUTBOX_CONTEXTS
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.instants import aware, format_utc
from fairdue.service.borrower.registry import get_borrower
from fairdue.service.servicing.debts import line_id_of_debt


def _cipher(uow: Any, cipher: FieldCipher | None) -> FieldCipher:
    return cipher if cipher is not None else uow.cipher


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
    cipher = _cipher(uow, cipher)
    context = OUTBOX_CONTEXTS["recipient_address_enc"]
    rows = uow.contact.history_of_debt(debt_id)
    sent = [
        {
            "at": format_utc(aware(row.at)),
            "channel": row.channel,
            "address": cipher.decrypt(row.recipient_address_enc, context=context),
            "role": row.recipient_role,
            "outcome": RECEIPT_OUTCOMES.get(row.delivery_status or "", "delivered"),
            "purpose": row.purpose,  # the gate counts earlier opt-out confirmations by it
        }
        for row in rows
        if row.kind == "sent"
    ]
    calls = _call_items(
        uow, [row for row in rows if row.kind == "call"], debt_id=debt_id, cipher=cipher, call_address=call_address
    )
    if not calls:
        return sent
    return sorted(sent + calls, key=lambda h: str(h["at"]))  # all format_utc strings: text order is time order


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

        mobiles = get_borrower(uow, borrower_id=BorrowerId(owner[1]), cipher=_cipher(uow, cipher)).mobiles
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
