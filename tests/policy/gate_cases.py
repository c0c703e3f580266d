"""Request builders shared by the gate tests: lawful baselines per jurisdiction, changed one field at a time."""

from __future__ import annotations

import copy
import datetime as dt

PHONE = {"CN": "+8613800138000", "US": "+12125550100", "UK": "+447911123456"}
ZONE = {"CN": "Asia/Shanghai", "US": "America/New_York", "UK": "Europe/London"}
LANG = {"CN": "zh", "US": "en", "UK": "en"}
# A lawful moment in every baseline: 2026-03-02 (a Monday) at 10:00 local.
AT = {"CN": "2026-03-02T02:00:00Z", "US": "2026-03-02T15:00:00Z", "UK": "2026-03-02T10:00:00Z"}

MESSAGES = {
    (
        "CN",
        "collection",
    ): "【诚信消费金融】张先生您好，您的账单已逾期，请通过官方App或客服热线95123还款；如有异议或需协商还款计划，请致电95123。",
    (
        "CN",
        "reminder",
    ): "【诚信消费金融】张先生您好，您的分期计划本期应还500元将于3日后到期，请通过官方App还款，如有疑问请致电95123。",
    ("CN", "location"): "【诚信消费金融】您好，我们是诚信消费金融客服，麻烦您转告张伟先生尽快回电95123，谢谢。",
    (
        "US",
        "collection",
    ): "Fairline Credit: Hi Alex, your account is past due. Pay at fairline.example/pay or call 1-800-555-0100. Reply STOP to opt out.",
    (
        "US",
        "reminder",
    ): "Fairline Credit: Hi Alex, your payment is due in 3 days. Pay at fairline.example/pay or call 1-800-555-0100. Reply STOP to opt out.",
    (
        "US",
        "location",
    ): "Hi, this is Jamie from Fairline Credit. We are trying to confirm the address for Alex Smith. Please ask Alex to call us at 1-800-555-0100.",
    ("US", "voicemail"): "This is Jamie from Fairline Credit. Please call us back at 1-800-555-0100.",
    (
        "UK",
        "collection",
    ): "Fairline Credit: Hi Sam, your account is in arrears. Pay in our app or call 0800 555 0100 to talk about a repayment plan.",
    (
        "UK",
        "reminder",
    ): "Fairline Credit: Hi Sam, your payment is due in 3 days. Pay in our app or call 0800 555 0100 to talk about a repayment plan.",
    ("UK", "location"): "Hello, this is Jamie from Fairline Credit. Please ask Sam Patel to call us on 0800 555 0100.",
    # One-time login codes (the texts fairdue/web/wiring.py sends): nothing about a debt.
    (
        "CN",
        "authentication",
    ): "【fairdue】您的登录验证码是 482913，5分钟内有效。请勿告诉任何人，我们的员工不会向您索要验证码。",
    (
        "US",
        "authentication",
    ): "fairdue: your login code is 482913, valid for 5 minutes. Do not share it; our staff will never ask for it.",
    (
        "UK",
        "authentication",
    ): "fairdue: your login code is 482913, valid for 5 minutes. Do not share it; our staff will never ask for it.",
}
# Messages that reveal the debt (the content check reports THIRD_PARTY.debt_disclosure for non-debtors).
DISCLOSING = {
    "CN": "【诚信消费金融】您好，张伟欠款逾期未还，麻烦您转告他回电95123。",
    "US": "Hi, this is Jamie from Fairline Credit. Alex owes a past-due debt of $500. Please ask Alex to call us at 1-800-555-0100.",
    "UK": "Hello, this is Jamie from Fairline Credit. Sam owes a past-due debt of £500. Please ask Sam Patel to call us on 0800 555 0100.",
}


def base(jurisdiction: str = "CN", *, channel: str = "sms", purpose: str = "collection") -> dict:
    """A request the gate allows: the borrower, a lawful hour, a clean history, a compliant message."""
    request = {
        "jurisdiction": jurisdiction,
        "at": AT[jurisdiction],
        "channel": channel,
        "purpose": purpose,
        "debt": {"id": "D1", "time_barred": False},
        "recipient": {
            "role": "borrower",
            "address": PHONE[jurisdiction],
            "source": "contract",
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "borrower": {
            "time_zones": [ZONE[jurisdiction]],
            "inconvenient_hours": [],
            "cease_requested": False,
            "represented_by_attorney": False,
            "dispute_open": False,
            "plan_active": False,
            "bankruptcy": False,
            "breathing_space": False,
        },
        "history": [],
    }
    if channel != "call":
        key = "voicemail" if channel == "voicemail" and jurisdiction == "US" else purpose
        request["message"] = {"language": LANG[jurisdiction], "text": MESSAGES.get((jurisdiction, key), "")}
    if channel == "visit":
        request["staff_count"] = 2
    return request


def location(jurisdiction: str = "CN", *, role: str = "emergency_contact", channel: str = "call") -> dict:
    """A lawful location contact: consented emergency contact, borrower unreachable (3 failed calls)."""
    request = base(jurisdiction, channel=channel, purpose="location")
    request["recipient"].update(
        role=role,
        address={"CN": "+8613900139000", "US": "+12125550199", "UK": "+447911654321"}[jurisdiction],
        source="emergency_contact" if role == "emergency_contact" else "public_record",
        consent={"granted_at": "2025-06-01T00:00:00Z", "withdrawn_at": None, "scope": "locate_only"}
        if role == "emergency_contact"
        else None,
    )
    request["message"] = {"language": LANG[jurisdiction], "text": MESSAGES[(jurisdiction, "location")]}
    at = dt.datetime.fromisoformat(request["at"])
    request["history"] = calls(jurisdiction, [at - dt.timedelta(days=3, hours=h) for h in (3, 2, 1)], "no_answer")
    return request


def calls(
    jurisdiction: str,
    instants,
    outcome: str,
    *,
    address: str | None = None,
    role: str = "borrower",
    channel: str = "call",
) -> list[dict]:
    return [
        {
            "at": t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channel": channel,
            "address": address or PHONE[jurisdiction],
            "role": role,
            "outcome": outcome,
        }
        for t in instants
    ]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def with_(request: dict, **paths) -> dict:
    """Copy of `request` with dotted paths set: with_(r, **{"recipient.source": "unknown"})."""
    out = copy.deepcopy(request)
    for path, value in paths.items():
        node = out
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        if value is _DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return out


_DELETE = object()
DELETE = _DELETE


CURRENCY = {"CN": "CNY", "US": "USD", "UK": "GBP"}


def state(jurisdiction: str = "CN", **fields) -> dict:
    """A `debt.state`: overdue 5 days, 1,050.00 due, 3,200.00 outstanding, 50.00 in fees, no legal action."""
    out = {
        "overdue": True,
        "days_past_due": 5,
        "amount_due": 105000,
        "balance": 320000,
        "fees_charged": 5000,
        "currency": CURRENCY[jurisdiction],
        "next_due_on": "2026-04-01",
        "legal_action": False,
    }
    out.update(fields)
    return out


def current(jurisdiction: str = "CN", **fields) -> dict:
    """A `debt.state` of a debt that is current: nothing overdue, nothing due now, no fees."""
    return state(jurisdiction, overdue=False, days_past_due=0, amount_due=0, fees_charged=0, **fields)
