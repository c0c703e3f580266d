"""Write the content-check evaluation corpus here, deterministically: one <split>.jsonl per split of SPLITS.

Each split is its hand-written messages (hand_<split>.toml) followed by its
generated messages (templates_<split>.py, its own templates, vocabulary and
seed). The test split is built on its own; the dev split drops any text that
is already in the test split, the test2 split (the second held-out split) any
text already in test or dev, and the test3 split (the third held-out split,
written after test2 was consulted) any text already in test, dev or test2, and so on: every split drops the texts
of the splits built before it (test4, then the training splits dev2 and dev3, then test5, the fifth held-out
split, then test6 and test7, the sixth and seventh, then the training split dev4, then test8, the eighth held-out split), so no text is in two splits.
`make corpus` runs this module; tests/unit/test_content_corpus_files.py checks that the committed
files equal what it produces. See README.md in this folder.

The mechanics shared by both generators live here (filling a template, the
evasion operations, framing a body with sender, channel, objection route and
opt-out); every word they work on (templates, fillers, homophone tables,
emoji, sender names) belongs to one split's module.
"""

from __future__ import annotations

import functools
import importlib
import json
import pathlib
import random
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairdue.policy.content import INTENT_IDS

HERE = pathlib.Path(__file__).resolve().parent
SPLITS = (
    "test",
    "dev",
    "test2",
    "test3",
    "test4",
    "dev2",
    "dev3",
    "test5",
    "test6",
    "test7",
    "dev4",
    "test8",
)  # build order: a later split drops texts in an earlier one

FIELDS = ("id", "split", "lang", "label", "text", "role", "jurisdiction", "channel", "purpose", "origin")
INTENTS = INTENT_IDS  # the shared contract with the content check (fairdue.policy.content)
LABELS = (*INTENTS, "lawful")
LANGS = ("zh", "en")
ROLES = ("borrower", "emergency_contact", "third_party")
JURISDICTIONS = ("CN", "US", "UK")
CHANNELS = ("sms", "email", "letter", "app_push")
PURPOSES = ("collection", "reminder", "location", "service")

KEY = re.compile("«([^«»]*)»")  # the key phrase of a template: where an evasion is applied
SLOT = re.compile(r"\{(\w+)\}")


class CorpusError(ValueError):
    """A hand-written or generated message breaks the corpus schema."""


@dataclass(frozen=True, slots=True)
class Draft:
    """One message before it gets its id and split."""

    text: str
    lang: str  # zh | en
    label: str  # an intent id or "lawful"
    role: str  # borrower | emergency_contact | third_party
    jurisdiction: str  # CN | US | UK
    channel: str  # sms | email | letter | app_push
    purpose: str  # collection | reminder | location | service
    origin: str  # "hand" or "template:<name>"


def validate(d: Draft) -> None:
    """Raise CorpusError when a message breaks the schema or a labelling rule."""
    for name, value, allowed in (
        ("lang", d.lang, LANGS),
        ("label", d.label, LABELS),
        ("role", d.role, ROLES),
        ("jurisdiction", d.jurisdiction, JURISDICTIONS),
        ("channel", d.channel, CHANNELS),
        ("purpose", d.purpose, PURPOSES),
    ):
        if value not in allowed:
            raise CorpusError(f"{name} {value!r} not in {allowed}: {d.text[:60]!r}")
    if d.label == "third_party" and d.role == "borrower":
        raise CorpusError(f"third_party message addressed to the borrower: {d.text[:60]!r}")
    if (d.lang == "zh") != (d.jurisdiction == "CN"):
        raise CorpusError(f"zh messages are CN and en messages US/UK: {d.text[:60]!r}")
    if not (d.origin == "hand" or d.origin.startswith("template:")):
        raise CorpusError(f"origin {d.origin!r}")
    if not d.text.strip() or "«" in d.text or "»" in d.text or SLOT.search(d.text):
        raise CorpusError(f"unfilled or empty text: {d.text[:60]!r}")


# --- hand-written messages ----------------------------------------------------
def load_hand(split: str) -> list[Draft]:
    """The hand-written messages of a split: [[group]] tables of shared fields with a `texts` list."""
    data = tomllib.loads((HERE / f"hand_{split}.toml").read_text(encoding="utf-8"))
    out = []
    for group in data["group"]:
        fields = {k: v for k, v in group.items() if k != "texts"}
        for text in group["texts"]:
            out.append(Draft(text=text.strip(), origin="hand", **fields))
    return out


# --- the mechanics of generation (no vocabulary here) ----------------------------
def fill(rng: random.Random, template: str, slots: Mapping[str, Sequence[str]]) -> str:
    """Replace each {slot} with a random filler (fillers may hold slots of their own, two levels deep)."""
    for _ in range(3):
        template = SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
    return template


