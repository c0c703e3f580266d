"""Collection letters as PDF (WeasyPrint, CJK via WenQuanYi Micro Hei), "sent" to a print spool.

A letter carries what the China card rules (《商业银行信用卡业务监督管理办法》
Art. 69) require of a collection letter: the borrower's name and balance, the
reason and legal basis, the borrower's rights and obligations, how to check
the account, how to object, and the lender's contact details. A letter missing
any of them is refused when built (`LetterIncomplete`).

The gate judges the letter's plain text (`render_text`); the outbox keeps the
structured fields as JSON next to it, and the adapter re-renders the text from
them and refuses if it differs, so the PDF says exactly what was allowed.
Sending writes `<spool>/<idempotency key>.pdf` atomically; an existing file
means the letter was already handed over, so a retry sends nothing new.
"""

from __future__ import annotations

import html
import json
import os
import pathlib
import tempfile
from dataclasses import asdict, dataclass, fields

from fairdue.adapters.channels.base import (
    DecisionSource,
    OutboundMessage,
    PermanentSendError,
    SendRefused,
    SendResult,
    TransientSendError,
    require_allowing_decision,
)
from fairdue.domain.money import Money
from fairdue.errors import FairdueError

CJK_FONT_FAMILY = "WenQuanYi Micro Hei"
LETTER_FIELD_CHARS_MAX = 2000

# Art. 69 elements: field name -> (zh heading, en heading).
REQUIRED_ELEMENTS = {
    "borrower_name": ("借款人", "Borrower"),
    "balance": ("欠款余额", "Balance owed"),
    "reason": ("催收事由", "Reason for this letter"),
    "legal_basis": ("法律依据", "Legal basis"),
    "rights_obligations": ("您的权利与义务", "Your rights and obligations"),
    "account_check": ("账户查询方式", "How to check your account"),
    "objection_route": ("异议与协商渠道", "How to object or ask for a plan"),
    "lender_contact": ("贷款机构联系方式", "Lender contact details"),
}


class LetterIncomplete(FairdueError):
    """A collection letter lacks an element card rules Art. 69 require."""


@dataclass(frozen=True, slots=True)
class CollectionLetter:
    """A collection letter's content; every text field is required (Art. 69).

    balance_minor/currency: the balance owed, exact; letter_on: ISO date of the letter.
    """

    language: str
    lender_name: str
    reference: str
    letter_on: str
    borrower_name: str
    balance_minor: int
    currency: str
    reason: str
    legal_basis: str
    rights_obligations: str
    account_check: str
    objection_route: str
    lender_contact: str

    def __post_init__(self) -> None:
        if self.language not in ("zh", "en"):
            raise LetterIncomplete(f"letter language must be zh or en, not {self.language!r}")
        missing = [
            f.name for f in fields(self) if isinstance(getattr(self, f.name), str) and not getattr(self, f.name).strip()
        ]
        if missing:
            raise LetterIncomplete("collection letter lacks: " + ", ".join(missing))
        long = [
            f.name
            for f in fields(self)
            if isinstance(getattr(self, f.name), str) and len(getattr(self, f.name)) > LETTER_FIELD_CHARS_MAX
        ]
        if long:
            raise LetterIncomplete(f"letter fields longer than {LETTER_FIELD_CHARS_MAX} characters: {', '.join(long)}")
        if isinstance(self.balance_minor, bool) or not isinstance(self.balance_minor, int) or self.balance_minor < 0:
            raise LetterIncomplete("balance_minor must be a non-negative integer of minor units")
        Money(self.balance_minor, self.currency)  # validates the currency

    @property
    def balance(self) -> Money:
        return Money(self.balance_minor, self.currency)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CollectionLetter:
        try:
            data = json.loads(text)
            return cls(**data)
        except (ValueError, TypeError) as err:
            raise LetterIncomplete(f"letter fields unreadable: {err}") from err

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) for every Art. 69 element, in order."""
        zh = self.language == "zh"
        values = {
            "borrower_name": self.borrower_name,
            "balance": self.balance.format(),
            "reason": self.reason,
            "legal_basis": self.legal_basis,
            "rights_obligations": self.rights_obligations,
            "account_check": self.account_check,
            "objection_route": self.objection_route,
            "lender_contact": f"{self.lender_name} · {self.lender_contact}",
        }
        return [(REQUIRED_ELEMENTS[k][0 if zh else 1], values[k]) for k in REQUIRED_ELEMENTS]

    def title(self) -> str:
        # The letterhead names the sender the way the content check recognises an identity.
        return f"【{self.lender_name}】催收函" if self.language == "zh" else f"This is a letter from {self.lender_name}"


def render_text(letter: CollectionLetter) -> str:
    """The letter as plain text: what the gate checks and what the fingerprint covers."""
    lines = [
        letter.title(),
        f"{'编号' if letter.language == 'zh' else 'Reference'}: {letter.reference}",
        f"{'日期' if letter.language == 'zh' else 'Date'}: {letter.letter_on}",
        "",
    ]
    for heading, text in letter.sections():
        lines.append(f"{heading}: {text}")
    return "\n".join(lines)


def render_html(letter: CollectionLetter) -> str:
    esc = html.escape
    rows = "\n".join(f"<h2>{esc(h)}</h2><p>{esc(t)}</p>" for h, t in letter.sections())
    return f"""<!doctype html>
