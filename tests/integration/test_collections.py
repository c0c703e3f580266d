"""The collections engine on storage (SQLite and PostgreSQL): day-end events open and move cases, due steps pass the
real policy gate from stored facts, denials are rescheduled, promises pause the cadence, plans suppress it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_strategy_assignments
from fairdue.adapters.db.schema.web import staff_users
from fairdue.domain.instants import format_utc
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service import jobs
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.collections import engine as coll
from fairdue.service.collections.promises import promises_of, record_promise
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.plans import accept_plan, propose_plans_for_account, revert_plan
from fairdue.service.servicing.products import load_product_file
from fairdue.service.servicing.purchases import purchase

CIPHER = FieldCipher(Keyring.generate("coll"))


def _ric(n: int) -> str:
    from fairdue.domain.borrowers import cn_ric_check_digit

    first17 = f"11010519900101{n:03d}"
    return first17 + cn_ric_check_digit(first17)


def _staff(uow, name: str) -> int:
    return uow.connection.execute(
        staff_users.insert()
        .values(username=name, display_name=name, password_hash="x", active=True, created_at=uow.clock())
        .returning(staff_users.c.id)
    ).scalar_one()


def _line(uow, n: int) -> int:
    bid = register_borrower(
        uow,
        data={
            "name": "张三" if n == 1 else f"李四{n}",
            "id_number": _ric(n),
            "postal_region": "CN-11",
            "mobiles": [{"number": f"1380013{8000 + n:04d}", "source": "contract"}],
            "emails": [{"address": f"b{n}@example.com", "source": "registration"}],
            "address": "北京市东城区示例路1号",
        },
        cipher=CIPHER,
    )
    line = open_account(
        uow,
        borrower_id=bid,
        product_code="cn-ecard-std",
        limit=Money(2_000_000, "CNY"),
        cycle_day=5,
        opened_on=date(2026, 1, 2),
        key=f"open-{n}",
    )
    purchase(
        uow,
        line_id=line.id,
        amount=Money(300_000, "CNY"),
        purchased_on=date(2026, 1, 3),
        key=f"p{n}",
        plan="3-zero_fee",
    )
    return line.id


@pytest.fixture
def world(uow_factory):
    """Two lines overdue since 2026-01-30 (due 1-26, grace 3), a team of two agents."""
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        lines = [_line(uow, 1), _line(uow, 2)]
        agents = [_staff(uow, "agent-a"), _staff(uow, "agent-b")]
        coll.create_team(uow, code="early", name="Early", buckets="*", staff_ids=tuple(agents))
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 30))
    return {"lines": lines, "agents": agents}


def _run(uow_factory, clock, on: date, at: datetime):
    clock.set(at)
    return jobs.run_engine(uow_factory, business_on=on, now_at=at, cipher=CIPHER)


def test_overdue_opens_one_case_per_line_with_a_stable_variant_and_balanced_agents(uow_factory, world):
    assert coll.consume_events(uow_factory) > 0
    assert coll.consume_events(uow_factory) == 0  # the cursor: nothing twice
    with uow_factory() as uow:
        cases = coll.list_cases(uow)
        assert sorted(c.account_id for c in cases) == sorted(world["lines"])
        assert {c.bucket for c in cases} == {"M1"} and {c.opened_on for c in cases} == {date(2026, 1, 30)}
        assert sorted(c.agent_id for c in cases) == sorted(world["agents"])  # least open cases first
        variants = dict(
            uow.connection.execute(
                sa.select(coll_strategy_assignments.c.account_id, coll_strategy_assignments.c.variant)
            ).all()
        )
        assert all(coll.actions_of(uow, case_id=c.id) for c in cases)
    from fairdue.domain.collections.strategy import assign_variant, builtin_strategies

    s = builtin_strategies()["CN-DEFAULT"]
    assert variants == {line: assign_variant(s, str(line)) for line in world["lines"]}


def test_due_steps_pass_the_gate_in_hours_and_are_rescheduled_out_of_hours(uow_factory, clock, world, engine):
    # 2026-02-05 22:30 Shanghai = 14:30 UTC: every due step (SMS or call) is outside 08:00-21:00.
    late = _run(uow_factory, clock, date(2026, 2, 5), datetime(2026, 2, 5, 14, 30, tzinfo=UTC))
    assert late.sent == 0 and late.denial_categories.get("time_window", 0) >= 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one() == 0
        rows = conn.execute(sa.select(coll_actions).where(coll_actions.c.attempts > 0)).all()
    assert rows
    for r in rows:
        assert r.decision_seq is not None
        assert r.next_allowed_at == datetime(2026, 2, 6, 0, 0, tzinfo=UTC)  # 08:00 Shanghai
        assert r.status in ("rescheduled", "task")
    with uow_factory() as uow:
        tasks = [t for a in world["agents"] for t in coll.agent_queue(uow, agent_id=a)]
    for t in tasks:
        assert not t.allowed and t.next_allowed_at == datetime(2026, 2, 6, tzinfo=UTC) and t.reasons
    assert tasks  # line 1's variant has a call on day 3 of M1
    # The agent asks again at 10:00 local the next day: now allowed, and logged.
    clock.set(datetime(2026, 2, 6, 2, 0, tzinfo=UTC))
    with uow_factory() as uow:
        again = coll.judge_call_task(uow, action_id=tasks[0].action_id, at=clock(), cipher=CIPHER)
        uow.commit()
    assert again.allowed and again.next_allowed_at is None and again.reasons == ()
    # The next morning at 10:30 local the rescheduled messages go out, judged again.
    morning = _run(uow_factory, clock, date(2026, 2, 6), datetime(2026, 2, 6, 2, 30, tzinfo=UTC))
    assert morning.sent == late.rescheduled
    with engine.connect() as conn:
        n_out = conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one()
        texts = conn.execute(sa.select(outbox_messages.c.channel, outbox_messages.c.language)).all()
    assert n_out == morning.sent and all(lang == "zh" for _, lang in texts)


def test_a_pending_promise_pauses_the_cadence_and_a_broken_one_resumes_it(uow_factory, clock, world):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with uow_factory() as uow:
        pid = record_promise(
            uow,
            account_id=line,
            amount=Money(50_000, "CNY"),
            promised_on=date(2026, 2, 3),
            business_on=date(2026, 1, 31),
        )
        uow.commit()
    paused = _run(uow_factory, clock, date(2026, 2, 2), datetime(2026, 2, 2, 2, 30, tzinfo=UTC))
    assert paused.paused >= 1
    with uow_factory() as uow:
        case = coll.open_case_of(uow, account_id=line)
        assert all(a.attempts == 0 for a in coll.actions_of(uow, case_id=case.id))
    resumed = _run(uow_factory, clock, date(2026, 2, 4), datetime(2026, 2, 4, 2, 30, tzinfo=UTC))
    assert resumed.promises_broken == 1
    with uow_factory() as uow:
        assert [p.status for p in promises_of(uow, account_id=line)] == ["broken"]
        case = coll.open_case_of(uow, account_id=line)
        assert any(a.attempts > 0 for a in coll.actions_of(uow, case_id=case.id))
    assert pid


def test_a_kept_promise_is_recognised_from_payments(uow_factory, clock, world):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with uow_factory() as uow:
        record_promise(
            uow,
            account_id=line,
            amount=Money(50_000, "CNY"),
            promised_on=date(2026, 2, 3),
            business_on=date(2026, 1, 31),
        )
        pay(uow, line_id=line, amount=Money(60_000, "CNY"), received_on=date(2026, 2, 2), key="pay-1")
        uow.commit()
    summary = _run(uow_factory, clock, date(2026, 2, 2), datetime(2026, 2, 2, 2, 30, tzinfo=UTC))
    assert summary.promises_kept == 1


def test_dispute_and_cease_are_fed_to_the_gate_and_suppress_contact(uow_factory, clock, world, engine):
    coll.consume_events(uow_factory)
    a, b = world["lines"]
    with uow_factory() as uow:
        coll.open_dispute(uow, account_id=a, reason="不认可这笔消费")
        bid = uow.connection.execute(
            sa.text("SELECT borrower_id FROM credit_lines WHERE id = :i"), {"i": b}
        ).scalar_one()
        coll.record_cease(uow, borrower_id=bid, channel="all", source="written")
        uow.commit()
    summary = _run(uow_factory, clock, date(2026, 2, 6), datetime(2026, 2, 6, 2, 30, tzinfo=UTC))
    # The disputed line is suspended by the engine (its steps stay planned); the ceased borrower's steps are
    # judged and denied by the gate (suppression), letters excepted by the CN pack (none due yet).
    assert summary.sent == 0 and summary.paused >= 1 and summary.denial_categories.get("suppression", 0) >= 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one() == 0
    with uow_factory() as uow:
        disputed = coll.open_case_of(uow, account_id=a)
        assert all(x.attempts == 0 for x in coll.actions_of(uow, case_id=disputed.id))
        dispute_id = uow.connection.execute(sa.text("SELECT id FROM coll_disputes")).scalar_one()
        coll.resolve_dispute(uow, dispute_id=dispute_id, resolution="消费属实")
        uow.commit()
    resumed = _run(uow_factory, clock, date(2026, 2, 6), datetime(2026, 2, 6, 3, 0, tzinfo=UTC))
    assert resumed.paused == 0 and resumed.sent + resumed.tasks >= 1


def test_device_contact_list_number_is_denied_and_never_queued(uow_factory, clock, world, engine):
    clock.set(datetime(2026, 2, 6, 2, 30, tzinfo=UTC))
    with uow_factory() as uow:
        # A number not on file for the debt, however the caller labels it, is a third party of unknown source.
        outcome = request_contact(
            uow,
            gate_request={
                "debt": {"id": debt_id_for_line(world["lines"][0])},
                "purpose": "location",
                "channel": "sms",
                "at": format_utc(clock()),
                "recipient": {"role": "borrower", "address": "+8613900139000", "source": "contract"},
            },
            message=OutgoingMessage(
                channel="sms", recipient_address="+8613900139000", language="zh", text="您好，请转告张三尽快联系我们。"
            ),
            cipher=CIPHER,
        )
    with engine.connect() as conn:
        recipient = json.loads(conn.execute(sa.select(decision_log.c.record)).scalar_one())["request"]["recipient"]
    assert (recipient["role"], recipient["source"]) == ("third_party", "unknown")
    assert not outcome.allowed and outcome.outbox_id is None
    assert any(v["category"] == "data_source" for v in outcome.violations)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(decision_log)).scalar_one() == 1


def test_plan_suppresses_collection_is_reversible_and_a_missed_installment_reopens_the_case(uow_factory, clock, world):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with uow_factory() as uow:
        proposals = propose_plans_for_account(
            uow, account_id=line, monthly_income_minor=800_000, monthly_expenses_minor=700_000, as_of=date(2026, 2, 1)
        )
        waive = next(p for p in proposals if p.kind == "freeze_waive")
        assert waive.waived_fees_minor > 0  # the late fee of 1-30
        fees_before = ledger.balance(uow, f"cl:{line}:fees")
        pid = accept_plan(uow, account_id=line, proposal=waive, business_on=date(2026, 2, 1))
        assert coll.open_case_of(uow, account_id=line) is None
        assert ledger.balance(uow, f"cl:{line}:fees") == fees_before - Money(waive.waived_fees_minor, "CNY")
        revert_plan(uow, plan_id=pid, business_on=date(2026, 2, 1))
        assert ledger.balance(uow, f"cl:{line}:fees") == fees_before
        assert coll.open_case_of(uow, account_id=line) is not None
        pid = accept_plan(uow, account_id=line, proposal=waive, business_on=date(2026, 2, 1))
        assert ledger.verify(uow).ok
        uow.commit()
    # While the plan is honoured nothing about this line is contacted.
    quiet = _run(uow_factory, clock, date(2026, 2, 6), datetime(2026, 2, 6, 2, 30, tzinfo=UTC))
    with uow_factory() as uow:
        assert coll.open_case_of(uow, account_id=line) is None
    first_due = waive.rows[0].due_on
    after = first_due.toordinal() + 1
    on = date.fromordinal(after)
    broken = _run(uow_factory, clock, on, datetime(on.year, on.month, on.day, 2, 30, tzinfo=UTC))
    assert broken.plans_broken == 1 and quiet.plans_broken == 0
    with uow_factory() as uow:
        case = coll.open_case_of(uow, account_id=line)
        assert case is not None and case.opened_on == on


def test_m2_letter_carries_the_art69_fields_and_a_step_without_an_address_is_skipped_not_fatal(
    uow_factory, clock, world, engine
):
    a, b = world["lines"]
    with uow_factory() as uow:  # line b's borrower loses every mobile number: its SMS / call steps cannot be taken
        bid = uow.connection.execute(
            sa.text("SELECT borrower_id FROM credit_lines WHERE id = :i"), {"i": b}
        ).scalar_one()
        uow.connection.execute(sa.text("DELETE FROM borrower_phones WHERE borrower_id = :b"), {"b": bid})
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 6))  # DPD 31 on 2-26: M2
    summary = _run(uow_factory, clock, date(2026, 3, 6), datetime(2026, 3, 6, 2, 30, tzinfo=UTC))
    assert summary.skipped >= 1
    with uow_factory() as uow:
        case = coll.open_case_of(uow, account_id=a)
        assert case.bucket == "M2"
        letters = [x for x in coll.actions_of(uow, case_id=case.id) if x.channel == "letter"]
        assert letters and all(x.status == "sent" for x in letters)
        skipped = [
            x
            for x in coll.actions_of(uow, case_id=coll.open_case_of(uow, account_id=b).id)
            if x.status == "skipped" and x.verdict and "no address" in x.verdict
        ]
        assert skipped
    with engine.connect() as conn:
        payloads = (
            conn.execute(sa.select(outbox_messages.c.payload_enc).where(outbox_messages.c.channel == "letter"))
            .scalars()
            .all()
        )
    assert payloads and all(p for p in payloads)
    import json

    from fairdue.adapters.db.schema.collections import OUTBOX_CONTEXTS

    letter = json.loads(CIPHER.decrypt(payloads[0], context=OUTBOX_CONTEXTS["payload_enc"]))
    assert letter["borrower_name"] == "张三" and letter["balance_minor"] > 300_000 and letter["objection_route"]
