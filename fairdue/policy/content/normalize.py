"""Text normalisation for the content check, keeping a map back to the original.

Three views of one message, all pure functions of the text:

* ``base``    traditional->simplified (OpenCC ``t2s``) and full-width->half-width;
              same length as the original, so a span in ``base`` is a span in
              the original text.
* ``light``   ``base`` case-folded, the polite and gendered forms of "you"
              (您, 妳) read as 你 so one lexicon entry covers all three,
              Cyrillic/Greek look-alikes read as Latin letters, and
              leetspeak digits between two letters read as letters
              (``p0lice`` -> ``police``); still the same length.
              With a vocabulary (the words the check's classes and lexicon are
              written in), a word spelled with digits, symbols or masked
              letters reads as the one vocabulary word it spells
              (``w4$73`` -> ``waste``, ``s**l`` -> ``sell``; see `respell`).
* ``compact`` ``light`` without separators (spaces, punctuation, symbols,
              zero-width characters), so ``爆 通 讯 录`` and ``a.r.r.e.s.t`` read
              as words; ``original(i)`` is the original position of ``compact[i]``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width ASCII block U+FF01..U+FF5E -> U+0021..U+007E; ideographic space -> space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = 0x20
_FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")

# Leetspeak read only between two ASCII letters, or at the start of a word
# before three letters (4rrested), so phone numbers and amounts are untouched:
# p0lice, arr3st, j@il; "4pm" and "$100" stay as they are.
# (The class comes first so the scanner can skip ahead to candidates.)
_LEET = re.compile(r"[0134@$](?<=[a-z].)(?=[a-z])|(?<![\w@$])[0134@$](?=[a-z]{3})")
_LEET_MAP = {"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s"}

# A "word" character in the compact view: letters (any script), digits.
# Everything else (\W and underscore) is a separator and is dropped; so is
# every non-letter (digits too) between two CJK characters, so "爆1通1讯录"
# and "坐😀牢" read as words. (The CJK alternative comes first: at a separator
# right after a CJK character it takes digits as well.)
_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPLIT = re.compile(f"((?<=[{_CJK_CLASS}])[\\W_\\d]+(?=[{_CJK_CLASS}])|[\\W_]+)")


@dataclass(frozen=True, slots=True)
class Views:
    """The three normalised views of one text; see the module docstring.

    The compact view is a concatenation of runs of word characters; run r
    starts at ``run_compact[r]`` in ``compact`` and at ``run_original[r]`` in
    the original text (an empty run may appear at either end; lookups by
    bisect_right land on the non-empty run that follows it).
    """

    base: str
    light: str
    compact: str
    run_compact: tuple[int, ...]
    run_original: tuple[int, ...]

    def original(self, i: int) -> int:
        """Original position of ``compact[i]``."""
        r = bisect_right(self.run_compact, i) - 1
        return self.run_original[r] + (i - self.run_compact[r])


_SURROGATE = re.compile("[\ud800-\udfff]")


def to_simplified(text: str) -> str:
    """Traditional -> simplified, guaranteed to keep the length (one char per char)."""
    try:
        converted: str = _T2S.convert(text)  # OpenCC.convert is unannotated
    except UnicodeEncodeError:
        # A lone surrogate (json.loads accepts "\\ud800") cannot go to OpenCC as
        # UTF-8; U+FFFD in its place keeps every other position unchanged.
        text = _SURROGATE.sub("\ufffd", text)
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


# Cyrillic and Greek letters that look like Latin ones ("аrrest" with a
# Cyrillic а) read as the Latin letter, a known trick against keyword filters.
_RARE_MAP = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "к": "k",
        "м": "m",
        "т": "t",
        "н": "h",
        "в": "b",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "τ": "t",
        "υ": "u",
    }
)
_RARE = re.compile("[\u0370-\u04ff]")


def _fold(text: str) -> str:
    folded = text.lower()
    if len(folded) != len(text):
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    if "您" in folded:  # str.replace runs in C; translate() with a table does not
        folded = folded.replace("您", "你")
    if "妳" in folded:
        folded = folded.replace("妳", "你")
    if _RARE.search(folded):
        folded = folded.translate(_RARE_MAP)
    return folded


def _leet(match: re.Match[str]) -> str:
    return _LEET_MAP[match.group()]


def _half_width(match: re.Match[str]) -> str:
    return match.group().translate(_HALF_WIDTH)


# The full-width punctuation of ordinary Chinese text, replaced without a
# regex callback per character; the rest of the block goes through the regex.
_COMMON_FULL_WIDTH = (("，", ","), ("：", ":"), ("！", "!"), ("？", "?"), ("；", ";"), ("（", "("), ("）", ")"))


def half_width(text: str) -> str:
    """Full-width ASCII forms and the ideographic space as their half-width selves."""
    for full, half in _COMMON_FULL_WIDTH:
        if full in text:
            text = text.replace(full, half)
    if _FULL_WIDTH_RUN.search(text):
        text = _FULL_WIDTH_RUN.sub(_half_width, text)
    return text


# --- words spelled with digits, symbols or masked letters ----------------------
# What each stand-in may be read as; "*" (a masked letter) may be any letter.
_SPELLING = {"0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s",
             "!": "il", "|": "li", "+": "t", "*": "a-z"}  # fmt: skip
_SPELLED_TOKEN = re.compile(r"[a-z0-9@$!|+*]{4,}")
_SPELLED_HINT = re.compile(r"[a-z][0-9@$!|+*]|[0-9@$!|+*][a-z]")
_WORD = re.compile(r"[a-z]{3,}")
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Latin words a spelled-out token may stand for, by length, in order of preference (first listed first)."""

    by_length: dict[int, tuple[str, ...]]
    words: frozenset[str]


