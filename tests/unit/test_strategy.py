"""Collection strategies are data: shipped files load, bad files are refused by field, variants are stable."""

from __future__ import annotations

import collections

import pytest

from fairdue.domain.collections.strategy import (
    StrategyError,
    assign_variant,
    builtin_strategies,
    loads_strategy,
    render,
    steps_for,
)

VARS = dict(
    lender_name="安心消费金融",
    borrower_title="张先生",
    amount_due="CNY 1,230.00",
    due_on="2026-03-05",
    days_past_due=5,
    callback_phone="400-800-8888",
    app_name="安心",
    website="https://example.cn",
    agent_name="李",
)

GOOD = """
code = "T"
version = "1"
jurisdiction = "CN"
products = ["*"]
[templates.t]
zh = "【{{ lender_name }}】提醒"
en = "[{{ lender_name }}] reminder"
[[variant]]
name = "a"
weight_pct = 100
step = [{ stage = "due", offset_days = 0, channel = "sms", template = "t" }]
"""


def test_shipped_strategies_load():
    found = builtin_strategies()
    assert {"CN-DEFAULT", "US-DEFAULT", "UK-DEFAULT"} <= set(found)
    for s in found.values():
        for v in s.variants:
            for step in v.steps:
                if step.template:
                    for lang in ("zh", "en"):
                        assert render(s, step.template, lang, VARS)


def test_minimal_strategy_loads():
    s = loads_strategy(GOOD)
    assert s.variant("a").steps[0].channel == "sms"
    assert s.serves("ANY")


@pytest.mark.parametrize(
    "change,message",
    [
        (('jurisdiction = "CN"', 'jurisdiction = "FR"'), "jurisdiction"),
        (("weight_pct = 100", "weight_pct = 90"), "add up to 100"),
        (('channel = "sms"', 'channel = "fax"'), "channel"),
        (('template = "t"', 'template = "nope"'), "unknown template"),
        (('stage = "due"', 'stage = "pre_due"'), "negative offset"),
        (('stage = "due"', 'stage = "bucket"'), "bucket: required"),
        (("{{ lender_name }}】提醒", "{{ debtor_boss_phone }}】提醒"), "unknown variable"),
        (("{{ lender_name }}】提醒", "{{ lender_name 】提醒"), "syntax error"),
        (('code = "T"', ""), "missing field 'code'"),
        (('products = ["*"]', "products = []"), "products"),
        (("weight_pct = 100", 'weight_pct = "100"'), "expected int"),
    ],
)
def test_bad_strategy_is_refused_naming_the_field(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(StrategyError, match=message):
        loads_strategy(GOOD.replace(old, new, 1))


def test_not_toml():
    with pytest.raises(StrategyError, match="not valid TOML"):
        loads_strategy("code = ")


def test_variant_assignment_is_stable_and_follows_weights():
    cn = builtin_strategies()["CN-DEFAULT"]
    first = [assign_variant(cn, f"acct-{i}") for i in range(5000)]
    again = [assign_variant(cn, f"acct-{i}") for i in range(5000)]
    assert first == again
    share = collections.Counter(first)["champion"] / 5000
    assert 0.76 < share < 0.84  # 80% champion, sampling noise aside


def test_render_refuses_missing_variable_and_unknown_language():
    cn = builtin_strategies()["CN-DEFAULT"]
    with pytest.raises(StrategyError, match="undefined"):
        render(cn, "due", "zh", {"lender_name": "x"})
    with pytest.raises(StrategyError, match="language"):
        render(cn, "due", "fr", VARS)


def test_sandbox_blocks_attribute_escape():
    s = loads_strategy(GOOD.replace("{{ lender_name }}】提醒", "{{ lender_name.__class__.__mro__ }}】提醒"))
    with pytest.raises(StrategyError, match="unsafe"):
        render(s, "t", "zh", VARS)


def test_steps_for_orders_by_offset():
    cn = builtin_strategies()["CN-DEFAULT"]
    m1 = steps_for(cn.variant("champion"), stage="bucket", bucket="M1")
    assert [s.offset_days for s in m1] == [1, 3, 10]
