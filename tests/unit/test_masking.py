"""Masks keep a value recognisable and never contactable, the same way every time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.domain.masking import (
    classify_address,
    mask_address,
    mask_digits,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_request,
    redact_text,
)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613800138000", "138****8000"),
        ("13800138000", "138****8000"),
        ("138 0013 8000", "138****8000"),
        ("+14155552671", "+1 415***2671"),
        ("+447911123456", "+44 791***3456"),
    ],
)
def test_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [("john@x.com", "j***@x.com"), ("j@x.com", "j***@x.com"), ("zhang.san@example.cn", "z***@example.cn")],
)
def test_email(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧阳**"), ("John Smith", "J*** S****"), ("李", "李*")],
)
def test_name(name, masked):
    assert mask_name(name) == masked


def test_id_number_keeps_head_and_tail():
    assert mask_id_number("110101199003071234") == "110***********1234"


@pytest.mark.parametrize(
    ("address", "kind"),
    [("+8613800138000", "phone"), ("a@b.cn", "email"), ("PO-BOX-17", "other"), ("12345", "other")],
)
def test_classify(address, kind):
    assert classify_address(address) == kind


def test_mask_address_passes_none_through():
    assert mask_address(None) is None
    assert mask_address("PO-BOX-1717") == "*******1717"


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_digits_mask_always_hides_at_least_one_digit(digits):
    masked = mask_digits(digits)
    assert len(masked) == len(digits)
    assert "*" in masked
    assert masked != digits


def test_redact_text_masks_contacts_and_names_but_not_amounts():
    text = "张三您好，您的账单 1,234.56 元已逾期，请致电 13800138000 或写信 zhang@x.cn。"
    out = redact_text(text, names=["张三"])
    assert "13800138000" not in out and "138****8000" in out
    assert "zhang@x.cn" not in out and "z***@x.cn" in out
    assert "张三" not in out and "张*您好" in out
    assert "1,234.56" in out


def test_mask_request_masks_every_address_and_leaves_the_input_alone():
    request = {
        "channel": "sms",
        "recipient": {"role": "borrower", "address": "+8613800138000", "source": "contract"},
        "borrower": {"time_zones": ["Asia/Shanghai"], "cease_requested": False},
        "history": [{"at": "2026-03-01T02:00:00Z", "address": "+8613900139000", "outcome": "no_answer"}],
        "message": {"language": "zh", "text": "请回电 13800138000"},
    }
    masked = mask_request(request)
    assert masked["recipient"]["address"] == "138****8000"
    assert masked["history"][0]["address"] == "139****9000"
    assert masked["message"]["text"] == "请回电 138****8000"
    assert masked["borrower"] == request["borrower"]
    assert request["recipient"]["address"] == "+8613800138000"  # the input is untouched


def test_mask_request_survives_malformed_input():
    assert mask_request({"recipient": "nonsense", "history": None}) == {"recipient": "nonsense", "history": None}


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("北京市朝阳区示例路1号", "北京市朝阳区****"),
        ("广东省深圳市南山区科技园路88号3栋", "广东省深圳市南山区****"),
        ("示例路1号", "****"),
        ("1 Example Street, London SW1A 1AA", "****, London SW*A *AA"),
        ("PO Box 17", "****"),
    ],
)
def test_postal_address(address, masked):
    from fairdue.domain.masking import mask_postal_address

    assert mask_postal_address(address) == masked


def test_mask_address_never_keeps_a_street():
    assert mask_address("北京市朝阳区示例路1号") == "北京市朝阳区****"
    assert mask_address("1 Example Street, London") == "****, London"


def test_dates_are_not_taken_for_phone_numbers():
    assert redact_text("到期日 2026-03-05，请致电 13800138000") == "到期日 2026-03-05，请致电 138****8000"


def test_mask_decision_masks_evidence_but_keeps_the_verdict():
    from fairdue.domain.masking import mask_decision

    decision = {
        "allowed": False,
        "pack": "CN@2026-01-30",
        "next_allowed_at": "2026-03-03T00:00:00Z",
        "violations": [
            {
                "rule": "CN.PIPL.sources",
                "category": "data_source",
                "reason_en": "number +8613911112222 came from a phone's contact list",
                "reason_zh": "号码来自通讯录",
                "evidence": {"address": "+8613911112222", "span": "告诉张三的家人", "local_time": "21:30"},
            }
        ],
        "warnings": [],
    }
    masked = mask_decision(decision, names=["张三"])
    v = masked["violations"][0]
    assert (masked["allowed"], masked["pack"], masked["next_allowed_at"]) == (
        False,
        "CN@2026-01-30",
        "2026-03-03T00:00:00Z",
    )
    assert (v["rule"], v["category"], v["evidence"]["local_time"]) == ("CN.PIPL.sources", "data_source", "21:30")
    assert v["evidence"]["address"] == "139****2222" and "13911112222" not in v["reason_en"]
    assert v["evidence"]["span"] == "告诉张*的家人"
    assert decision["violations"][0]["evidence"]["address"] == "+8613911112222"  # input untouched


def test_a_one_time_code_passed_as_a_name_is_hidden_entirely():
    from fairdue.domain.masking import is_secret

    text = "【fairdue】您的登录验证码是 482913，5分钟内有效。张伟"
    out = redact_text(text, names=["482913", "张伟"])
    assert "482913" not in out and "4*****" not in out and "******" in out
    assert "张*" in out and "5分钟" in out
    long_code = redact_text("code 12345678 ok", names=["12345678"])
    assert long_code == "code ******** ok"  # never half-shown as a phone number would be
    assert is_secret("482913") and not is_secret("张伟") and not is_secret("John")


def test_mask_request_and_decision_hide_the_code_in_message_and_evidence():
    request = {
        "recipient": {"address": "+8613800138000"},
        "message": {"language": "en", "text": "your login code is 482913"},
    }
    masked = mask_request(request, names=["482913"])
    assert "482913" not in masked["message"]["text"] and request["message"]["text"].endswith("482913")
    decision = {"allowed": False, "violations": [{"rule": "X", "evidence": {"matched": "code 482913"}}]}
    from fairdue.domain.masking import mask_decision

    assert "482913" not in str(mask_decision(decision, names=["482913"]))
