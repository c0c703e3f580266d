"""The pure ledger rules refuse every malformed or unbalanced entry before storage sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.domain.ledger import (
    KEY_LEN_MAX,
    AccountKind,
    CorruptEntry,
    EntryDraft,
    EntryRecord,
    InvalidEntry,
    InvalidPosting,
    PostingLine,
    UnbalancedEntry,
    VerifyReport,
    check_entry,
    check_stored,
    differences,
    imbalances,
    normal_balance,
    reversal_postings,
    trial_balance,
)
from fairdue.errors import FairdueError

DAY = date(2026, 1, 15)


def P(account_id: int, amount_minor: int, currency: str = "CNY") -> PostingLine:
    return PostingLine(account_id, amount_minor, currency)


def draft(*postings: PostingLine, key: str = "k", kind: str = "purchase", **kw) -> EntryDraft:
    return EntryDraft(key=key, kind=kind, business_on=DAY, postings=tuple(postings), **kw)


def record(d: EntryDraft, entry_id: int = 1) -> EntryRecord:
    return EntryRecord(
        id=entry_id,
        key=d.key,
        kind=d.kind,
        business_on=d.business_on,
        created_at=datetime(2026, 1, 15, tzinfo=UTC),
        postings=d.postings,
        description=d.description,
        reverses_entry_id=d.reverses_entry_id,
    )


def test_a_balanced_entry_passes():
    check_entry(draft(P(1, 100), P(2, -60), P(3, -40)))


def test_an_unbalanced_entry_names_the_currency_and_the_gap():
    with pytest.raises(UnbalancedEntry) as err:
        check_entry(draft(P(1, 100), P(2, -99), key="pay-1"))
    assert err.value.imbalances == {"CNY": 1}
    assert "pay-1" in str(err.value) and "CNY off by +1" in str(err.value)
    assert isinstance(err.value, FairdueError)


def test_balance_is_per_currency_not_across_currencies():
    with pytest.raises(UnbalancedEntry) as err:
        check_entry(draft(P(1, 100, "CNY"), P(2, -100, "USD")))
    assert err.value.imbalances == {"CNY": 100, "USD": -100}
    check_entry(draft(P(1, 100, "CNY"), P(2, -100, "CNY"), P(3, 7, "USD"), P(4, -7, "USD")))


@pytest.mark.parametrize(
    "postings, error",
    [
        ((), InvalidEntry),
        ((P(1, 0), P(2, 0)), InvalidPosting),
        ((P(1, 100),), InvalidEntry),
        ((P(1, 100), P(2, -100, "XXX")), InvalidPosting),
        ((PostingLine(1, 1.0, "CNY"), P(2, -1)), InvalidPosting),  # type: ignore[arg-type]
        ((PostingLine(1, True, "CNY"), P(2, -1)), InvalidPosting),  # type: ignore[arg-type]
        ((PostingLine("1", 1, "CNY"), P(2, -1)), InvalidPosting),  # type: ignore[arg-type]
        ((P(1, 2**63), P(2, -(2**63))), InvalidPosting),
    ],
    ids=["empty", "zero", "single", "unknown-currency", "float", "bool", "str-account", "too-large"],
)
def test_malformed_postings_are_refused(postings, error):
    with pytest.raises(error):
        check_entry(draft(*postings))


@pytest.mark.parametrize(
    "kw",
    [
        {"key": ""},
        {"key": "   "},
        {"key": " padded"},
        {"key": "k" * (KEY_LEN_MAX + 1)},
        {"kind": ""},
        {"key": None},
    ],
    ids=["empty-key", "blank-key", "padded-key", "long-key", "empty-kind", "none-key"],
)
def test_bad_keys_and_kinds_are_refused(kw):
    with pytest.raises(InvalidEntry):
        check_entry(draft(P(1, 1), P(2, -1), **kw))


def test_business_on_must_be_a_date_not_a_datetime():
    bad = EntryDraft(key="k", kind="x", business_on=datetime(2026, 1, 15, tzinfo=UTC), postings=(P(1, 1), P(2, -1)))
    with pytest.raises(InvalidEntry, match="business_on"):
        check_entry(bad)


def test_a_key_of_exactly_the_maximum_length_is_accepted():
    check_entry(draft(P(1, 1), P(2, -1), key="k" * KEY_LEN_MAX))


def test_reversal_negates_every_posting():
    original = (P(1, 100), P(2, -70), P(3, -30))
    rev = reversal_postings(original)
    assert rev == (P(1, -100), P(2, 70), P(3, 30))
    assert imbalances(original + rev) == {}


def test_differences_ignore_posting_order_but_see_every_field():
    d = draft(P(1, 100), P(2, -100), description="x")
    assert differences(draft(P(2, -100), P(1, 100), description="x"), record(d)) == []
    changed = differences(draft(P(1, 101), P(2, -101), kind="refund", description="y"), record(d))
    assert len(changed) == 3
    assert any(c.startswith("kind") for c in changed)
    assert any("postings" in c for c in changed)
    assert differences(EntryDraft("k", "purchase", date(2026, 1, 16), d.postings, "x"), record(d)) == [
        "business_on 2026-01-16 != stored 2026-01-15"
    ]


def test_a_stored_entry_that_no_longer_balances_is_reported_as_corrupt():
    good = record(draft(P(1, 100), P(2, -100)))
    assert check_stored(good) is good
    tampered = record(draft(P(1, 100), P(2, -90)), entry_id=7)
    with pytest.raises(CorruptEntry, match="#7"):
        check_stored(tampered)


def test_normal_balance_reads_liabilities_and_income_as_positive():
    assert [k.normal_sign for k in AccountKind] == [1, -1, -1, 1, -1]
    assert normal_balance(AccountKind.LIABILITY, -500) == 500
    assert normal_balance(AccountKind.ASSET, 500) == 500


def test_verify_report_is_not_ok_when_the_trial_balance_is_off():
    assert VerifyReport((), (), 0, 0, {"CNY": 0}).ok
    assert not VerifyReport((), (), 0, 0, {"CNY": 5}).ok


# -- properties ----------------------------------------------------------------------------------
amounts = st.integers(min_value=1, max_value=10**12)


@st.composite
def balanced_postings(draw) -> tuple[PostingLine, ...]:
    """Random legs in up to three currencies, each currency closed by a balancing leg."""
    lines: list[PostingLine] = []
    for currency in draw(st.lists(st.sampled_from(["CNY", "USD", "JPY"]), min_size=1, max_size=3, unique=True)):
        legs = draw(st.lists(st.tuples(st.integers(1, 20), amounts, st.booleans()), min_size=1, max_size=6))
        total = 0
        for account_id, amount, credit in legs:
            signed = -amount if credit else amount
            lines.append(PostingLine(account_id, signed, currency))
            total += signed
        if total == 0:  # the legs balanced by themselves: add a matched pair instead
            lines += [PostingLine(21, 1, currency), PostingLine(22, -1, currency)]
        else:
            lines.append(PostingLine(23, -total, currency))
    order = draw(st.permutations(range(len(lines))))
    return tuple(lines[i] for i in order)


@given(balanced_postings())
def test_property_balanced_entries_pass_and_their_reversal_balances_too(postings):
    check_entry(draft(*postings))
    check_entry(draft(*reversal_postings(postings)))
    assert trial_balance((p.currency, p.amount_minor) for p in postings) == {
        c: 0 for c in {p.currency for p in postings}
    }


@given(balanced_postings(), st.integers(min_value=1, max_value=10**6), st.data())
def test_property_any_nudge_to_one_leg_is_caught(postings, nudge, data):
    i = data.draw(st.integers(0, len(postings) - 1))
    p = postings[i]
    moved = p.amount_minor + nudge if p.amount_minor + nudge != 0 else p.amount_minor + nudge + 1
    nudged = postings[:i] + (PostingLine(p.account_id, moved, p.currency),) + postings[i + 1 :]
    with pytest.raises(UnbalancedEntry) as err:
        check_entry(draft(*nudged))
    assert set(err.value.imbalances) == {p.currency}
