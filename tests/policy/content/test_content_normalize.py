"""Normalisation must keep every compact character traceable to its original position, or evidence spans would lie."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fairdue.policy.content.normalize import normalize_term, to_simplified, views


def test_traditional_full_width_case_and_separators_fold_together():
    v = views("爆 通-訊.錄 ＡＲＲＥＳＴ p0lice")
    assert v.compact == "爆通讯录arrestpolice"
    assert v.base == "爆 通-讯.录 ARREST p0lice"  # base keeps case and digits: patterns read it


def test_compact_positions_map_back_to_the_original():
    text = "a.r.r.e.s.t 傳　票"
    v = views(text)
    originals = [v.original(i) for i in range(len(v.compact))]
    assert [text[i] for i in originals] == list("arrest傳票")


def test_leetspeak_only_between_letters():
    assert views("p0lice 400-123-4567 $100").compact == "police4001234567100"
    assert views("arr3st j@il").compact == "arrestjail"


def test_to_simplified_keeps_length():
    for text in ("傳票通訊錄", "乾隆皇帝", "頭髮", "後果自負", "mixed 文字 and 漢字"):
        assert len(to_simplified(text)) == len(text)


def test_normalize_term_drops_separators_and_case():
    assert normalize_term("Call Your Contacts") == "callyourcontacts"
    assert normalize_term("f*ck") == "fck"


@given(st.text(max_size=80))
def test_views_keep_lengths_and_map_every_compact_char(text):
    v = views(text)
    assert len(v.base) == len(text) == len(v.light)
    positions = [v.original(i) for i in range(len(v.compact))]
    assert positions == sorted(set(positions))
    assert all(0 <= p < len(text) for p in positions)
    assert all(v.light[p] == c for p, c in zip(positions, v.compact, strict=True))


def test_lone_surrogate_does_not_break_the_check():
    """json.loads('"\\ud800"') yields a lone surrogate; OpenCC cannot take it as UTF-8."""
    text = "\ud800你个老赖"
    v = views(text)
    assert len(v.base) == len(text)
    assert v.compact.endswith("你个老赖")


@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=40))
def test_views_accept_any_code_point_including_surrogates(text):
    v = views(text)
    assert len(v.base) == len(text)
