"""Helpers for the tests that set up a small CN portfolio through the services: the shipped products, a borrower
registered with real (encrypted) contact details, a credit line on cn-ecard-std, a staff user."""

from __future__ import annotations

from datetime import date

from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.schema.web import staff_users
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.products import load_product_file


def load_products(uow) -> None:
    """Every shipped product file, loaded."""
    for f in shipped_product_files():
        load_product_file(uow, path=f)


def cn_ric(n: int, *, born_on: str = "19900101") -> str:
    """A valid CN resident ID number (Beijing Dongcheng, born `born_on` as YYYYMMDD, sequence `n`)."""
    from fairdue.domain.borrowers import cn_ric_check_digit

    first17 = f"110105{born_on}{n:03d}"
    return first17 + cn_ric_check_digit(first17)


def cn_borrower(
    uow,
    *,
    cipher: FieldCipher,
    name: str,
    id_number: str,
    mobile: str,
    email: str | None = None,
    address: str | None = None,
) -> int:
    """A borrower in CN-11 with one contract mobile (and, if given, a registration e-mail and a postal address)."""
    data: dict = {
        "name": name,
        "id_number": id_number,
        "postal_region": "CN-11",
        "mobiles": [{"number": mobile, "source": "contract"}],
    }
    if email is not None:
        data["emails"] = [{"address": email, "source": "registration"}]
    if address is not None:
        data["address"] = address
    return register_borrower(uow, data=data, cipher=cipher)


def cn_line(
    uow,
    *,
    borrower_id: int,
    key: str,
    limit_minor: int = 2_000_000,
    cycle_day: int = 5,
    opened_on: date = date(2026, 1, 2),
) -> int:
    """A cn-ecard-std credit line (limit in CNY minor units) for the borrower; returns its id."""
    return open_account(
        uow,
        borrower_id=borrower_id,
        product_code="cn-ecard-std",
        limit=Money(limit_minor, "CNY"),
        cycle_day=cycle_day,
        opened_on=opened_on,
        key=key,
    ).id


def staff_user(uow, username: str) -> int:
    """An active staff user (no usable password); returns its id."""
    return uow.connection.execute(
        staff_users.insert()
        .values(username=username, display_name=username, password_hash="x", active=True, created_at=uow.clock())
        .returning(staff_users.c.id)
    ).scalar_one()
