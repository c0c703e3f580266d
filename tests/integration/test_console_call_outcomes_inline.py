"""The console's case page shows a logged call's outcome (what, when, by whom) on the call action's own row,
read from the hash-chained decision log; an action with no logged outcome shows none, and another case's
outcome never lands on this case's rows."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from web_testing import add_staff, case_and_call_task, make_app, seed_overdue_case, staff_token

UTC = dt.UTC
MORNING = dt.datetime(2026, 2, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def world(engine, clock):
    app = make_app(engine, clock)
    ag = add_staff(app, "ag", "agent", display_name="Agent Wu")
    factory = app.state.core.uow_factory
    line = seed_overdue_case(app, agents=(ag,), now=MORNING, sequence=7, key="outcome-1")
    with TestClient(app) as client:
        yield {
            "client": client,
            "line": line,
            "engine": engine,
            "clock": clock,
            "ag": staff_token(client, "ag"),
            "factory": factory,
            "cipher": app.state.cipher,
        }


def _case_and_task(w) -> tuple[int, int]:
    return case_and_call_task(w["engine"], w["line"])


def _row_of(page: str, action_id: int) -> str:
    rows = [
        r for r in page.split("<tr")[1:] if f'/console/tasks/{action_id}"' in r or f'data-action="{action_id}"' in r
    ]
    assert len(rows) == 1, f"expected one row for action {action_id}"
    return rows[0].split("</tr>")[0]


def test_no_outcome_is_shown_before_the_call_is_logged(world):
    case_id, task = _case_and_task(world)
    page = world["client"].get(f"/console/cases/{case_id}", headers={**world["ag"], "Accept-Language": "en"})
    assert page.status_code == 200 and ">Call outcome<" in page.text
    _row_of(page.text, task)  # the call action is on the page (exactly one row), so its lack of an outcome is shown
    assert "call-outcome" not in page.text and "data-outcome=" not in page.text


@pytest.mark.parametrize("outcome", ["no_answer", "answered"])
def test_a_logged_outcome_shows_inline_with_when_and_who(world, outcome):
    from fairdue.web.i18n import translate

    c = world["client"]
    case_id, task = _case_and_task(world)
    world["clock"].set(MORNING + dt.timedelta(minutes=5))
    assert 'data-allowed="true"' in c.post(f"/console/tasks/{task}/judge", headers=world["ag"]).text
    logged = c.post(
        f"/console/tasks/{task}/outcome", headers=world["ag"], data={"outcome": outcome}, follow_redirects=False
    )
    assert logged.status_code == 303
    for lang in ("en", "zh"):
        page = c.get(f"/console/cases/{case_id}", headers={**world["ag"], "Accept-Language": lang})
        row = _row_of(page.text, task)
        assert f'data-outcome="{outcome}"' in row and 'data-status="done"' in page.text
        assert translate(lang, f"call.o.{outcome}") in row
        assert "Agent Wu" in row and "2026-02-02 10:05" in row  # who, and when (Shanghai local)


def test_an_outcome_logged_by_no_staff_member_says_so(world):
    """The simulation logs outcomes with staff_id None: the row says 'no staff member', not an empty name."""
    from fairdue.service.collections import engine as coll
    from fairdue.service.collections.call_outcomes import log_call_outcome

    case_id, task = _case_and_task(world)
    at = MORNING + dt.timedelta(minutes=1)
    world["clock"].set(at)
    with world["factory"]() as uow:
        coll.judge_call_task(uow, action_id=task, at=at, cipher=world["cipher"])
        log_call_outcome(uow, action_id=task, outcome="wrong_party", staff_id=None, now=at)
        uow.commit()
    page = world["client"].get(f"/console/cases/{case_id}", headers={**world["ag"], "Accept-Language": "en"})
    row = _row_of(page.text, task)
    assert 'data-outcome="wrong_party"' in row and "no staff member" in row and "Agent Wu" not in row


def test_the_read_model_keys_outcomes_by_action_and_skips_other_cases(world):
    from fairdue.adapters.db.views.cases import call_outcomes_of_case
    from fairdue.service.servicing.debts import debt_id_for_line

    c = world["client"]
    case_id, task = _case_and_task(world)
    world["clock"].set(MORNING + dt.timedelta(minutes=5))
    c.post(f"/console/tasks/{task}/judge", headers=world["ag"])
    c.post(f"/console/tasks/{task}/outcome", headers=world["ag"], data={"outcome": "refused"})
    with world["factory"]() as uow:
        mine = call_outcomes_of_case(uow.connection, case_id=case_id, debt_id=debt_id_for_line(world["line"]))
        other = call_outcomes_of_case(uow.connection, case_id=case_id + 1000, debt_id=debt_id_for_line(world["line"]))
    assert set(mine) == {task} and mine[task].outcome == "refused" and mine[task].staff_name == "Agent Wu"
    assert mine[task].logged_at == MORNING + dt.timedelta(minutes=5)
    assert other == {}
