"""The learned layer may add a denial, so it must be trained on today's tuning splits, explain itself in original spans, and stay free of scikit-learn at run time."""

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
from fairdue.policy.content.check import text_views
from fairdue.policy.content.normalize import views

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "fairdue" / "bench" / "content_corpus"
# learned_train.TRAINING_SPLITS (that module needs scikit-learn): every split read so far, held-out ones after their
# one reading
TRAINING_SPLITS = ("dev", "test", "test2", "test3", "test4", "dev2", "dev3", "test5", "test6", "test7", "dev4")
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


def _training_bytes() -> bytes:
    return b"".join((CORPUS / f"{name}.jsonl").read_bytes() for name in TRAINING_SPLITS)


def test_model_was_trained_on_the_current_tuning_splits_and_never_on_the_held_out_one():
    """A changed tuning split (or a normaliser that reads it differently) must be followed by `make model`; the
    held-out split not yet measured (test8) is never part of the training data."""
    raw = _raw()
    assert "test8" not in TRAINING_SPLITS
    assert raw["corpus"]["files"] == [f"fairdue/bench/content_corpus/{name}.jsonl" for name in TRAINING_SPLITS]
    data = _training_bytes()
    assert raw["corpus"]["sha256"] == hashlib.sha256(data).hexdigest(), "a tuning split changed: run `make model`"
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    assert {r["split"] for r in rows} == set(TRAINING_SPLITS)
    rows = [r for r in rows if r["lang"] in ("zh", "en")]  # learned_train.LANGUAGES
    seen = hashlib.sha256("\n".join(learned.feature_text(text_views(r["text"])) for r in rows).encode()).hexdigest()
    assert raw["corpus"]["feature_texts_sha256"] == seen, "normalize.py reads the corpus differently: run `make model`"
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
    assert set(raw["thresholds"]) == {"zh", "en"} and all(0.5 <= t < 1.0 for t in raw["thresholds"].values())
    assert all(round(w, 6) == w for ws in raw["weights"].values() for w in ws)
    assert raw["validation"]["lawful"]["false_denial_rate"] <= 0.005


def test_a_threat_no_grammar_lists_scores_toward_threat_harm():
    hit = learned.score(THREAT_UNLISTED)
    assert hit is not None
    assert hit.intent == "threat_harm"
    assert hit.score >= learned.model().thresholds["zh"]
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
        "我们知道你孩子在哪个学校上学，今天还钱。",
        "ＷＥ知道你孩子在哪个学·校上学，P.a.y today，今天还钱。",  # full-width Latin, a dot inside a word
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
    text = "我们知道你孩子在哪个学校上学，今天还钱。"
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

    assert learned_train.TRAINING_SPLITS == TRAINING_SPLITS
    rows, sha = learned_train.load_training()
    assert learned_train.dumps(learned_train.train(rows, sha)) == MODEL.read_text(encoding="utf-8")


# --- the layer inside the content check (check.py) ------------------------------------------------------------
_CN_SMS = {
    "language": "zh",
    "jurisdiction": "CN",
    "channel": "sms",
    "purpose": "collection",
    "time_barred": False,
}


def _intent_findings(text: str, role: str = "borrower"):
    from fairdue.policy.content import check_message

    return [f for f in check_message(text=text, recipient_role=role, **_CN_SMS) if f.intent is not None]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你每天坐几路公交上班我们都清楚，自己看着办。", "threat_harm"),  # implied threat, no listed word
        ("你这种人活着就是浪费粮食，赶紧还钱。", "insult"),
        ("你的事我们已经跟你们小区业主说了，今天还钱。", "exposure"),
    ],
)
def test_cba_2026_the_learned_layer_adds_a_denial_no_grammar_names_with_intent_span_and_ngrams(text, intent):
    """CBA 2026 / Criminal Law Art. 293-1 (soft violence): an abusive message no grammar lists is denied by the
    learned layer, never silently: the finding names the nearest intent, the span and the n-grams that drove it."""
    found = _intent_findings(text)
    assert [f.rule for f in found] == [f"CONTENT.intent.{intent}.learned"]
    (f,) = found
    assert f.severity == "violation" and f.intent == intent
    start, end = f.evidence["span"]
    assert f.evidence["matched"] == text[start:end] and start < end
    assert f.evidence["ngrams"] and f.evidence["score"] >= learned.model().thresholds["zh"]
    assert "12 CFR" in f.citation or "CONC" in f.citation or "公约" in f.citation


def test_the_learned_layer_is_not_asked_when_a_grammar_names_an_intent_and_never_removes_one():
    text = "不还钱就把你的照片发到抖音上，让所有人都看看。"
    found = _intent_findings(text)
    assert found and all(not f.rule.endswith(".learned") for f in found)


def test_reg_f_1006_6_a_learned_third_party_intent_needs_a_recipient_who_may_not_hear_of_the_debt():
    """The third-party intent is about who hears the message: said to the borrower it is not a disclosure."""
    from fairdue.policy.content import check

    text = "麻烦你转告他，欠的钱这周必须处理，不然后果自负。"
    hit = learned.score(text)
    assert hit is not None and hit.intent == "third_party"
    scan = check._scan(text)
    assert check._learned_findings(text, scan, non_debtor=False) == []
    (f,) = check._learned_findings(text, scan, non_debtor=True)
    assert f.rule == "CONTENT.intent.third_party.learned" and f.intent == "third_party"


def test_the_layer_leaves_short_lawful_sentences_alone_in_both_languages():
    """learned.LAWFUL_CANARIES: kind words, scam warnings and promises, each alone, are never denied (English
    char n-grams once read "your family" in a sentence of sympathy as a threat)."""
    assert {learned.script(learned.feature_text(text_views(t))) for t in learned.LAWFUL_CANARIES} == {"zh", "en"}
    for text in learned.LAWFUL_CANARIES:
        assert learned.score(text) is None, text
