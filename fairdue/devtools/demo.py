"""The demo: a demo lender, the shipped products and a small portfolio, seeded through the real services.

`run_demo(...)` starts from a fresh database (by default the SQLite file every
other `fairdue` command uses, fairdue.db, so `fairdue ledger verify` or
`fairdue account show 1` explore it as written; it recreates the file only if
it holds nothing but demo accounts), loads the shipped products, registers borrowers
(CN, US and UK, PII encrypted with a dev key from var/), opens accounts,
makes purchases (some in full, most as installment plans), closes statement
cycles, takes payments (in full, minimum, partial, missed), pays a few plans
off early, refunds and reverses a few, then verifies the ledger. It returns a
`DemoSummary` (plain data) so the simulation and web issues can grow the demo
without re-seeding differently. Deterministic for a given seed.

`run_demo_day(...)` then closes day-end through the business date and runs collections once (fairdue
daily's run), with the demo agents as the team that works every bucket: the console's queue, cases and call
tasks are populated.

`run_demo_simulation(...)` then runs `fairdue simulate` (a CN/US/UK portfolio through day-end and
collections with the real gate) on its own SQLite file next to the demo database (under var/demo/ when the
demo database is the default fairdue.db; recreated each run) and writes its PNG beside it.
"""

from __future__ import annotations

import pathlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from fairdue.adapters.crypto import DEV_KEY_FILE, FieldCipher, dev_keyring
from fairdue.adapters.db.schema.accounts import credit_lines, installment_plans, products
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.adapters.db.views.cases import delinquency_queue
from fairdue.bootstrap import bootstrap
from fairdue.config import DEFAULT_DATABASE_URL
from fairdue.devtools.simulate import run_simulation
from fairdue.domain.borrowers import cn_ric_check_digit, is_valid_id, validate_mobile
from fairdue.domain.loanmath.calendar import add_months
from fairdue.domain.money import Money
from fairdue.domain.statuses import InstallmentPlanStatus
from fairdue.errors import FairdueError
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import BorrowerExists, add_emergency_contact, register_borrower
from fairdue.service.collections.engine import create_team, list_cases
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.jobs import DailyReport, checkpoint_log, run_engine
from fairdue.service.ledger.journal import verify
from fairdue.service.servicing.accounts import code as lcode
from fairdue.service.servicing.accounts import open_account, reconcile_line
from fairdue.service.servicing.payments import early_payoff, pay, reverse_payment
from fairdue.service.servicing.products import get_product, load_product_file
from fairdue.service.servicing.purchases import PurchaseResult, purchase, refund_purchase
from fairdue.service.servicing.statements import generate_statement

DEMO_DATABASE_URL = DEFAULT_DATABASE_URL  # where every other command looks (sqlite:///fairdue.db)
SIMULATION_DIR = pathlib.Path("var") / "demo"  # the simulation's files when the demo uses the default database
DEMO_TEAM = "demo-agents"
SIMULATION_DB_NAME = "simulation.db"
SIMULATION_PLOT_NAME = "simulation.png"
SIMULATION_ACCOUNTS_DEFAULT = 2500  # with 90 days 110 s on the 2-core machine (2026-12-01): the demo stays near 2 min
SIMULATION_DAYS_DEFAULT = 90
DEMO_LENDER = "Fairdue Demo Consumer Finance Co. / 公平消费金融（演示）"
DEMO_START_ON = date(2026, 1, 1)
DEMO_AS_OF = date(2026, 5, 31)
ACCOUNTS_DEFAULT = 200
ACCOUNTS_MAX = 100_000
# Share of accounts per product (CN first: the e-card market the product is for).
PRODUCT_MIX = (("cn-ecard-std", 70), ("us-card-std", 18), ("uk-card-std", 12))

_CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_CN_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
]
_CN_REGIONS = [
    ("CN-11", "110105"),
    ("CN-31", "310104"),
    ("CN-44", "440106"),
    ("CN-51", "510104"),
    ("CN-33", "330106"),
    ("CN-42", "420106"),
]
_EN_FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
]
_EN_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Taylor",
    "Wilson",
    "Evans",
    "Thomas",
]
_US_STATES = [
    ("US-NY", "212"),
    ("US-CA", "415"),
    ("US-TX", "512"),
    ("US-IL", "312"),
    ("US-FL", "305"),
    ("US-WA", "206"),
]
_UK_REGIONS = ["GB-ENG", "GB-SCT", "GB-WLS"]


