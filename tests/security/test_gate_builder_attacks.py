"""Red team of the one gate-request builder (fairdue.service.contact.gate_request.build) and its callers.

Attacker: an agent or supervisor in the console, an internal/API caller handing `request_contact` a dict, a borrower.
Goal: an outbox row (or a call judged allowed) that the stored facts forbid, or a request that carries facts other
than the stored ones. Each test is named after the attack and the law it would break; a test that fails shows a
defect that exists now, a test that passes shows an attack that held.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import add_staff, make_app, staff_token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from portfolio_helpers import overdue_cn_line, true_overdue_text

from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.domain.money import Money
from fairdue.service.borrower.registry import (
    add_emergency_contact,
    register_borrower,
    withdraw_emergency_consent,
)
from fairdue.service.collections import engine as coll
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.debts import debt_id_for_line

MORNING = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
OWN = "+8613800138000"
OWN_EMAIL = "zhang.san@example.com"
OTHER = "+8613700137000"  # another borrower's own number
EC = "+8613900139077"  # the borrower's emergency contact


def _queued(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one()


def _last_decision(engine) -> dict:
    with engine.connect() as conn:
        row = conn.execute(sa.select(decision_log.c.record).order_by(decision_log.c.seq.desc()).limit(1)).scalar_one()
    return json.loads(row)


def _assign_open_cases(engine, agent_id: int, *lines: int) -> None:
    """Open collection cases of `lines` assigned to the agent (setup only): since issue 16 an agent composes only
    for accounts whose open case is theirs (tests/security/test_access_case_assignment.py); the attacks below are
    the gate's, made by the agent a case is assigned to."""
    from fairdue.adapters.db.schema.collections_engine import coll_cases

    with engine.begin() as conn:
        for line in lines:
            conn.execute(
                sa.insert(coll_cases).values(
                    account_id=line,
                    opened_on=MORNING.date(),
                    opened_at=MORNING,
                    bucket="M1",
                    bucket_entered_on=MORNING.date(),
                    dpd=7,
                    status="open",
                    agent_id=agent_id,
                )
            )


@pytest.fixture
def world(engine, clock):
    app = make_app(engine, clock)
    ag_id = add_staff(app, "ag", "agent")
    add_staff(app, "sup", "supervisor")
    add_staff(app, "comp", "compliance")
    factory = app.state.core.uow_factory
    bid, line = overdue_cn_line(factory, cipher=app.state.cipher, mobile=OWN, email=OWN_EMAIL, sequence=1)
    # a second borrower with a line of their own
    bid2, line2 = overdue_cn_line(factory, cipher=app.state.cipher, mobile=OTHER, sequence=2)
    _assign_open_cases(engine, ag_id, line, line2)
    clock.set(MORNING)
    text = true_overdue_text(factory, line, MORNING.date())
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "engine": engine,
            "clock": clock,
            "bid": bid,
            "line": line,
            "bid2": bid2,
            "line2": line2,
            "text": text,
            "ag": staff_token(client, "ag"),
        }


def _form(w, **over) -> dict:
    form = {
        "template": "cn_overdue_zh",
        "channel": "sms",
        "purpose": "collection",
        "address": f"acct:{w['line']}",
        "debt_id": debt_id_for_line(w["line"]),
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": w["text"],
    }
    form.update(over)
    return form


def _built(w, **kw):
    args = {
        "debt_id": debt_id_for_line(w["line"]),
        "recipient": None,
        "channel": "sms",
        "purpose": "collection",
        "at": MORNING,
        "message": {"language": "zh", "text": w["text"]},
    }
    args.update(kw)
    with w["app"].state.core.uow_factory() as uow:
        return gate_requests.build(uow, cipher=w["app"].state.cipher, **args)


def _cease(w, channel="all"):
    with w["app"].state.core.uow_factory() as uow:
        coll.record_cease(uow, borrower_id=w["bid"], channel=channel)
        uow.commit()


def _mark_all_sent(w, at=MORNING):
    """What the dispatcher does when a provider accepts the queued rows (setup only)."""
    with w["engine"].begin() as conn:
        conn.execute(sa.update(outbox_messages).values(status="sent", sent_at=at))