def vocabulary(terms: Iterable[str]) -> Vocabulary:
    """The words of ``terms`` (class terms and lexicon entries as written), then their common inflections
    (words of four letters or more): a masked token that could be either reads as the word itself."""
    bases = dict.fromkeys(word for term in terms for word in _WORD.findall(term.lower()))
    inflected = dict.fromkeys(
        word[:-1] + "ing" if ending == "ing" and word.endswith("e") else word + ending
        for word in bases
        if len(word) >= 4
        for ending in _INFLECTIONS
    )
    by_length: dict[int, list[str]] = {}
    for word in (*bases, *(w for w in inflected if w not in bases)):
        by_length.setdefault(len(word), []).append(word)
    return Vocabulary({n: tuple(words) for n, words in by_length.items()}, frozenset(bases) | frozenset(inflected))


def _spelled(token: str, vocab: Vocabulary) -> str | None:
    """The first vocabulary word ``token`` can spell, if any (a token of plain letters or digits only spells itself)."""
    if (
        token.isalpha()
        or not any(c.isalpha() for c in token)
        or not all(c.isalpha() or c in _SPELLING for c in token)
        or "".join(filter(str.isalpha, token)) in vocab.words  # stand-ins between a word's letters ("arr!est")
    ):
        return None
    words = vocab.by_length.get(len(token))
    if not words:
        return None
    pattern = re.compile("".join(c if c.isalpha() else f"[{_SPELLING[c]}]" for c in token))
    return next((w for w in words if pattern.fullmatch(w)), None)


_PUNCTUATION = frozenset(".,!?;:'\"()…，。！？：；、“”‘’")


def _delimits(light: str, i: int, step: int) -> bool:
    """Whether position ``i``, just outside a token (``step`` 1 after it, -1 before it), ends a word: the text's edge,
    a space, or punctuation with no letter or digit beyond it ("cas*.e" is a word spelled out, "p******e." is not)."""
    if i < 0 or i >= len(light) or light[i].isspace():
        return True
    beyond = i + step
    return light[i] in _PUNCTUATION and (beyond < 0 or beyond >= len(light) or not light[beyond].isalnum())


