"""Plan rows fall due on the day they are honoured (the caller's business-day rule), amounts unchanged, and a rule
that would move a due date earlier is refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fairdue.domain.collections.plans import PlanInputError, propose_plans
from fairdue.domain.money import Money

AS_OF, FIRST_DUE = date(2026, 3, 10), date(2026, 4, 11)  # 2026-04-11 is a Saturday


def _following_monday(on: date) -> date:
    return on + timedelta(days=(7 - on.weekday()) % 7) if on.weekday() >= 5 else on


def _propose(**overrides):
    args = dict(
        principal=Money(1_200_000, "CNY"),
        unpaid_interest_minor=30_000,
        unpaid_fees_minor=20_000,
        monthly_income_minor=800_000,
        monthly_expenses_minor=650_000,
        monthly_rate=Decimal("0.01"),
        months_max=60,
        jurisdiction="CN",
        annual_cost_cap=Decimal("0.24"),
        as_of=AS_OF,
        first_due_on=FIRST_DUE,
    )
    args.update(overrides)
    return {p.kind: p for p in propose_plans(**args)}


def test_rows_are_due_on_the_honoured_day_with_the_contractual_amounts():
    plain, moved = _propose(), _propose(honoured_on=_following_monday)
    for kind in plain:
        a, b = plain[kind], moved[kind]
        assert [(r.principal_minor, r.interest_minor, r.carried_minor) for r in a.rows] == [
            (r.principal_minor, r.interest_minor, r.carried_minor) for r in b.rows
        ]
        assert [r.due_on for r in b.rows] == [_following_monday(r.due_on) for r in a.rows]
        assert all(r.due_on.weekday() < 5 for r in b.rows)
    assert moved["extend"].rows[0].due_on == date(2026, 4, 13)
    # The true rate is measured on the days the borrower pays: later payments, a slightly lower rate.
    assert moved["extend"].apr < plain["extend"].apr


def test_a_rule_that_moves_a_due_date_earlier_is_refused():
    with pytest.raises(PlanInputError, match="can only stay or move later"):
        _propose(honoured_on=lambda on: on - timedelta(days=1))