def _add_ec(w, mobile=EC) -> int:
    with w["app"].state.core.uow_factory() as uow:
        ec = add_emergency_contact(
            uow,
            borrower_id=w["bid"],
            data={"name": "李四", "mobile": mobile, "relationship": "friend", "consent": True},
            cipher=w["app"].state.cipher,
        )
        uow.commit()
    return ec


# --- sanity: the baseline contact is allowed (so the denials below are the attacks', not the setup's) ----------
def test_baseline_a_true_message_to_the_borrowers_own_number_is_queued(world):
    w = world
    before = _queued(w["engine"])
    r = w["client"].post("/console/compose/send", data=_form(w), headers=w["ag"])
    assert r.status_code == 200, _last_decision(w["engine"])["decision"]
    assert _queued(w["engine"]) == before + 1


# --- 1. the service debt id `borrower:<id>` used to send collection text ------------------------------------------
def test_service_debt_id_borrower_colon_id_sends_collection_past_a_stored_cease_request_regf_1006_6c_cba_2026(world):
    """Attack: the composer names the service debt `borrower:<id>` (the login-code debt) instead of the line, with
    the borrower's own number and a collection text. The borrower asked for no contact at all (cease 'all');
    a service debt's request carries _NO_FLAGS/_NO_FACTS (gate_request._stored), so the cease is not seen, the
    debt state is missing (the truth check only warns) and the line's history does not count. Reg F 1006.6(c)
    (cease communication), CONC 7.3 / CBA 2026 (stop when the borrower asks)."""
    w = world
    _cease(w)
    before = _queued(w["engine"])
    form = _form(w, address=OWN, debt_id=f"borrower:{w['bid']}")
    r = w["client"].post("/console/compose/send", data=form, headers=w["ag"])
    request = _last_decision(w["engine"])["request"]
    assert _queued(w["engine"]) == before, "collection text queued under borrower:<id> to a borrower who ceased"
    assert r.status_code == 422
    # A service debt names a borrower for a login code only: for any other purpose it is not on file (denied).
    assert request["jurisdiction"] is None and request["recipient"]["source"] == "unknown"


def test_service_debt_id_request_carries_the_borrowers_cease_and_contact_facts(world):
    """The builder itself: a request under `borrower:<id>` must still carry the borrower's stored cease request
    (a cease request is the borrower's, not one line's: coll.record_cease takes a borrower id)."""
    w = world
    _cease(w)
    built = _built(w, debt_id=f"borrower:{w['bid']}", recipient=OWN, purpose="authentication")
    assert built.request["borrower"]["cease_requested"] is True
    other = _built(w, debt_id=f"borrower:{w['bid']}", recipient=OWN, purpose="service")
    assert other.request["jurisdiction"] is None  # a service debt is for login codes only


def test_composer_refuses_collection_purpose_on_a_service_debt_without_debt_state_truth_reg_f_1006_18(world):
    """A collection message judged with no debt state (service debt) is only a warning in the truth check, so it
    passes: a collection text must be judged against the line it talks about. 12 CFR 1006.18 / CONC 7.9 / CBA
    2026 (false or misleading statements)."""
    w = world
    before = _queued(w["engine"])
    false_text = w["text"].replace("已逾期", "已逾期 99")  # a claim nobody checks without a state
    form = _form(w, address=OWN, debt_id=f"borrower:{w['bid']}", text=false_text)
    w["client"].post("/console/compose/send", data=form, headers=w["ag"])
    assert _queued(w["engine"]) == before, _last_decision(w["engine"])["decision"]


# --- 2. purposes the composer must not use ---------------------------------------------------------------------
def test_composer_purpose_authentication_escapes_the_contact_window_cn_cba_2026_hours(world):
    """Attack: the composer form sets purpose `authentication` (compose.PURPOSES excludes it, but nothing enforces
    it): the hours rule exempts it, so a message reaches the borrower at 23:30 Shanghai time."""
    w = world
    before = _queued(w["engine"])
    w["clock"].set(dt.datetime(2026, 2, 2, 15, 30, tzinfo=dt.UTC))  # 23:30 in Shanghai
    ag = staff_token(w["client"], "ag")  # a fresh session at 23:30
    form = _form(
        w, purpose="authentication", at_local="2026-02-02T23:30", text="【示例消费金融】您好，请尽快回电 400-000-0000。"
    )
    r = w["client"].post("/console/compose/send", data=form, headers=ag)
    assert _queued(w["engine"]) == before, "a staff message queued at 23:30 as a 'login code'"
    assert r.status_code == 422


