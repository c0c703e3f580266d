"""`fairdue simulate`: day-end + collections over a synthetic portfolio with a behaviour model.

Each synthetic borrower (China, cn-ecard-std, one 3-month zero-fee purchase) gets one behaviour,
drawn with a seeded RNG: pays on time, pays late (10 days), pays half, promises and keeps, promises
and breaks, asks for a negotiated plan, disputes, or goes silent. Every simulated day runs the
borrowers' actions, the day-end for that date, then collections at 10:30 Shanghai time with the
real policy gate (messages are queued to the outbox; nothing is delivered). The report gives,
per strategy variant: lines, cases opened, cures, cure rate, contacts sent, contacts per cure; gate
denials by category (whole portfolio); plus roll rates between buckets (from the day-end's bucket_changed events)
and, when asked, a PNG of the number of lines per bucket over time.

Not modelled yet: complaints, the US/UK products, revolving balances.
"""

from __future__ import annotations

import json
import pathlib
import random
import time as _time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from fairdue.errors import FairdueError

BEHAVIOURS = (("on_time", 40), ("late", 15), ("partial", 10), ("promise_keep", 8), ("promise_break", 7),
              ("plan", 6), ("dispute", 4), ("silent", 10))
ACCOUNTS_MAX = 20_000
DAYS_MAX = 400
START_ON = date(2026, 1, 2)
LATE_DAYS = 10


class SimulationRefused(FairdueError):
    """The simulation cannot run with these arguments (the message says why)."""


@dataclass(slots=True)
class VariantOutcome:
    """Outcomes of one strategy variant."""

    lines: int = 0
    cases: int = 0
    cured: int = 0
    contacts: int = 0

    @property
    def cure_rate(self) -> float | None:
        return None if not self.cases else self.cured / self.cases

    @property
    def contacts_per_cure(self) -> float | None:
        return None if not self.cured else self.contacts / self.cured


@dataclass(slots=True)
class SimulationReport:
    """Per-variant outcomes, roll rates ('M1->M2': share of lines that entered M1 and later M2), behaviours, seconds."""

    accounts: int
    days: int
    variants: dict[str, VariantOutcome]
    roll_rates: dict[str, float]
    behaviours: dict[str, int]
    denials: dict[str, int]
    plot_path: str | None
    seconds: float


class _Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _ric(n: int) -> str:
    from fairdue.domain.borrowers import cn_ric_check_digit

    born = date(1960, 1, 1) + timedelta(days=n % 12_000)
    first17 = f"110105{born:%Y%m%d}{n // 12_000 % 1000:03d}"
    return first17 + cn_ric_check_digit(first17)


def _unpaid_due_minor(conn, line_id: int, on: date) -> int:
    from fairdue.adapters.db.schema.accounts import installments as i

    q = sa.select(sa.func.coalesce(sa.func.sum(
        i.c.principal_due_minor + i.c.interest_due_minor + i.c.fee_due_minor
        - i.c.principal_paid_minor - i.c.interest_paid_minor - i.c.fee_paid_minor), 0)).where(
        i.c.credit_line_id == line_id, i.c.due_on <= on, i.c.status.not_in(("paid", "cancelled")))
    return int(conn.execute(q).scalar_one())


def _lines_due_on(conn, on: date) -> set[int]:
    from fairdue.adapters.db.schema.accounts import installments as i

    return set(conn.execute(sa.select(i.c.credit_line_id).where(
        i.c.due_on == on, i.c.status.not_in(("paid", "cancelled"))).distinct()).scalars())


