"""Masking of personal data for logs, consoles and the borrower's contact log.

Pure and deterministic: the same input always masks the same way, so a masked
record can be compared and hashed. A mask keeps just enough to recognise the
value (138****8000, j***@x.com, 张*) and never enough to contact anyone.

`mask_address` picks the right mask for a recipient address (phone, email or
postal id); `mask_request` masks a whole gate request before it is logged;
`redact_text` removes phone numbers, emails and known names from free text; a
"name" with no letters (a one-time login code) is hidden entirely, never
partly (a code shown as 4***** would give away a sixth of it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import phonenumbers

from fairdue.domain.audit import copy_json

MASK = "*"
# Two-character Chinese surnames (复姓) that keep both characters visible.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
    }
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A run of digits (with the usual separators) long enough to be a phone number.
_PHONE = re.compile(r"(?<![\w*])\+?\d[\d \-()]{5,18}\d(?!\w)")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")  # 2026-03-05 is a date, not a phone number
ADDRESS_KEYS = frozenset({"address", "recipient", "phone", "mobile", "email", "to", "number"})
PHONE_DIGITS_MIN = 7


def mask_digits(digits: str, *, keep_head: int = 3, keep_tail: int = 4) -> str:
    """138****8000: keep a head and a tail, at least one hidden digit, never all shown."""
    n = len(digits)
    if n == 0:
        return ""
    while keep_head + keep_tail >= n and (keep_head or keep_tail):
        if keep_head >= keep_tail and keep_head:
            keep_head -= 1
        else:
            keep_tail -= 1
    return digits[:keep_head] + MASK * (n - keep_head - keep_tail) + digits[n - keep_tail :]


def mask_phone(phone: str) -> str:
    """A phone number: China mobile as 138****8000, others as +1 415***2671."""
    raw = phone.strip()
    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else "CN")
        national = str(parsed.national_number)
        country = parsed.country_code
    except phonenumbers.NumberParseException:
        national = re.sub(r"\D", "", raw)
        country = None
    masked = mask_digits(national)
    if country is None or country == 86:
        return masked
    return f"+{country} {masked}"


def mask_email(email: str) -> str:
    """john.doe@x.com -> j***@x.com (the domain stays: it names a provider, not a person)."""
    local, sep, domain = email.strip().rpartition("@")
    if not sep:
        return mask_opaque(email)
    if not local:
        return f"{MASK * 3}@{domain}"
    return f"{local[0]}{MASK * 3}@{domain}"


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧阳**, John Smith -> J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if _CJK.search(name) and " " not in name:
        keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
        return name[:keep] + MASK * max(1, len(name) - keep)
    return " ".join(part[0] + MASK * max(1, len(part) - 1) for part in name.split())


def mask_id_number(value: str) -> str:
    """An identity or account number: first 3 and last 4 kept, e.g. 110***********1234."""
    return mask_digits(value.strip(), keep_head=3, keep_tail=4)


def mask_opaque(value: str) -> str:
    """Anything else (a postal id, an unknown token): keep the last 4 characters."""
    value = value.strip()
    if len(value) <= 4:
        return MASK * len(value)
    return MASK * (len(value) - 4) + value[-4:]


_CN_REGION = re.compile(r"^(.{0,12}?(?:省|自治区|市|区|县|旗|州|盟))+")


def mask_postal_address(address: str) -> str:
    """北京市朝阳区示例路1号 -> 北京市朝阳区****; 1 Example St, London SW1A 1AA -> ****, London SW*A *AA.

    Chinese: the administrative prefix (province/city/district) stays, the street
    and number go. Otherwise: only the last comma-separated part (town,
    postcode) stays, with its digits hidden.
    """
    address = address.strip()
    if not address:
        return ""
    if _CJK.search(address):
        region = _CN_REGION.match(address)
        kept = region.group(0) if region and region.group(0) != address else ""
        return kept + MASK * 4
    _head, sep, last = address.rpartition(",")
    if not sep:
        return MASK * 4
    return MASK * 4 + ", " + re.sub(r"\d", MASK, last.strip())


def classify_address(address: str) -> str:
    """'email', 'phone' or 'other' for a recipient address."""
    address = address.strip()
    if "@" in address:
        return "email"
    digits = re.sub(r"[\s\-()]", "", address)
    if re.fullmatch(r"\+?\d+", digits) and len(digits.lstrip("+")) >= PHONE_DIGITS_MIN:
        return "phone"
    return "other"


def mask_address(address: Any) -> Any:
    """Mask a recipient address of any kind; non-strings pass through (None stays None)."""
    if not isinstance(address, str):
        return address
    kind = classify_address(address)
    if kind == "email":
        return mask_email(address)
    if kind == "phone":
        return mask_phone(address)
    if _CJK.search(address) or "," in address or " " in address.strip():
        return mask_postal_address(address)  # a written address: never keep its street
    return mask_opaque(address)


def redact_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Free text with emails, phone numbers and the given names masked in place."""
    out = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)

    def _phone(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < PHONE_DIGITS_MIN or _DATE.fullmatch(m.group(0).strip()):
            return m.group(0)
        return mask_digits(digits)

    # Secrets first (a one-time code passed among the names: no letter in it), hidden entirely. Before the
    # phone pass too, so a long code is never half-shown as 123****890.
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        if is_secret(name):
            out = out.replace(name, MASK * len(name))
    out = _PHONE.sub(_phone, out)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        if not is_secret(name):
            out = out.replace(name, mask_name(name))
    return out


def is_secret(value: str) -> bool:
    """A 'name' with no letter in it (a one-time code, a PIN): masked with every character hidden."""
    return not any(ch.isalpha() for ch in value)


def mask_request(request: dict[str, Any], *, names: Iterable[str] = ()) -> dict[str, Any]:
    """A deep copy of a gate request safe to log: every address masked, message text redacted.

    Kept as is: everything the decision depends on except the addresses'
    digits (roles, sources, zones, flags, times, channels, outcomes), so the
    record still explains the decision.
    """
    names = tuple(names)
    masked: dict[str, Any] = copy_json(request)
    # A debt's history names the same few addresses over and over: each is masked once (a phone number's mask
    # parses it, the costly part). The memo lives for this call only, so no address is kept beyond it.
    address_masks: dict[Any, Any] = {}

    def _masked_address(address: Any) -> Any:
        if not isinstance(address, str):
            return address
        if address not in address_masks:
            address_masks[address] = mask_address(address)
        return address_masks[address]

    recipient = masked.get("recipient")
    if isinstance(recipient, dict):
        recipient["address"] = _masked_address(recipient.get("address"))
        if isinstance(recipient.get("name"), str):
            recipient["name"] = mask_name(recipient["name"])
    borrower = masked.get("borrower")
    if isinstance(borrower, dict):
        for key in ("name", "phone", "email", "address", "id_number"):
            value = borrower.get(key)
            if isinstance(value, str):
                borrower[key] = (
                    mask_name(value)
                    if key == "name"
                    else (mask_id_number(value) if key == "id_number" else _masked_address(value))
                )
    history = masked.get("history")
    if isinstance(history, list):
        for item in history:
            if isinstance(item, dict) and "address" in item:
                item["address"] = _masked_address(item.get("address"))
    message = masked.get("message")
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        message["text"] = redact_text(message["text"], names=names)
    return masked


def _mask_values(value: Any, names: tuple[str, ...], key: str | None = None) -> Any:
    if isinstance(value, str):
        return mask_address(value) if key in ADDRESS_KEYS else redact_text(value, names=names)
    if isinstance(value, dict):
        return {k: _mask_values(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_values(v, names, key) for v in value]
    return value


def mask_decision(decision: dict[str, Any], *, names: Iterable[str] = ()) -> dict[str, Any]:
    """A gate decision safe to log: addresses in evidence masked, phones/emails/names in every text redacted.

    `allowed`, rule ids, categories, pack and times are kept exactly (rule ids
    and ISO instants contain nothing redact_text changes).
    """
    names = tuple(names)
    masked = dict(decision)
    for key in ("violations", "warnings"):
        if isinstance(decision.get(key), list):
            masked[key] = _mask_values(decision[key], names)
    return masked
