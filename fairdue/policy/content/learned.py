"""The optional learned layer of the content check: character n-gram logistic regression, scored in pure Python.

It reads the same normalised text as the intent grammars (the ``compact`` view
of ``normalize.views``, with one space kept between Latin words:
``feature_text``) and may only ADD a denial: ``score`` returns the nearest
unlawful intent, the probability that the text is unlawful and the n-grams
that drove it (with spans in the ORIGINAL text), or None. It never removes a
grammar hit; the caller (``check.py``) decides when to ask it.

The model is the JSON file ``learned_model.json`` beside this module, written
by ``learned_train.py`` (``make model``) from the tuning splits of the content
corpus only. Scoring needs no scikit-learn: the logit of class c is
``bias[c] + norm * sum(weight[g][c] for kept n-gram g present in the text)``
(presence, not counts) with ``norm = 1 / sqrt(n-gram positions of the text)``,
then softmax. The kept n-grams are found with one Aho-Corasick pass and their
weights for all classes added at once as packed integers (see ``_FIELD_BITS``).
A text is a hit when P(not lawful) = 1 - P(lawful) reaches the model's
threshold for its script (Chinese or English, see ``script``); the intent named is the most probable unlawful class. (Deciding on
the top unlawful class alone missed most held-out unlawful templates: the
probability mass of an unseen abusive text spreads over several intents.)
"""

from __future__ import annotations

import heapq
import importlib.resources
import json
import math
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

import ahocorasick

from fairdue.errors import FairdueError
from fairdue.policy.content.normalize import Views, is_cjk, views

MODEL_FILE = "learned_model.json"
# Lawful sentences no threshold may deny, whatever the validation part holds: what a lender says to be kind, to warn
# of scams or to promise what it will not do, alone in a message (the layer once denied the first one: its n-grams
# "your family" read as a threat). `make model` sets each script's threshold above the highest of its canaries' scores.
LAWFUL_CANARIES = (
    "We understand this may be a difficult time for you and your family.",
    "If someone claiming to be from the police asks you to pay, hang up and call us.",
    "We will never contact your family, friends or employer about this account.",
    "Please talk to us if you are struggling; we can pause payments while you get free debt advice.",
    "Your payment has been received, thank you.",
    "我们理解您和家人目前可能遇到的困难。",
    "如有人自称警察或法院要求您转账，请挂断并拨打我们的官方客服电话核实。",
    "我们不会联系您的家人、朋友或工作单位。",
    "如您还款有困难，请联系我们协商还款计划。",
    "您的还款已到账，感谢您的支持。",
)
FORMAT_VERSION = 1  # the JSON layout this module reads; learned_train.py writes the same number
LAWFUL = "lawful"
ngrams_cited_max = 5  # n-grams named in a hit's evidence, strongest first
text_chars_max = 20_000  # longer feature texts are scored on their first this many characters


class LearnedModelError(FairdueError):
    """The shipped model file is missing, of another format version, or inconsistent."""


@dataclass(frozen=True, slots=True)
class NgramSpan:
    """One n-gram that pushed the text toward the hit's intent."""

    ngram: str  # in feature_text (the compact view, spaces kept between Latin words)
    weight: float  # its contribution to the intent's logit minus the lawful one's (already scaled by norm)
    start: int  # [start, end) of its first occurrence, in the ORIGINAL text
    end: int


@dataclass(frozen=True, slots=True)
class LearnedHit:
    """The layer's verdict on one text that it would deny."""

    intent: str  # the most probable of the 8 unlawful intents: the nearest intent
    score: float  # P(not lawful) = 1 - P(lawful), >= the model's threshold for the text's script
    intent_score: float  # P(intent), <= score
    ngrams: tuple[NgramSpan, ...]  # strongest first, at most ngrams_cited_max; never empty
    start: int  # span in the ORIGINAL text covering the strongest n-gram and those overlapping it
    end: int

    def evidence(self, text: str) -> dict[str, Any]:
        """Evidence dict for a Finding: matched/span in the original text, score, the n-grams that drove it."""
        return {
            "matched": text[self.start : self.end],
            "span": [self.start, self.end],
            "intent": self.intent,
            "score": round(self.score, 4),
            "intent_score": round(self.intent_score, 4),
            "ngrams": [
                {
                    "ngram": g.ngram,
                    "span": [g.start, g.end],
                    "matched": text[g.start : g.end],
                    "weight": round(g.weight, 4),
                }
                for g in self.ngrams
            ],
        }


