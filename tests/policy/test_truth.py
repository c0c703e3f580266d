"""Messages must be true (Reg F 1006.18; CONC 7.9/7.11; CBA 2026): claims contradicting `debt.state` deny, others pass."""

from __future__ import annotations

import datetime as dt

import pytest
from gate_cases import base, current, state, with_

from fairdue.policy import decide
from fairdue.policy.truth import DebtState, claims, contradictions

TRUTH = {"CN": "CN.CBA2026.truth", "US": "US.RegF.1006.18.truth", "UK": "UK.CONC7.9.truth"}
ON = dt.date(2026, 3, 2)


def _msg(jurisdiction: str, text: str, debt_state: dict | None, purpose: str = "collection") -> dict:
    request = with_(
        base(jurisdiction, purpose=purpose), message={"language": "zh" if jurisdiction == "CN" else "en", "text": text}
    )
    if debt_state is not None:
        request = with_(request, **{"debt.state": debt_state})
    return request


def _truth(decision: dict, jurisdiction: str) -> list[dict]:
    return [v for v in decision["violations"] if v["rule"] == TRUTH[jurisdiction]]


def _ds(**kw) -> DebtState:
    fields = {
        "overdue": True,
        "days_past_due": 5,
        "amount_due": 105000,
        "balance": 320000,
        "fees_charged": 5000,
        "currency": "CNY",
        "next_due_on": dt.date(2026, 4, 1),
        "legal_action": False,
    }
    fields.update(kw)
    return DebtState(**fields)


# --- the issue's own example -------------------------------------------------------------------------------------
def test_regf_1006_18_issue_example_overdue_and_late_fee_to_a_current_borrower_denied():
    text = (
        "Fairline Credit: your bill is overdue; a late fee will be charged. Pay at fairline.example/pay or call "
        "1-800-555-0100. Reply STOP to opt out."
    )
    denied = decide(_msg("US", text, current("US"), purpose="reminder"))
    found = _truth(denied, "US")
    assert not denied["allowed"]
    assert {v["evidence"]["claim"] for v in found} == {"overdue", "fee_future"}
    for v in found:
        start, end = v["evidence"]["span"]
        assert text[start:end] == v["evidence"]["matched"]
        assert v["evidence"]["stored"] == {"overdue": False}
    assert decide(_msg("US", text, state("US"), purpose="reminder"))["allowed"]


# --- collection only on an overdue debt ------------------------------------------------------------------------------
@pytest.mark.parametrize("jurisdiction", ["CN", "US", "UK"])
def test_collection_purpose_on_a_debt_that_is_not_overdue_denied(jurisdiction):
    text = {"CN": "【诚信消费金融】张先生您好，请通过官方App或客服热线95123还款；如有异议或需协商还款计划，请致电95123。",
            "US": "Fairline Credit: Hi Alex, pay at fairline.example/pay or call 1-800-555-0100. Reply STOP to opt out.",
            "UK": "Fairline Credit: Hi Sam, pay in our app or call 0800 555 0100 to talk about a repayment plan."}[jurisdiction]  # fmt: skip
    denied = decide(_msg(jurisdiction, text, current(jurisdiction)))
    assert not denied["allowed"] and _truth(denied, jurisdiction)
    assert decide(_msg(jurisdiction, text, state(jurisdiction)))["allowed"]
    assert decide(_msg(jurisdiction, text, current(jurisdiction), purpose="reminder"))["allowed"]


# --- overdue -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "您的账单已逾期",
        "您的借款逾期未还",
        "Your account is past due.",
        "Your payment is late.",
        "Your account is in arrears.",
    ],
)
def test_overdue_claims_are_found(text):
    assert [c.kind for c in claims(text)] == ["overdue"]