<html lang="{"zh-CN" if letter.language == "zh" else "en"}"><head><meta charset="utf-8">
<title>{esc(letter.title())}</title>
<style>
 @page {{ size: A4; margin: 22mm 20mm; }}
 body {{ font-family: "{CJK_FONT_FAMILY}", sans-serif; font-size: 11pt; line-height: 1.55; }}
 h1 {{ font-size: 16pt; margin: 0 0 4mm; }}
 h2 {{ font-size: 11pt; margin: 4mm 0 1mm; }}
 p {{ margin: 0; }}
 .meta {{ color: #444; margin-bottom: 6mm; }}
</style></head><body>
<h1>{esc(letter.title())}</h1>
<div class="meta">{esc(letter.reference)} · {esc(letter.letter_on)}</div>
{rows}
</body></html>"""


def render_pdf(letter: CollectionLetter) -> bytes:
    import weasyprint  # heavy: loaded only when a letter is rendered

    return weasyprint.HTML(string=render_html(letter)).write_pdf()


class PdfLetterAdapter:
    """Renders allowed letters to PDF in a spool directory a print-and-mail service collects."""

    channel = "letter"

    def __init__(self, spool_dir: str | os.PathLike[str], *, decisions: DecisionSource):
        self.spool_dir = pathlib.Path(spool_dir)
        self.decisions = decisions

    def path_for(self, idempotency_key: str) -> pathlib.Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in idempotency_key)
        return self.spool_dir / f"{safe}.pdf"

    def send(self, message: OutboundMessage, *, idempotency_key: str) -> SendResult:
        require_allowing_decision(self.decisions, message, channel=self.channel)
        if not message.payload_json:
            raise SendRefused(f"outbox {message.outbox_id}: a letter without its fields cannot be rendered")
        try:
            letter = CollectionLetter.from_json(message.payload_json)
        except LetterIncomplete as err:
            raise PermanentSendError(f"outbox {message.outbox_id}: {err}") from err
        if render_text(letter) != message.body:
            raise SendRefused(f"outbox {message.outbox_id}: the letter's fields do not render the allowed text")
        target = self.path_for(idempotency_key)
        if target.exists():
            return SendResult(provider_message_id=target.name, duplicate=True)
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            pdf = render_pdf(letter)
            fd, tmp = tempfile.mkstemp(dir=self.spool_dir, prefix=".tmp-", suffix=".pdf")
            with os.fdopen(fd, "wb") as fh:
                fh.write(pdf)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as err:
            raise TransientSendError(f"letter spool unavailable: {err}") from err
        return SendResult(provider_message_id=target.name)
