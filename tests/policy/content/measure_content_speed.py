"""Measure the content check's per-message cost on 300-character messages (a script, not a test).

Run:  .venv/bin/python tests/policy/content/measure_content_speed.py [--json] [--adversarial]

uncached: every message distinct (templates filled with different names,
amounts, dates), caches cleared first, jieba already loaded.
cached:   the same messages checked again (the template case: the gate sees
the same text and context again).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time

from fairdue.policy.content import check as _check_module
from fairdue.policy.content import check_message, prepare

ZH_PARTS = [
    "【安心贷】尊敬的{name}，您的借款本期应还{amt}元已逾期{days}天，",
    "请通过官方App或拨打官方客服电话400-820-{tail}还款，",
    "如有异议或还款困难，可致电申请协商还款，我们将为您提供个性化分期方案。",
    "为避免影响您的信用记录，请于{date}前处理。",
    "温馨提示：请认准官方渠道，谨防诈骗，不要向任何个人账户转账。",
    "您也可以在App内查看账单明细、还款计划与历史记录。",
    "感谢您的理解与配合，祝您生活愉快。",
]
ZH_BAD = ["再不还钱就爆通讯录，", "你这个老赖，", "已立案，传票明天送到，", "后果自负，"]
EN_PARTS = [
    "This is Acme Lending. Dear {name}, our records show a balance of ${amt} on your account. ",
    "You can pay or set up a payment plan in our app or call 1-800-555-{tail}. ",
    "If you dispute this debt, please tell us by {date}. ",
    "We are here to help if you are facing hardship. ",
    "Reply STOP to opt out of text messages. ",
    "Thank you for being a valued customer. ",
]
EN_BAD = ["We will call your employer. ", "You could be arrested. "]
NAMES = ["张先生", "李女士", "王先生", "赵女士", "John Doe", "Mary Major"]


def _message(rng: random.Random, parts: list[str], bad: list[str], bad_share: float) -> str:
    fill = dict(
        name=rng.choice(NAMES),
        amt=f"{rng.randint(100, 99999)}.{rng.randint(0, 99):02d}",
        days=rng.randint(1, 90),
        tail=f"{rng.randint(0, 9999):04d}",
        date=f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    )
    text = ""
    pieces = list(parts)
    if rng.random() < bad_share:
        pieces.insert(rng.randint(1, len(pieces)), rng.choice(bad))
    while len(text) < 300:
        for p in pieces:
            text += p.format(**fill)
    return text[:300]


def measure(n: int = 4000, bad_share: float = 0.2) -> dict:
    prepare()
    rng = random.Random(7)
    cases = []
    for i in range(n):
        if i % 2:
            cases.append((_message(rng, ZH_PARTS, ZH_BAD, bad_share), "zh", "CN"))
        else:
            cases.append((_message(rng, EN_PARTS, EN_BAD, bad_share), "en", "US"))
    _check_module.clear_caches()
    prepare()

    def run() -> list[float]:
        times = []
        for text, lang, jur in cases:
            t0 = time.perf_counter()
            check_message(
                text=text,
                language=lang,
                jurisdiction=jur,
                channel="sms",
                purpose="collection",
                recipient_role="borrower",
                time_barred=False,
            )
            times.append(time.perf_counter() - t0)
        return times

    cpu0 = time.process_time()
    cold = run()
    cpu1 = time.process_time()
    warm = run()
    cpu2 = time.process_time()

    def summary(xs: list[float]) -> dict:
        xs = sorted(xs)
        return {
            "mean_us": round(statistics.fmean(xs) * 1e6, 1),
            "p50_us": round(xs[len(xs) // 2] * 1e6, 1),
            "p99_us": round(xs[int(len(xs) * 0.99)] * 1e6, 1),
        }

    # CPU time per message is robust when other processes share the cores;
    # wall-clock percentiles are not (a preempted call shows up in p99).
    return {
        "messages": n,
        "chars": 300,
        "abusive_share": bad_share,
        "uncached": {**summary(cold), "cpu_mean_us": round((cpu1 - cpu0) / n * 1e6, 1)},
        "cached": {**summary(warm), "cpu_mean_us": round((cpu2 - cpu1) / n * 1e6, 2)},
    }


ADVERSARIAL = {
    "capitalised words": "Aaa Bbb " * 2500,
    "a.a.a": "a." * 10000,
    "a@a@": "a@" * 10000,
    "one CJK char": "好" * 20000,
    "one letter": "a" * 20000,
    "9-digit runs": "123456789x" * 2000,
    "spaces": " " * 20000,
    "brackets": "[" * 20000,
    "我是": "我是" * 10000,
    "debt words": "您好还款逾期，" * 3000,
}


def adversarial() -> dict:
    """Milliseconds per 20,000-character pathological input: a regex that rescans shows up as seconds."""
    out = {}
    for name, text in ADVERSARIAL.items():
        t0 = time.perf_counter()
        check_message(
            text=text,
            language="en",
            jurisdiction="US",
            channel="sms",
            purpose="location",
            recipient_role="third_party",
            time_barred=True,
        )
        out[name] = round((time.perf_counter() - t0) * 1e3, 1)
    return out


if __name__ == "__main__":
    if "--adversarial" in sys.argv:
        print(json.dumps(adversarial(), ensure_ascii=False))
        sys.exit(0)
    result = measure()
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
