"""The end of `fairdue demo`: staff logins, a few gate decisions on demo borrowers, and the console,
portal and API served on 127.0.0.1:8000.

The web app runs on a demo clock that starts at the demo's business date
(10:00 in Shanghai) and moves with real time, so "due today" and the contact
hours match the seeded portfolio whatever the wall clock says. Borrower
one-time codes go through the gate and the outbox like any SMS; with no SMS
provider in the demo, the demo phone page (/demo/phone, demo mode only)
shows what the outbox holds for the demo borrowers' numbers.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from fairdue.adapters.crypto import DEV_KEY_FILE, FieldCipher, dev_keyring
from fairdue.adapters.db.views import accounts as account_reads
from fairdue.bootstrap import bootstrap
from fairdue.config import ConfigurationRefused, is_sqlite
from fairdue.domain.money import Money
from fairdue.service.borrower.registry import get_borrower
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import OutgoingMessage, open_outbox_fields, request_contact
from fairdue.service.servicing.debt_state import debt_state
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.staff.auth import create_staff
from fairdue.web.app import WebConfig, create_app
from fairdue.web.templating import render

DEMO_PASSWORD = "fairdue-demo-2026"  # nosec B105
DEMO_STAFF = (
    ("agent", "王敏 (agent)", ("agent",)),
    ("supervisor", "Sam Lee (supervisor)", ("supervisor",)),
    ("compliance", "陈静 (compliance)", ("compliance",)),
    ("admin", "Admin", ("admin",)),
)
DEMO_BORROWERS_SHOWN = 2
DEMO_LOCAL_HOUR_UTC = 2  # 10:00 in Asia/Shanghai


@dataclass(frozen=True, slots=True)
class DemoClock:
    """Aware UTC instants starting at `start_at` and advancing with the real monotonic clock."""

    start_at: dt.datetime
    started_s: float

    def __call__(self) -> dt.datetime:
        return self.start_at + dt.timedelta(seconds=time.monotonic() - self.started_s)


def prepare(core: Any, cipher: Any) -> dict[str, Any]:
    """Staff users, demo borrowers' phones, and a lawful and a blocked contact for each; returns the logins."""
    shown = []
    with core.uow_factory() as uow:
        for username, display, roles in DEMO_STAFF:
            if uow.staff.id_of_username(username) is None:
                create_staff(
                    uow, username=username, display_name=display, password=DEMO_PASSWORD, roles=roles, now=uow.clock()
                )
        rows = account_reads.lines_in_jurisdiction(uow.connection, "CN", limit=DEMO_BORROWERS_SHOWN)
        at = uow.clock()
        for row in rows:
            person = get_borrower(uow, borrower_id=row.borrower_id, cipher=cipher)
            number = person.mobiles[0][0]
            shown.append({"borrower_id": row.borrower_id, "line_id": row.id, "phone": number})
            purpose, text = _honest_text(uow, row.id, at)
            # Two demo contacts through the one builder: to the borrower's own number, and to a number that is
            # not on file for the debt (the gate refuses it: source unknown, a third party).
            for address in (number, "+8613700137000"):
                built = gate_requests.build(
                    uow,
                    debt_id=debt_id_for_line(row.id),
                    recipient=address,
                    channel="sms",
                    purpose=purpose,
                    at=at,
                    message={"language": "zh", "text": text},
                    cipher=cipher,
                )
                request_contact(
                    uow,
                    gate_request=built,
                    cipher=cipher,
                    commit=False,
                    names=[person.name],
                    message=OutgoingMessage(channel="sms", recipient_address=address, language="zh", text=text),
                )
        uow.commit()
    return {"staff": [(u, ", ".join(r)) for u, _d, r in DEMO_STAFF], "password": DEMO_PASSWORD, "borrowers": shown}


