"""Default wiring of borrower login to the other areas' services.

find_borrower(uow, e164): the borrowers service's blind-index lookup; a number
held by more than one borrower logs nobody in (it would be a guess).
deliver_code(uow, borrower_id, e164, code): an SMS through the contact service
(gate decision logged, outbox row written, the dispatcher delivers). The code
is passed as a name to mask, so the decision log keeps it masked; it lives in
clear only in the outbox row the channel needs to send it.
"""

from __future__ import annotations

from typing import Any

from fairdue.domain.borrowers import BorrowerId
from fairdue.service.borrower.registry import find_borrowers_by_mobile, get_borrower
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.servicing.debts import service_debt_id
from fairdue.web.deps import field_cipher

CODE_TEXT = {
    "zh": "【fairdue】您的登录验证码是 {code}，5分钟内有效。请勿告诉任何人，我们的员工不会向您索要验证码。",
    "en": "fairdue: your login code is {code}, valid for 5 minutes. Do not share it; our staff will never ask for it.",
}


def install(app: Any) -> None:
    """Set app.state.find_borrower / deliver_code unless a test already set them."""
    if getattr(app.state, "find_borrower", None) is None:
        app.state.find_borrower = lambda uow, e164: find_borrower(app, uow, e164)
    if getattr(app.state, "deliver_code", None) is None:
        app.state.deliver_code = lambda uow, borrower_id, e164, code: deliver_code(app, uow, borrower_id, e164, code)


def find_borrower(app: Any, uow: Any, e164: str) -> BorrowerId | None:
    ids = find_borrowers_by_mobile(uow, mobile=e164, cipher=field_cipher(app))
    return BorrowerId(ids[0]) if len(ids) == 1 else None


def deliver_code(app: Any, uow: Any, borrower_id: BorrowerId, e164: str, code: str) -> None:
    cipher = field_cipher(app)
    person = get_borrower(uow, borrower_id=borrower_id, cipher=cipher)
    language = "zh" if person.language.startswith("zh") else "en"
    text = CODE_TEXT[language].format(code=code)
    built = gate_requests.build(
        uow,
        debt_id=service_debt_id(borrower_id),
        recipient=e164,
        channel="sms",
        purpose="authentication",  # the borrower asked for it: no contact window, no debt words
        at=uow.clock(),
        message={"language": language, "text": text},
        cipher=cipher,
    )
    request_contact(
        uow,
        gate_request=built,
        names=[code, person.name],
        commit=False,
        cipher=cipher,
        message=OutgoingMessage(channel="sms", recipient_address=e164, language=language, text=text),
    )
