"""`fairdue schedule …` and `fairdue apr …`: loan math for staff, printed as Rich tables."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import typer

from fairdue.errors import FairdueError


class LoanMathInputError(FairdueError, ValueError):
    """A command-line value that cannot be read (date, amount, series)."""


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise LoanMathInputError(f"{what} must be a date like 2025-01-31, got {text!r}") from None


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise LoanMathInputError(f"{what} must be a number, got {text!r}") from None
    if not value.is_finite():
        raise LoanMathInputError(f"{what} must be a finite number, got {text!r}")
    return value


def _flow(text: str, what: str) -> tuple[date, Decimal]:
    if "=" not in text:
        raise LoanMathInputError(f"{what} must look like DATE=AMOUNT (2025-01-31=230.00), got {text!r}")
    on, amount = text.split("=", 1)
    return _date(on, f"{what} date"), _decimal(amount, f"{what} amount")


def _series(text: str) -> list[tuple[date, Decimal]]:
    from fairdue.loanmath import due_dates

    parts = text.split(":")
    if len(parts) != 4:
        raise LoanMathInputError(f"--series must look like FIRST_DATE:COUNT:FREQUENCY:AMOUNT, got {text!r}")
    first, count, freq, amount = parts
    try:
        n = int(count)
    except ValueError:
        raise LoanMathInputError(f"--series count must be a whole number, got {count!r}") from None
    if not 1 <= n <= 1200:
        raise LoanMathInputError(f"--series count must be 1..1200, got {n}")
    value = _decimal(amount, "--series amount")
    return [(d, value) for d in due_dates(_date(first, "--series first date"), n, freq)]


def _pct(rate: Decimal) -> str:
    return f"{rate * 100:.4f}%"


def schedule_cmd(
    kind: str = typer.Argument(..., help="annuity | equal_principal | flat_fee | zero_fee | upfront_fee"),
    principal: str = typer.Option(..., "--principal", help="Amount financed in major units, e.g. 12000.00."),
    currency: str = typer.Option("CNY", "--currency", help="ISO 4217 code."),
    periods: int = typer.Option(..., "--periods", help="Number of installments."),
    rate: str = typer.Option(..., "--rate", help="Periodic interest or fee rate as a fraction, e.g. 0.0075."),
    first_due: str = typer.Option(..., "--first-due", help="First due date, YYYY-MM-DD."),
    frequency: str = typer.Option("monthly", "--frequency", help="monthly, weekly, biweekly, semimonthly, …"),
    start: str | None = typer.Option(
        None, "--start", help="Advance date (default: one period before the first due date)."
    ),
    day_count: str | None = typer.Option(None, "--day-count", help="act/365, act/360 or 30/360 for daily accrual."),
    convention: str = typer.Option("cn-irr", "--convention", help="APR convention shown: cn-irr, us-reg-z, eu-ccd."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Print an installment schedule and its true annual rate."""
    from fairdue.domain.money import Money, to_decimal
    from fairdue.loanmath import schedule, schedule_apr

    plan = schedule(
        kind,
        Money.parse(principal, currency),
        periods,
        _decimal(rate, "--rate"),
        _date(first_due, "--first-due"),
        frequency,
        start_on=_date(start, "--start") if start else None,
        day_count=day_count,
    )
    true_rate = schedule_apr(plan, plan.start_on, convention)

    def money(minor: int) -> str:
        return f"{to_decimal(minor, plan.currency):,}"

    if as_json:
        typer.echo(
            json.dumps(
                {
                    "kind": plan.kind,
                    "currency": plan.currency,
                    "principal_minor": plan.principal_minor,
                    "start_on": plan.start_on.isoformat(),
                    "apr": str(true_rate),
                    "convention": convention,
                    "rows": [
                        {
                            "seq": r.seq,
                            "due_on": r.due_on.isoformat(),
                            "principal_minor": r.principal_minor,
                            "interest_minor": r.interest_minor,
                            "fee_minor": r.fee_minor,
                            "total_minor": r.total_minor,
                            "remaining_minor": r.remaining_minor,
                        }
                        for r in plan.rows
                    ],
                }
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{plan.kind} · {money(plan.principal_minor)} {plan.currency} · {len([r for r in plan.rows if r.seq])}×{plan.frequency} · rate {plan.rate}"
    )
    for col in ("#", "due on", "principal", "interest", "fee", "total", "remaining"):
        table.add_column(col, justify="left" if col == "due on" else "right")
    for r in plan.rows:
        table.add_row(
            str(r.seq),
            r.due_on.isoformat(),
            money(r.principal_minor),
            money(r.interest_minor),
            money(r.fee_minor),
            money(r.total_minor),
            money(r.remaining_minor),
        )
    table.add_row(
        "Σ",
        "",
        money(sum(r.principal_minor for r in plan.rows)),
        money(plan.total_interest_minor),
        money(plan.total_fee_minor),
        money(plan.total_minor),
        "",
        style="bold",
    )
    console = Console()
    console.print(table)
    console.print(f"True annual rate ({convention}): [bold]{_pct(true_rate)}[/bold]")


def apr_cmd(
    advance: list[str] = typer.Option([], "--advance", help="DATE=AMOUNT, repeatable."),
    payment: list[str] = typer.Option([], "--payment", help="DATE=AMOUNT, repeatable."),
    series: list[str] = typer.Option([], "--series", help="FIRST_DATE:COUNT:FREQUENCY:AMOUNT payments, repeatable."),
    convention: str = typer.Option("us-reg-z", "--convention", help="us-reg-z, cn-irr or eu-ccd."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Print the true annual rate of cash flows (advances out, payments back)."""
    from fairdue.domain.loanmath.apr import parse_flows
    from fairdue.loanmath import apr, unit_period

    advances = [_flow(a, "--advance") for a in advance]
    payments = [_flow(p, "--payment") for p in payment]
    for s in series:
        payments += _series(s)
    rate = apr(advances, payments, convention)
    if as_json:
        typer.echo(json.dumps({"apr": str(rate), "convention": convention}))
        return
    from rich.console import Console
    from rich.table import Table

    adv, pay = parse_flows(advances, "advance"), parse_flows(payments, "payment")
    unit = unit_period(adv, pay)
    table = Table(title=f"cash flows · unit-period {unit.count} {unit.unit} · {float(unit.per_year):g} a year")
    table.add_column("date")
    table.add_column("advance", justify="right")
    table.add_column("payment", justify="right")
    for on, amount in sorted([(d, ("a", x)) for d, x in adv] + [(d, ("p", x)) for d, x in pay], key=lambda f: f[0]):
        side, value = amount
        table.add_row(on.isoformat(), f"{value:,}" if side == "a" else "", f"{value:,}" if side == "p" else "")
    console = Console()
    console.print(table)
    console.print(f"APR ({convention}): [bold]{_pct(rate)}[/bold]  (unrounded {rate})")


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule_cmd)
    app.command("apr")(apr_cmd)
