"""`fairdue bench delivery`: the cost of lawful delivery against a plain-commit floor, same engine, same run.

N contacts go through the whole path: the real policy gate, the hash-chained
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
from datetime import UTC, datetime

import typer

from fairdue.adapters.channels.devservers import StubProvider
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.migrate import migrate
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.policy import decide
from fairdue.service.contact.decision_log import DecisionLookup, verify_log
from fairdue.service.contact.dispatcher import Dispatcher, DispatchPolicy
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

TEXT = (
    "【示例消费金融】尊敬的客户，您尾号8000的账户本期应还 1,234.56 元已逾期 3 天，请通过示例消费金融 App "
    "或官方客服 400-000-0000 还款；如有异议或需协商还款，请致电 400-000-0000。退订回T"
)


def _request(i: int) -> tuple[str, dict]:
    address = f"+86138{i:08d}"
    return address, {
        "jurisdiction": "CN",
        "at": "2026-03-02T02:00:00Z",
        "channel": "sms",
        "purpose": "collection",
        "debt": {"id": f"BENCH-{i}", "time_barred": False},
        "recipient": {
            "role": "borrower",
            "address": address,
            "source": "contract",
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "borrower": {
            "time_zones": ["Asia/Shanghai"],
            "inconvenient_hours": [],
            "cease_requested": False,
            "represented_by_attorney": False,
            "dispute_open": False,
            "plan_active": False,
            "bankruptcy": False,
            "breathing_space": False,
        },
        "history": [],
        "message": {"language": "zh", "text": TEXT},
    }


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

        start = time.perf_counter()
        allowed = 0
        for i in range(contacts):
            address, request = _request(i)
            with UnitOfWork(engine, clock=clock) as uow:
                allowed += request_contact(
                    uow,
                    gate_request=request,
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
