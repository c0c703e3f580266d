"""`fairdue simulate`: day-end + collections over a synthetic CN / US / UK portfolio with a behaviour model.

Each synthetic borrower lives in their product's jurisdiction and time zone (cn-ecard-std in Shanghai,
us-card-std in New York / Chicago / Los Angeles, uk-card-std in London), opens one line and makes one
installment purchase. One behaviour per line, drawn with a seeded RNG: pays on time, pays late, pays
half, promises (once per case) and keeps, promises and breaks, asks for a negotiated plan, disputes
(resolved after DISPUTE_DAYS, then pays), goes silent, or complains (files a complaint through
service/complaints.py once contacted about arrears, then pays late). After a dispute or a complaint the
borrower pays later installments late. A payment in full clears what is due, late fees included.

Every simulated day: the borrowers act, the day-end closes the date, then the collections engine runs
every four hours (ENGINE_RUNS_UTC: events → cases → due steps and pre-due / due reminders, through the
real policy gate, into the outbox; nothing is delivered), and at the runs in the lender's office hours in
Shanghai (AGENT_RUNS_UTC) the agents work their call queue, asking the gate again at that moment
(`judge_call_task`). A US or UK borrower's call worked from Shanghai often falls at night in their zone: it
is denied and keeps the gate's next allowed time, and a later office run asks again; a message step
denied out of hours is rescheduled by the engine; frequency caps deny too.

The report gives, per strategy variant (e.g. CN-DEFAULT/champion): lines, cases, cures, cure rate, roll
rates between buckets, contacts (messages queued + calls made), contacts per cure, gate denials by
category, complaints; and, when asked, a PNG of outstanding installment balances per bucket over time,
one panel per currency (money is summed in minor units; the plot divides by 100 for display only).

Not modelled: revolving balances, delivery (the dispatcher), agents' conversations.
"""

from __future__ import annotations

import json
import pathlib
import random
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.migrate import migrate
from fairdue.adapters.db.schema.accounts import charges as c
from fairdue.adapters.db.schema.accounts import credit_lines, installment_unpaid
from fairdue.adapters.db.schema.accounts import installments as i
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_cases, coll_strategy_assignments
from fairdue.adapters.db.schema.dayend import dayend_account as d
from fairdue.adapters.db.schema.dayend import dayend_event_outbox
from fairdue.adapters.db.schema.web import complaints
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.bootstrap import EVENT_HANDLERS
from fairdue.domain.borrowers import cn_ric_check_digit
from fairdue.domain.money import Money
from fairdue.errors import FairdueError
from fairdue.products import shipped_product_files
from fairdue.service import jobs
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.collections import engine as coll
from fairdue.service.collections.call_outcomes import log_call_outcome
from fairdue.service.collections.promises import record_promise
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.portal.complaints import file_complaint
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.close import close_inline
from fairdue.service.servicing.debts import line_id_of_debt
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.plans import accept_plan, propose_plans_for_account
from fairdue.service.servicing.products import load_product_file
from fairdue.service.servicing.purchases import purchase

BEHAVIOURS = (
    ("on_time", 38),
    ("late", 14),
    ("partial", 9),
    ("promise_keep", 7),
    ("promise_break", 6),
    ("plan", 6),
    ("dispute", 4),
    ("silent", 10),
    ("complain", 6),
)
# code, jurisdiction, currency, share %, purchase (minor units), installment option, cycle day
PRODUCTS = (
    ("cn-ecard-std", "CN", "CNY", 60, 300_000, "3-zero_fee", 5),
    ("us-card-std", "US", "USD", 20, 120_000, "6-zero_fee", 8),
    ("uk-card-std", "UK", "GBP", 20, 90_000, "3-zero_fee", 3),
)
US_STATES = (("US-NY", "212"), ("US-IL", "312"), ("US-CA", "415"))
# The collections engine runs every four hours round the clock; the agents (an office in Shanghai, 09:00-19:00)
# work their call queue at the runs in office hours: 10:00, 14:00 and 18:00 Shanghai.
ENGINE_RUNS_UTC = (time(2, 0), time(6, 0), time(10, 0), time(14, 0), time(18, 0), time(22, 0))
AGENT_RUNS_UTC = (time(2, 0), time(6, 0), time(10, 0))
# An agent asks the gate about one call task at most this many times (the engine's first verdict included), then
# leaves it: a New York borrower, say, is never in hours while the Shanghai office works (counted as given up).
CALL_ATTEMPTS_MAX = 4
ACCOUNTS_MAX = 20_000
DAYS_MAX = 400
SEED_CHUNK = 500  # accounts per seeding transaction
START_ON = date(2026, 1, 2)
LATE_DAYS = 10
COMPLAIN_LATE_DAYS = 15
DISPUTE_DAYS = 20
PROMISE_AHEAD_DAYS = 3


