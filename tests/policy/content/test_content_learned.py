"""The learned layer may add a denial, so it must be trained on today's dev corpus, explain itself in original spans, and stay free of scikit-learn at run time."""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

from fairdue.policy.content import learned
from fairdue.policy.content.normalize import views

ROOT = pathlib.Path(__file__).resolve().parents[3]
DEV = ROOT / "fairdue" / "bench" / "content_corpus" / "dev.jsonl"
MODEL = ROOT / "fairdue" / "policy" / "content" / learned.MODEL_FILE
LEARNED_SOURCE = ROOT / "fairdue" / "policy" / "content" / "learned.py"
model_bytes_max = 2_000_000

# Hand-written here, in no corpus file and listed by no grammar when written.
THREAT_UNLISTED = "你家住几楼我们都知道，晚上睡觉别太踏实。"
LAWFUL_REMINDERS = [
    "【安心贷】您本期账单将于3月5日到期，应还1200元。可登录App或致电400-820-1234。对本通知有异议的，可拨打400-820-1234提出。",
    "Hello Dana,\nYour payment of $120 is due on 5 March. Manage your account in our app or phone 1-800-555-0100."
    " Text STOP to opt out.\nThank you, Kestrel",
    "【安心贷】您的登录验证码为4829，5分钟内有效，请勿泄露。",
    "Your payment of $50 is due tomorrow.",
]


def _raw() -> dict:
    return json.loads(MODEL.read_text(encoding="utf-8"))


def test_model_was_trained_on_the_current_dev_corpus():
    """A changed dev.jsonl (or a normaliser that reads it differently) must be followed by `make model`."""
    raw = _raw()
    assert raw["corpus"]["sha256"] == hashlib.sha256(DEV.read_bytes()).hexdigest(), (
        "dev.jsonl changed: run `make model`"
    )
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen = hashlib.sha256("\n".join(learned.feature_text(views(r["text"])) for r in rows).encode()).hexdigest()
    assert raw["corpus"]["feature_texts_sha256"] == seen, "normalize.py reads dev.jsonl differently: run `make model`"
    assert learned.model().corpus_sha256 == raw["corpus"]["sha256"]


def test_model_file_is_canonical_small_and_complete():
    text = MODEL.read_text(encoding="utf-8")
    raw = json.loads(text)
    assert len(text.encode()) <= model_bytes_max
    assert text == json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert raw["format"] == learned.FORMAT_VERSION and raw["version"]
    assert set(raw["classes"]) == {
        "lawful",
        "threat_harm",
        "exposure",
        "false_authority",
        "insult",
        "new_borrowing",
        "pressure",
        "disguised",
        "third_party",
    }
    assert 0.5 <= raw["threshold"] < 1.0
    assert all(round(w, 6) == w for ws in raw["weights"].values() for w in ws)
    assert raw["validation"]["lawful"]["false_denial_rate"] <= 0.005


def test_a_threat_no_grammar_lists_scores_toward_threat_harm():
    hit = learned.score(THREAT_UNLISTED)
    assert hit is not None
    assert hit.intent == "threat_harm"
    assert hit.score >= learned.model().threshold
    assert 0 < hit.intent_score <= hit.score <= 1
    assert hit.ngrams and all(g.weight > 0 for g in hit.ngrams)


@pytest.mark.parametrize("text", LAWFUL_REMINDERS, ids=range(len(LAWFUL_REMINDERS)))
def test_a_lawful_reminder_is_not_a_hit(text):
    assert learned.score(text) is None


@pytest.mark.parametrize(
    "text",
    [
        THREAT_UNLISTED,
        "你家住幾樓我們都知道😀，晚上\u200b睡覺別太踏實。",  # traditional, emoji, zero-width
        "We know where your kids go to school. Pay today.",
        "ＷＥ ＫＮＯＷ where your kids go to school. P.a.y today.",
    ],
)
def test_spans_map_back_to_the_original_text(text):
    hit = learned.score(text)
    assert hit is not None
    evidence = hit.evidence(text)
    assert evidence["matched"] == text[hit.start : hit.end] and evidence["span"] == [hit.start, hit.end]
    assert 0 <= hit.start < hit.end <= len(text)
    first = hit.ngrams[0]
    assert hit.start <= first.start < first.end <= hit.end
    for g in hit.ngrams:
        assert 0 <= g.start < g.end <= len(text)
        # The original slice reads, once normalised, as the n-gram (a kept space is no character).
        assert views(text[g.start : g.end]).compact == g.ngram.replace(" ", "")


def test_scoring_is_deterministic_for_a_text():
    text = "We know where your kids go to school. Pay today."
    assert learned.score(text) == learned.score(text)
    assert learned.score_views(views(text)) == learned.score(text)


def test_learned_does_not_import_sklearn():
    tree = ast.parse(LEARNED_SOURCE.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in imported if m.split(".")[0] in {"sklearn", "scipy", "numpy", "joblib"}}
    probe = (
        "import sys\nfrom fairdue.policy.content import learned\nlearned.score('x')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_a_model_of_another_format_is_refused():
    raw = _raw()
    raw["format"] = learned.FORMAT_VERSION + 1
    with pytest.raises(learned.LearnedModelError):
        learned.from_dict(raw)


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="needs the `train` extra (scikit-learn)")
def test_retraining_gives_the_shipped_file_byte_for_byte():
    learned_train = importlib.import_module("fairdue.policy.content.learned_train")  # imports scikit-learn

    rows, sha = learned_train.load_dev()
    assert learned_train.dumps(learned_train.train(rows, sha)) == MODEL.read_text(encoding="utf-8")
