"""Stored contact facts (attorney, bankruptcy, breathing space, inconvenient hours) reach every gate request and
the real gate enforces them; ending a fact lifts it — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products, make_overdue, true_overdue_text

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.adapters.db.schema.contact_facts import contact_facts
from fairdue.domain.contact_facts import ContactFactInvalid
from fairdue.service.borrower.registry import rotate_pii_keys
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import OutgoingMessage, check_contact, request_contact
from fairdue.service.contact.facts import FactAlreadyEnded, TooManyFacts, end_fact, gate_facts, list_facts, record_fact
from fairdue.service.contact.gate_request import Restrictions
from fairdue.service.servicing.debts import debt_id_for_line

CIPHER = FieldCipher(Keyring.generate("facts"))
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "+8613800138001"
NOW = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: inside the CN window; the lines are overdue


@pytest.fixture
def lines(uow_factory, clock):
    """One borrower with two overdue credit lines (CN); the clock at NOW."""
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(uow, cipher=CIPHER, name="张三", id_number=cn_ric(1), mobile=PHONE)
        ids = [cn_line(uow, borrower_id=bid, key=f"open-{n}") for n in (1, 2)]
        uow.commit()
    make_overdue(uow_factory, ids)
    clock.set(NOW)
    return {"borrower": bid, "lines": ids}


def gate_request(account_id: int, at: datetime = NOW, **borrower) -> dict:
    return {
        "jurisdiction": "CN",
        "at": at.isoformat().replace("+00:00", "Z"),
        "channel": "sms",
        "purpose": "collection",
        "debt": {"id": debt_id_for_line(account_id), "time_barred": False},
        "recipient": {
            "role": "borrower",
            "address": PHONE,
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
            **borrower,
        },
        "history": [],
    }


def contact(uow_factory, account_id: int, at: datetime = NOW):
    text = true_overdue_text(uow_factory, account_id, at.astimezone(SHANGHAI).date())
    with uow_factory() as uow:
        return request_contact(
            uow,
            cipher=CIPHER,
            gate_request=gate_request(account_id, at),
            message=OutgoingMessage(channel="sms", recipient_address=PHONE, language="zh", text=text),
        )


def rules(outcome) -> set[tuple[str, str]]:
    return {(v["rule"], v["category"]) for v in outcome.violations}


def test_no_facts_the_contact_is_allowed(uow_factory, lines):
    outcome = contact(uow_factory, lines["lines"][0])
    assert outcome.allowed, outcome.violations
    with uow_factory() as uow:
        assert gate_facts(uow, borrower_id=lines["borrower"], account_id=lines["lines"][0], at=NOW) == {
            "inconvenient_hours": [],
            "represented_by_attorney": False,
            "bankruptcy": False,
            "breathing_space": False,
        }


@pytest.mark.parametrize(
    "kind, source, extra, rule",
    [
        ("breathing_space", "insolvency_service", {}, "CN.house.breathing_space"),
        ("bankruptcy", "court_notice", {}, "CN.house.bankruptcy"),
        (
            "attorney",
            "attorney_notice",
            {"attorney_name": "王律师", "attorney_contact": "+86 10 6500 0000"},
            "CN.house.attorney",
        ),
    ],
)
def test_a_stored_fact_denies_collection_and_ending_it_lifts_it(
    uow_factory, engine, clock, lines, kind, source, extra, rule
):
    line = lines["lines"][0]
    with uow_factory() as uow:
        fact_id = record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind=kind,
            source=source,
            recorded_by="agent.li",
            effective_from=NOW - timedelta(days=1),
            cipher=CIPHER,
            **extra,
        )
        uow.commit()
    denied = contact(uow_factory, line)
    assert not denied.allowed and denied.outbox_id is None
    assert (rule, "suppression") in rules(denied)
    assert denied.decision["violations"]
    clock.advance(hours=1)
    with uow_factory() as uow:
        end_fact(uow, fact_id=fact_id, ended_by="agent.li", reason="notice withdrawn")
        uow.commit()
    allowed = contact(uow_factory, line, at=clock())
    assert allowed.allowed, allowed.violations
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one() == 1
    with uow_factory() as uow, pytest.raises(FactAlreadyEnded):
        end_fact(uow, fact_id=fact_id, ended_by="agent.li", reason="again")


def test_a_fact_about_one_debt_does_not_reach_the_other(uow_factory, lines):
    first, second = lines["lines"]
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=lines["borrower"],
            account_id=first,
            kind="breathing_space",
            source="debt_advice_agency",
            recorded_by="agent.li",
            effective_from=NOW,
        )
        uow.commit()
    assert ("CN.house.breathing_space", "suppression") in rules(contact(uow_factory, first))
    assert contact(uow_factory, second).allowed


def test_breathing_space_ends_by_itself_after_60_days(uow_factory, clock, lines):
    line = lines["lines"][0]
    start = NOW - timedelta(days=59)
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind="breathing_space",
            source="insolvency_service",
            recorded_by="ops",
            effective_from=start,
        )
        uow.commit()
    with uow_factory() as uow:
        assert gate_facts(uow, borrower_id=lines["borrower"], account_id=line, at=NOW)["breathing_space"] is True
        [fact] = list_facts(uow, borrower_id=lines["borrower"])
    assert fact.effective_until == start + timedelta(days=60)
    later = start + timedelta(days=60)
    clock.set(later)
    assert contact(uow_factory, line, at=later).allowed


def test_inconvenient_hours_are_honoured_and_reschedule_after_the_range(uow_factory, clock, lines):
    line = lines["lines"][0]
    with uow_factory() as uow:
        fact_id = record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind="inconvenient_hours",
            source="borrower_oral",
            recorded_by="agent.li",
            hours=("09:30", "11:00"),
            effective_from=NOW - timedelta(days=1),
        )
        uow.commit()
    denied = contact(uow_factory, line)  # 10:00 local
    assert not denied.allowed
    assert {c for _r, c in rules(denied)} == {"time_window"}
    assert denied.next_allowed_at == datetime(2026, 2, 2, 3, 0, tzinfo=UTC)  # 11:00 local
    logged = denied.decision
    assert logged["violations"][0]["evidence"]["inconvenient"] == "09:30-11:00"
    with uow_factory() as uow:
        end_fact(uow, fact_id=fact_id, ended_by="agent.li", reason="borrower changed shifts")
        uow.commit()
    clock.advance(minutes=1)
    assert contact(uow_factory, line, at=clock()).allowed


def test_stored_facts_only_add_restrictions(uow_factory, lines):
    """A caller cannot lift a stored fact by sending False; its own True and hours stay."""
    line = lines["lines"][0]
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind="inconvenient_hours",
            source="borrower_written",
            recorded_by="agent.li",
            hours=("22:00", "07:00"),
            effective_from=NOW,
        )
        record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind="bankruptcy",
            source="court_notice",
            recorded_by="agent.li",
            effective_from=NOW,
        )
        proposal = gate_request(line, dispute_open=True, bankruptcy=False, inconvenient_hours=[["12:00", "13:00"]])
        merged = gate_requests.build(
            uow,
            debt_id=debt_id_for_line(line),
            recipient=PHONE,
            channel="sms",
            purpose="collection",
            at=NOW,
            restrictions=Restrictions.of_proposal(proposal),
            cipher=CIPHER,
        ).request
    assert merged["borrower"]["bankruptcy"] is True and merged["borrower"]["dispute_open"] is True
    assert merged["borrower"]["inconvenient_hours"] == [["22:00", "07:00"], ["12:00", "13:00"]]
    with uow_factory() as uow:  # a debt not on file: no jurisdiction, so the gate denies
        unknown = gate_requests.build(
            uow,
            debt_id=debt_id_for_line(999_999),
            recipient=PHONE,
            channel="sms",
            purpose="collection",
            at=NOW,
            cipher=CIPHER,
        ).request
    assert unknown["jurisdiction"] is None and unknown["recipient"]["source"] == "unknown"


def test_future_facts_do_not_count_yet(uow_factory, lines):
    line = lines["lines"][0]
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind="bankruptcy",
            source="court_notice",
            recorded_by="ops",
            effective_from=NOW + timedelta(days=2),
        )
        assert gate_facts(uow, borrower_id=lines["borrower"], account_id=line, at=NOW)["bankruptcy"] is False
        assert (
            gate_facts(uow, borrower_id=lines["borrower"], account_id=line, at=NOW + timedelta(days=2))["bankruptcy"]
            is True
        )


def test_attorney_details_are_encrypted_at_rest_and_rotate(uow_factory, engine, lines):
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=lines["borrower"],
            kind="attorney",
            source="attorney_notice",
            recorded_by="ops",
            attorney_name="Jane Roe, Esq.",
            attorney_contact="jane@law.example",
            cipher=CIPHER,
        )
        uow.commit()
    with engine.connect() as conn:
        row = conn.execute(sa.select(contact_facts)).one()
    assert "Jane" not in row.attorney_name_ct and "jane@" not in row.attorney_contact_ct
    with uow_factory() as uow:
        [fact] = list_facts(uow, borrower_id=lines["borrower"], cipher=CIPHER)
        assert (fact.attorney_name, fact.attorney_contact) == ("Jane Roe, Esq.", "jane@law.example")
        assert list_facts(uow, borrower_id=lines["borrower"], decrypt=False)[0].attorney_name is None
    rotated = FieldCipher(CIPHER.keyring.rotated("facts2"))
    with uow_factory() as uow:
        assert rotate_pii_keys(uow, cipher=rotated) >= 2  # the borrower's fields and the attorney's two
        uow.commit()
    with engine.connect() as conn:
        row = conn.execute(sa.select(contact_facts)).one()
    assert not rotated.needs_rotation(row.attorney_name_ct)
    with uow_factory() as uow:
        assert list_facts(uow, borrower_id=lines["borrower"], cipher=rotated)[0].attorney_name == "Jane Roe, Esq."


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kind": "arrest"}, "kind"),
        ({"source": "device_contacts"}, "source"),
        ({"kind": "attorney"}, "attorney_name is required"),
        ({"kind": "inconvenient_hours", "hours": ("25:00", "07:00")}, "hours.start"),
        ({"kind": "inconvenient_hours", "hours": ("09:00", "09:00")}, "differ"),
        ({"kind": "bankruptcy", "hours": ("09:00", "10:00")}, "inconvenient_hours facts only"),
        ({"effective_until": NOW - timedelta(days=1)}, "after effective_from"),
        ({"effective_from": datetime(2026, 1, 1)}, "aware instant"),
        ({"recorded_by": " "}, "recorded_by"),
    ],
)
def test_bad_facts_are_refused_with_the_field_named(uow_factory, engine, lines, change, message):
    args = {"borrower_id": lines["borrower"], "kind": "bankruptcy", "source": "court_notice", "recorded_by": "ops"}
    args.update(change)
    with uow_factory() as uow, pytest.raises(ContactFactInvalid, match=message):
        record_fact(uow, **args)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(contact_facts)).scalar_one() == 0


def test_facts_name_a_real_borrower_and_their_own_account(uow_factory, lines):
    with uow_factory() as uow:
        other = cn_borrower(uow, cipher=CIPHER, name="李四", id_number=cn_ric(2), mobile="+8613800138002")
        with pytest.raises(ContactFactInvalid, match="no account"):
            record_fact(
                uow,
                borrower_id=other,
                account_id=lines["lines"][0],
                kind="bankruptcy",
                source="court_notice",
                recorded_by="ops",
            )
        with pytest.raises(ContactFactInvalid, match="no borrower"):
            record_fact(uow, borrower_id=424242, kind="bankruptcy", source="court_notice", recorded_by="ops")


def test_inconvenient_ranges_are_capped(uow_factory, lines):
    with uow_factory() as uow:
        for i in range(24):
            record_fact(
                uow,
                borrower_id=lines["borrower"],
                kind="inconvenient_hours",
                source="borrower_oral",
                recorded_by="ops",
                hours=(f"{i:02d}:00", f"{i:02d}:30"),
            )
        with pytest.raises(TooManyFacts):
            record_fact(
                uow,
                borrower_id=lines["borrower"],
                kind="inconvenient_hours",
                source="borrower_oral",
                recorded_by="ops",
                hours=("23:40", "23:50"),
            )


ATTORNEY = "+86 10 6500 0000"


def _built_to(uow, line: int, address: str, channel: str = "sms", at: datetime = NOW) -> dict:
    return gate_requests.build(
        uow,
        debt_id=debt_id_for_line(line),
        recipient=address,
        channel=channel,
        purpose="collection",
        at=at,
        cipher=CIPHER,
    ).request


def test_the_attorney_on_file_is_the_attorney_and_may_be_contacted_reg_f_1006_6_b_2(uow_factory, clock, lines):
    """Only a stored attorney fact makes an address the attorney's: the request names role attorney, on file, and
    the represented borrower's debt may be discussed with them (the suppression names the borrower, not them)."""
    line, other = lines["lines"]
    with uow_factory() as uow:
        fact_id = record_fact(
            uow,
            borrower_id=lines["borrower"],
            account_id=line,
            kind="attorney",
            source="attorney_notice",
            recorded_by="agent.li",
            effective_from=NOW - timedelta(days=1),
            attorney_name="王律师",
            attorney_contact=ATTORNEY,
            cipher=CIPHER,
        )
        uow.commit()
    with uow_factory() as uow:
        built = _built_to(uow, line, "+861065000000")  # the same number, spelled another way
        about_other_debt = _built_to(uow, other, "+861065000000")
        stranger = _built_to(uow, line, "+861065000001")
    assert built["recipient"]["role"] == "attorney" and built["recipient"]["source"] == "self_provided"
    assert built["recipient"]["address"] == ATTORNEY and built["borrower"]["represented_by_attorney"] is True
    decision = check_contact(built)
    assert not [v for v in decision["violations"] if v["category"] == "suppression"], decision["violations"]
    # The fact is about one debt: for the borrower's other debt the number is a stranger's, as is any other number.
    assert (
        about_other_debt["recipient"]["role"] == "third_party" and about_other_debt["recipient"]["source"] == "unknown"
    )
    assert stranger["recipient"]["role"] == "third_party"
    clock.advance(hours=1)
    with uow_factory() as uow:
        end_fact(uow, fact_id=fact_id, ended_by="agent.li", reason="representation ended")
        uow.commit()
    with uow_factory() as uow:
        ended = _built_to(uow, line, ATTORNEY, at=clock())
    assert ended["recipient"]["role"] == "third_party"
    assert not check_contact(ended)["allowed"]