def test_composer_unknown_purpose_is_denied(world):
    w = world
    before = _queued(w["engine"])
    w["client"].post("/console/compose/send", data=_form(w, purpose="whatever"), headers=w["ag"])
    assert _queued(w["engine"]) == before


# --- 3. recipient spelled differently --------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["+86 138 0013 8000", " +86-138-0013-8000 ", "+86(138)00138000"])
def test_the_borrowers_own_number_in_another_spelling_is_the_borrowers(world, spelling):
    built = _built(world, recipient=spelling)
    assert (built.recipient.role, built.recipient.source, built.recipient.on_file) == ("borrower", "contract", True)


@pytest.mark.parametrize("spelling", ["008613800138000", "13800138000", "+86 138 0013 8001"])
def test_a_spelling_that_is_not_the_stored_e164_is_never_labelled_borrower_and_never_queued(world, spelling):
    """0086/national format/trailing dot: not matched (fails safe: third party, unknown source, nothing queued)."""
    w = world
    built = _built(w, recipient=spelling)
    assert built.recipient.role != "borrower" and built.request["recipient"]["source"] == "unknown"
    before = _queued(w["engine"])
    w["client"].post("/console/compose/send", data=_form(w, address=spelling), headers=w["ag"])
    assert _queued(w["engine"]) == before


@pytest.mark.parametrize("spelling", ["ZHANG.SAN@EXAMPLE.COM", " zhang.san@example.com "])
def test_the_borrowers_email_in_upper_case_or_padded_is_the_borrowers(world, spelling):
    built = _built(world, recipient=spelling, channel="email")
    assert (built.recipient.role, built.recipient.on_file) == ("borrower", True)


@pytest.mark.parametrize("spelling", ["zhang.san@example.com.", "zhang.san+x@example.com", "zhang.san@example.co"])
def test_a_near_miss_email_is_a_third_party(world, spelling):
    built = _built(world, recipient=spelling, channel="email")
    assert built.recipient.role == "third_party" and built.request["recipient"]["source"] == "unknown"


# --- 4. addresses and debts of other borrowers ------------------------------------------------------------------
def test_another_borrowers_own_number_on_this_debt_is_a_third_party_cba_2026_third_party_disclosure(world):
    w = world
    before = _queued(w["engine"])
    w["client"].post("/console/compose/send", data=_form(w, address=OTHER), headers=w["ag"])
    assert _queued(w["engine"]) == before
    request = _last_decision(w["engine"])["request"]
    assert (request["recipient"]["role"], request["recipient"]["source"]) == ("third_party", "unknown")


def test_a_debt_of_another_borrower_with_this_borrowers_number_is_a_third_party(world):
    """Debt id names borrower 2's line, the address is borrower 1's: disclosing borrower 2's debt to borrower 1."""
    w = world
    before = _queued(w["engine"])
    form = _form(w, address=OWN, debt_id=debt_id_for_line(w["line2"]))
    w["client"].post("/console/compose/send", data=form, headers=w["ag"])
    assert _queued(w["engine"]) == before
    assert _last_decision(w["engine"])["request"]["recipient"]["role"] == "third_party"


def test_acct_reference_overrides_a_debt_id_of_another_line(world):
    """`acct:<line>` with debt_id of another borrower's line: the request is the acct line's, to its own borrower."""
    w = world
    built_form = _form(w, address=f"acct:{w['line']}", debt_id=debt_id_for_line(w["line2"]))
    w["client"].post("/console/compose/send", data=built_form, headers=w["ag"])
    d = _last_decision(w["engine"])
    assert d["debt_id"] == debt_id_for_line(w["line"]) and d["recipient"]["role"] == "borrower"


@pytest.mark.parametrize("ref", ["acct:0", "acct:-1", "acct: 1", "acct:١", "acct:999999", "acct:1e3", "acct:"])
def test_odd_acct_references_queue_nothing(world, ref):
    w = world
    before = _queued(w["engine"])
    r = w["client"].post("/console/compose/send", data=_form(w, address=ref, debt_id=""), headers=w["ag"])
    assert r.status_code >= 400
    assert _queued(w["engine"]) == before


