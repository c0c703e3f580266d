"""Read models for the agent console's account view (PII masked); the queues are
fairdue.adapters.db.views.cases (delinquency_queue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.masking import mask_id_number, mask_name, mask_phone
from fairdue.service.borrower.registry import get_borrower


@dataclass(frozen=True, slots=True)
class Party:
    """The borrower as staff see them: masked unless revealed (then `revealed` is True)."""

    borrower_id: BorrowerId
    name: str
    id_number: str
    mobiles: tuple[tuple[str, str], ...]
    postal_region: str
    time_zones: tuple[str, ...]
    language: str
    revealed: bool


def party(uow: Any, *, borrower_id: BorrowerId, cipher: Any, reveal: bool) -> Party:
    person = get_borrower(uow, borrower_id=borrower_id, cipher=cipher)
    if reveal:
        return Party(
            person.id,
            person.name,
            person.id_number,
            person.mobiles,
            person.postal_region,
            person.time_zones,
            person.language,
            True,
        )
    return Party(
        person.id,
        mask_name(person.name),
        mask_id_number(person.id_number),
        tuple((mask_phone(n), s) for n, s in person.mobiles),
        person.postal_region,
        person.time_zones,
        person.language,
        False,
    )


def borrower_of_line(uow: UnitOfWork, line_id: int) -> int | None:
    """The borrower who holds the line; None for no such line."""
    return uow.contact.borrower_of_line(line_id)