@pytest.mark.parametrize(
    "text",
    [
        "Your account is not overdue.",
        "Pay by the due date to avoid your account becoming overdue.",
        "If your payment is late, we will contact you.",
        "请按时还款，避免逾期。",
        "逾期将影响您的信用记录，请按时还款。",
        "您的账单未逾期。",
    ],
)
def test_hedged_or_negated_overdue_is_no_claim(text):
    assert [c for c in claims(text) if c.kind == "overdue"] == []


# --- days past due: "more than" / "at least" are floors ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "days", "false"),
    [
        ("您的账单已逾期5天", 5, False),
        ("您的账单已逾期5天", 6, True),
        ("您的账单已逾期超过3天", 5, False),
        ("您的账单已逾期超过5天", 5, True),
        ("您的账单逾期5天以上", 5, False),
        ("您的账单逾期5天以上", 4, True),
        ("Your account is 5 days past due.", 5, False),
        ("Your account is 30 days past due.", 5, True),
        ("Your account is more than 3 days late.", 5, False),
        ("Your account is more than 5 days late.", 5, True),
        ("Your payment is overdue by at least 5 days.", 5, False),
        ("Payments more than 30 days late are reported to credit bureaus.", 5, False),  # a general rule
    ],
)
def test_days_past_due_claim_against_state(text, days, false):
    found = contradictions(text, _ds(days_past_due=days), ON)
    assert bool([c for c in found if c.field == "days_past_due"]) is false


# --- amounts: only amounts claimed as owed now count ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "false"),
    [
        ("您的账单已逾期，逾期金额￥1,050.00。", False),  # = amount_due
        ("您当前欠款3200元。", False),  # = balance
        ("您的账单已逾期，逾期金额1,500.00元。", True),
        ("Your overdue balance is 1,050.00 CNY.", False),
        ("Your overdue balance is 999.00 CNY.", True),
        ("我们已收到您的还款￥500.00，感谢。", False),  # a receipt, not an amount due
        ("您的分期计划每月还款300元。", False),  # a plan amount offered
        ("本期应还1050元将于3日后到期。", False),  # a future installment: not verifiable, no claim
        ("You can settle for ¥800.00 today.", False),  # an offer
        ("Your overdue balance is $999.00.", False),  # another currency than the state's: not compared
    ],
)
def test_amount_owed_claim_against_state(text, false):
    found = contradictions(text, _ds(), ON)
    assert bool([c for c in found if c.claim.kind == "amount_owed"]) is false


def test_service_receipt_with_an_amount_is_no_claim_of_an_amount_due():
    receipt = "Fairline Credit: we received your payment of $50.00 on March 1. Thank you. Questions: 1-800-555-0100."
    decision = decide(_msg("US", receipt, current("US"), purpose="service"))
    assert decision["allowed"], decision["violations"]


# --- fees --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "overdue", "fees", "false"),
    [
        ("您的账单已逾期，已产生滞纳金50元。", True, 5000, False),
        ("您的账单已逾期，已产生滞纳金50元。", True, 0, True),
        ("您的账单已逾期，已产生滞纳金80元。", True, 5000, True),  # more than was charged
        ("A late fee of £12.00 has been added to your account.", True, 0, True),
        ("A late fee will be charged to your account.", False, 0, True),  # claims lateness on a current debt
        ("A late fee will be charged to your account.", True, 0, False),  # overdue: a future fee may be true
        ("Late fees are charged on payments received after the due date.", False, 0, False),  # a general rule
        ("Payments more than 30 days late are reported to credit bureaus.", False, 0, False),
        ("If you pay after the due date, a late fee may be charged.", False, 0, False),
        ("We charge no late fees.", False, 0, False),
        ("我们不收取任何滞纳金。", False, 0, False),
    ],
)
def test_fee_claim_against_state(text, overdue, fees, false):
    found = contradictions(text, _ds(overdue=overdue, days_past_due=5 if overdue else 0, fees_charged=fees), ON)
    assert bool([c for c in found if c.claim.kind in ("fee", "fee_future")]) is false