def test_debt_id_not_on_file_is_denied_fail_closed(world):
    w = world
    before = _queued(w["engine"])
    for debt in ("cl:999999", "borrower:999999", "CL:1", "cl:01", "cl:1x", "unknown"):
        w["client"].post("/console/compose/send", data=_form(w, address=OWN, debt_id=debt), headers=w["ag"])
    assert _queued(w["engine"]) == before


# --- 5. emergency contacts ----------------------------------------------------------------------------------------
def test_an_emergency_contact_whose_consent_was_withdrawn_is_never_contacted_pipl_art_15(world):
    w = world
    ec = _add_ec(w)
    with w["app"].state.core.uow_factory() as uow:
        withdraw_emergency_consent(uow, contact_id=ec)
        uow.commit()
    built = _built(w, recipient=EC, purpose="location")
    assert built.recipient.role != "borrower"
    before = _queued(w["engine"])
    w["client"].post("/console/compose/send", data=_form(w, address=EC, purpose="location"), headers=w["ag"])
    assert _queued(w["engine"]) == before


def test_an_emergency_contact_is_never_sent_collection_text_cba_2026_third_party_collection(world):
    w = world
    _add_ec(w)
    built = _built(w, recipient=EC)
    assert (built.recipient.role, built.recipient.source) == ("emergency_contact", "emergency_contact")
    before = _queued(w["engine"])
    w["client"].post("/console/compose/send", data=_form(w, address=EC), headers=w["ag"])
    assert _queued(w["engine"]) == before


def test_recording_an_emergency_contacts_number_as_the_borrowers_own_launders_a_third_party_cba_2026(world):
    """Attack: the record-address route puts the emergency contact's number on the borrower's profile as
    `self_provided`; from then on the builder labels the emergency contact `borrower` (resolve_recipient looks at
    the borrower's own numbers first) and collection text is queued to a third party. add_emergency_contact refuses
    the borrower's own number; add_contact_address does not refuse an emergency contact's (or another borrower's)."""
    w = world
    _add_ec(w)
    form = _form(w, address=EC)
    r = w["client"].post("/console/compose/address", data={**form, "source": "self_provided"}, headers=w["ag"])
    assert r.status_code == 422, "an emergency contact's number was recorded as the borrower's own"
    before = _queued(w["engine"])
    w["client"].post("/console/compose/send", data=form, headers=w["ag"])
    assert _queued(w["engine"]) == before


def test_recording_another_borrowers_number_as_this_borrowers_own_is_refused(world):
    """The number is on file as borrower 2's own (contract); recording it for borrower 1's debt as self_provided
    relabels borrower 2 as borrower 1 for every later request (third-party disclosure)."""
    w = world
    form = _form(w, address=OTHER)
    r = w["client"].post("/console/compose/address", data={**form, "source": "self_provided"}, headers=w["ag"])
    assert r.status_code == 422


# --- 6. the record-address route: roles, CSRF, debts --------------------------------------------------------------
def test_record_address_needs_an_agent_or_supervisor(world):
    w = world
    comp = staff_token(w["client"], "comp")
    form = {**_form(w, address="+8613900139555"), "source": "self_provided"}
    assert w["client"].post("/console/compose/address", data=form, headers=comp).status_code == 403
    assert w["client"].post("/console/compose/address", data=form).status_code == 401
    assert _built(w, recipient="+8613900139555").recipient.on_file is False


def test_record_address_by_cookie_session_needs_the_csrf_token(world):
    w = world
    client = w["client"]
    r = client.post("/console/login", data={"username": "ag", "password": "correct horse battery"})
    assert r.status_code in (200, 303)
    form = {**_form(w, address="+8613900139556"), "source": "self_provided"}
    refused = client.post("/console/compose/address", data=form)
    client.cookies.clear()
    assert refused.status_code == 403
    assert _built(w, recipient="+8613900139556").recipient.on_file is False


@pytest.mark.parametrize("source", ["device_contacts", "address_book", "unknown", "emergency_contact", ""])
def test_record_address_refuses_unlawful_sources(world, source):
    w = world
    form = {**_form(w, address="+8613900139557"), "source": source}
    assert w["client"].post("/console/compose/address", data=form, headers=w["ag"]).status_code == 422
    assert _built(w, recipient="+8613900139557").recipient.on_file is False