# Packing: the integer weights (micro-units) of one n-gram for all classes in
# one Python int, field c+1 of _FIELD_BITS bits holding weight + _FIELD_OFFSET
# and field 0 the n-gram's index (so equal weight vectors stay distinct in a
# set). One C-level sum() of these ints adds every class at once, exactly:
# no float rounding, so the result does not depend on set iteration order.
_FIELD_BITS = 64
_FIELD_OFFSET = 1 << 40  # > any |weight| in micro-units (|w| < 1e6); 2**20 of them still fit in 64 bits
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_MICRO = 1_000_000  # weights are stored rounded to 6 decimals
weight_abs_max = 1e5  # refuse a model with a weight outside (-weight_abs_max, weight_abs_max)


@dataclass(frozen=True, slots=True)
class Model:
    """The loaded model: the kept n-grams in an Aho-Corasick automaton, their weights packed."""

    version: str
    corpus_sha256: str
    orders: tuple[int, ...]  # n-gram lengths, over feature_text
    classes: tuple[str, ...]
    lawful_index: int
    bias: tuple[float, ...]
    thresholds: dict[str, float]  # by script of the text (see `script`): "zh" or "en"
    keys: tuple[str, ...]  # kept n-grams; the automaton's value for keys[i] is i
    packed: tuple[int, ...]  # packed[i]: the weights of keys[i], see _FIELD_BITS
    push: tuple[tuple[float, ...], ...]  # push[c][i]: weight of keys[i] for class c minus its lawful weight
    automaton: ahocorasick.Automaton


CJK_SHARE_MIN = 0.3  # a text with at least this share of CJK among its letters and digits is read as Chinese


def script(text: str) -> str:
    """ "zh" when CJK characters make up CJK_SHARE_MIN or more of the text's letters and digits, else "en": each has
    its own threshold, calibrated on lawful messages of that script (English lawful sentences score higher)."""
    word = [ch for ch in text if ch.isalnum()]
    cjk = sum(1 for ch in word if is_cjk(ch))
    return "zh" if word and cjk >= CJK_SHARE_MIN * len(word) else "en"


def feature_text(v: Views) -> str:
    """The text the n-grams are read from: the compact view, with one space kept between two Latin words.

    A space is kept where a separator was dropped between two runs of >= 2
    characters that meet in ASCII letters or digits ("call your boss" -> "call
    your boss"), so English n-grams do not straddle words; single characters
    spaced out ("a.r.r.e.s.t") and everything around CJK stay joined, as the
    grammars read them.
    """
    return "".join(_pieces(v)[0])


def _pieces(v: Views) -> tuple[list[str], list[int]]:
    """The pieces of feature_text and, per piece, its start in the compact view (a space: the next run's)."""
    c, starts = v.compact, v.run_compact
    out: list[str] = []
    at: list[int] = []
    prev = ""
    for r, s in enumerate(starts):
        run = c[s : starts[r + 1]] if r + 1 < len(starts) else c[s:]
        if not run:
            continue
        if len(prev) >= 2 and len(run) >= 2 and _latin(prev[-1]) and _latin(run[0]):
            out.append(" ")
            at.append(s)
        out.append(run)
        at.append(s)
        prev = run
    return out, at


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _compact_index(v: Views) -> list[int]:
    """Per character of feature_text, its position in the compact view (a kept space: the next character's)."""
    out: list[int] = []
    for piece, s in zip(*_pieces(v), strict=True):
        out.extend([s] if piece == " " else range(s, s + len(piece)))
    return out


def positions(length: int, orders: tuple[int, ...]) -> int:
    """Number of n-gram positions in a compact text of this length (the norm's denominator, squared)."""
    return sum(max(0, length - n + 1) for n in orders)