def run_simulation(*, database_url: str, accounts: int, days: int, seed: int = 7,
                   plot_path: pathlib.Path | None = None) -> SimulationReport:
    """Seed a fresh database, simulate `days` days of `accounts` borrowers, and report outcomes per variant."""
    from fairdue.adapters.crypto import FieldCipher, Keyring
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import migrate
    from fairdue.adapters.db.schema.accounts import credit_lines
    from fairdue.adapters.db.schema.collections_engine import coll_cases, coll_strategy_assignments
    from fairdue.adapters.db.schema.dayend import dayend_account, dayend_event_outbox
    from fairdue.adapters.db.uow import UnitOfWork
    from fairdue.domain.money import Money
    from fairdue.products import shipped_product_files
    from fairdue.service import collections as coll
    from fairdue.service.accounts import open_account
    from fairdue.service.borrowers import register_borrower
    from fairdue.service.dayend import run_day_end
    from fairdue.service.payments import pay
    from fairdue.service.plans import accept_plan, propose_plans_for_account
    from fairdue.service.products import load_product_file
    from fairdue.service.promises import record_promise
    from fairdue.service.purchases import purchase

    if not 1 <= accounts <= ACCOUNTS_MAX:
        raise SimulationRefused(f"accounts must be 1..{ACCOUNTS_MAX}, got {accounts}")
    if not 1 <= days <= DAYS_MAX:
        raise SimulationRefused(f"days must be 1..{DAYS_MAX}, got {days}")
    started = _time.perf_counter()
    engine = make_engine(database_url)
    clock = _Clock(datetime.combine(START_ON, datetime.min.time(), tzinfo=UTC))
    try:
        migrate(engine)
        cipher = FieldCipher(Keyring.generate("sim"))
        rng = random.Random(seed)
        names, weights = zip(*BEHAVIOURS)
        behaviour: dict[int, str] = {}

        def uow_factory() -> UnitOfWork:
            return UnitOfWork(engine, clock=clock)

        with uow_factory() as uow:
            if uow.connection.execute(sa.select(sa.func.count()).select_from(credit_lines)).scalar_one():
                raise SimulationRefused("the database already holds accounts; simulate only seeds a fresh one")
            for f in shipped_product_files():
                load_product_file(uow, path=f)
            for n in range(accounts):
                bid = register_borrower(uow, cipher=cipher, data={
                    "name": f"模拟{n}", "id_number": _ric(n), "postal_region": "CN-11",
                    "mobiles": [{"number": f"139{n:08d}", "source": "contract"}],
                    "address": "北京市东城区模拟路1号"})
                line = open_account(uow, borrower_id=bid, product_code="cn-ecard-std", limit=Money(2_000_000, "CNY"),
                                    cycle_day=5, opened_on=START_ON, key=f"sim-open-{n}")
                purchase(uow, line_id=line.id, amount=Money(300_000, "CNY"), purchased_on=START_ON + timedelta(days=1),
                         key=f"sim-p{n}", plan="3-zero_fee")
                behaviour[line.id] = rng.choices(names, weights=weights)[0]
            uow.commit()

        pending_pay: dict[date, list[tuple[int, str]]] = defaultdict(list)  # day -> [(line, 'full'|'half')]
        promised: set[int] = set()
        acted: set[int] = set()
        buckets_by_day: list[tuple[date, Counter]] = []
        denials: Counter = Counter()
        for k in range(1, days + 1):
            on = START_ON + timedelta(days=k)
            clock.now = datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
            with uow_factory() as uow:  # the borrowers act
                conn = uow.connection
                for line_id, how in pending_pay.pop(on, []):
                    owed = _unpaid_due_minor(conn, line_id, on)
                    amount = owed if how == "full" else owed // 2
                    if amount > 0:
                        pay(uow, line_id=line_id, amount=Money(amount, "CNY"), received_on=on, key=f"sim-pay-{line_id}-{on}")
                due_lines = _lines_due_on(conn, on)
                open_lines = set(conn.execute(sa.select(coll_cases.c.account_id).where(
                    coll_cases.c.status == "open")).scalars())
                for line_id, how in behaviour.items():
                    if line_id in due_lines:
                        if how == "on_time":  # on the due date or the day after (within grace)
                            pending_pay[on + timedelta(days=1 + k % 2)].append((line_id, "full"))
                        elif how == "late":
                            pending_pay[on + timedelta(days=LATE_DAYS)].append((line_id, "full"))
                        elif how == "partial":
                            pending_pay[on + timedelta(days=1)].append((line_id, "half"))
                    if line_id not in open_lines or line_id in acted:
                        continue
                    if how in ("promise_keep", "promise_break") and line_id not in promised:
                        owed = _unpaid_due_minor(conn, line_id, on)
                        if owed > 0:
                            record_promise(uow, account_id=line_id, amount=Money(owed, "CNY"),
                                           promised_on=on + timedelta(days=3), business_on=on)
                            promised.add(line_id)
                            if how == "promise_keep":
                                pending_pay[on + timedelta(days=2)].append((line_id, "full"))
                    elif how == "plan":
                        proposals = propose_plans_for_account(uow, account_id=line_id, monthly_income_minor=900_000,
                                                              monthly_expenses_minor=700_000, as_of=on)
                        accept_plan(uow, account_id=line_id, proposal=proposals[-1], business_on=on)
                        acted.add(line_id)
                    elif how == "dispute":
                        coll.open_dispute(uow, account_id=line_id, reason="模拟：对账单有异议")
                        acted.add(line_id)
                uow.commit()
            run_day_end(uow_factory, business_on=on)
            now_at = datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2, minutes=30)
            clock.now = now_at
            summary = coll.run_collections(uow_factory, business_on=on, now_at=now_at, cipher=cipher)
            denials.update(summary.denial_categories)
            with engine.connect() as conn:
                counts = Counter(dict(conn.execute(sa.select(dayend_account.c.bucket, sa.func.count())
                                                   .group_by(dayend_account.c.bucket)).all()))
            buckets_by_day.append((on, counts))

        variants: dict[str, VariantOutcome] = defaultdict(VariantOutcome)
        with engine.connect() as conn:
            variant_of = dict(conn.execute(sa.select(coll_strategy_assignments.c.account_id,
                                                     coll_strategy_assignments.c.variant)).all())
            for line_id in behaviour:
                variants[variant_of.get(line_id, "(never overdue)")].lines += 1
            for r in conn.execute(sa.select(coll_cases.c.account_id, coll_cases.c.close_reason)):
                v = variants[variant_of[r.account_id]]
                v.cases += 1
                v.cured += r.close_reason == "cure"
            sent = conn.execute(sa.text(
                "SELECT debt_id, count(*) FROM outbox_messages GROUP BY debt_id")).all()
            for debt_id, n in sent:
                variants[variant_of.get(int(debt_id), "(never overdue)")].contacts += n
            moves = conn.execute(sa.select(dayend_event_outbox.c.account_id, dayend_event_outbox.c.payload).where(
                dayend_event_outbox.c.kind == "bucket_changed")).all()
        entered: dict[str, set[int]] = defaultdict(set)
        for account_id, payload in moves:
            entered[json.loads(payload)["bucket_to"]].add(account_id)
        roll = {}
        for a, b in (("M1", "M2"), ("M2", "M3")):
            if entered[a]:
                roll[f"{a}->{b}"] = len(entered[a] & entered[b]) / len(entered[a])
        plot = None
        if plot_path is not None:
            plot = str(_plot(buckets_by_day, plot_path))
        return SimulationReport(accounts=accounts, days=days, variants=dict(variants), roll_rates=roll,
                                behaviours=dict(Counter(behaviour.values())), denials=dict(denials), plot_path=plot,
                                seconds=_time.perf_counter() - started)
    finally:
        engine.dispose()


def _plot(series: list[tuple[date, Counter]], path: pathlib.Path) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    buckets = sorted({b for _, c in series for b in c})
    fig, ax = plt.subplots(figsize=(8, 4))
    for b in buckets:
        ax.plot([d for d, _ in series], [c.get(b, 0) for _, c in series], label=b)
    ax.set_ylabel("lines")
    ax.set_title("Lines per delinquency bucket")
    ax.legend()
    fig.autofmt_xdate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