@pytest.mark.parametrize("debt", ["borrower:{bid}", "cl:999999", "", "acct:{line}"])
def test_record_address_only_for_a_stored_line(world, debt):
    w = world
    form = {
        **_form(w, address="+8613900139558", debt_id=debt.format(bid=w["bid"], line=w["line"])),
        "source": "self_provided",
    }
    r = w["client"].post("/console/compose/address", data=form, headers=w["ag"])
    assert r.status_code >= 400
    assert _built(w, recipient="+8613900139558").recipient.on_file is False


# --- 7. proposals (dicts) handed to request_contact ------------------------------------------------------------
def _proposal(w, address, **over):
    p = {
        "jurisdiction": "US",
        "at": "2026-02-02T02:00:00Z",
        "channel": "sms",
        "purpose": "collection",
        "debt": {"id": debt_id_for_line(w["line"]), "time_barred": False, "state": {"overdue": True}},
        "sender": {"kind": "creditor"},
        "recipient": {
            "role": "borrower",
            "address": address,
            "source": "contract",
            "consent": {"granted_at": "2020-01-01T00:00:00Z", "withdrawn_at": None, "scope": "collect"},
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "borrower": {
            "time_zones": ["Asia/Shanghai"],
            "cease_requested": False,
            "dispute_open": False,
            "represented_by_attorney": False,
            "bankruptcy": False,
            "breathing_space": False,
            "inconvenient_hours": [],
        },
        "history": [],
        "message": {"language": "zh", "text": w["text"]},
    }
    p.update(over)
    return p


def _send_proposal(w, proposal, address):
    with w["app"].state.core.uow_factory() as uow:
        return request_contact(
            uow,
            gate_request=proposal,
            cipher=w["app"].state.cipher,
            message=OutgoingMessage(channel="sms", recipient_address=address, language="zh", text=w["text"]),
        )


def test_a_proposal_labelling_a_third_party_borrower_contract_is_rebuilt_as_third_party_unknown(world):
    w = world
    before = _queued(w["engine"])
    out = _send_proposal(w, _proposal(w, "+8613900139099"), "+8613900139099")
    assert not out.allowed and _queued(w["engine"]) == before
    request = _last_decision(w["engine"])["request"]
    assert (request["recipient"]["role"], request["recipient"]["source"], request["jurisdiction"]) == (
        "third_party",
        "unknown",
        "CN",
    )


def test_a_proposal_cannot_lift_a_stored_cease_or_opt_out_or_dispute(world):
    w = world
    _cease(w, "sms")
    with w["app"].state.core.uow_factory() as uow:
        coll.open_dispute(uow, account_id=w["line"], reason="not mine")
        uow.commit()
    before = _queued(w["engine"])
    out = _send_proposal(w, _proposal(w, OWN), OWN)
    assert not out.allowed and _queued(w["engine"]) == before
    request = _last_decision(w["engine"])["request"]
    assert request["recipient"]["opted_out_channels"] == ["sms"] and request["borrower"]["dispute_open"] is True


@pytest.mark.parametrize(
    "smuggle",
    [
        {"borrower": {"cease_requested": "false", "time_zones": "Asia/Shanghai"}},
        {"borrower": {"inconvenient_hours": [["10:00", "09:00"]]}},
        {"borrower": {"time_zones": ["Not/AZone"]}},
        {"debt": {"id": debt_id_for_line(10**6), "time_barred": False}},
        {"recipient": {"address": OWN, "opted_out_channels": "sms"}},
    ],
)
def test_malformed_proposal_parts_add_nothing_and_lift_nothing(world, smuggle):
    """A dict proposal: malformed restriction parts are dropped, never parsed into a fact that lifts a stored one."""
    w = world
    _cease(w)
    proposal = _proposal(w, OWN)
    for k, v in smuggle.items():
        proposal[k] = {**proposal.get(k, {}), **v} if isinstance(v, dict) else v
    before = _queued(w["engine"])
    try:
        out = _send_proposal(w, proposal, OWN)
    except Exception:  # a refusal before judging is fine: nothing queued
        out = None
    assert out is None or not out.allowed
    assert _queued(w["engine"]) == before


def test_a_proposal_for_a_debt_not_on_file_is_denied(world):
    w = world
    proposal = _proposal(w, OWN, debt={"id": "borrower:abc", "time_barred": False})
    out = _send_proposal(w, proposal, OWN)
    assert not out.allowed


# --- 8. time zones ----------------------------------------------------------------------------------------------
def _us_borrower(w, *, region: str, mobile: str, email: str = "ann@example.com") -> tuple[int, int]:
    with w["app"].state.core.uow_factory() as uow:
        bid = register_borrower(
            uow,
            cipher=w["app"].state.cipher,
            data={
                "name": "Ann Example",
                "id_number": "001010049",
                "postal_region": region,
                "mobiles": [{"number": mobile, "source": "contract"}],
                "emails": [{"address": email, "source": "contract"}],
            },
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code="us-card-std",
            limit=Money(400_000, "USD"),
            cycle_day=8,
            opened_on=dt.date(2026, 1, 2),
            key=f"open-us-{mobile}",
        ).id
        uow.commit()
    return bid, line


def test_regf_1006_6b1i_comment_2_a_stored_mobiles_split_area_code_zone_counts_for_an_email(world):
    """A New York borrower whose mobile is +1 850 (Florida panhandle: Eastern and Central). An e-mail at 08:30
    New York time is 07:30 in the panhandle's Central part. The gate adds the split-area-code table's zones only
    for the recipient's own number; the builder adds the borrower's other numbers' zones with phonenumbers alone
    (gate_request._zones uses domain.borrowers.phone_time_zones, not policy.request.zones_for_phone), so
    America/Chicago is missing from an e-mail's request."""
    w = world
    _bid, line = _us_borrower(w, region="US-NY", mobile="+18505550123")
    built = _built(w, debt_id=debt_id_for_line(line), channel="email", purpose="service", message=None)
    assert "America/New_York" in built.request["borrower"]["time_zones"]
    assert "America/Chicago" in built.request["borrower"]["time_zones"]


def test_regf_1006_6b1i_a_us_borrower_with_a_cn_number_is_judged_in_both_zones(world):
    w = world
    _bid, line = _us_borrower(w, region="US-IL", mobile="+8613600136000", email="ann2@example.com")
    built = _built(w, debt_id=debt_id_for_line(line), channel="email", purpose="service", message=None)
    zones = built.request["borrower"]["time_zones"]
    assert "America/Chicago" in zones and "Asia/Shanghai" in zones
    assert built.request["jurisdiction"] == "US"


def test_a_letter_to_a_borrower_without_a_postal_address_is_not_on_file(world):
    w = world
    built = _built(w, channel="letter")
    assert built.recipient.on_file is False and built.request["recipient"]["source"] == "unknown"
    assert built.request["recipient"]["address"] == "unknown"


# --- 9. history and prior location contacts -------------------------------------------------------------------
def test_prior_location_contacts_count_the_same_third_party_in_any_spelling(world):
    """A third party sent one location message as '+86 139 0013 9000'; asking again as '+8613900139000' counts 1."""
    w = world
    first = "+86 139 0013 9000"
    with w["app"].state.core.uow_factory() as uow:
        built = gate_requests.build(
            uow,
            debt_id=debt_id_for_line(w["line"]),
            recipient=first,
            channel="sms",
            purpose="location",
            at=MORNING,
            cipher=w["app"].state.cipher,
            message={"language": "zh", "text": "您好，请问您能否转告张三先生联系我们？"},
        )
        # queue it as if allowed (the decision is not what this test is about)
        request_contact(
            uow,
            gate_request=built,
            decide=lambda r: {
                "allowed": True,
                "violations": [],
                "warnings": [],
                "jurisdiction": "CN",
                "pack": None,
                "next_allowed_at": None,
            },
            cipher=w["app"].state.cipher,
            message=OutgoingMessage(
                channel="sms", recipient_address=first, language="zh", text="您好，请问您能否转告张三先生联系我们？"
            ),
        )
    _mark_all_sent(w)
    again = _built(w, recipient="+8613900139000", purpose="location")
    assert again.request["recipient"]["prior_location_contacts"] == 1


def test_service_debt_messages_count_in_the_lines_history_cn_frequency(world):
    """Attack: messages sent under `borrower:<id>` would not appear in the line's history (history_for_debt reads
    one debt id), so a composer sending under the service debt would be invisible to the line's frequency caps."""
    w = world
    with w["app"].state.core.uow_factory() as uow:
        svc = gate_requests.build(
            uow,
            debt_id=f"borrower:{w['bid']}",
            recipient=OWN,
            channel="sms",
            purpose="service",
            at=MORNING,
            cipher=w["app"].state.cipher,
            message={"language": "zh", "text": w["text"]},
        )
        out = request_contact(
            uow,
            gate_request=svc,
            cipher=w["app"].state.cipher,
            message=OutgoingMessage(channel="sms", recipient_address=OWN, language="zh", text=w["text"]),
        )
    # Defence: a service debt names a borrower for a login code only, so any other message under it is not on file
    # and denied: nothing leaves under it that the line's history would have to count.
    assert not out.allowed and out.outbox_id is None
    assert svc.request["jurisdiction"] is None


# --- 10. the debt state the builder puts in is what the portal shows ----------------------------------------------
@pytest.mark.parametrize("on", [dt.date(2026, 1, 31), dt.date(2026, 2, 2)])
def test_debt_state_is_what_the_borrowers_portal_shows(world, on):
    from fairdue.service.portal.lines import line_view
    from fairdue.service.servicing.debt_state import debt_state

    w = world
    with w["app"].state.core.uow_factory() as uow:
        state = debt_state(uow, line_id=w["line"], on=on)
        view = line_view(uow, borrower_id=w["bid"], line_id=w["line"], today=on)
    assert state.overdue == (view.overdue_minor > 0)
    assert state.amount_due == view.due_today_minor
    assert state.balance == view.payoff_minor
    assert state.currency == view.currency
    assert state.next_due_on == view.next_due_on, "the request's next due date is not the portal's"


def test_the_builders_local_day_is_the_portals_today(world):
    """The builder reads debt.state on the borrower's first zone's day at `at`, as the portal's borrower_today."""
    from fairdue.adapters.db.views.portal import borrower_today

    w = world
    late = dt.datetime(2026, 1, 26, 17, 30, tzinfo=dt.UTC)  # 01:30 on 01-27 in Shanghai: the first day overdue
    built = _built(w, at=late, message=None)
    with w["app"].state.core.uow_factory() as uow:
        today = borrower_today(uow.connection, w["bid"], late)
    assert today == dt.date(2026, 1, 27)
    assert built.request["debt"]["state"]["overdue"] is True


# --- 11. what the builder matched is not what is sent -------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "channel", "stored"),
    [
        ("ZHANG.SAN@EXAMPLE.COM", "email", OWN_EMAIL),
        ("+86 138-0013-8000.", "sms", OWN),
        ("+86(138)00138000", "sms", OWN),
    ],
)
def test_the_request_and_the_outbox_carry_the_stored_address_not_the_callers_spelling(world, typed, channel, stored):
    """resolve_recipient matches the typed address to the profile by address_key, then keeps the TYPED spelling as
    the request's address, so the gate judges the stored role/source while the outbox sends to a string that was
    never stored (address_key drops '.', '-', '(', ' ' and folds case with str.lower, under which e.g. U+212A
    KELVIN SIGN equals 'k' — a different SMTPUTF8 mailbox matches the borrower's). The message should go to the
    address on file."""
    built = _built(world, recipient=typed, channel=channel, message=None)
    assert built.recipient.on_file and built.recipient.role == "borrower"
    assert built.request["recipient"]["address"] == stored