def between(chars: str, sep: Callable[[], str]) -> str:
    """Put sep() between the characters of a phrase (not around spaces)."""
    out = []
    for i, ch in enumerate(chars):
        out.append(ch)
        if i + 1 < len(chars) and not ch.isspace() and not chars[i + 1].isspace():
            out.append(sep())
    return "".join(out)


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (Ａ-Ｚ, ０-９)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


_S2T = None


def traditional(text: str) -> str:
    """Simplified -> traditional characters (OpenCC s2t)."""
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2t")
    return str(_S2T.convert(text))


def pinyin_one(rng: random.Random, text: str) -> str:
    """Write one Chinese character of the phrase (or the whole phrase) as toneless pinyin."""
    from pypinyin import lazy_pinyin

    hanzi = [i for i, c in enumerate(text) if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return text
    if rng.random() < 0.3:
        return "".join(lazy_pinyin(text))
    i = rng.choice(hanzi)
    return text[:i] + lazy_pinyin(text[i])[0] + text[i + 1 :]


def substitute(rng: random.Random, text: str, table: Mapping[str, Sequence[str]]) -> str:
    """Replace the first word of `table` found in the phrase by one of its spellings (homophones, abbreviations)."""
    for word, spellings in table.items():
        if word in text:
            return text.replace(word, rng.choice(spellings), 1)
    return text


def apply_keys(text: str, evade: Callable[[str], str]) -> str:
    """Apply `evade` to every «key phrase» and drop the markers."""
    return KEY.sub(lambda m: evade(m.group(1)), text)


def strip_keys(text: str) -> str:
    return KEY.sub(lambda m: m.group(1), text)


def tidy(text: str) -> str:
    """Collapse doubled spaces and stray spaces before Chinese punctuation."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([，。！？：；】])", r"\1", text)
    return text.strip()


# --- assembling a split ----------------------------------------------------------
def cycle_templates(
    rng: random.Random,
    templates: Mapping[str, Mapping[str, Sequence[Any]]],
    one: Callable[[random.Random, str, str, Any], Draft],
    *,
    unlawful_per_intent_lang: int,
    lawful_per_lang: int,
    attempts_per_message_max: int,
) -> list[Draft]:
    """Messages drawn by cycling through each (label, language)'s templates until it has its count of distinct
    texts (or the attempts run out), labels in contract order then lawful, zh before en."""
    out: list[Draft] = []
    seen: set[str] = set()
    for label in (*INTENTS, "lawful"):
        for lang in ("zh", "en"):
            pool = templates[label][lang]
            wanted = lawful_per_lang if label == "lawful" else unlawful_per_intent_lang
            made = 0
            for attempt in range(wanted * attempts_per_message_max):
                if made == wanted:
                    break
                d = one(rng, label, lang, pool[attempt % len(pool)])
                if d.text not in seen:
                    seen.add(d.text)
                    out.append(d)
                    made += 1
    return out


def drafts(split: str) -> list[Draft]:
    """Hand-written then generated messages of a split, in a fixed order, before de-duplication."""
    if split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}")
    module = importlib.import_module(f"fairdue.bench.content_corpus.templates_{split}")
    generated: list[Draft] = module.generate()
    return load_hand(split) + generated


def build(split: str) -> list[dict[str, str]]:
    """The records of a split: validated, texts unique within the split and not in any earlier split."""
    return [dict(r) for r in _build(split)]


@functools.cache
def _build(split: str) -> tuple[dict[str, str], ...]:
    """`build`, each split built once per process: a split drops the texts of every split before it, and without
    the cache each of those would build its own earlier splits again (2**n builds for the n-th split)."""
    seen: set[str] = set()
    if split in SPLITS:  # test: nothing earlier; dev drops test texts; test2 test and dev; test3 and test4 all before
        seen = {r["text"] for earlier in SPLITS[: SPLITS.index(split)] for r in _build(earlier)}
    records: list[dict[str, str]] = []
    for d in drafts(split):
        validate(d)
        if d.text in seen:
            if d.origin == "hand":
                raise CorpusError(f"hand-written text twice (or also in an earlier split): {d.text[:60]!r}")
            continue
        seen.add(d.text)
        kind = "h" if d.origin == "hand" else "g"
        record = {
            "id": f"{split}-{kind}{len(records) + 1:04d}",
            "split": split,
            "lang": d.lang,
            "label": d.label,
            "text": d.text,
            "role": d.role,
            "jurisdiction": d.jurisdiction,
            "channel": d.channel,
            "purpose": d.purpose,
            "origin": d.origin,
        }
        records.append(record)
    return tuple(records)


def render(records: list[dict[str, str]]) -> str:
    """JSON Lines, fields in schema order, UTF-8 text kept readable."""
    return "".join(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n" for r in records)


def main() -> None:
    for split in SPLITS:
        records = build(split)
        (HERE / f"{split}.jsonl").write_text(render(records), encoding="utf-8")
        print(f"{split}.jsonl: {len(records)} messages")


if __name__ == "__main__":
    main()
