"""How a credit line is named as a debt: one convention for the gate, the decision log and the outbox.

    debt_id_for_line(42)      -> "cl:42"
    line_id_of_debt("cl:42")  -> 42       (None for anything else: a service message, "unassigned", ...)

The collections engine, the contact service, call outcomes, the portal's contact log, the console and the
API all use these, so a debt's frequency history and its contact log are one set of rows.
"""

from __future__ import annotations

from fairdue.domain.borrowers import BorrowerId

# How a credit line is named as a debt in gate requests, the decision log and the outbox.
DEBT_ID_FORMAT = "cl:{line_id}"
DEBT_ID_PREFIX = "cl:"
# Service messages to the borrower (login codes) are logged under this debt id.
SERVICE_DEBT_ID_FORMAT = "borrower:{borrower_id}"
LINE_ID_DIGITS_MAX = 18  # fits a signed 64-bit key


def debt_id_for_line(line_id: int) -> str:
    """The debt id of a credit line."""
    if isinstance(line_id, bool) or not isinstance(line_id, int) or line_id < 1:
        raise ValueError(f"a credit line id is a positive integer, not {line_id!r}")
    return DEBT_ID_FORMAT.format(line_id=line_id)


def line_id_of_debt(debt_id: object) -> int | None:
    """The credit line a debt id names, or None when it names none (not `cl:<digits>`)."""
    if not isinstance(debt_id, str) or not debt_id.startswith(DEBT_ID_PREFIX):
        return None
    digits = debt_id[len(DEBT_ID_PREFIX) :]
    if not digits.isascii() or not digits.isdigit() or len(digits) > LINE_ID_DIGITS_MAX or digits.startswith("0"):
        return None
    return int(digits)


def service_debt_id(borrower_id: BorrowerId) -> str:
    """The debt id under which service messages to a borrower (login codes) are logged."""
    return SERVICE_DEBT_ID_FORMAT.format(borrower_id=borrower_id)
