"""Helpers for web tests (e2e and browser): build the app over a test engine and clock,
add staff users, log in. Kept in the package so every test layer shares one version."""

from __future__ import annotations

from typing import Any

from fairdue.web.app import WebConfig, create_app

STAFF_PASSWORD = "correct horse battery"
TEST_SECRET = b"test-secret-key-for-hmac-only-32b"


def make_core(engine: Any, clock: Any):
    from fairdue.bootstrap import App
    from fairdue.config import Settings

    return App(settings=Settings(database_url=str(engine.url)), engine=engine, clock=clock)


def make_app(engine: Any, clock: Any, **hooks: Any):
    """The web app over a migrated engine; hooks (find_borrower, deliver_code) go on app.state."""
    from fairdue.adapters.crypto import FieldCipher, Keyring

    app = create_app(
        make_core(engine, clock),
        # The development switch for plain HTTP: TestClient and the browser tests talk http:// to 127.0.0.1 /
        # testserver, where a Secure `__Host-` cookie would never be sent back (tests/security covers the default).
        # No API-wide request limit: a test may make thousands of requests as one client (tests/security turn it on).
        web_config=WebConfig(secret_key=TEST_SECRET, dev_http=True, api_rate_limit=None, code_request_floor_ms=0),
        cipher=FieldCipher(Keyring.generate("test")),
    )
    # Staff added here log in by password alone (staff_token); the second factor's own tests turn this back on
    # (tests/security/test_auth_staff_accounts.py), as every real app has it (fairdue.web.auth).
    app.state.second_factor_enforced = False
    for name, value in hooks.items():
        setattr(app.state, name, value)
    return app


def add_staff(app: Any, username: str, *roles: str, display_name: str | None = None) -> int:
    from fairdue.service.staff.auth import create_staff

    core = app.state.core
    with core.uow_factory() as uow:
        staff_id = create_staff(
            uow,
            username=username,
            display_name=display_name or username,
            password=STAFF_PASSWORD,
            roles=roles,
            now=uow.clock(),
        )
        uow.commit()
    return staff_id


def staff_token(client: Any, username: str) -> dict[str, str]:
    """Log in over the API; returns the Authorization header for the session."""
    r = client.post("/api/v1/auth/staff/sessions", json={"username": username, "password": STAFF_PASSWORD})
    if r.status_code != 201:
        raise RuntimeError(f"login of {username} failed: {r.status_code} {r.text}")
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def add_borrower_row(engine: Any, *, region: str = "CN", now: Any = None) -> str:
    """A minimal borrowers row (opaque placeholder ciphertexts) for tests that only need an id and a
    jurisdiction; flows that need a real profile use the borrowers service."""
    import datetime as dt
    import secrets

    import sqlalchemy as sa

    from fairdue.adapters.db.schema.accounts import borrowers

    with engine.begin() as conn:
        return str(
            conn.execute(
                sa.insert(borrowers)
                .values(
                    name_ct="test:" + secrets.token_hex(8),
                    id_kind="cn_ric",
                    id_number_ct="test:" + secrets.token_hex(8),
                    id_number_bidx=secrets.token_hex(32),
                    postal_region=region,
                    language="zh-CN",
                    time_zones="Asia/Shanghai",
                    created_at=now or dt.datetime.now(dt.UTC),
                )
                .returning(borrowers.c.id)
            ).scalar_one()
        )


def borrower_session(app: Any, borrower_id: str) -> dict[str, str]:
    """Open a borrower session directly (the one-time-code flow has its own tests); returns the header."""
    from fairdue.service.staff.auth import _open_session

    core = app.state.core
    with core.uow_factory() as uow:
        new = _open_session(
            uow, kind="borrower", staff_id=None, borrower_id=int(borrower_id), now=uow.clock(), ttl_s=3600
        )
        uow.commit()
    return {"Authorization": f"Bearer {new.token}"}


def cn_resident_id(sequence: int, birth: str = "19900307", area: str = "110101") -> str:
    """A checksum-valid (GB 11643) China resident ID number for test borrowers."""
    body = f"{area}{birth}{sequence % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def register_cn_borrower(app: Any, *, name: str, mobile: str, sequence: int = 1) -> str:
    """A real borrower through the borrowers service (encrypted PII); returns the id as text."""
    from fairdue.service.borrower.registry import register_borrower

    data = {
        "name": name,
        "id_number": cn_resident_id(sequence),
        "postal_region": "CN-11",
        "mobiles": [{"number": mobile, "source": "contract"}],
    }
    with app.state.core.uow_factory() as uow:
        bid = register_borrower(uow, data=data, cipher=app.state.cipher)
        uow.commit()
    return str(bid)


def seed_portal_borrower(
    app: Any,
    *,
    name: str = "张伟",
    mobile: str = "+8613800138000",
    sequence: int = 1,
    plan: str = "6",
    amount: str = "3000.00",
) -> dict[str, Any]:
    """A CN borrower with an e-card line, one installment purchase and a closed statement, through the
    real services (shipped product, encrypted PII). Returns {"borrower_id", "line_id", "debt_id"}."""
    import datetime as dt

    from fairdue.domain.money import Money
    from fairdue.products import shipped_product_files
    from fairdue.service.servicing.accounts import open_account
    from fairdue.service.servicing.debts import debt_id_for_line
    from fairdue.service.servicing.products import UnknownProduct, get_product, load_product_file
    from fairdue.service.servicing.purchases import purchase
    from fairdue.service.servicing.statements import generate_statement

    bid = register_cn_borrower(app, name=name, mobile=mobile, sequence=sequence)
    with app.state.core.uow_factory() as uow:
        try:
            get_product(uow, code="cn-ecard-std")
        except UnknownProduct:
            for path in shipped_product_files():
                load_product_file(uow, path=path)
        line = open_account(
            uow,
            borrower_id=int(bid),
            product_code="cn-ecard-std",
            limit=Money.parse("20000", "CNY"),
            cycle_day=5,
            opened_on=dt.date(2025, 11, 1),
            key=f"test-open-{bid}",
        )
        purchase(
            uow,
            line_id=line.id,
            amount=Money.parse(amount, "CNY"),
            purchased_on=dt.date(2025, 11, 10),
            key=f"test-buy-{bid}",
            plan=plan,
            merchant="手机商城",
        )
        generate_statement(uow, line_id=line.id, statement_on=dt.date(2025, 12, 5))
        generate_statement(uow, line_id=line.id, statement_on=dt.date(2026, 1, 5))
        uow.commit()
    return {"borrower_id": bid, "line_id": line.id, "debt_id": debt_id_for_line(line.id)}


