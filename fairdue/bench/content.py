"""`fairdue bench content`: how well the content check finds unlawful intents, on the labelled corpus.

Reads fairdue/bench/content_corpus/<split>.jsonl (see README.md there: test to test7 were held-out splits, each
measured once as such and frozen; dev, dev2, dev3 and dev4 are for tuning and training; test8, the eighth, was
measured once with v2.6 and is held out until the next version is measured on it) and runs
`fairdue.policy.content.check_message` on every message in its own context
(language, jurisdiction, channel, purpose, recipient role; time_barred=False).

A message counts as DENIED when a finding has severity "violation" and names
an intent (`Finding.intent` is not None). Beside it every figure is also given
counting ANY violation finding ("_any" keys), which includes required elements
(sender, channel, objection route, opt-out) and rules without an intent.

Figures: per-intent recall (denied / labelled), recall on all unlawful
messages, the share of unlawful messages denied with the RIGHT intent named,
the false-denial rate on lawful messages (with examples; missed messages are
listed for the tuning splits dev, dev2 and dev3 only, never for a split that was
held out or for all), and µs
per message cold (caches cleared, every text new) and warm (the same texts
again), against a floor measured in the same run: one plain `re` scan of each
text for a handful of words, the least any text check can cost.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import os
import platform
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import typer

from fairdue.bench.content_corpus.generate import INTENTS, SPLITS

CORPUS_PACKAGE = "fairdue.bench.content_corpus"
EXAMPLES_MAX = 10  # false denials (and misses) shown
TUNING_SPLITS = (
    "dev",
    "dev2",
    "dev3",
    "dev4",
)  # the splits whose misses the bench lists (see README.md in content_corpus)
_EXPECTED = f"expected one of {', '.join(SPLITS)} or all"
FLOOR = re.compile(r"逾期|欠款|还款|法院|警察|通讯录|overdue|arrest|court|police|loan|debt", re.IGNORECASE)


def load(split: str) -> list[dict[str, str]]:
    """The records of one split (see SPLITS) or of all of them ("all"), in file order."""
    names = SPLITS if split == "all" else (split,)
    records: list[dict[str, str]] = []
    for name in names:
        if name not in SPLITS:
            raise typer.BadParameter(f"unknown split {split!r}; {_EXPECTED}")
        text = importlib.resources.files(CORPUS_PACKAGE).joinpath(f"{name}.jsonl").read_text(encoding="utf-8")
        records.extend(json.loads(line) for line in text.splitlines() if line.strip())
    return records


def _check() -> tuple[Callable[..., list[Any]], Callable[[], None]]:
    """check_message and clear_caches, wherever the content package keeps them."""
    content = importlib.import_module("fairdue.policy.content")
    clear = (
        getattr(content, "clear_caches", None) or importlib.import_module("fairdue.policy.content.check").clear_caches
    )
    return content.check_message, clear


def _run_one(check: Callable[..., list[Any]], r: dict[str, str]) -> list[Any]:
    return check(
        text=r["text"],
        language=r["lang"],
        jurisdiction=r["jurisdiction"],
        channel=r["channel"],
        purpose=r["purpose"],
        recipient_role=r["role"],
        time_barred=False,
    )


def verdict(findings: Iterable[Any]) -> dict[str, Any]:
    """What the bench reads from one message's findings: intents named by violations, rules of violations."""
    violations = [f for f in findings if f.severity == "violation"]
    intents = sorted({i for f in violations if (i := getattr(f, "intent", None)) is not None})
    return {
        "denied": bool(intents),
        "denied_any": bool(violations),
        "intents": intents,
        "rules": sorted({f.rule for f in violations}),
    }


def _timed_pass(records: list[dict[str, str]], check: Callable[..., list[Any]]) -> tuple[float, list[list[Any]]]:
    start = time.perf_counter()
    results = [_run_one(check, r) for r in records]
    return time.perf_counter() - start, results