class SimulationRefused(FairdueError):
    """The simulation cannot run with these arguments (the message says why)."""


@dataclass(slots=True)
class VariantOutcome:
    """Outcomes of one strategy variant ('STRATEGY/variant')."""

    lines: int = 0
    cases: int = 0
    cured: int = 0
    contacts: int = 0  # messages queued by the gate + calls made by agents
    complaints: int = 0
    denials: dict[str, int] = field(default_factory=dict)  # gate denials by category
    roll_rates: dict[str, float] = field(default_factory=dict)  # 'M1->M2': share of lines in M1 that reached M2

    @property
    def cure_rate(self) -> float | None:
        return None if not self.cases else self.cured / self.cases

    @property
    def contacts_per_cure(self) -> float | None:
        return None if not self.cured else self.contacts / self.cured


@dataclass(slots=True)
class SimulationReport:
    """Per-variant outcomes, portfolio roll rates, gate denials by category (every logged denial: engine steps and
    agents' calls), behaviours, steps the engine rescheduled, calls made, complaints, seconds (and per phase)."""

    accounts: int
    days: int
    variants: dict[str, VariantOutcome]
    roll_rates: dict[str, float]
    behaviours: dict[str, int]
    denials: dict[str, int]
    plot_path: str | None
    seconds: float
    complaints: int = 0
    rescheduled: int = 0
    calls_made: int = 0
    calls_given_up: int = 0  # call tasks the agents stopped asking about after CALL_ATTEMPTS_MAX denials
    products: dict[str, int] = field(default_factory=dict)
    phase_seconds: dict[str, float] = field(default_factory=dict)


class _Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _borrower(n: int, jurisdiction: str) -> dict:
    """A synthetic borrower of the jurisdiction, unique by n (valid IDs and numbers, not real people)."""
    if jurisdiction == "CN":
        born = date(1960, 1, 1) + timedelta(days=n % 12_000)
        first17 = f"110105{born:%Y%m%d}{n // 12_000 % 1000:03d}"
        return {
            "name": f"模拟{n}",
            "id_number": first17 + cn_ric_check_digit(first17),
            "postal_region": "CN-11",
            "mobiles": [{"number": f"139{n:08d}", "source": "contract"}],
            "address": "北京市东城区模拟路1号",
        }
    if jurisdiction == "US":
        region, area = US_STATES[n % len(US_STATES)]
        ssn = f"{1 + n // (9999 * 99):03d}{1 + n // 9999 % 99:02d}{1 + n % 9999:04d}"
        return {
            "name": f"Sim Borrower {n}",
            "id_number": ssn,
            "postal_region": region,
            "mobiles": [{"number": f"+1{area}55501{n % 100:02d}", "source": "contract"}],
            "emails": [{"address": f"sim{n}@example.com", "source": "contract"}],
            "address": f"{n} Example Street",
        }
    return {
        "name": f"Sim Borrower {n}",
        "id_number": f"JA{n:06d}A",
        "postal_region": "GB-ENG",
        "mobiles": [{"number": f"+4474{n:08d}", "source": "contract"}],
        "emails": [{"address": f"sim{n}@example.co.uk", "source": "self_provided"}],
        "address": f"{n} Example Road, London",
    }


def _unpaid_by_line(conn, on: date, lines: set[int]) -> dict[int, int]:
    """Amount due by `on` per line (minor units): unpaid installments plus open charges (late fees); two queries."""
    if not lines:
        return {}
    ids = sorted(lines)
    owed: Counter = Counter()
    for a, m in conn.execute(
        sa.select(
            i.c.credit_line_id,
            sa.func.sum(installment_unpaid()),
        )
        .where(i.c.due_on <= on, i.c.status.not_in(("paid", "cancelled")), i.c.credit_line_id.in_(ids))
        .group_by(i.c.credit_line_id)
    ):
        owed[int(a)] += int(m)
    for a, m in conn.execute(
        sa.select(c.c.credit_line_id, sa.func.sum(c.c.amount_minor - c.c.paid_minor))
        .where(c.c.due_on <= on, c.c.status == "open", c.c.credit_line_id.in_(ids))
        .group_by(c.c.credit_line_id)
    ):
        owed[int(a)] += int(m)
    return dict(owed)