def respell(light: str, vocab: Vocabulary) -> str:
    """``light`` with each token spelled with digits, symbols or masked letters (``4$$0c1473$``, ``p******e``)
    read as the vocabulary word it spells; same length, so spans still map to the original."""
    if not _SPELLED_HINT.search(light):
        return light
    out: list[str] = []
    last = 0
    for m in _SPELLED_TOKEN.finditer(light):
        if not (_delimits(light, m.start() - 1, -1) and _delimits(light, m.end(), 1)):
            continue  # part of a word spelled out with separators ("cas*_e"): the compact view reads it
        word = _spelled(m.group(), vocab)
        if word is not None:
            out += (light[last : m.start()], word)
            last = m.end()
    return "".join(out) + light[last:] if out else light


def views(text: str, vocab: Vocabulary | None = None) -> Views:
    """All views of ``text``; spans in ``base``/``light`` equal spans in ``text``."""
    base = half_width(to_simplified(text))
    light = _LEET.sub(_leet, _fold(base))
    if vocab is not None:
        light = respell(light, vocab)
    # split() with a capturing group alternates word runs and separator runs
    # (w0, s0, w1, s1, ..., wn; a word run may be empty at either end) and
    # keeps the loops in C: no Match object per run.
    pieces = _SPLIT.split(light)
    words = pieces[0::2]
    n = len(words)
    run_original = tuple(accumulate(map(len, pieces), initial=0))[0::2][:n]
    run_compact = tuple(accumulate(map(len, words), initial=0))[:n]
    return Views(base=base, light=light, compact="".join(words), run_compact=run_compact, run_original=run_original)


def normalize_term(term: str) -> str:
    """The compact form of a lexicon term, so terms and messages meet in one space."""
    return views(term).compact


# --- pinyin: homophone and pinyin spellings of a word (通迅录, 坐lao, tongxunlu) ---
# Every CJK character reads as its first tone-less pinyin syllable (pypinyin's
# character table, ü as v); Latin letters read as themselves. A word whose
# pinyin appears in this "sound view" of a message was written there, in
# characters, in letters or in a mix of both, whatever characters were used.
_TONES = str.maketrans(
    {
        **dict.fromkeys("āáǎà", "a"),
        **dict.fromkeys("ōóǒò", "o"),
        **dict.fromkeys("ēéěèê", "e"),
        **dict.fromkeys("īíǐì", "i"),
        **dict.fromkeys("ūúǔù", "u"),
        **dict.fromkeys("üǖǘǚǜ", "v"),
        **dict.fromkeys("ńňǹ", "n"),
        **dict.fromkeys("ḿ", "m"),
    }
)
_sound: dict[str, str] = {}  # character -> tone-less syllable, filled on first use (~40,000 entries)


def _sound_table() -> dict[str, str]:
    if not _sound:
        from pypinyin.pinyin_dict import pinyin_dict  # the package ships no types for this module

        for code, readings in pinyin_dict.items():
            ch = chr(code)
            if is_cjk(ch):
                _sound[ch] = readings.split(",", 1)[0].translate(_TONES)
    return _sound


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (the characters pinyin reads)."""
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def pinyin_keys(term: str) -> tuple[str, ...]:
    """Tone-less pinyin spellings of a CJK term: phrase-aware (曝光 -> baoguang) and character by character."""
    from pypinyin import Style, lazy_pinyin

    table = _sound_table()
    phrase = "".join(lazy_pinyin(term, style=Style.NORMAL, v_to_u=False)).replace("ü", "v")
    per_char = "".join(table.get(ch, ch) for ch in term)
    return tuple(dict.fromkeys(k for k in (phrase, per_char) if k.isascii() and k.isalpha()))


def sound_view(compact: str) -> tuple[str, tuple[int, ...]]:
    """The sound view of a compact text and, per compact character, where its sound starts.

    ``starts[i]`` is the offset in the sound view of ``compact[i]``; ``starts``
    has one more entry (the total length), so compact[i] reads as
    ``sound[starts[i]:starts[i + 1]]``.
    """
    table = _sound_table()
    parts = [table.get(ch, ch) for ch in compact]
    return "".join(parts), tuple(accumulate(map(len, parts), initial=0))
