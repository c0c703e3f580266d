"""The servicing CLI on SQLite and PostgreSQL: the happy path works end to end, and bad input gets one clear line,
a non-zero exit, and writes nothing."""

from __future__ import annotations

import pytest
from cli_helpers import CN, OPEN, cli_runner, row_counts

from fairdue.adapters.crypto import Keyring

TABLES = (
    "products",
    "borrowers",
    "credit_lines",
    "purchases",
    "payments",
    "statements",
    "ledger_entry",
    "ledger_posting",
)


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    return cli_runner(database_url, monkeypatch, capsys)


def counts(database_url: str) -> dict[str, int]:
    return row_counts(database_url, TABLES)


def add_operator(database_url: str, username: str = "ops") -> int:
    """A staff user for `pay --actor` (the payment's entry is audited: issue 16)."""
    from web_testing import STAFF_PASSWORD

    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.uow import UnitOfWork
    from fairdue.service.staff.auth import create_staff

    engine = make_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            staff_id = create_staff(
                uow, username=username, display_name=username, password=STAFF_PASSWORD, roles=["agent"], now=uow.clock()
            )
            uow.commit()
    finally:
        engine.dispose()
    return staff_id


def test_happy_path(cli, database_url):
    add_operator(database_url)
    code, out, _ = cli("product", "load", CN)
    assert code == 0 and "product cn-ecard-std v1 loaded as #" in out
    assert cli("product", "load", CN)[1].count("already loaded") == 1
    code, out, _ = cli("product", "list")
    assert code == 0 and "cn-ecard-std" in out and "12-annuity" in out
    code, out, err = cli(*OPEN)
    assert code == 0, err
    assert "account 1 opened" in out and "statement day 5, due 20 days later" in out
    code, out, err = cli(
        "purchase", "--account", "1", "--amount", "1200.00", "--plan", "12", "--on", "2026-01-03", "--key", "p1"
    )
    assert code == 0 and "annuity × 12, first due 2026-01-26" in out, err
    code, out, err = cli("statement", "--account", "1", "--on", "2026-01-05")
    assert code == 0 and "minimum due CNY 108.31" in out, out + err
    pay = ("pay", "--account", "1", "--amount", "108.31", "--on", "2026-01-20", "--key", "k1", "--actor", "ops")
    code, out, err = cli(*pay)
    assert code == 0 and "interest CNY 15.00, principal CNY 93.31, to credit CNY 0.00" in out, err
    assert "already recorded" in cli(*pay)[1]
    code, out, _ = cli("account", "show", "1")
    assert code == 0 and "CNY 1,106.69" in out
    code, out, err = cli("payoff", "--plan", "1", "--on", "2026-02-10", "--key", "po")
    assert code == 0 and "interest charged for 15/30 days" in out, err
    code, out, err = cli("refund", "--purchase", "1", "--on", "2026-02-11", "--key", "rf")
    assert code == 0 and "purchase #1 refunded" in out, err
    code, out, _ = cli("statement", "--account", "1")
    assert code == 0 and "statement of account 1 on 2026-01-05" in out
    code, out, _ = cli("ledger", "verify")
    assert code == 0 and "ledger OK" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("pay", "--account", "1", "--amount", "-5", "--key", "k"), "amount must be positive"),
        (("pay", "--account", "1", "--amount", "1.001", "--key", "k"), "more than 2 decimal place(s) allowed for CNY"),
        (("pay", "--account", "1", "--amount", "10", "--currency", "XYZ", "--key", "k"), "unknown currency 'XYZ'"),
        (
            ("pay", "--account", "1", "--amount", "10", "--currency", "USD", "--key", "k"),
            "account 1 is in CNY, not USD",
        ),
        (("pay", "--account", "1", "--amount", "ten", "--key", "k"), "not a number: 'ten'"),
        (
            ("pay", "--account", "1", "--amount", "10", "--on", "2026-13-01", "--key", "k"),
            "--on '2026-13-01' is not a date",
        ),
        (("pay", "--account", "999", "--amount", "10", "--key", "k"), "unknown account 999"),
        (("purchase", "--account", "1", "--amount", "20000.01", "--on", "2026-01-03"), "exceeds the available credit"),
        (
            ("purchase", "--account", "1", "--amount", "100", "--plan", "9", "--on", "2026-01-03"),
            "offers no plan with 9 periods",
        ),
        (("statement", "--account", "1", "--on", "2026-01-06"), "closes statements on day 5"),
        (
            (
                "account",
                "open",
                "--product",
                "cn-ecard-std",
                "--limit",
                "100",
                "--cycle-day",
                "5",
                "--name",
                "李四",
                "--id-number",
                "110105194912310021",
                "--mobile",
                "13900139000",
                "--region",
                "CN-11",
            ),
            "checksum character is 1, expected X",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(cli, database_url, argv, message):
    add_operator(database_url)
    if argv[0] == "pay":
        argv = (*argv, "--actor", "ops")
    assert cli("product", "load", CN)[0] == 0
    assert cli(*OPEN)[0] == 0
    before = counts(database_url)
    code, _, err = cli(*argv)
    assert code == 1
    assert err.startswith("error: ") and message in err and err.strip().count("\n") == 0, err
    assert counts(database_url) == before


def test_malformed_product_file_writes_nothing(cli, database_url, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('code = "x"\njurisdiction = "FR"\n')
    code, _, err = cli("product", "load", str(bad))
    assert code == 1 and "jurisdiction: must be one of CN, US, UK, got 'FR'" in err and err.strip().count("\n") == 0
    assert counts(database_url)["products"] == 0


def test_cli_has_no_way_to_submit_contacts(cli, database_url):
    """There is no option to hand over an address book; trying one is a usage error and writes nothing."""
    import typer.main

    from fairdue.cli import app

    group = typer.main.get_command(app)
    names = []

    def walk(cmd, path):
        for p in getattr(cmd, "params", []):
            names.extend(f"{path} {o}" for o in p.opts)
        for name, sub in getattr(cmd, "commands", {}).items():
            if name != "bench":  # benchmarks take counts (e.g. `bench delivery --contacts N`), never personal data
                walk(sub, f"{path} {name}")

    walk(group, "fairdue")
    assert len(names) > 50  # the walk really saw the commands
    words = ("contacts", "address-book", "addressbook", "phonebook", "call-log", "device")
    assert not [n for n in names if any(w in n.split()[-1].lower() for w in words)]
    assert cli("product", "load", CN)[0] == 0
    try:
        code, _, _ = cli(*OPEN, "--contacts", "妈妈:13900139000")
    except Exception as err:  # a usage error that fairdue.cli.main does not (yet) turn into an exit code
        assert "No such option: --contacts" in str(err)
    else:
        assert code != 0
    assert counts(database_url)["borrowers"] == 0


def test_rotate_keys_command(cli, monkeypatch, database_url):
    from fairdue.adapters.crypto import FieldCipher
    from fairdue.bootstrap import bootstrap
    from fairdue.service.borrower.registry import get_borrower

    ring = Keyring.generate("k1")
    monkeypatch.setenv("FAIRDUE_KEYS", ring.to_json())
    assert cli("product", "load", CN)[0] == 0
    assert cli(*OPEN)[0] == 0
    rotated = ring.rotated("k2")
    monkeypatch.setenv("FAIRDUE_KEYS", rotated.to_json())
    code, out, err = cli("pii", "rotate-keys")
    assert code == 0 and "3 personal field(s) re-encrypted under key 'k2'" in out, err  # name, ID number, mobile
    assert "0 personal field(s)" in cli("pii", "rotate-keys")[1]
    only_new = FieldCipher(Keyring("k2", {"k2": rotated.keys["k2"]}, rotated.index_key))
    app = bootstrap(database_url=database_url)
    try:
        with app.uow_factory() as uow:
            assert get_borrower(uow, borrower_id=1, cipher=only_new).name == "张三"
    finally:
        app.dispose()


def test_borrower_commands_mask_pii_and_need_consent(cli):
    assert cli("product", "load", CN)[0] == 0
    assert cli(*OPEN)[0] == 0
    code, _, err = cli("borrower", "add-contact", "--borrower-id", "1", "--name", "李四", "--mobile", "13900139000")
    assert code == 1 and "needs the borrower's consent" in err
    code, out, err = cli(
        "borrower",
        "add-contact",
        "--borrower-id",
        "1",
        "--name",
        "李四",
        "--mobile",
        "13900139000",
        "--relationship",
        "spouse",
        "--consent",
    )
    assert code == 0 and "emergency contact #1 added" in out, err
    code, out, _ = cli("borrower", "show", "1")
    assert code == 0 and "13800138000" not in out and "张三" not in out and "11010519491231002X" not in out
    assert "source: contract" in out and "Asia/Shanghai" in out and "consent locate_only" in out
    assert cli("borrower", "withdraw-consent", "1")[0] == 0
    assert "consent withdrawn" in cli("borrower", "show", "1")[1]


def test_close_account_only_when_settled(cli, database_url):
    add_operator(database_url)
    assert cli("product", "load", CN)[0] == 0
    assert cli(*OPEN)[0] == 0
    assert cli("purchase", "--account", "1", "--amount", "10", "--on", "2026-01-03", "--key", "p")[0] == 0
    code, _, err = cli("account", "close", "1", "--on", "2026-01-04")
    assert code == 1 and "still has CNY 10.00 owed" in err
    assert cli("statement", "--account", "1", "--on", "2026-01-05")[0] == 0
    assert cli("pay", "--account", "1", "--amount", "10", "--on", "2026-01-06", "--key", "k", "--actor", "ops")[0] == 0
    code, out, _ = cli("account", "close", "1", "--on", "2026-01-07")
    assert code == 0 and "account 1 closed on 2026-01-07" in out
    code, _, err = cli("purchase", "--account", "1", "--amount", "1", "--on", "2026-01-08")
    assert code == 1 and "account 1 is closed; cannot make a purchase" in err


def test_open_from_a_borrower_file_and_refuse_one_with_an_address_book(cli, database_url, tmp_path):
    import json

    assert cli("product", "load", CN)[0] == 0
    person = {
        "name": "王五",
        "id_number": "11010519491231002X",
        "postal_region": "CN-31",
        "mobiles": [{"number": "13800138000", "source": "contract"}],
        "emails": [{"address": "wang@example.cn", "source": "registration"}],
    }
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({**person, "address_book": [{"name": "妈妈", "mobile": "13900139000"}]}, ensure_ascii=False)
    )
    code, _, err = cli(
        "account",
        "open",
        "--product",
        "cn-ecard-std",
        "--limit",
        "100",
        "--cycle-day",
        "5",
        "--borrower-file",
        str(bad),
    )
    assert code == 1 and "never accepts or stores a device address book" in err and err.strip().count("\n") == 0
    assert counts(database_url)["borrowers"] == 0
    good = tmp_path / "good.json"
    good.write_text(json.dumps(person, ensure_ascii=False))
    code, out, err = cli(
        "account",
        "open",
        "--product",
        "cn-ecard-std",
        "--limit",
        "100",
        "--cycle-day",
        "5",
        "--borrower-file",
        str(good),
    )
    assert code == 0 and "account 1 opened for borrower #1" in out, err