def test_a_kelvin_sign_email_is_not_the_borrowers(engine, clock):
    """'\u212aate@example.com'.lower() == 'kate@example.com': a different mailbox is labelled the borrower's."""
    app = make_app(engine, clock)
    _bid, line = overdue_cn_line(
        app.state.core.uow_factory, cipher=app.state.cipher, mobile=OWN, email="kate@example.com", sequence=4
    )
    with app.state.core.uow_factory() as uow:
        built = gate_requests.build(
            uow,
            debt_id=debt_id_for_line(line),
            recipient="\u212aate@example.com",
            channel="email",
            purpose="collection",
            at=MORNING,
            cipher=app.state.cipher,
        )
    assert not (built.recipient.role == "borrower" and built.request["recipient"]["address"] != "kate@example.com")


# --- 12. queued but not yet sent messages are not in the history ---------------------------------------------------
def test_queued_location_messages_count_as_prior_location_contacts_regf_1006_10c(world):
    """history_for_debt reads only outbox rows with status SENT (HISTORY_OF_DEBT), so a message queued a minute ago
    and not yet dispatched is not a prior contact: an agent can queue several location messages to the same third
    party (12 CFR 1006.10(c): once, unless asked) or several messages past any message cap before the dispatcher
    runs. Pending (and sending) rows are contacts already decided and must count."""
    w = world
    third = "+8613900139111"
    text = "您好，请问您能否转告张三先生联系我们？"
    allow = lambda r: {  # noqa: E731 — the decision is not what this test is about
        "allowed": True,
        "violations": [],
        "warnings": [],
        "jurisdiction": "CN",
        "pack": None,
        "next_allowed_at": None,
    }
    with w["app"].state.core.uow_factory() as uow:
        built = gate_requests.build(
            uow,
            debt_id=debt_id_for_line(w["line"]),
            recipient=third,
            channel="sms",
            purpose="location",
            at=MORNING,
            cipher=w["app"].state.cipher,
            message={"language": "zh", "text": text},
        )
        out = request_contact(
            uow,
            gate_request=built,
            decide=allow,
            cipher=w["app"].state.cipher,
            message=OutgoingMessage(channel="sms", recipient_address=third, language="zh", text=text),
        )
    assert out.allowed and out.outbox_id is not None
    again = _built(w, recipient=third, purpose="location", message=None)
    assert again.request["recipient"]["prior_location_contacts"] == 1
    assert len(again.request["history"]) == 1


