"""Servicing commands: `fairdue account open|show`, `fairdue purchase`, `fairdue pay`, `fairdue statement`,
`fairdue payoff`, `fairdue refund`.

Thin: parse and check the input (amount, currency, date) before touching the
database, run one service call inside one unit of work, commit, print. Any
expected error is one line on stderr with exit 1, and nothing is written.
"""

from __future__ import annotations

import secrets

import typer

from fairdue.cli.products import DB_OPTION, BadInput, committed_uow, parse_date, read_uow

account_app = typer.Typer(help="E-card credit lines.", no_args_is_help=True)
pii_app = typer.Typer(help="Personal data at rest (field encryption).", no_args_is_help=True)
borrower_app = typer.Typer(
    help="Borrowers (personal data shown masked) and consented emergency contacts.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(account_app, name="account")
    app.command("purchase")(purchase_cmd)
    app.command("pay")(pay_cmd)
    app.command("statement")(statement_cmd)
    app.command("payoff")(payoff_cmd)
    app.command("refund")(refund_cmd)
    app.add_typer(pii_app, name="pii")
    app.add_typer(borrower_app, name="borrower")


def parse_amount(text: str, currency: str | None):
    """A positive Money from major units ("1200.50"); refuses negatives, excess precision, unknown currency."""
    from fairdue.domain.money import Money, check_currency

    if currency is None:
        raise BadInput("currency is required")
    check_currency(currency)
    money = Money.parse(text, currency)
    if money.amount_minor <= 0:
        raise BadInput(f"amount must be positive, got {text}")
    return money


def _key(key: str | None, prefix: str) -> str:
    return key if key else f"cli-{prefix}-{secrets.token_hex(8)}"


def _line_currency(uow, line_id: int, currency: str | None) -> str:
    from fairdue.service.servicing.accounts import get_account

    line = get_account(uow, line_id=line_id)
    if currency is not None and currency != line.currency:
        from fairdue.domain.money import check_currency

        check_currency(currency)
        raise BadInput(f"account {line_id} is in {line.currency}, not {currency}")
    return line.currency


def _cli_actor(uow, username: str):
    """The staff member an operator names with --actor (an active staff user), for the staff audit trail."""
    from fairdue.service.staff.audit_trail import StaffActor

    row = uow.staff.user_by_username(username.strip())
    if row is None or not row.active:
        raise BadInput(f"--actor {username!r} is not an active staff user: name the staff member entering this")
    return StaffActor(staff_id=row.id, via="cli")


def _fmt(minor: int, currency: str) -> str:
    from fairdue.domain.money import Money

    return Money(minor, currency).format()


@account_app.command("open")
def open_cmd(
    product: str = typer.Option(..., "--product", help="product code, e.g. cn-ecard-std"),
    limit: str = typer.Option(..., "--limit", help="credit limit in major units, e.g. 20000.00"),
    cycle_day: int = typer.Option(..., "--cycle-day", help="statement day of month (one the product offers)"),
    borrower_id: int | None = typer.Option(
        None, "--borrower-id", help="an existing borrower; else give --borrower-file or --name etc."
    ),
    borrower_file: str | None = typer.Option(
        None, "--borrower-file", help="borrower fields as JSON/TOML/YAML (keeps PII out of shell history)"
    ),
    name: str | None = typer.Option(None, "--name"),
    id_number: str | None = typer.Option(None, "--id-number", help="China resident ID, US SSN or UK NINO"),
    mobile: list[str] = typer.Option([], "--mobile", help="the borrower's own mobile (repeatable)"),
    mobile_source: str = typer.Option(
        "contract", "--mobile-source", help="contract, self_provided, registration, credit_bureau, public_record"
    ),
    email: list[str] = typer.Option([], "--email"),
    region: str | None = typer.Option(None, "--region", help="postal region, e.g. CN-31, US-CA, GB-ENG"),
    language: str | None = typer.Option(None, "--language"),
    opened_on: str | None = typer.Option(None, "--on", help="opening date YYYY-MM-DD (default today)"),
    key: str | None = typer.Option(None, "--key", help="idempotency key (same key again: same account)"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Open an e-card credit line (registering the borrower unless --borrower-id is given)."""
    from typing import cast

    from fairdue.domain.borrowers import BorrowerId, profile_from_input
    from fairdue.service.borrower.registry import register_borrower
    from fairdue.service.servicing.accounts import open_account
    from fairdue.service.servicing.products import get_product

    on = parse_date(opened_on, "--on")
    data = None
    if borrower_id is None and borrower_file is not None:
        data = _read_borrower_file(borrower_file)
        profile_from_input(data)  # validate (and refuse any contact list) before touching the database
    elif borrower_id is None:
        data = {
            "name": name,
            "id_number": id_number,
            "postal_region": region,
            "mobiles": [{"number": m, "source": mobile_source} for m in mobile],
            "emails": [{"address": e, "source": mobile_source} for e in email],
        }
        if language:
            data["language"] = language
        profile_from_input(data)  # validate before touching the database
    with committed_uow(database_url) as uow:
        currency = get_product(uow, code=product).product.currency
        money = parse_amount(limit, currency)
        # Without --borrower-id, `data` was built above (from the file or the options).
        bid = (
            BorrowerId(borrower_id)
            if borrower_id is not None
            else register_borrower(uow, data=cast(dict, data), cipher=uow.cipher)
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code=product,
            limit=money,
            cycle_day=cycle_day,
            opened_on=on,
            key=_key(key, "open"),
        )
    typer.echo(
        f"account {line.id} opened for borrower #{line.borrower_id}: {line.product_code}, limit {line.limit}, "
        f"statement day {line.cycle_day}, due {line.due_days_after_statement} days later"
    )


def _read_borrower_file(path: str) -> dict:
    """Borrower fields from a .json, .toml, .yaml or .yml file (refused with one line if unreadable)."""
    import json
    import pathlib
    import tomllib

    p = pathlib.Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"cannot read borrower file {p}: {getattr(err, 'strerror', None) or err}") from None
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text)
        if p.suffix.lower() == ".toml":
            return tomllib.loads(text)
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(text)
    except Exception as err:  # any parser's error becomes one line
        raise BadInput(f"borrower file {p} does not parse: {err}") from None
    raise BadInput(f"borrower file {p} must end in .json, .toml, .yaml or .yml")


@account_app.command("show")
def show_cmd(account: int = typer.Argument(..., help="account id"), database_url: str | None = DB_OPTION) -> None:
    """An account's terms and balances."""
    from rich.console import Console
    from rich.table import Table

    from fairdue.service.servicing.accounts import balances, get_account

    with read_uow(database_url) as uow:
        line = get_account(uow, line_id=account)
        bal = balances(uow, line_id=account)
    t = Table(title=f"account {line.id} ({line.product_code}, {line.status})", show_header=False)
    cur = line.currency
    for label, v in (
        ("limit", line.limit_minor),
        ("principal", bal.principal_minor),
        ("interest billed", bal.interest_minor),
        ("fees billed", bal.fees_minor),
        ("credit", bal.credit_minor),
        ("owed", bal.owed_minor),
        ("available", bal.available_minor),
    ):
        t.add_row(label, _fmt(v, cur))
    Console().print(t)


@account_app.command("close")
def close_cmd(
    account: int = typer.Argument(..., help="account id"),
    on: str | None = typer.Option(None, "--on", help="closing date YYYY-MM-DD (default today)"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Close an account with nothing owed and no credit left."""
    from fairdue.service.servicing.accounts import close_account

    day = parse_date(on, "--on")
    with committed_uow(database_url) as uow:
        line = close_account(uow, line_id=account, closed_on=day)
    typer.echo(f"account {line.id} closed on {line.closed_on}")


def purchase_cmd(
    account: int = typer.Option(..., "--account", help="account id"),
    amount: str = typer.Option(..., "--amount", help="major units, e.g. 1200.00"),
    currency: str | None = typer.Option(None, "--currency", help="must match the account's"),
    plan: str | None = typer.Option(None, "--plan", help="installment plan: 12 or 12-annuity (default: pay in full)"),
    merchant: str | None = typer.Option(None, "--merchant"),
    on: str | None = typer.Option(None, "--on", help="purchase date YYYY-MM-DD (default today)"),
    key: str | None = typer.Option(None, "--key", help="idempotency key"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Buy on the line, optionally as an installment plan."""
    from fairdue.domain.money import check_currency
    from fairdue.service.servicing.purchases import purchase

    day = parse_date(on, "--on")
    if currency is not None:
        check_currency(currency)
        parse_amount(amount, currency)
    with committed_uow(database_url) as uow:
        money = parse_amount(amount, _line_currency(uow, account, currency))
        res = purchase(
            uow,
            line_id=account,
            amount=money,
            purchased_on=day,
            key=_key(key, "purchase"),
            plan=plan,
            merchant=merchant,
        )
    first = res.rows[0]
    typer.echo(
        f"purchase #{res.purchase_id} of {money} on account {account}: plan #{res.plan_id} {res.kind} × {res.periods}, "
        f"first due {first.due_on} ({_fmt(first.principal_minor + first.interest_minor + first.fee_minor, money.currency)})"
        + ("" if res.created else " [already recorded]")
    )


def pay_cmd(
    account: int = typer.Option(..., "--account", help="account id"),
    amount: str = typer.Option(..., "--amount", help="major units"),
    key: str = typer.Option(..., "--key", help="idempotency key: the same key again is not charged twice"),
    currency: str | None = typer.Option(None, "--currency"),
    on: str | None = typer.Option(None, "--on", help="date received YYYY-MM-DD (default today)"),
    actor: str = typer.Option(
        ..., "--actor", help="the staff username of the operator entering the payment (staff audit trail)"
    ),
    database_url: str | None = DB_OPTION,
) -> None:
    """Take a payment, allocated by the product's waterfall (oldest first; fees, interest, principal)."""
    from fairdue.domain.money import check_currency
    from fairdue.service.servicing.payments import pay

    day = parse_date(on, "--on")
    if currency is not None:
        check_currency(currency)
        parse_amount(amount, currency)
    with committed_uow(database_url) as uow:
        operator = _cli_actor(uow, actor)
        money = parse_amount(amount, _line_currency(uow, account, currency))
        res = pay(uow, line_id=account, amount=money, received_on=day, key=key, actor=operator)
    cur = res.currency
    typer.echo(
        f"payment #{res.payment_id} of {money}: fees {_fmt(res.fees_minor, cur)}, interest {_fmt(res.interest_minor, cur)}, "
        f"principal {_fmt(res.principal_minor, cur)}, to credit {_fmt(res.unapplied_minor, cur)}"
        + ("" if res.created else " [already recorded]")
    )


def statement_cmd(
    account: int = typer.Option(..., "--account", help="account id"),
    on: str | None = typer.Option(
        None, "--on", help="close the cycle on this statement date (YYYY-MM-DD); default: show the latest"
    ),
    database_url: str | None = DB_OPTION,
) -> None:
    """Close a statement cycle (idempotent) or show the latest statement."""
    from rich.console import Console
    from rich.table import Table

    from fairdue.service.servicing.statements import generate_statement, get_statement

    day = parse_date(on, "--on") if on is not None else None
    with committed_uow(database_url) as uow:
        st = generate_statement(uow, line_id=account, statement_on=day) if day else get_statement(uow, line_id=account)
    cur = st.currency
    con = Console()
    t = Table("date", "kind", "description", "amount", title=f"statement of account {account} on {st.statement_on}")
    t.add_row(str(st.period_start_on), "", "opening balance", _fmt(st.opening_balance_minor, cur))
    for ln in st.lines:
        if ln.kind != "due":
            t.add_row(str(ln.posted_on), ln.kind.replace("_", " "), ln.description, _fmt(ln.amount_minor, cur))
    t.add_row(str(st.statement_on), "", "closing balance", _fmt(st.closing_balance_minor, cur))
    con.print(t)
    due = [ln for ln in st.lines if ln.kind == "due"]
    if due:
        d = Table("due on", "item", "amount", title="billed on this statement")
        for ln in due:
            d.add_row(str(ln.posted_on), ln.description, _fmt(ln.amount_minor, cur))
        con.print(d)
    con.print(
        f"opening {_fmt(st.opening_balance_minor, cur)}  closing {_fmt(st.closing_balance_minor, cur)}  "
        f"amount due {_fmt(st.amount_due_minor, cur)}  minimum due {_fmt(st.minimum_due_minor, cur)}  due on {st.due_on}"
    )


def payoff_cmd(
    plan: int = typer.Option(..., "--plan", help="installment plan id"),
    key: str = typer.Option(..., "--key", help="idempotency key"),
    on: str | None = typer.Option(None, "--on", help="payoff date YYYY-MM-DD (default today)"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Pay an installment plan off early: interest only for the days used."""
    from fairdue.service.servicing.payments import early_payoff

    day = parse_date(on, "--on")
    with committed_uow(database_url) as uow:
        res = early_payoff(uow, plan_id=plan, paid_on=day, key=key)
    cur = res.payment.currency
    q = res.quote
    typer.echo(
        f"plan #{plan} paid off with {_fmt(res.payment.amount_minor, cur)}: interest charged for {q.days_used}/{q.days_in_period} "
        f"days of the current period; {_fmt(q.dropped_interest_minor + res.waived_interest_minor, cur)} interest and "
        f"{_fmt(q.dropped_fee_minor + res.waived_fees_minor, cur)} fees not charged"
    )


def refund_cmd(
    purchase: int = typer.Option(..., "--purchase", help="purchase id"),
    key: str = typer.Option(..., "--key", help="idempotency key"),
    on: str | None = typer.Option(None, "--on", help="refund date YYYY-MM-DD (default today)"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Refund a purchase by reversing its entries (repaid principal becomes credit)."""
    from fairdue.service.servicing.purchases import refund_purchase

    day = parse_date(on, "--on")
    with committed_uow(database_url) as uow:
        entry_id = refund_purchase(uow, purchase_id=purchase, refunded_on=day, key=key)
    typer.echo(f"purchase #{purchase} refunded (reversal entry #{entry_id})")


@pii_app.command("rotate-keys")
def rotate_keys_cmd(database_url: str | None = DB_OPTION) -> None:
    """Re-encrypt every personal field under the current key (old keys must still be configured to read),
    data-correction values included (a plain one left from before they were encrypted is sealed too)."""
    from fairdue.service.borrower.registry import rotate_pii_keys
    from fairdue.service.portal.data_rights import reseal_correction_values

    with committed_uow(database_url) as uow:
        cipher = uow.cipher
        changed = rotate_pii_keys(uow, cipher=cipher)
        values = reseal_correction_values(uow, cipher=cipher)
    typer.echo(
        f"{changed} personal field(s) re-encrypted under key {cipher.keyring.current!r}; correction values: "
        f"{values.rotated} re-encrypted, {values.sealed} plain sealed"
    )


@pii_app.command("reseal")
def reseal_cmd(database_url: str | None = DB_OPTION) -> None:
    """Encrypt data-correction values still plain at rest (written before they were encrypted) and re-encrypt
    sealed ones under the current key; reports counts; safe to run again (ASVS V8.3.x)."""
    from fairdue.service.portal.data_rights import reseal_correction_values

    with committed_uow(database_url) as uow:
        cipher = uow.cipher
        counts = reseal_correction_values(uow, cipher=cipher)
    typer.echo(
        f"correction values: {counts.sealed} plain sealed, {counts.rotated} re-encrypted under key "
        f"{cipher.keyring.current!r}, {counts.kept} already sealed"
    )


@borrower_app.command("show")
def borrower_show_cmd(
    borrower: int = typer.Argument(..., help="borrower id"), database_url: str | None = DB_OPTION
) -> None:
    """A borrower with personal data masked, sources, time zones and emergency contacts with their consent."""
    from fairdue.domain.borrowers import BorrowerId
    from fairdue.domain.masking import mask_email, mask_id_number, mask_name, mask_phone
    from fairdue.service.borrower.registry import get_borrower, list_emergency_contacts

    with read_uow(database_url) as uow:
        cipher = uow.cipher
        b = get_borrower(uow, borrower_id=BorrowerId(borrower), cipher=cipher)
        contacts = list_emergency_contacts(uow, borrower_id=BorrowerId(borrower), cipher=cipher)
    typer.echo(
        f"borrower #{b.id}: {mask_name(b.name)}, {b.id_kind} {mask_id_number(b.id_number)}, region {b.postal_region}, "
        f"language {b.language}, time zones {', '.join(b.time_zones) or 'unknown'}"
    )
    for number, source in b.mobiles:
        typer.echo(f"  mobile {mask_phone(number)} (source: {source})")
    for address, source in b.emails:
        typer.echo(f"  email {mask_email(address)} (source: {source})")
    for c in contacts:
        if c.consent_withdrawn_at is None:
            typer.echo(
                f"  emergency contact #{c.id}: {mask_name(c.name or '')} {mask_phone(c.mobile or '')} ({c.relationship}), "
                f"consent {c.consent_scope} since {c.consent_granted_at:%Y-%m-%d}"
            )
        else:
            typer.echo(
                f"  emergency contact #{c.id}: consent withdrawn {c.consent_withdrawn_at:%Y-%m-%d}, details erased"
            )


@borrower_app.command("add-contact")
def add_contact_cmd(
    borrower: int = typer.Option(..., "--borrower-id"),
    name: str = typer.Option(..., "--name"),
    mobile: str = typer.Option(..., "--mobile"),
    relationship: str = typer.Option("other", "--relationship"),
    consent: bool = typer.Option(
        False, "--consent", help="the borrower consents: this person may be asked only to help locate them"
    ),
    database_url: str | None = DB_OPTION,
) -> None:
    """Add an emergency contact (at most 2), only with the borrower's consent (scope locate_only)."""
    from fairdue.domain.borrowers import BorrowerId
    from fairdue.service.borrower.registry import add_emergency_contact

    with committed_uow(database_url) as uow:
        cid = add_emergency_contact(
            uow,
            borrower_id=BorrowerId(borrower),
            cipher=uow.cipher,
            data={"name": name, "mobile": mobile, "relationship": relationship, "consent": consent},
        )
    typer.echo(f"emergency contact #{cid} added for borrower #{borrower} (consent: locate_only)")


@borrower_app.command("withdraw-consent")
def withdraw_cmd(
    contact: int = typer.Argument(..., help="emergency contact id"), database_url: str | None = DB_OPTION
) -> None:
    """Withdraw consent for an emergency contact: the record stays, the person's details are erased."""
    from fairdue.service.borrower.registry import withdraw_emergency_consent

    with committed_uow(database_url) as uow:
        withdraw_emergency_consent(uow, contact_id=contact)
    typer.echo(f"consent withdrawn for emergency contact #{contact}; name and number erased")
