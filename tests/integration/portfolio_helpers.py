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


def make_overdue(uow_factory, line_ids: list[int], *, through_on: date = date(2026, 1, 30)) -> None:
    """On each line: 3,000.00 bought 2026-01-03 in three zero-fee installments (the first, 1,000.00, due
    2026-01-26), then day-end through `through_on` — so each is overdue since 01-27, with the late fee the
    product charges. Messages about them must be true of that stored state (the gate's truth check)."""
    from fairdue.service.dayend.runner import run_day_end
    from fairdue.service.servicing.purchases import purchase

    with uow_factory() as uow:
        for line in line_ids:
            purchase(
                uow,
                line_id=line,
                amount=Money(300_000, "CNY"),
                purchased_on=date(2026, 1, 3),
                key=f"buy-overdue-{line}",
                plan="3-zero_fee",
            )
        uow.commit()
    run_day_end(uow_factory, through_on=through_on)


def overdue_cn_line(
    uow_factory,
    *,
    cipher: FieldCipher,
    mobile: str,
    email: str | None = None,
    address: str | None = None,
    sequence: int = 1,
    through_on: date = date(2026, 1, 30),
) -> tuple[int, int]:
    """A CN borrower (张三) with one overdue cn-ecard-std line (make_overdue). Returns (borrower id, line id)."""
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(
            uow, cipher=cipher, name="张三", id_number=cn_ric(sequence), mobile=mobile, email=email, address=address
        )
        line = cn_line(uow, borrower_id=bid, key=f"open-overdue-{sequence}")
        uow.commit()
    make_overdue(uow_factory, [line], through_on=through_on)
    return bid, line


def true_overdue_text(uow_factory, line_id: int, on: date) -> str:
    """A lawful CN overdue SMS whose amount and days past due are the line's stored state on `on`."""
    from fairdue.service.servicing.debt_state import debt_state

    with uow_factory() as uow:
        state = debt_state(uow, line_id=line_id, on=on)
    owed = Money(state.amount_due, state.currency).format()
    return (
        f"【示例消费金融】尊敬的客户，您尾号8000的账户应还 {owed} 已逾期 {state.days_past_due} 天，请通过示例消费金融 App "
        "或官方客服 400-000-0000 还款；如有异议或需协商还款，请致电 400-000-0000。退订回T"
    )