# --- 13. debt.state on a due day --------------------------------------------------------------------------------
def test_debt_state_on_the_due_day_is_what_the_portal_shows(engine, clock):
    """Day-end run through the due day (2026-01-26); the portal and the builder read the same day."""
    from fairdue.service.portal.lines import line_view
    from fairdue.service.servicing.debt_state import debt_state

    app = make_app(engine, clock)
    factory = app.state.core.uow_factory
    bid, line = overdue_cn_line(
        factory, cipher=app.state.cipher, mobile=OWN, sequence=5, through_on=dt.date(2026, 1, 26)
    )
    on = dt.date(2026, 1, 26)
    with factory() as uow:
        state = debt_state(uow, line_id=line, on=on)
        view = line_view(uow, borrower_id=bid, line_id=line, today=on)
    assert state.overdue is False and view.overdue_minor == 0
    assert state.amount_due == view.due_today_minor
    assert state.balance == view.payoff_minor
    # debt_state's next_due_on counts an installment due today (the portal shows it as "due today" and its
    # next_due_on only as a later one): the same fact, named differently.
    assert state.next_due_on == (on if view.due_today_minor > view.overdue_minor else view.next_due_on)


# --- 14. a message scheduled ahead outlives a cease request ---------------------------------------------------
def test_a_message_scheduled_a_week_ahead_is_not_left_pending_after_a_cease_request_regf_1006_6c(world):
    """Attack: the composer's `at_local` may name any future instant; the request is judged on today's facts and
    the row waits in the outbox (next_attempt_at = at, send_by = at + 300 s). The borrower then asks for no
    contact; the dispatcher sends whatever is pending and due (it re-checks no stored fact), so the message leaves
    after the cease request. Either a far-ahead instant is refused, or a cease request cancels pending rows."""
    w = world
    ahead = dt.date(2026, 2, 9)
    form = _form(
        w, at_local="2026-02-09T10:00", text=true_overdue_text(w["app"].state.core.uow_factory, w["line"], ahead)
    )
    w["client"].post("/console/compose/send", data=form, headers=w["ag"])
    _cease(w)
    with w["engine"].connect() as conn:
        pending = conn.execute(
            sa.select(sa.func.count())
            .select_from(outbox_messages)
            .where(outbox_messages.c.debt_id == debt_id_for_line(w["line"]), outbox_messages.c.status == "pending")
        ).scalar_one()
    assert pending == 0, "a collection message is still queued to leave after the borrower's cease request"