def _lines_due_on(conn, on: date) -> set[int]:
    return set(
        conn.execute(
            sa.select(i.c.credit_line_id).where(i.c.due_on == on, i.c.status.not_in(("paid", "cancelled"))).distinct()
        ).scalars()
    )


def _bucket_balances(conn) -> Counter:
    """Outstanding installment balance (minor units) per (currency, bucket), one query."""
    rows = conn.execute(
        sa.select(
            d.c.currency,
            d.c.bucket,
            sa.func.sum(installment_unpaid()),
        )
        .select_from(i.join(d, d.c.account_id == i.c.credit_line_id))
        .where(i.c.status.not_in(("paid", "cancelled")))
        .group_by(d.c.currency, d.c.bucket)
    ).all()
    return Counter({(c, b): int(m) for c, b, m in rows})


def run_simulation(
    *,
    database_url: str,
    accounts: int,
    days: int,
    seed: int = 7,
    plot_path: pathlib.Path | None = None,
    engine_runs_utc: tuple[time, ...] = ENGINE_RUNS_UTC,
    agent_runs_utc: tuple[time, ...] = AGENT_RUNS_UTC,
    progress: Callable[[str, int, int], None] | None = None,
) -> SimulationReport:
    """Seed a fresh database, simulate `days` days of `accounts` borrowers, and report outcomes per variant.
    `progress(phase, done, total)`, when given, is called as lines are seeded (phase "seed", per commit) and as
    days are simulated (phase "days", per day): for a progress bar."""
    report_progress = progress or (lambda _phase, _done, _total: None)
    if not 1 <= accounts <= ACCOUNTS_MAX:
        raise SimulationRefused(f"accounts must be 1..{ACCOUNTS_MAX}, got {accounts}")
    if not 1 <= days <= DAYS_MAX:
        raise SimulationRefused(f"days must be 1..{DAYS_MAX}, got {days}")
    if not engine_runs_utc or not set(agent_runs_utc) <= set(engine_runs_utc):
        raise SimulationRefused("at least one engine run is needed, and agents work only at engine runs")
    started = _time.perf_counter()
    phases: Counter = Counter()
    engine = make_engine(database_url)
    clock = _Clock(datetime.combine(START_ON, time(0), tzinfo=UTC))
    try:
        migrate(engine)
        cipher = FieldCipher(Keyring.generate("sim"))

        def uow_factory() -> UnitOfWork:
            return UnitOfWork(engine, clock=clock, handlers=EVENT_HANDLERS)

        with uow_factory() as uow:
            if uow.connection.execute(sa.select(sa.func.count()).select_from(credit_lines)).scalar_one():
                raise SimulationRefused("the database already holds accounts; simulate only seeds a fresh one")
            for f in shipped_product_files():
                load_product_file(uow, path=f)
            uow.commit()
        world = _seed(uow_factory, accounts=accounts, seed=seed, cipher=cipher, progress=report_progress)
        phases["seed"] = _time.perf_counter() - started

        state = _BorrowerState()
        series: list[tuple[date, Counter]] = []
        rescheduled = 0
        calls_made: Counter = Counter()
        calls_given_up: Counter = Counter()
        for k in range(1, days + 1):
            on = START_ON + timedelta(days=k)
            t0 = _time.perf_counter()
            clock.now = datetime.combine(on, time(0, 30), tzinfo=UTC)
            with uow_factory() as uow:
                _borrowers_act(uow, world, state, on)
                uow.commit()
            t1 = _time.perf_counter()
            run_day_end(uow_factory, business_on=on)
            t2 = _time.perf_counter()
            for i, run_at in enumerate(sorted(engine_runs_utc)):
                now_at = datetime.combine(on, run_at, tzinfo=UTC)
                clock.now = now_at
                summary = jobs.run_engine(uow_factory, business_on=on, now_at=now_at, cipher=cipher, daily=i == 0)
                rescheduled += summary.rescheduled
                if run_at in agent_runs_utc:
                    _agents_work(
                        uow_factory, now_at=now_at, cipher=cipher, calls_made=calls_made, calls_given_up=calls_given_up
                    )
            t3 = _time.perf_counter()
            with engine.connect() as conn:
                series.append((on, _bucket_balances(conn)))
            phases["borrowers"] += t1 - t0
            phases["day_end"] += t2 - t1
            phases["collections"] += t3 - t2
            phases["report"] += _time.perf_counter() - t3
            report_progress("days", k, days)

        t4 = _time.perf_counter()
        report = _report(engine, world, accounts=accounts, days=days, calls_made=calls_made, rescheduled=rescheduled)
        if plot_path is not None:
            report.plot_path = str(_plot(series, plot_path))
        phases["report"] += _time.perf_counter() - t4
        report.calls_given_up = sum(calls_given_up.values())
        report.phase_seconds = {k: round(v, 2) for k, v in phases.items()}
        report.seconds = _time.perf_counter() - started
        return report
    finally:
        engine.dispose()