class DemoRefused(FairdueError):
    """The demo will not seed into a database that already holds data it did not create."""


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """Per product: accounts, plans by kind, and balances in minor units of `currency`."""

    code: str
    jurisdiction: str
    currency: str
    accounts: int
    plans_by_kind: dict[str, int]
    principal_minor: int
    interest_minor: int
    fees_minor: int
    credit_minor: int

    @property
    def owed_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fees_minor - self.credit_minor


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo seeded, and the ledger check at the end."""

    lender: str
    database_url: str
    as_of: date
    borrowers: int
    accounts: int
    accounts_by_status: dict[str, int]
    plans: int
    purchases: int
    statements: int
    payments: int
    early_payoffs: int
    refunds: int
    reversals: int
    products: tuple[ProductSummary, ...]
    ledger_ok: bool
    ledger_accounts_checked: int
    ledger_entries_checked: int
    ledger_problems: tuple[str, ...]
    seconds: float
    reconcile_problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def demo_database_url(environ: dict[str, str]) -> str:
    """FAIRDUE_DATABASE_URL when set, else the default every other `fairdue` command uses (sqlite:///fairdue.db),
    so a newcomer explores the demo with the commands as the README writes them."""
    return environ.get("FAIRDUE_DATABASE_URL") or DEMO_DATABASE_URL


def _fresh_database(url: str, *, key_prefix: str = "demo-open-") -> None:
    """Recreate a SQLite file the demo made (or an empty fairdue database); refuse anything else.

    A file holding accounts the demo did not open, or that is not a fairdue database at all, is never
    deleted. Server databases are not dropped: run_demo refuses one that already holds accounts.
    """
    import sqlite3

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = pathlib.Path(parsed.database)
    if path.exists():
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                foreign = 0
                if "credit_lines" in tables:
                    foreign = con.execute(
                        "SELECT count(*) FROM credit_lines WHERE open_key NOT LIKE ?", (key_prefix + "%",)
                    ).fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error as err:
            raise DemoRefused(f"{path} is not a SQLite database the demo can replace ({err})") from None
        if tables and "alembic_version" not in tables:
            raise DemoRefused(f"{path} is not a fairdue database; the demo will not delete it")
        if foreign:
            raise DemoRefused(
                f"{path} holds {foreign} account(s) the demo did not open; the demo will not delete it "
                "(pass --database-url sqlite:///ANOTHER-FILE.db for the demo)"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = pathlib.Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def simulation_paths(demo_url: str) -> tuple[pathlib.Path, pathlib.Path]:
    """(SQLite file, PNG) of the demo's simulation: beside the demo's SQLite file, else (the default fairdue.db in
    the working folder, an in-memory or server database) under var/demo/."""
    from sqlalchemy.engine import make_url

    parsed = make_url(demo_url)
    folder = SIMULATION_DIR
    default = make_url(DEFAULT_DATABASE_URL).database
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:", default):
        folder = pathlib.Path(str(parsed.database)).parent
    return folder / SIMULATION_DB_NAME, folder / SIMULATION_PLOT_NAME


def run_demo_simulation(
    *,
    demo_url: str,
    accounts: int = SIMULATION_ACCOUNTS_DEFAULT,
    days: int = SIMULATION_DAYS_DEFAULT,
    seed: int = 7,
    progress: Callable[[str, int, int], None] | None = None,
):
    """Run the collections simulation on its own SQLite file next to the demo database (recreated each run; a file
    holding lines the simulation did not open is never deleted) and return its report (PNG written beside it).
    progress: run_simulation's (phase, done, total) callback."""
    db_path, plot_path = simulation_paths(demo_url)
    url = f"sqlite:///{db_path}"
    _fresh_database(url, key_prefix="sim-open-")
    return run_simulation(
        database_url=url, accounts=accounts, days=days, seed=seed, plot_path=plot_path, progress=progress
    )


@dataclass(frozen=True, slots=True)
class DemoDay:
    """The demo's business day: day-end closed through `business_on`, collections run once at `run_at`, and what
    the console then shows (open cases, lines in the delinquency queue, the team's agents by username)."""

    business_on: date
    run_at: datetime
    report: DailyReport
    cases_open: int
    queue_lines: int
    agents: tuple[str, ...]


def run_demo_day(
    uow_factory: Callable[[], UnitOfWork],
    *,
    business_on: date,
    run_at: datetime,
    cipher: FieldCipher,
    agent_usernames: tuple[str, ...] = ("agent",),
    progress: Callable[[date, int, int], None] | None = None,
) -> DemoDay:
    """Close day-end through `business_on` (every unclosed date since the portfolio opened), then the day's first
    collections run at `run_at` (fairdue.service.jobs.run_daily's two steps; day-end's progress callback passed
    on), with the staff users `agent_usernames` (those on file) as the team that works every bucket, so cases get
    an agent and call tasks land in that agent's queue. The decision log's head is signed at the end."""
    with uow_factory() as uow:
        on_file = {u: uow.staff.id_of_username(u) for u in agent_usernames}
        agents = tuple(u for u, sid in on_file.items() if sid is not None)
        if agents and not uow.collections.teams():
            staff_ids = tuple(sid for sid in on_file.values() if sid is not None)
            create_team(uow, code=DEMO_TEAM, name="Demo collections team / 演示催收组", staff_ids=staff_ids)
            uow.commit()
    dayend = run_day_end(uow_factory, business_on=business_on, progress=progress)
    collections = run_engine(uow_factory, business_on=business_on, now_at=run_at, cipher=cipher, daily=True)
    checkpoint_log(uow_factory)
    with uow_factory() as uow:
        cases_open = len(list_cases(uow))
        queue_lines = len(delinquency_queue(uow.connection))
    return DemoDay(business_on, run_at, DailyReport(dayend, collections), cases_open, queue_lines, agents)


def _cn_borrower(rng: random.Random, n: int) -> dict:
    region, area = rng.choice(_CN_REGIONS)
    birth = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    seq = f"{rng.randrange(1000):03d}"
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    while True:
        number = f"1{rng.choice('3578')}{rng.randrange(10)}{rng.randrange(10**8):08d}"
        try:
            validate_mobile(number, default_country="CN")
            break
        except FairdueError:
            continue
    return {
        "name": rng.choice(_CN_SURNAMES) + rng.choice(_CN_GIVEN),
        "id_number": first17 + cn_ric_check_digit(first17),
        "mobiles": [{"number": number, "source": "contract"}],
        "emails": [{"address": f"user{n}@example.cn", "source": "registration"}] if rng.random() < 0.5 else [],
        "postal_region": region,
    }


def _us_borrower(rng: random.Random, n: int) -> dict:
    region, area = rng.choice(_US_STATES)
    ssn = f"{rng.randrange(1, 665):03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"
    return {
        "name": f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_LAST)}",
        "id_number": ssn,
        "mobiles": [{"number": f"+1{area}55501{rng.randrange(100):02d}", "source": "contract"}],
        "emails": [{"address": f"user{n}@example.com", "source": "contract"}],
        "postal_region": region,
    }