def gate_contact(
    app: Any,
    *,
    debt_id: str,
    address: str,
    text: str,
    role: str = "borrower",
    source: str = "contract",
    at: str = "2026-01-15T02:00:00Z",
    purpose: str = "collection",
) -> Any:
    """A contact through the real gate and contact service (logged, queued if allowed)."""
    from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

    request = {
        "jurisdiction": "CN",
        "at": at,
        "channel": "sms",
        "purpose": purpose,
        "debt": {"id": debt_id, "time_barred": False},
        "recipient": {
            "role": role,
            "address": address,
            "source": source,
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "borrower": {"time_zones": ["Asia/Shanghai"]},
        "history": [],
        "message": {"language": "zh", "text": text},
    }
    with app.state.core.uow_factory() as uow:
        return request_contact(
            uow,
            gate_request=request,
            cipher=app.state.cipher,
            message=OutgoingMessage(channel="sms", recipient_address=address, language="zh", text=text),
        )


LAWFUL_CN_TEXT = (
    "【示例消费金融】您好，您的分期账单已逾期。请通过本公司官方App或官方客服热线95000还款；"
    "如暂时无力全额还款，可致电95000申请个性化分期。如有异议请致电95000。回复TD退订。"
)


def seed_overdue_case(app: Any, *, agents: tuple[int, ...], now: Any, sequence: int = 3, key: str = "case") -> int:
    """The console tests' world: shipped products; one CN line (张伟, 3,000.00 in three zero-fee installments
    bought 2026-01-03, the first due 01-26) overdue after day-end through 01-30 (bucket M1); a team "early" of
    `agents`; the collections engine run at `now` (the case and its call task). Leaves the clock at `now`.
    Returns the line id."""
    import datetime as dt

    from fairdue.domain.money import Money
    from fairdue.products import shipped_product_files
    from fairdue.service import jobs
    from fairdue.service.borrower.registry import register_borrower
    from fairdue.service.collections import engine as coll
    from fairdue.service.dayend.runner import run_day_end
    from fairdue.service.servicing.accounts import open_account
    from fairdue.service.servicing.products import load_product_file
    from fairdue.service.servicing.purchases import purchase

    factory = app.state.core.uow_factory
    with factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        bid = register_borrower(
            uow,
            data={
                "name": "张伟",
                "id_number": cn_resident_id(sequence),
                "postal_region": "CN-11",
                "mobiles": [{"number": "+8613800138000", "source": "contract"}],
            },
            cipher=app.state.cipher,
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code="cn-ecard-std",
            limit=Money(2_000_000, "CNY"),
            cycle_day=5,
            opened_on=dt.date(2026, 1, 2),
            key=f"open-{key}",
        ).id
        purchase(
            uow,
            line_id=line,
            amount=Money(300_000, "CNY"),
            purchased_on=dt.date(2026, 1, 3),
            key=f"buy-{key}",
            plan="3-zero_fee",
        )
        coll.create_team(uow, code="early", name="Early", buckets="*", staff_ids=agents)
        uow.commit()
    run_day_end(factory, through_on=dt.date(2026, 1, 30))
    app.state.core.clock.set(now)  # the tests' TestClock
    jobs.run_engine(factory, business_on=now.date(), now_at=now, cipher=app.state.cipher)
    return line


def case_and_call_task(engine: Any, line_id: int) -> tuple[int, int]:
    """(case id, call task id) of the case `seed_overdue_case` opened for the line."""
    import sqlalchemy as sa

    from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_cases

    with engine.connect() as conn:
        case_id = conn.execute(sa.select(coll_cases.c.id).where(coll_cases.c.account_id == line_id)).scalar_one()
        task = (
            conn.execute(
                sa.select(coll_actions.c.id).where(coll_actions.c.case_id == case_id, coll_actions.c.status == "task")
            )
            .scalars()
            .first()
        )
    assert task is not None, "the strategy's M1 call step should have become a call task"
    return case_id, task


def staff_audit_rows(engine: Any) -> list[dict]:
    """Every row of the staff audit trail, oldest first, with its details parsed."""
    import json

    import sqlalchemy as sa

    from fairdue.adapters.db.schema.staff_audit import staff_audit

    with engine.connect() as conn:
        rows = conn.execute(sa.select(staff_audit).order_by(staff_audit.c.id)).all()
    return [{**r._mapping, "details": json.loads(r.details)} for r in rows]


def assert_no_pii(rows: list[dict], fragments: tuple[str, ...]) -> None:
    """No fragment of personal data in the details of the audit rows."""
    import json

    text = json.dumps([r["details"] for r in rows], ensure_ascii=False)
    assert not any(fragment in text for fragment in fragments), text