@dataclass(slots=True)
class _World:
    behaviour: dict[int, str]  # line id -> behaviour
    borrower: dict[int, int]  # line id -> borrower id
    jurisdiction: dict[int, str]
    currency: dict[int, str]
    products: Counter


@dataclass(slots=True)
class _BorrowerState:
    pending_pay: dict[date, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    promised: set[tuple[int, date]] = field(default_factory=set)  # (line, case opened on): one promise per case
    acted: set[int] = field(default_factory=set)  # asked for a plan / disputed / complained (once per line)
    later: dict[int, str] = field(default_factory=dict)  # behaviour for later installments, after that episode
    disputes: dict[date, list[int]] = field(default_factory=lambda: defaultdict(list))  # resolve on -> dispute ids


def _seed(uow_factory, *, accounts: int, seed: int, cipher, progress: Callable[[str, int, int], None]) -> _World:
    """Borrowers, lines and purchases through the real services (validation, encryption), SEED_CHUNK per commit."""
    rng = random.Random(seed)  # nosec B311
    names, weights = zip(*BEHAVIOURS, strict=True)
    shares = [p[3] for p in PRODUCTS]
    world = _World({}, {}, {}, {}, Counter())
    for start in range(0, accounts, SEED_CHUNK):
        with uow_factory() as uow:
            for n in range(start, min(accounts, start + SEED_CHUNK)):
                # The first lines cover every product, so even a tiny portfolio is multi-jurisdiction.
                code, juris, currency, _share, amount, option, cycle_day = (
                    PRODUCTS[n] if n < len(PRODUCTS) else rng.choices(PRODUCTS, weights=shares)[0]
                )
                bid = register_borrower(uow, cipher=cipher, data=_borrower(n, juris))
                line = open_account(
                    uow,
                    borrower_id=bid,
                    product_code=code,
                    limit=Money(amount * 4, currency),
                    cycle_day=cycle_day,
                    opened_on=START_ON,
                    key=f"sim-open-{n}",
                )
                purchase(
                    uow,
                    line_id=line.id,
                    amount=Money(amount, currency),
                    purchased_on=START_ON + timedelta(days=1),
                    key=f"sim-p{n}",
                    plan=option,
                )
                world.behaviour[line.id] = rng.choices(names, weights=weights)[0]
                world.borrower[line.id] = bid
                world.jurisdiction[line.id] = juris
                world.currency[line.id] = currency
                world.products[code] += 1
            uow.commit()
        progress("seed", min(accounts, start + SEED_CHUNK), accounts)
    return world


def _borrowers_act(uow, world: _World, state: _BorrowerState, on: date) -> None:
    """Today's borrower actions; only lines with something to do are touched (one query per kind of work)."""
    conn = uow.connection
    for dispute_id in state.disputes.pop(on, []):
        coll.resolve_dispute(uow, dispute_id=dispute_id, resolution="模拟：核实无误 / verified, the debt stands")
    for line_id in _lines_due_on(conn, on):
        how = state.later.get(line_id, world.behaviour[line_id])
        if how == "on_time":  # on the due date (US and UK products have no grace days)
            state.pending_pay[on].append((line_id, "full"))
        elif how == "late":
            state.pending_pay[on + timedelta(days=LATE_DAYS)].append((line_id, "full"))
        elif how == "partial":
            state.pending_pay[on + timedelta(days=1)].append((line_id, "half"))
    paying = state.pending_pay.pop(on, [])
    # The day's repayments arrive as one file: day-end's inline close runs once for all of its lines (one kernel
    # call per date) before the payments are posted one by one, instead of once per payment.
    close_inline(uow, [line for line, _ in paying], on)
    owed = _unpaid_by_line(conn, on, {line for line, _ in paying})
    for line_id, how in paying:  # "full" clears what is due, late fees included; "half" pays half of it
        amount = owed.get(line_id, 0) if how == "full" else owed.get(line_id, 0) // 2
        if amount > 0:
            pay(
                uow,
                line_id=line_id,
                amount=Money(amount, world.currency[line_id]),
                received_on=on,
                key=f"sim-pay-{line_id}-{on}",
            )
    open_cases = dict(
        conn.execute(
            sa.select(coll_cases.c.account_id, coll_cases.c.opened_on).where(coll_cases.c.status == "open")
        ).all()
    )
    todo = [
        a
        for a in open_cases
        if a not in state.acted
        and (a, open_cases[a]) not in state.promised
        and world.behaviour[a] in ("promise_keep", "promise_break", "plan", "dispute", "complain")
    ]
    owed = _unpaid_by_line(conn, on, set(todo))
    for line_id in todo:
        how, currency = world.behaviour[line_id], world.currency[line_id]
        if how in ("promise_keep", "promise_break"):
            if owed.get(line_id, 0) > 0:
                record_promise(
                    uow,
                    account_id=line_id,
                    amount=Money(owed[line_id], currency),
                    promised_on=on + timedelta(days=PROMISE_AHEAD_DAYS),
                    business_on=on,
                )
                state.promised.add((line_id, open_cases[line_id]))
                if how == "promise_keep":
                    state.pending_pay[on + timedelta(days=2)].append((line_id, "full"))
        elif how == "plan":
            state.acted.add(line_id)
            try:
                proposals = propose_plans_for_account(
                    uow, account_id=line_id, monthly_income_minor=900_000, monthly_expenses_minor=700_000, as_of=on
                )
                if proposals:
                    accept_plan(uow, account_id=line_id, proposal=proposals[-1], business_on=on)
            except FairdueError:
                world.behaviour[line_id] = "silent"  # no plan on offer: the borrower gives up
        elif how == "dispute":
            state.acted.add(line_id)
            dispute_id = coll.open_dispute(uow, account_id=line_id, reason="模拟：对账单有异议 / statement disputed")
            state.disputes[on + timedelta(days=DISPUTE_DAYS)].append(dispute_id)
            state.pending_pay[on + timedelta(days=DISPUTE_DAYS + 2)].append((line_id, "full"))
            state.later[line_id] = "late"
        elif how == "complain" and on >= open_cases[line_id] + timedelta(days=2):
            state.acted.add(line_id)
            file_complaint(
                uow,
                borrower_id=world.borrower[line_id],
                jurisdiction=world.jurisdiction[line_id],
                category="contact_conduct",
                account_id=str(line_id),
                text="模拟投诉：催收联系过于频繁 / simulated: too many collection contacts",
                now=uow.clock(),
            )
            state.pending_pay[on + timedelta(days=COMPLAIN_LATE_DAYS)].append((line_id, "full"))
            state.later[line_id] = "late"


def _agents_work(uow_factory, *, now_at: datetime, cipher, calls_made: Counter, calls_given_up: Counter) -> None:
    """Agents work their call queue now: a task the gate allows now is called and done; one it denies stays
    with its next allowed time (asked again at a later run once that time has come)."""
    with uow_factory() as uow:
        tasks = uow.connection.execute(
            sa.select(coll_actions.c.id, coll_actions.c.attempts, coll_cases.c.account_id)
            .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
            .where(
                coll_actions.c.status == "task",
                coll_cases.c.status == "open",
                coll_actions.c.attempts < CALL_ATTEMPTS_MAX,
                sa.or_(coll_actions.c.next_allowed_at.is_(None), coll_actions.c.next_allowed_at <= now_at),
            )
            .order_by(coll_actions.c.id)
        ).all()
        for t in tasks:
            # The gate is asked again at the moment of calling (logged): an earlier "allowed" may not hold now.
            if coll.judge_call_task(uow, action_id=t.id, at=now_at, cipher=cipher).allowed:
                # The call is made and its outcome logged (call_outcomes: decision log + task done); two in five
                # reach the borrower, and a conversation bars further calls for a while where the pack says so.
                log_call_outcome(
                    uow, action_id=t.id, outcome="answered" if t.id % 5 < 2 else "no_answer", staff_id=None, now=now_at
                )
                calls_made[t.account_id] += 1
            elif t.attempts + 1 >= CALL_ATTEMPTS_MAX:
                calls_given_up[t.account_id] += 1
        uow.commit()


def _report(
    engine, world: _World, *, accounts: int, days: int, calls_made: Counter, rescheduled: int
) -> SimulationReport:
    variants: dict[str, VariantOutcome] = defaultdict(VariantOutcome)
    with engine.connect() as conn:
        variant_of = {
            a: f"{s}/{v}"
            for a, s, v in conn.execute(
                sa.select(
                    coll_strategy_assignments.c.account_id,
                    coll_strategy_assignments.c.strategy_code,
                    coll_strategy_assignments.c.variant,
                )
            )
        }
        name = lambda account_id: variant_of.get(int(account_id), "(never contacted)")  # noqa: E731
        # Gate decisions and messages name the line as a debt (`cl:<id>`); a debt naming no line (a login code's
        # `borrower:<id>`) is no variant's.
        debt_variant = lambda debt_id: variant_of.get(line_id_of_debt(debt_id), "(never contacted)")  # noqa: E731
        for line_id in world.behaviour:
            variants[name(line_id)].lines += 1
        for r in conn.execute(sa.select(coll_cases.c.account_id, coll_cases.c.close_reason)):
            v = variants[name(r.account_id)]
            v.cases += 1
            v.cured += r.close_reason == "cure"
        for debt_id, n in conn.execute(
            sa.select(outbox_messages.c.debt_id, sa.func.count()).group_by(outbox_messages.c.debt_id)
        ):
            variants[debt_variant(debt_id)].contacts += n
        for account_id, n in calls_made.items():
            variants[name(account_id)].contacts += n
        for debt_id, cats in conn.execute(
            sa.select(decision_log.c.debt_id, decision_log.c.violation_categories).where(
                decision_log.c.allowed.is_(False), decision_log.c.debt_id.is_not(None)
            )
        ):
            d = variants[debt_variant(debt_id)].denials
            for c in filter(None, cats.split(",")):
                d[c] = d.get(c, 0) + 1
        n_complaints = 0
        for account_id, n in conn.execute(
            sa.select(complaints.c.account_id, sa.func.count())
            .where(complaints.c.account_id.is_not(None))
            .group_by(complaints.c.account_id)
        ):
            variants[name(account_id)].complaints += n
            n_complaints += n
        moves = conn.execute(
            sa.select(dayend_event_outbox.c.account_id, dayend_event_outbox.c.payload).where(
                dayend_event_outbox.c.kind == "bucket_changed"
            )
        ).all()
    entered: dict[str, set[int]] = defaultdict(set)
    for account_id, payload in moves:
        entered[json.loads(payload)["bucket_to"]].add(int(account_id))

    def rolls(lines: set[int] | None) -> dict[str, float]:
        out = {}
        for a, b in (("M1", "M2"), ("M2", "M3")):
            into = entered[a] if lines is None else entered[a] & lines
            if into:
                out[f"{a}->{b}"] = len(into & entered[b]) / len(into)
        return out

    members: dict[str, set[int]] = defaultdict(set)
    for line_id in world.behaviour:
        members[name(line_id)].add(line_id)
    for key, v in variants.items():
        v.roll_rates = rolls(members[key])
    everywhere: Counter = Counter()
    for v in variants.values():
        everywhere.update(v.denials)
    return SimulationReport(
        accounts=accounts,
        days=days,
        variants=dict(variants),
        roll_rates=rolls(None),
        behaviours=dict(Counter(world.behaviour.values())),
        denials=dict(everywhere),
        plot_path=None,
        seconds=0.0,
        complaints=n_complaints,
        rescheduled=rescheduled,
        calls_made=sum(calls_made.values()),
        products=dict(world.products),
    )


def _plot(series: list[tuple[date, Counter]], path: pathlib.Path) -> pathlib.Path:
    """Outstanding installment balance per bucket over time, one panel per currency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    currencies = sorted({c for _, s in series for c, _b in s}) or ["-"]
    order = sorted({b for _, s in series for _c, b in s}, key=lambda b: (b != "current", b))
    colour = {b: f"C{i}" for i, b in enumerate(order)}  # the same bucket has the same colour in every panel
    fig, axes = plt.subplots(len(currencies), 1, figsize=(9, 3.2 * len(currencies)), sharex=True, squeeze=False)
    days = [d for d, _ in series]
    for ax, currency in zip(axes[:, 0], currencies, strict=True):
        buckets = [b for b in order if any((currency, b) in s for _, s in series)]
        for b in buckets:
            # display only: minor units / 100 (all three currencies have two minor digits)
            ax.plot(days, [s.get((currency, b), 0) / 100 for _, s in series], label=b, color=colour[b])
        ax.set_ylabel(f"{currency} outstanding")
        ax.set_title(f"Outstanding installment balance per bucket ({currency})")
        if buckets:
            ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