def _uk_borrower(rng: random.Random, n: int) -> dict:
    letters = "ABCEHJKLMNPRSTWXYZ"
    while True:
        number = f"+447{rng.choice('45789')}{rng.randrange(10**8):08d}"
        try:
            validate_mobile(number, default_country="GB")
            break
        except FairdueError:
            continue
    while True:
        nino = f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"
        if is_valid_id("uk_nino", nino):
            break
    return {
        "name": f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_LAST)}",
        "id_number": nino,
        "mobiles": [{"number": number, "source": "contract"}],
        "emails": [{"address": f"user{n}@example.co.uk", "source": "self_provided"}],
        "postal_region": rng.choice(_UK_REGIONS),
    }


_BORROWER = {"CN": _cn_borrower, "US": _us_borrower, "UK": _uk_borrower}


def _seed_account(
    uow, rng: random.Random, n: int, code: str, product, cipher: FieldCipher, as_of: date, counters: dict
) -> None:
    for _attempt in range(5):
        data = _BORROWER[product.jurisdiction](rng, n)
        try:
            bid = register_borrower(uow, data=data, cipher=cipher)
            break
        except BorrowerExists:
            continue
    else:  # pragma: no cover - five random ID collisions in a row
        return
    counters["borrowers"] += 1
    if product.jurisdiction == "CN" and rng.random() < 0.2:
        ec_number = _cn_borrower(rng, n)["mobiles"][0]["number"]
        add_emergency_contact(
            uow,
            borrower_id=bid,
            data={
                "name": rng.choice(_CN_SURNAMES) + rng.choice(_CN_GIVEN),
                "mobile": ec_number,
                "relationship": "spouse",
                "consent": True,
            },
            cipher=cipher,
        )
    opened_on = DEMO_START_ON + timedelta(days=rng.randrange(45))
    cycle_day = rng.choice(product.cycle_days)
    limit_minor = min(
        product.credit_limit_minor_max, rng.choice([2, 3, 5, 8, 10]) * product.credit_limit_minor_max // 10
    )
    line = open_account(
        uow,
        borrower_id=bid,
        product_code=code,
        limit=Money(limit_minor, product.currency),
        cycle_day=cycle_day,
        opened_on=opened_on,
        key=f"demo-open-{n}",
    )
    # Behaviour: 70% pay in full, 15% pay the minimum, 10% pay part, 5% stop paying after a while.
    behaviour = rng.choices(["full", "minimum", "partial", "stops"], weights=[70, 15, 10, 5])[0]
    options = [None] + [o.key for o in product.installment_options]
    purchase_days = sorted(opened_on + timedelta(days=rng.randrange(1, 75)) for _ in range(rng.randint(1, 3)))
    statement_on = add_months(opened_on.replace(day=cycle_day), 0)
    if statement_on < opened_on:
        statement_on = add_months(statement_on, 1)
    made: list[tuple[date, PurchaseResult]] = []
    k = 0
    while statement_on <= as_of:
        while len(made) < len(purchase_days) and purchase_days[len(made)] <= statement_on:
            idx = len(made)
            day = purchase_days[idx]
            amount = Money(rng.randrange(20, 60) * limit_minor // 200, product.currency)
            plan = rng.choice(options)
            res = purchase(
                uow,
                line_id=line.id,
                amount=amount,
                purchased_on=day,
                key=f"demo-buy-{n}-{idx}",
                plan=plan,
                merchant=rng.choice(["phone", "laptop", "appliance", "furniture", "bike"]),
            )
            made.append((day, res))
            counters["purchases"] += 1
        st = generate_statement(uow, line_id=line.id, statement_on=statement_on)
        counters["statements"] += 1
        k += 1
        if st.amount_due_minor > 0 and st.due_on <= as_of:
            pay_on = st.due_on - timedelta(days=rng.randrange(0, 6))
            if behaviour == "full":
                amount_minor = st.amount_due_minor
            elif behaviour == "minimum":
                amount_minor = st.minimum_due_minor
            elif behaviour == "partial":
                amount_minor = max(1, st.minimum_due_minor // 2)
            else:
                amount_minor = st.amount_due_minor if k <= 2 else 0
            if amount_minor > 0:
                p = pay(
                    uow,
                    line_id=line.id,
                    amount=Money(amount_minor, product.currency),
                    received_on=pay_on,
                    key=f"demo-pay-{n}-{statement_on}",
                )
                counters["payments"] += 1
                if rng.random() < 0.01:
                    reverse_payment(
                        uow,
                        payment_id=p.payment_id,
                        reversed_on=pay_on + timedelta(days=2),
                        key=f"demo-bounce-{n}-{statement_on}",
                    )
                    counters["reversals"] += 1
        statement_on = add_months(statement_on, 1)
    for day, res in made:
        if res.kind != "full" and behaviour == "full" and rng.random() < 0.1 and _plan_active(uow, res.plan_id):
            payoff_on = min(as_of, day + timedelta(days=rng.randrange(40, 100)))
            early_payoff(uow, plan_id=res.plan_id, paid_on=payoff_on, key=f"demo-payoff-{n}-{res.plan_id}")
            counters["early_payoffs"] += 1
            break
    if made and rng.random() < 0.02:
        day, res = made[-1]
        refund_purchase(
            uow, purchase_id=res.purchase_id, refunded_on=min(as_of, day + timedelta(days=10)), key=f"demo-refund-{n}"
        )
        counters["refunds"] += 1


def _plan_active(uow, plan_id: int) -> bool:
    return uow.accounts.plan(plan_id).status == InstallmentPlanStatus.ACTIVE


def run_demo(
    *,
    database_url: str,
    accounts: int = ACCOUNTS_DEFAULT,
    seed: int = 20260101,
    as_of: date = DEMO_AS_OF,
    key_file: pathlib.Path = DEV_KEY_FILE,
    chunk: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Seed a fresh demo database and return what it holds (see the module docstring). progress(done, total) is
    called after each account is seeded (the ledger check and the summary follow, about a tenth of the time)."""
    if not 1 <= accounts <= ACCOUNTS_MAX:
        raise DemoRefused(f"accounts must be between 1 and {ACCOUNTS_MAX}, got {accounts}")
    started = time.perf_counter()
    _fresh_database(database_url)
    cipher = FieldCipher(dev_keyring(key_file))
    app = bootstrap(database_url=database_url, cipher=cipher)
    try:
        app.migrate()
        rng = random.Random(seed)  # nosec B311
        counters = dict.fromkeys(
            ("borrowers", "purchases", "statements", "payments", "early_payoffs", "refunds", "reversals"), 0
        )
        with app.uow_factory() as uow:
            if uow.accounts.line_count():
                raise DemoRefused(
                    f"{app.safe_url} already holds accounts; the demo only seeds a fresh database "
                    "(pass --database-url sqlite:///FILE.db for the demo, or point it at an empty database)"
                )
            for f in shipped_product_files():
                load_product_file(uow, path=f)
            uow.commit()
            catalogue = {code: get_product(uow, code=code).product for code, _w in PRODUCT_MIX}
            codes = [c for c, _w in PRODUCT_MIX]
            weights = [w for _c, w in PRODUCT_MIX]
            for n in range(accounts):
                code = codes[n] if n < len(codes) else rng.choices(codes, weights=weights)[0]
                _seed_account(uow, rng, n, code, catalogue[code], cipher, as_of, counters)
                if (n + 1) % chunk == 0:
                    uow.commit()
                if progress:
                    progress(n + 1, accounts)
            uow.commit()
            summary = _summarise(uow, app.safe_url, as_of, counters, verify(uow), time.perf_counter() - started)
    finally:
        app.dispose()
    return summary


def _summarise(uow, url: str, as_of: date, counters: dict, report, seconds: float) -> DemoSummary:
    r = uow.accounts
    counts = r.portfolio_counts()
    conn = uow.connection
    by_status = dict(
        conn.execute(sa.select(credit_lines.c.status, sa.func.count()).group_by(credit_lines.c.status)).all()
    )
    per_product = []
    for prow in conn.execute(sa.select(products).order_by(products.c.code)):
        line_ids = [
            x[0] for x in conn.execute(sa.select(credit_lines.c.id).where(credit_lines.c.product_id == prow.id))
        ]
        kinds = dict(
            conn.execute(
                sa.select(installment_plans.c.kind, sa.func.count())
                .join(credit_lines, credit_lines.c.id == installment_plans.c.credit_line_id)
                .where(credit_lines.c.product_id == prow.id)
                .group_by(installment_plans.c.kind)
            ).all()
        )
        totals = {"principal": 0, "interest": 0, "fees": 0, "credit": 0}
        sign = {"principal": 1, "interest": 1, "fees": 1, "credit": -1}
        for start in range(0, len(line_ids), 200):
            chunk_ids = line_ids[start : start + 200]
            stored = r.ledger_balances([lcode(lid, part) for lid in chunk_ids for part in totals])
            for lid in chunk_ids:
                for part in totals:
                    totals[part] += sign[part] * stored.get(lcode(lid, part), 0)
        per_product.append(
            ProductSummary(
                prow.code,
                prow.jurisdiction,
                prow.currency,
                len(line_ids),
                kinds,
                totals["principal"],
                totals["interest"],
                totals["fees"],
                totals["credit"],
            )
        )
    problems = tuple(str(d) for d in report.drifts) + tuple(str(i) for i in report.imbalances)

    all_lines = [x[0] for x in conn.execute(sa.select(credit_lines.c.id).order_by(credit_lines.c.id))]
    unreconciled = tuple(p for lid in all_lines for p in reconcile_line(uow, line_id=lid))
    return DemoSummary(
        lender=DEMO_LENDER,
        database_url=url,
        as_of=as_of,
        borrowers=counters["borrowers"],
        accounts=counts["accounts"],
        accounts_by_status=by_status,
        plans=counts["plans"],
        purchases=counts["purchases"],
        statements=counts["statements"],
        payments=counts["payments"],
        early_payoffs=counters["early_payoffs"],
        refunds=counters["refunds"],
        reversals=counters["reversals"],
        products=tuple(per_product),
        ledger_ok=report.ok,
        ledger_accounts_checked=report.accounts_checked,
        ledger_entries_checked=report.entries_checked,
        ledger_problems=problems,
        seconds=seconds,
        reconcile_problems=unreconciled,
    )