def _honest_text(uow: Any, line_id: int, at: dt.datetime) -> tuple[str, str]:
    """(purpose, text) the demo sends a borrower: true of their line today (the gate's truth check reads the same
    state): an overdue notice with the days and amount if overdue, else a reminder of the next due date, else a
    service note that nothing is due."""
    state = debt_state(uow, line_id=line_id, on=at.astimezone(ZoneInfo("Asia/Shanghai")).date())
    sign = "【示例消费金融】"
    tail = "请通过本公司官方App或官方客服热线95000还款；如对账单有异议或需要协商还款计划，请致电95000。回复TD退订。"
    if state.overdue:
        owed = Money(state.amount_due, state.currency).format()
        return "collection", f"{sign}您好，您的分期账单已逾期{state.days_past_due}天，应还{owed}。{tail}"
    if state.next_due_on is not None:
        return "reminder", f"{sign}温馨提示：您的分期账单将于{state.next_due_on:%Y年%m月%d日}到期。{tail}"
    return "service", f"{sign}您好，您的账户目前没有待还款项。如有疑问请致电官方客服热线95000。"


def demo_app(database_url: str, *, as_of: dt.date, key_file: Any = None):
    """The web app over the demo database (SQLite only: it uses development keys), on the demo clock, with the
    demo phone page, served with the development switch for plain HTTP on 127.0.0.1 (WebConfig.dev_http)."""
    if not is_sqlite(database_url):
        raise ConfigurationRefused("the demo web app runs on SQLite only (it uses development keys)")
    start_at = dt.datetime.combine(as_of, dt.time(DEMO_LOCAL_HOUR_UTC), tzinfo=dt.UTC)
    cipher = FieldCipher(dev_keyring(key_file or DEV_KEY_FILE))
    core = bootstrap(database_url=database_url, clock=DemoClock(start_at, time.monotonic()), cipher=cipher)
    web = WebConfig.from_env(database_url=database_url)
    web.dev_http = True  # the demo is served on http://127.0.0.1 only (serve_demo)
    app = create_app(core, web_config=web)
    app.state.demo_phones = set()
    _install_phone_page(app)
    return app, core, cipher


def _install_phone_page(app: Any) -> None:
    @app.get("/demo/phone", response_class=HTMLResponse, include_in_schema=False)
    def demo_phone(request: Request) -> HTMLResponse:
        """The demo borrowers' phones: SMS the outbox holds for them (login codes included)."""
        messages = []
        with app.state.core.uow_factory() as uow:
            for row in account_reads.latest_outbox(uow.connection, "sms", limit=200):
                fields = open_outbox_fields(app.state.cipher, row)
                if fields["recipient_address"] in app.state.demo_phones:
                    messages.append(
                        {
                            "to": fields["recipient_address"],
                            "body": fields["body"],
                            "at": row.created_at,
                            "status": row.status,
                        }
                    )
        return render(request, "demo_phone.html", {"messages": messages[:20]})


def serve_demo(database_url: str, *, as_of: dt.date, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Prepare the demo logins, print them, and serve until interrupted."""
    import uvicorn

    app, core, cipher = demo_app(database_url, as_of=as_of)
    app.state.web.check_listen_host(host)
    logins = prepare(core, cipher)
    app.state.demo_phones = {b["phone"] for b in logins["borrowers"]}
    base = f"http://{host}:{port}"
    print(f"\nfairdue is serving on {base}  (Ctrl-C to stop; the web clock starts at {as_of} 10:00 Asia/Shanghai)")
    print(f"  staff console  {base}/console/login   password for every demo user: {logins['password']}")
    for username, roles in logins["staff"]:
        print(f"    {username:<11} role {roles}")
    print("    (supervisor, compliance and admin set up a second factor at first login: any TOTP authenticator app)")
    print(f"  borrower portal {base}/portal/login   log in with a phone; the code arrives on {base}/demo/phone")
    for b in logins["borrowers"]:
        print(f"    {b['phone']}   (borrower #{b['borrower_id']}, account #{b['line_id']})")
    print(f"  API             {base}/api/v1/docs")
    uvicorn.run(app, host=host, port=port, log_level="warning")
