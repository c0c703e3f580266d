"""Property: any sequence of balanced entries, replays and reversals keeps the trial balance at zero and stored balances equal to recomputed ones."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairdue.domain.money import Money
from fairdue.service.ledger import journal as L

CHART = [
    ("a", "asset", "CNY"),
    ("b", "liability", "CNY"),
    ("c", "income", "CNY"),
    ("d", "asset", "USD"),
    ("e", "expense", "USD"),
    ("f", "equity", "USD"),
]
BY_CURRENCY = {cur: [code for code, _, c in CHART if c == cur] for cur in ("CNY", "USD")}
_run = itertools.count()


@st.composite
def entry_legs(draw) -> list[tuple[str, int, str]]:
    """(chart code, signed amount_minor, currency) legs that balance in every currency used."""
    legs: list[tuple[str, int, str]] = []
    for currency in draw(st.lists(st.sampled_from(["CNY", "USD"]), min_size=1, max_size=2, unique=True)):
        codes = BY_CURRENCY[currency]
        parts = draw(
            st.lists(
                st.tuples(st.sampled_from(codes), st.integers(-(10**9), 10**9).filter(bool)), min_size=1, max_size=4
            )
        )
        total = sum(m for _, m in parts)
        legs += [(code, m, currency) for code, m in parts]
        closing = -total if total else None
        if closing is None:
            legs += [(codes[0], 1, currency), (codes[1], -1, currency)]
        else:
            legs.append((draw(st.sampled_from(codes)), closing, currency))
    return legs


# An operation: ("post", legs) | ("replay", index of an earlier post) | ("reverse", index of an earlier post)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("post"), entry_legs()),
        st.tuples(st.just("replay"), st.integers(0, 30)),
        st.tuples(st.just("reverse"), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_property_random_entries_keep_the_ledger_sound(uow_factory, ops):
    run = next(_run)
    prefix = f"p{run}"
    with uow_factory() as uow:
        acct = {
            code: L.ensure_account(uow, code=f"{prefix}:{code}", kind=kind, currency=cur) for code, kind, cur in CHART
        }
        uow.commit()

    model: dict[str, int] = defaultdict(int)
    posted: list[tuple[str, list[tuple[str, int, str]], int]] = []  # key, legs, entry id
    reversed_ids: set[int] = set()
    day = date(2026, 1, 1)
    for n, (op, arg) in enumerate(ops):
        with uow_factory() as uow:
            if op == "post":
                key = f"{prefix}:e{n}"
                entry = L.post_entry(
                    uow,
                    key=key,
                    kind="test",
                    business_on=day + timedelta(days=n),
                    postings=[(acct[c], Money(m, cur)) for c, m, cur in arg],
                )
                posted.append((key, arg, entry.id))
                for c, m, _ in arg:
                    model[c] += m
            elif posted and op == "replay":
                key, legs, entry_id = posted[arg % len(posted)]
                again = L.post_entry(
                    uow,
                    key=key,
                    kind="test",
                    business_on=day + timedelta(days=int(key.rsplit("e", 1)[1])),
                    postings=[(acct[c], Money(m, cur)) for c, m, cur in reversed(legs)],
                )
                assert again.id == entry_id  # a replay is a no-op
            elif posted and op == "reverse":
                _, legs, entry_id = posted[arg % len(posted)]
                if entry_id not in reversed_ids:
                    L.reverse_entry(uow, entry_id=entry_id, key=f"{prefix}:r{entry_id}", business_on=day)
                    reversed_ids.add(entry_id)
                    for c, m, _ in legs:
                        model[c] -= m
            uow.commit()

    with uow_factory() as uow:
        for code, _, cur in CHART:
            assert L.balance(uow, acct[code]) == Money(model[code], cur), code
        report = L.verify(uow)
        assert report.drifts == () and report.imbalances == ()
        assert all(total == 0 for total in report.trial_balance.values())
        assert report.ok
