"""`fairdue bench delivery`: the cost of lawful delivery against a plain-commit floor, same engine, same run.

N contacts go through the whole path: the request built from stored facts (one seeded borrower and
credit line each, not timed), the real policy gate, the hash-chained
decision log (head row locked), the encrypted outbox row, one transaction
each; then `verify_log` over the chain; then the dispatcher delivers all N to
a local stub provider on 127.0.0.1 (claim with lease, decision check, send with
idempotency key, mark). The floor is N one-row INSERT transactions into a
scratch table on the same database: what any durable per-contact write costs.
Default database: a temporary SQLite file (pass --database-url for PostgreSQL;
the database must be empty or fairdue's own, it is migrated).
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, date, datetime

import typer

from fairdue.adapters.channels.devservers import StubProvider
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.migrate import migrate
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import cn_ric_check_digit
from fairdue.domain.money import Money
from fairdue.policy import decide
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.decision_log import DecisionLookup, verify_log
from fairdue.service.contact.dispatcher import Dispatcher, DispatchPolicy
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.products import load_product_file

TEXT = (
    "【示例消费金融】尊敬的客户，您的账户月度对账单已生成，请通过示例消费金融 App 或官方客服 400-000-0000 查看；"
    "如有异议请致电 400-000-0000。退订回T"
)
SEED_CHUNK = 500  # borrowers registered per transaction while seeding (not timed)


def _seed(engine, clock, cipher: FieldCipher, contacts: int) -> list[tuple[str, str]]:
    """One CN borrower with one credit line per contact (not timed): (debt id, mobile) each. Contacts are built
    from stored facts (fairdue.service.contact.gate_request), so each needs a stored debt and borrower."""
    out: list[tuple[str, str]] = []
    with UnitOfWork(engine, clock=clock) as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        uow.commit()
    for start in range(0, contacts, SEED_CHUNK):
        with UnitOfWork(engine, clock=clock) as uow:
            for i in range(start, min(contacts, start + SEED_CHUNK)):
                mobile = f"+86138{i:08d}"
                first17 = f"110105{1950 + (i // 7000) % 50}01{1 + i % 28:02d}{i % 1000:03d}"
                bid = register_borrower(
                    uow,
                    data={
                        "name": f"测试{i}",
                        "id_number": first17 + cn_ric_check_digit(first17),
                        "postal_region": "CN-11",
                        "mobiles": [{"number": mobile, "source": "contract"}],
                    },
                    cipher=cipher,
                )
                line = open_account(
                    uow,
                    borrower_id=bid,
                    product_code="cn-ecard-std",
                    limit=Money(2_000_000, "CNY"),
                    cycle_day=5,
                    opened_on=date(2026, 1, 2),
                    key=f"bench-open-{i}",
                ).id
                out.append((debt_id_for_line(line), mobile))
            uow.commit()
    return out


def run(contacts: int, database_url: str | None) -> dict:
    import sqlalchemy as sa

    tmp = None
    if database_url is None:
        tmp = tempfile.TemporaryDirectory(prefix="fairdue-bench-delivery-")
        database_url = f"sqlite:///{tmp.name}/bench.db"
    engine = make_engine(database_url)
    try:
        migrate(engine)
        clock = lambda: datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # noqa: E731  (10:00 in Shanghai)
        cipher = FieldCipher(Keyring.generate("bench"))
        scratch = sa.Table(
            "bench_delivery_floor",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("payload", sa.Text),
        )
        scratch.drop(engine, checkfirst=True)
        scratch.create(engine)
        start = time.perf_counter()
        for _ in range(contacts):
            with UnitOfWork(engine, clock=clock) as uow:
                uow.connection.execute(scratch.insert().values(payload=TEXT))
                uow.commit()
        floor_s = time.perf_counter() - start
        scratch.drop(engine)

        debts = _seed(engine, clock, cipher, contacts)
        start = time.perf_counter()
        allowed = 0
        for debt_id, address in debts:
            with UnitOfWork(engine, clock=clock) as uow:
                built = gate_requests.build(
                    uow,
                    debt_id=debt_id,
                    recipient=address,
                    channel="sms",
                    purpose="service",
                    at=clock(),
                    cipher=cipher,
                )
                allowed += request_contact(
                    uow,
                    gate_request=built,
                    decide=decide,
                    cipher=cipher,
                    message=OutgoingMessage(channel="sms", recipient_address=address, language="zh", text=TEXT),
                ).allowed
        contact_s = time.perf_counter() - start
        if allowed != contacts:
            raise typer.BadParameter(f"the gate allowed {allowed} of {contacts} bench contacts; the bench expects all")

        start = time.perf_counter()
        with UnitOfWork(engine, clock=clock) as uow:
            verification = verify_log(uow)
        verify_s = time.perf_counter() - start

        with StubProvider(api_key="bench") as provider:
            adapter = HttpProviderAdapter(
                "sms", base_url=provider.url, api_key="bench", decisions=DecisionLookup(engine)
            )
            dispatcher = Dispatcher(
                lambda: UnitOfWork(engine, clock=clock),
                {"sms": adapter},
                cipher=cipher,
                policy=DispatchPolicy(batch_max=50),
            )
            start = time.perf_counter()
            report = dispatcher.run_until_idle()
            dispatch_s = time.perf_counter() - start
            delivered = len(provider.deliveries)
    finally:
        engine.dispose()
        if tmp is not None:
            tmp.cleanup()
    return {
        "database": engine.dialect.name,
        "contacts": contacts,
        "floor_commits_per_s": round(contacts / floor_s),
        "contacts_per_s": round(contacts / contact_s),
        "contact_cost_vs_floor": round(contact_s / floor_s, 2),
        "verify_decisions_per_s": round(verification.checked / verify_s),
        "chain_intact": verification.ok,
        "dispatch_msgs_per_s": round(delivered / dispatch_s),
        "dispatch_cost_vs_floor": round(dispatch_s / floor_s, 2),
        "delivered_once": delivered == contacts == report.sent,
    }


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("delivery")
    def delivery(
        contacts: int = typer.Option(1000, "--contacts", min=1, help="Contacts decided, logged and delivered."),
        database_url: str = typer.Option(None, "--database-url", help="Default: a temporary SQLite file."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object."),
    ) -> None:
        """Gate + decision log + encrypted outbox + dispatch, against a one-insert-per-commit floor."""
        result = run(contacts, database_url)
        if as_json:
            typer.echo(json.dumps(result))
            return
        for key, value in result.items():
            typer.echo(f"{key:26} {value}")