def _floor_s(records: list[dict[str, str]]) -> float:
    texts = [r["text"] for r in records]
    start = time.perf_counter()
    for text in texts:
        FLOOR.findall(text)
    return time.perf_counter() - start


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _per_intent(records: list[dict[str, str]], verdicts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for intent in INTENTS:
        rows = [v for r, v in zip(records, verdicts, strict=True) if r["label"] == intent]
        denied = sum(v["denied"] for v in rows)
        right = sum(intent in v["intents"] for v in rows)
        denied_any = sum(v["denied_any"] for v in rows)
        out[intent] = {
            "labelled": len(rows),
            "denied": denied,
            "recall": _share(denied, len(rows)),
            "right_intent": right,
            "right_intent_share": _share(right, len(rows)),
            "denied_any": denied_any,
            "recall_any": _share(denied_any, len(rows)),
        }
    return out


def _example(r: dict[str, str], v: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "label": r["label"], "text": r["text"], "intents": v["intents"], "rules": v["rules"]}


def score(records: list[dict[str, str]], verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall per intent and overall, right-intent share, false denials: a pure function of labels and verdicts."""
    pairs = list(zip(records, verdicts, strict=True))
    unlawful = [(r, v) for r, v in pairs if r["label"] != "lawful"]
    lawful = [(r, v) for r, v in pairs if r["label"] == "lawful"]
    false_denials = [(r, v) for r, v in lawful if v["denied"]]
    false_any = [(r, v) for r, v in lawful if v["denied_any"]]
    by_lang = {}
    for lang in ("zh", "en"):
        u = [v for r, v in unlawful if r["lang"] == lang]
        lw = [v for r, v in lawful if r["lang"] == lang]
        by_lang[lang] = {
            "unlawful": len(u),
            "recall_unlawful": _share(sum(v["denied"] for v in u), len(u)),
            "lawful": len(lw),
            "false_denial_rate": _share(sum(v["denied"] for v in lw), len(lw)),
        }
    return {
        "messages": len(pairs),
        "unlawful": len(unlawful),
        "lawful": len(lawful),
        "recall_unlawful": _share(sum(v["denied"] for _, v in unlawful), len(unlawful)),
        "right_intent_share": _share(sum(r["label"] in v["intents"] for r, v in unlawful), len(unlawful)),
        "false_denial_rate": _share(len(false_denials), len(lawful)),
        "false_denials": len(false_denials),
        "recall_unlawful_any": _share(sum(v["denied_any"] for _, v in unlawful), len(unlawful)),
        "false_denial_rate_any": _share(len(false_any), len(lawful)),
        "false_denials_any": len(false_any),
        "per_intent": _per_intent(records, verdicts),
        "by_language": by_lang,
        "false_denial_rules_any": dict(Counter(rule for _, v in false_any for rule in v["rules"]).most_common()),
        "false_denial_examples": [_example(r, v) for r, v in false_denials[:EXAMPLES_MAX]],
        "false_denial_examples_any": [_example(r, v) for r, v in false_any[:EXAMPLES_MAX]],
        "missed_examples": [_example(r, v) for r, v in unlawful if not v["denied"]][:EXAMPLES_MAX],
    }


def run(split: str = "test", limit: int | None = None) -> dict[str, Any]:
    """Check every message of the split (the first `limit` if given) cold then warm; score; time a floor."""
    records = load(split)[:limit] if limit else load(split)
    check, clear_caches = _check()
    content = importlib.import_module("fairdue.policy.content")
    if hasattr(content, "prepare"):
        content.prepare()  # load dictionaries once per process, as the gate bench does
    clear_caches()
    cold_s, results = _timed_pass(records, check)
    warm_s, _ = _timed_pass(records, check)
    floor_s = min(_floor_s(records) for _ in range(3))
    verdicts = [verdict(f) for f in results]
    n = max(len(records), 1)
    scored = score(records, verdicts)
    if split not in TUNING_SPLITS:  # misses are for tuning: held-out splits and "all" never show them
        scored["missed_examples"] = []
    return {
        "split": split,
        **scored,
        "us_per_message_cold": round(cold_s / n * 1e6, 1),
        "us_per_message_warm": round(warm_s / n * 1e6, 2),
        "floor_us_per_message": round(floor_s / n * 1e6, 2),
        "cold_vs_floor": round(cold_s / floor_s, 1) if floor_s > 0 else None,
        "warm_vs_floor": round(warm_s / floor_s, 1) if floor_s > 0 else None,
        "findings_have_intent": any(hasattr(f, "intent") for found in results for f in found),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
    }


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"content check · {result['split']} split · {result['messages']} messages · {result['machine']}"
    )
    for col in ("intent", "labelled", "denied (intent)", "right intent", "denied (any violation)"):
        table.add_column(col, justify="left" if col == "intent" else "right")
    for intent, row in result["per_intent"].items():
        table.add_row(
            intent,
            str(row["labelled"]),
            f"{row['denied']} ({_fmt(row['recall'])})",
            f"{row['right_intent']} ({_fmt(row['right_intent_share'])})",
            f"{row['denied_any']} ({_fmt(row['recall_any'])})",
        )
    table.add_row(
        "all unlawful",
        str(result["unlawful"]),
        _fmt(result["recall_unlawful"]),
        _fmt(result["right_intent_share"]),
        _fmt(result["recall_unlawful_any"]),
    )
    table.add_row(
        "lawful: false denials",
        str(result["lawful"]),
        f"{result['false_denials']} ({_fmt(result['false_denial_rate'])})",
        "",
        f"{result['false_denials_any']} ({_fmt(result['false_denial_rate_any'])})",
    )
    console.print(table)
    console.print(
        f"goals (issue 15, held-out split): recall ≥ 98%, false denials ≤ 1%. "
        f"µs per message: cold {result['us_per_message_cold']} ({result['cold_vs_floor']}× the re floor), "
        f"warm {result['us_per_message_warm']} ({result['warm_vs_floor']}×); floor {result['floor_us_per_message']} µs. "
        f"Findings carry `intent`: {result['findings_have_intent']}."
    )
    examples = result["false_denial_examples"] or result["false_denial_examples_any"]
    if examples:
        which = "intent" if result["false_denial_examples"] else "any violation"
        console.print(f"false denials ({which}), up to {EXAMPLES_MAX}:")
        for e in examples:
            console.print(f"  {e['id']} {e['intents'] or e['rules']}: {e['text'][:160]!r}", markup=False)


def content_bench(
    split: str = typer.Option(
        "test",
        "--split",
        help="test8 (held out, measured once), test to test7 (each held out once, frozen), dev, dev2, dev3, dev4 "
        "(tuning and training) or all.",
    ),
    limit: int = typer.Option(0, "--limit", min=0, help="Only the first N messages (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Per-intent recall, false denials on lawful messages and µs per message on the labelled corpus."""
    if split not in (*SPLITS, "all"):
        raise typer.BadParameter(f"unknown split {split!r}; {_EXPECTED}")
    result = run(split, limit or None)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print(result)


def register(bench_app: typer.Typer) -> None:
    bench_app.command("content")(content_bench)
