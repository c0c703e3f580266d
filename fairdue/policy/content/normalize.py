"""Text normalisation for the content check, keeping a map back to the original.

Three views of one message, all pure functions of the text:

* ``base``    traditional->simplified (OpenCC ``t2s``) and full-width->half-width;
              same length as the original, so a span in ``base`` is a span in
              the original text.
* ``light``   ``base`` case-folded, with leetspeak digits between two letters
              read as letters (``p0lice`` -> ``police``); still the same length.
* ``compact`` ``light`` without separators (spaces, punctuation, symbols,
              zero-width characters), so ``爆 通 讯 录`` and ``a.r.r.e.s.t`` read
              as words; ``index[i]`` is the original position of ``compact[i]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width ASCII block U+FF01..U+FF5E -> U+0021..U+007E; ideographic space -> space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = 0x20

# Leetspeak read only between two ASCII letters, so phone numbers and amounts
# are untouched: p0lice, arr3st, j@il, $ue->sue needs a letter on both sides.
_LEET = re.compile(r"(?<=[a-z])[0134@$](?=[a-z])")
_LEET_MAP = {"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s"}

# A "word" character in the compact view: letters (any script), digits.
# Everything else (\W and underscore) is a separator and is dropped.
_KEEP = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Views:
    """The three normalised views of one text; see the module docstring."""

    base: str
    light: str
    compact: str
    index: tuple[int, ...]   # original position of each compact character


def to_simplified(text: str) -> str:
    """Traditional -> simplified, guaranteed to keep the length (one char per char)."""
    converted = _T2S.convert(text)
    if len(converted) == len(text):
        return converted
    # Rare: a phrase rule changed the length. Convert char by char and keep any
    # character whose conversion is not exactly one character.
    out = []
    for ch in text:
        c = _T2S.convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)


def _fold(text: str) -> str:
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _leet(match: re.Match[str]) -> str:
    return _LEET_MAP[match.group()]


def views(text: str) -> Views:
    """All views of ``text``; spans in ``base``/``light`` equal spans in ``text``."""
    base = to_simplified(text).translate(_HALF_WIDTH)
    light = _LEET.sub(_leet, _fold(base))
    parts: list[str] = []
    index: list[int] = []
    for m in _KEEP.finditer(light):
        parts.append(m.group())
        index.extend(range(m.start(), m.end()))
    return Views(base=base, light=light, compact="".join(parts), index=tuple(index))


def normalize_term(term: str) -> str:
    """The compact form of a lexicon term, so terms and messages meet in one space."""
    return views(term).compact
