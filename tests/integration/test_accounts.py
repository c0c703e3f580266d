"""Products and credit lines in storage: products are versioned and immutable, accounts open only on valid terms."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
import sqlalchemy as sa
import tomli_w

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.accounts import credit_lines, products
from fairdue.domain.money import Money
from fairdue.domain.products import ProductInvalid
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import UnknownBorrower, register_borrower
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import (
    IdempotencyKeyReused,
    InvalidAccountRequest,
    balances,
    get_account,
    open_account,
)
from fairdue.service.servicing.products import (
    ProductFileError,
    ProductVersionConflict,
    UnknownProduct,
    get_product,
    list_products,
    load_product_file,
)

CIPHER = FieldCipher(Keyring.generate())
CN_FILE = next(p for p in shipped_product_files() if p.name == "cn-ecard-std.toml")


def _borrower(uow) -> int:
    return register_borrower(
        uow,
        data={
            "name": "张三",
            "id_number": "11010519491231002X",
            "postal_region": "CN-11",
            "mobiles": [{"number": "13800138000", "source": "contract"}],
        },
        cipher=CIPHER,
    )


def _count(uow, table) -> int:
    return uow.connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_load_is_idempotent_and_versions_are_immutable(uow_factory, tmp_path):
    with uow_factory() as uow:
        first = load_product_file(uow, path=CN_FILE)
        again = load_product_file(uow, path=CN_FILE)
        assert first.created and not again.created and again.id == first.id
        data = tomllib.loads(CN_FILE.read_text(encoding="utf-8"))
        data["grace_days"] = 5
        changed = tmp_path / "cn.toml"
        changed.write_text(tomli_w.dumps(data))
        with pytest.raises(ProductVersionConflict, match="raise `version`"):
            load_product_file(uow, path=changed)
        data["version"] = 2
        changed.write_text(tomli_w.dumps(data))
        v2 = load_product_file(uow, path=changed)
        assert get_product(uow, code="cn-ecard-std").id == v2.id
        assert get_product(uow, code="cn-ecard-std").product.grace_days == 5
        assert len(list_products(uow)) == 2
        uow.commit()


def test_yaml_product_files_load_too(uow_factory, tmp_path):
    import yaml

    data = tomllib.loads(CN_FILE.read_text(encoding="utf-8"))
    data["code"] = "cn-yaml"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with uow_factory() as uow:
        assert load_product_file(uow, path=path).product.code == "cn-yaml"


@pytest.mark.parametrize(
    "body, suffix, message",
    [
        ("code = [", ".toml", "is not valid TOML"),
        ("code: [", ".yaml", "is not valid YAML at line"),
        ("code = 'x'", ".json", "must end in .toml, .yaml or .yml"),
    ],
)
def test_malformed_product_file_writes_nothing(uow_factory, tmp_path, body, suffix, message):
    path = tmp_path / f"p{suffix}"
    path.write_text(body)
    with uow_factory() as uow:
        with pytest.raises(ProductFileError, match=message):
            load_product_file(uow, path=path)
        with pytest.raises(ProductInvalid, match="name: must be a non-empty string"):
            bad = tmp_path / "bad.toml"
            bad.write_text('code = "x"\n')
            load_product_file(uow, path=bad)
        assert _count(uow, products) == 0


def test_open_account_terms_are_checked(uow_factory):
    with uow_factory() as uow:
        load_product_file(uow, path=CN_FILE)
        bid = _borrower(uow)
        cases = [
            (
                dict(limit=Money.parse("50000.01", "CNY")),
                InvalidAccountRequest,
                "above product cn-ecard-std's maximum CNY 50,000.00",
            ),
            (
                dict(limit=Money.parse("100", "USD")),
                InvalidAccountRequest,
                "limit is in USD; product cn-ecard-std lends in CNY",
            ),
            (dict(cycle_day=7), InvalidAccountRequest, "cycle day 7 is not offered by cn-ecard-std"),
            (dict(product_code="nope"), UnknownProduct, "unknown product 'nope'"),
            (dict(borrower_id=bid + 100), UnknownBorrower, "unknown borrower"),
        ]
        for override, error, message in cases:
            kwargs = dict(
                borrower_id=bid,
                product_code="cn-ecard-std",
                limit=Money.parse("5000", "CNY"),
                cycle_day=5,
                opened_on=date(2026, 1, 1),
                key="k-bad",
            )
            kwargs.update(override)
            with pytest.raises(error, match=message):
                open_account(uow, **kwargs)
        assert _count(uow, credit_lines) == 0


def test_open_account_is_idempotent_and_creates_ledger_accounts(uow_factory):
    with uow_factory() as uow:
        load_product_file(uow, path=CN_FILE)
        bid = _borrower(uow)
        args = dict(
            borrower_id=bid,
            product_code="cn-ecard-std",
            limit=Money.parse("5000", "CNY"),
            cycle_day=5,
            opened_on=date(2026, 1, 1),
            key="open-1",
        )
        line = open_account(uow, **args)
        assert open_account(uow, **args).id == line.id
        with pytest.raises(IdempotencyKeyReused):
            open_account(uow, **{**args, "cycle_day": 10})
        assert (line.status, line.due_days_after_statement, line.limit) == ("active", 20, Money(500_000, "CNY"))
        for part in ("principal", "interest", "fees", "credit"):
            assert ledger.balance(uow, f"cl:{line.id}:{part}").amount_minor == 0
        assert balances(uow, line_id=line.id).available_minor == 500_000
        assert get_account(uow, line_id=line.id).product_code == "cn-ecard-std"
        uow.commit()


@pytest.mark.slow
def test_concurrent_twins_register_once_and_open_once(uow_factory):
    """Two workers submitting the same borrower / the same open key at once: one row, the other a clean answer."""
    import threading

    from fairdue.service.borrower.registry import BorrowerExists

    with uow_factory() as uow:
        load_product_file(uow, path=CN_FILE)
        uow.commit()
    outcomes, start = [], threading.Barrier(4)

    def register():
        start.wait()
        try:
            with uow_factory() as uow:
                bid = _borrower(uow)
                uow.commit()
            outcomes.append(("new", bid))
        except BorrowerExists as err:
            outcomes.append(("exists", err.borrower_id))
        except Exception as err:  # shown by the assertion below
            outcomes.append(("error", repr(err)))

    threads = [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(kind for kind, _ in outcomes) == ["exists", "exists", "exists", "new"], outcomes
    assert len({bid for _, bid in outcomes}) == 1
    bid = outcomes[0][1]

    lines, start = [], threading.Barrier(4)

    def open_twin():
        start.wait()
        try:
            with uow_factory() as uow:
                line = open_account(
                    uow,
                    borrower_id=bid,
                    product_code="cn-ecard-std",
                    limit=Money.parse("5000", "CNY"),
                    cycle_day=5,
                    opened_on=date(2026, 1, 1),
                    key="twin-open",
                )
                uow.commit()
            lines.append(line.id)
        except Exception as err:  # shown by the assertion below
            lines.append(repr(err))

    threads = [threading.Thread(target=open_twin) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(lines)) == 1 and isinstance(lines[0], int), lines
    with uow_factory() as uow:
        assert _count(uow, credit_lines) == 1