def from_dict(raw: dict[str, Any]) -> Model:
    """Build a Model from the JSON document; raises LearnedModelError if it is not one this module reads."""
    if raw.get("format") != FORMAT_VERSION:
        raise LearnedModelError(f"learned model format {raw.get('format')!r}, expected {FORMAT_VERSION}")
    classes = tuple(raw["classes"])
    if LAWFUL not in classes:
        raise LearnedModelError("learned model has no lawful class")
    weights: dict[str, list[float]] = raw["weights"]
    if any(len(w) != len(classes) for w in weights.values()) or len(raw["bias"]) != len(classes):
        raise LearnedModelError("learned model weights do not match its classes")
    if any(abs(x) >= weight_abs_max for w in weights.values() for x in w):
        raise LearnedModelError(f"learned model has a weight beyond {weight_abs_max}")
    keys = tuple(sorted(weights))
    lawful = classes.index(LAWFUL)
    automaton = ahocorasick.Automaton()
    packed = []
    for i, key in enumerate(keys):
        value = i
        for c, w in enumerate(weights[key]):
            value |= (round(w * _MICRO) + _FIELD_OFFSET) << (_FIELD_BITS * (c + 1))
        packed.append(value)
        automaton.add_word(key, i)
    automaton.make_automaton()
    return Model(
        version=str(raw["version"]),
        corpus_sha256=str(raw["corpus"]["sha256"]),
        orders=tuple(int(n) for n in raw["features"]["orders"]),
        classes=classes,
        lawful_index=lawful,
        bias=tuple(float(b) for b in raw["bias"]),
        thresholds={name: float(t) for name, t in raw["thresholds"].items()},
        keys=keys,
        packed=tuple(packed),
        push=tuple(tuple(weights[k][c] - weights[k][lawful] for k in keys) for c in range(len(classes))),
        automaton=automaton,
    )


@cache
def model() -> Model:
    """The shipped model, loaded once."""
    path = importlib.resources.files("fairdue.policy.content").joinpath(MODEL_FILE)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LearnedModelError(f"{MODEL_FILE} is missing; run `make model`") from exc
    return from_dict(raw)


_value = itemgetter(1)


def probabilities(text: str, m: Model) -> tuple[tuple[float, ...], float]:
    """Softmax probabilities per class for a feature text, and its norm factor."""
    text = text[:text_chars_max]
    present = set(map(_value, m.automaton.iter(text)))  # indexes of the kept n-grams in the text
    total = sum(map(m.packed.__getitem__, present))
    count = len(present)
    n = positions(len(text), m.orders)
    norm = 1.0 / math.sqrt(n) / _MICRO if n else 0.0
    logits = [
        b + norm * (((total >> (_FIELD_BITS * (c + 1))) & _FIELD_MASK) - count * _FIELD_OFFSET)
        for c, b in enumerate(m.bias)
    ]
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    z = math.fsum(exps)
    return tuple(e / z for e in exps), norm * _MICRO


def score_views(v: Views, m: Model | None = None) -> LearnedHit | None:
    """The layer's hit on an already-normalised text (the grammar's Views), or None."""
    m = m or model()
    text = feature_text(v)
    probs, norm = probabilities(text, m)
    unlawful = 1.0 - probs[m.lawful_index]
    if unlawful < m.thresholds[script(text)]:
        return None
    best = max((c for c in range(len(m.classes)) if c != m.lawful_index), key=probs.__getitem__)
    return _hit(v, m, best, unlawful, probs[best], norm)


def score(text: str, m: Model | None = None) -> LearnedHit | None:
    """The layer's hit on a raw message text, or None (normalises it first)."""
    return score_views(views(text), m)


def _hit(v: Views, m: Model, best: int, unlawful: float, p: float, norm: float) -> LearnedHit | None:
    """Name the n-grams that pushed the text from lawful toward ``best``, with original spans."""
    text = feature_text(v)[:text_chars_max]
    to_compact = _compact_index(v)
    first: dict[int, int] = {}  # kept n-gram index -> end position (in text) of its first occurrence
    for end, i in m.automaton.iter(text):
        first.setdefault(i, end)
    push = m.push[best]
    cited = []
    # Strongest first; ties in the order the n-grams first occur (deterministic for a text).
    for i in heapq.nlargest(ngrams_cited_max, first, key=push.__getitem__):
        w, g, end = norm * push[i], m.keys[i], first[i]
        if w <= 0:
            break
        lo = end - len(g) + 1 + (len(g) - len(g.lstrip(" ")))  # a kept space has no original character
        hi = end - (len(g) - len(g.rstrip(" ")))
        start = v.original(to_compact[lo])
        cited.append(NgramSpan(ngram=g, weight=w, start=start, end=v.original(to_compact[hi]) + 1))
    if not cited:  # the bias alone: nothing in the text to point at, so no finding
        return None
    start, end = cited[0].start, cited[0].end
    grown = True
    while grown:  # grow the span over the cited n-grams that overlap or touch it
        grown = False
        for other in cited[1:]:
            if other.start <= end and start <= other.end and (other.start < start or other.end > end):
                start, end, grown = min(start, other.start), max(end, other.end), True
    return LearnedHit(intent=m.classes[best], score=unlawful, intent_score=p, ngrams=tuple(cited), start=start, end=end)