# --- legal action as a statement of fact --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "我们已向法院提起诉讼。",
        "您的案件已立案。",
        "We have filed a lawsuit against you.",
        "Legal proceedings have been issued.",
        "There is a court judgment against you.",
    ],
)
def test_legal_action_claimed_as_fact_without_proceedings_is_false_and_true_with_them(text):
    assert [c.field for c in contradictions(text, _ds(), ON)] == ["legal_action"]
    assert contradictions(text, _ds(legal_action=True), ON) == ()


@pytest.mark.parametrize("text", ["We have not filed a lawsuit.", "我们尚未起诉。", "如您仍不还款，我们可能会起诉。"])
def test_no_legal_action_claim_in_negations_or_conditionals(text):
    assert [c for c in claims(text) if c.kind == "legal_action"] == []


def test_legal_action_claim_denied_through_the_gate_with_evidence():
    text = "【诚信消费金融】张先生您好，您的账单已逾期，我们已向法院提起诉讼。请通过官方App或致电95123处理；如有异议请致电95123。"
    denied = decide(_msg("CN", text, state("CN")))
    (violation,) = [v for v in _truth(denied, "CN") if v["evidence"]["claim"] == "legal_action"]
    start, end = violation["evidence"]["span"]
    assert text[start:end] == "已向法院提起诉讼" and violation["evidence"]["stored"] == {"legal_action": False}


# --- deadlines with a consequence ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "false"),
    [
        ("Pay within 24 hours or a late fee will be charged.", True),
        ("请于今天下午5点前还款，否则将产生滞纳金。", True),
        ("Pay by March 5 or a late fee applies.", True),
        ("Pay by April 1 to avoid a late fee.", False),  # = next_due_on
        ("Pay within 24 hours using the app.", False),  # no consequence claimed
    ],
)
def test_deadline_with_a_consequence_before_anything_falls_due(text, false):
    not_overdue = _ds(overdue=False, days_past_due=0, amount_due=0, fees_charged=0)
    assert bool([c for c in contradictions(text, not_overdue, ON) if c.claim.kind == "deadline"]) is false


# --- no state: not verified, one warning -----------------------------------------------------------------------------------
def test_without_debt_state_claims_are_not_verified_but_warned():
    decision = decide(base("CN"))  # "您的账单已逾期" with no debt.state
    assert decision["allowed"]
    assert [w["rule"] for w in decision["warnings"]].count(TRUTH["CN"]) == 1


def test_without_debt_state_a_message_with_no_claim_carries_no_truth_warning():
    decision = decide(base("US", purpose="reminder"))
    assert TRUTH["US"] not in [w["rule"] for w in decision["warnings"]]


def test_authentication_code_is_not_judged_for_claims():
    decision = decide(with_(base("US", purpose="authentication"), **{"debt.state": current("US")}))
    assert decision["allowed"]


# --- debt.state itself: integers only, fail closed ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_due", 1050.0),
        ("amount_due", -1),
        ("days_past_due", True),
        ("balance", "3200"),
        ("fees_charged", None),
        ("overdue", "no"),
        ("currency", "yuan"),
        ("next_due_on", "2026-4-1"),
        ("legal_action", "no"),
    ],
)
def test_malformed_debt_state_denies_with_the_field_named(field, value):
    bad = state("CN")
    bad[field] = value
    denied = decide(with_(base("CN"), **{"debt.state": bad}))
    assert not denied["allowed"]
    assert f"REQUEST.debt.state.{field}" in [v["rule"] for v in denied["violations"]]


def test_debt_state_optional_fields_default():
    minimal = {k: v for k, v in state("CN").items() if k not in ("next_due_on", "legal_action")}
    assert decide(with_(base("CN"), **{"debt.state": minimal}))["allowed"]


def test_spans_map_back_to_the_original_full_width_text():
    text = "您的账单已逾期，逾期金额￥１，０５０．００元。"
    (claim,) = [c for c in claims(text) if c.kind == "amount_owed"]
    assert text[claim.span[0] : claim.span[1]] == claim.matched and claim.value == 105000
