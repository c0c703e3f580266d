"""Messages must be true: extract a message's factual claims about the debt and compare them to `debt.state`.

Pure and cached per (text, state, purpose, on). A false statement about a debt is itself unlawful
(Reg F 12 CFR 1006.18(b), (c); FCA CONC 7.9.2R, 7.11; CBA 2026 on false or misleading collection). The packs'
`truth` rule (rules.py) turns each `Contradiction` into a violation with its evidence: the claim, its span in
the original text, and the stored value it contradicts.

Claims, zh and en (matched on a case- and width-folded copy of the text; spans point into the original):

- overdue: 已逾期 / 逾期未还 / overdue / past due / in arrears / delinquent / "is late" / "missed your payment".
  False when `state.overdue` is false.
- days past due: 逾期5天 / 逾期超过5天 / 5天以上 / "5 days past due" / "5 days late" / "overdue by 5 days".
  An exact figure must equal `state.days_past_due`; "more than N" / 超过N天 needs days > N; "at least N" /
  N天以上 needs days >= N (so a stated figure below the actual one is true when it is phrased as a floor).
- amount owed: ¥1,050.00 / 1050元 / $50.00 / £20 / 1,050.00 CNY, counted ONLY when its clause says the amount
  is owed now (overdue, past due, arrears, outstanding, balance, owe/owing, due now/today, 欠款, 逾期, 未还,
  待还, 余额, 今日到期) and says nothing that makes it another amount (received/paid/thank, refund, plan,
  installment, per month, offer, settlement, discount, minimum, a fee, interest, limit, a future due date:
  将于 / 日后到期 / "due in", "due on"). It must equal `amount_due` or `balance`; an amount in another currency
  than the state's is not compared. The heuristic is conservative: an amount it is unsure about is no claim.
- fee: 滞纳金 / 罚息 / 违约金 / 逾期费 / late fee / late charge / penalty / default fee / "charge of £12".
  Charged (no future marker) while `fees_charged` is 0, or a charged fee amount above `fees_charged`: false.
  "will be charged" / 将产生 while `state.overdue` is false claims lateness: false.
- legal action as a fact: 已起诉 / 已向法院提起诉讼 / 案件已立案 / 法院已判决 / "we have filed a lawsuit" /
  "legal proceedings have been issued" / "a court judgment against you". False when `legal_action` is false.
  A threat ("will sue") is not a statement of fact; the content check judges threats.
- deadline with a consequence: "within 24 hours" / 今天下午5点前 / "by March 5" in a sentence that names a
  consequence (fee, legal action, credit record, 征信). On a debt that is not overdue, a deadline before
  `next_due_on` (or with nothing falling due) is false.

General statements are not claims: an overdue, days, amount or fee match counts only in a sentence that names
the recipient or their account (you/your, account, bill, loan, balance, 您/你, 账户, 账单, 借款, 贷款, 欠款, 分期);
"late fees are charged on payments after the due date" states a rule. Hedged or negated statements are not claims: a sentence with if / unless / to avoid / may / could / before /
如 / 如果 / 若 / 以免 / 避免 / 否则 / 一旦 before the match, or a negation right before it (not / no / never /
without / 未 / 不 / 没有 / 免 / 无), says nothing about what is true now. Purpose `authentication` carries no
claims by construction (its own rule denies debt words); for `service` (receipts) an amount is a claim only as
above, so "we received your payment of ¥500" is not a claim of an amount due.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

cache_entries_max = 8192
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
# ISO 4217 minor-unit exponents of the currencies a message may name.
MINOR_EXPONENT = {"CNY": 2, "USD": 2, "GBP": 2, "EUR": 2, "HKD": 2}


class DebtState(NamedTuple):
    """What is true of the debt on the day of the contact (request field `debt.state`). Money in minor units."""

    overdue: bool
    days_past_due: int  # >= 0
    amount_due: int  # billed and due now
    balance: int  # everything outstanding
    fees_charged: int  # late/penalty fees actually charged to date (not waived)
    currency: str  # ISO 4217
    next_due_on: dt.date | None  # None: nothing falls due later
    legal_action: bool  # a legal proceeding has actually been started


@dataclass(frozen=True, slots=True)
class Claim:
    """A factual claim found in a message: kind, the matched text and its [start, end) span in the original."""

    kind: str  # overdue | days_past_due | amount_owed | fee | fee_future | legal_action | deadline
    matched: str
    span: tuple[int, int]
    value: int | None = None  # days, or minor units
    qualifier: str | None = None  # days: "more_than" | "at_least"; amounts: the currency
    date: dt.date | None = None  # a deadline's date


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A claim that the stored state contradicts."""

    claim: Claim
    field: str  # the debt.state field it contradicts
    stored: Any
    reason_en: str
    reason_zh: str

    def evidence(self) -> dict[str, Any]:
        c = self.claim
        out: dict[str, Any] = {
            "claim": c.kind,
            "matched": c.matched,
            "span": [c.span[0], c.span[1]],
            "stored": {self.field: self.stored},
        }
        if c.value is not None:
            out["claimed"] = c.value
        if c.qualifier is not None:
            out["qualifier"] = c.qualifier
        if c.date is not None:
            out["deadline_on"] = c.date.isoformat()
        return out


# --- normalisation: fold width and case, keep a map back to the original --------------------------------
_COMPOSING = re.compile("[\u0300-\u036f\u1100-\u11ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f]")


@lru_cache(maxsize=cache_entries_max)
def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """NFKC + casefold, char by char; index i of the folded text comes from original index map[i]."""
    if text.isascii():
        return text.lower(), tuple(range(len(text) + 1))
    if _COMPOSING.search(text) is None:
        # Without combining marks or conjoining jamo nothing composes (shrinks); an equal length then means every
        # character folded to exactly one.
        folded = unicodedata.normalize("NFKC", text).casefold()
        if len(folded) == len(text):
            return folded, tuple(range(len(text) + 1))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        out.append(folded)
        index.extend([i] * len(folded))
    index.append(len(text))
    return "".join(out), tuple(index)


# --- patterns ------------------------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"[.!?。！？\n](?!\d)")
_CLAUSE_END = re.compile(r"[.!?。！？;；\n,，](?!\d)")
_HEDGE = re.compile(
    r"\b(?:if|unless|to avoid|avoid|avoiding|may|might|could|before|otherwise|in case|should you|once)\b"
    r"|如果|如|若|以免|避免|否则|一旦|以防|防止|可能|之前|前还款"
)
_NEGATION = re.compile(
    r"(?:\b(?:not|no|never|without|waive[sd]?|nor)\b|n't)[^.!?;,，。！？；]{0,15}$|(?:未|不|没有|免|无|并非|尚未)[^，。！？；,.]{0,5}$"
)
_PERSONAL = re.compile(
    r"\byou(?:r|rs|'re|'ve)?\b|\baccount\b|\bbill\b|\bloan\b|\bbalance\b|您|你|账户|账单|借款|贷款|欠款|分期"
)
_FUTURE = re.compile(r"\b(?:will|would|shall|going to|may|might)\b|将|会|将会|即将")


def _fast(first: str, pattern: str) -> re.Pattern[str]:
    """`pattern` behind a lookahead on the characters any match starts with (re then skips other positions fast).
    `first` must list every possible first character of a match (a regex character-class body)."""
    return re.compile(f"(?=[{first}])(?:{pattern})")


_OVERDUE = _fast(
    "已逾处仍账借贷欠款本opidawnbrm",
    r"已经?逾期|逾期未[还缴付]|处于逾期|仍逾期|(?:账单|账户|借款|贷款|欠款|款项|本期)(?:已经?)?逾期"
    r"|\boverdue\b|\bpast[- ]due\b|\bin arrears\b|\bdelinquent\b"
    r"|\b(?:is|are|was|were|now|been|running)\s+late\b|\bmissed\s+(?:your|a|the|its)\s+(?:\w+\s+)?payment",
)
_DAYS = _fast(
    "逾moaplib0-9",
    r"逾期\s*(?P<zq>超过|已超过|已超|已达|已)?\s*(?P<zn>\d{1,4})\s*(?:天|日)(?P<zmin>以上)?"
    r"|(?:\b(?P<eq>more than|over|at least)\s+)?\b(?P<en>\d{1,4})\s*(?:days?)\s+"
    r"(?:past[- ]due|overdue|late|in arrears|behind)\b"
    r"|\b(?:past[- ]due|overdue|late|in arrears|behind)\s+(?:by|for)\s+(?:(?P<eq2>more than|over|at least)\s+)?"
    r"(?P<en2>\d{1,4})\s+days?\b",
)
_NUMBER = r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d{1,2}))?"
_AMOUNT = _fast(
    "¥$£€uhcrge0-9",
    r"(?P<sym>[¥$£€]|us\$|hk\$)\s*"
    + _NUMBER.replace("int>", "int1>").replace("dec>", "dec1>")
    + r"|(?P<code>cny|rmb|usd|gbp|eur)\s*"
    + _NUMBER.replace("int>", "int2>").replace("dec>", "dec2>")
    + r"|"
    + _NUMBER.replace("int>", "int3>").replace("dec>", "dec3>")
    + r"\s*(?P<word>元|块钱|块|人民币|cny|rmb|usd|gbp|eur|dollars?|pounds?)(?![a-z])",
)
_CURRENCY = {
    "¥": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "cny": "CNY", "rmb": "CNY",
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "€": "EUR", "eur": "EUR", "hk$": "HKD",
}  # fmt: skip
_OWED = re.compile(
    r"\boverdue\b|\bpast[- ]due\b|\barrears\b|\boutstanding\b|\bbalance\b|\bowe[sd]?\b|\bowing\b"
    r"|\bdue (?:now|today|immediately)\b|\bnow due\b|\bamount due\b|\btotal due\b|\bdebt of\b"
    r"|逾期|欠款|欠费|拖欠|未还|尚欠|待还|余额|今日到期|今天到期|已到期|当前应还"
)
_NOT_OWED = re.compile(
    r"\b(?:received|receive|paid|thank|thanks|refund\w*|credited|plan|instal+ments?|per month|a month|monthly"
    r"|weekly|each|offer\w*|settle\w*|discount\w*|save|minimum|fees?|charges?|interest|limit|available|up to"
    r"|due (?:in|on|by)|next)\b"
    r"|已收到|收到|已还|还款成功|感谢|退款|计划|分期|每期|每月|首期|减免|优惠|结清|滞纳金|罚息|违约金|手续费|利息|额度"
    r"|最低|将于|日后到期|天后到期|到期日|下期"
)
_FEE = _fast(
    "滞罚违逾催lpdca",
    r"滞纳金|罚息|违约金|逾期费用?|逾期利息|逾期管理费|催收费"
    r"|\blate(?:[- ]payment)? (?:fee|charge)s?\b|\bpenalty(?: fees?| interest| charges?)?\b"
    r"|\bdefault (?:fee|charge|interest)s?\b|\bcollection (?:fee|charge)s?\b|\b(?:a|an) (?:arrears )?charge of\b",
)
_LEGAL = _fast(
    "已案法h'lpscjwty",
    r"已(?:经)?(?:向[^，。,.]{0,12}?法院)?(?:起诉|提起诉讼|提起仲裁|申请仲裁|立案|申请强制执行|进入(?:司法|诉讼)程序)"
    r"|案件已(?:经)?(?:被)?(?:受理|立案)|法院已(?:经)?(?:受理|立案|判决|裁定|作出判决)|已被(?:起诉|立案)"
    r"|(?:\bhave|\bhas|'ve) (?:already )?(?:filed|commenced|started|initiated|issued|brought)"
    r" (?:a |an )?(?:lawsuit|suit|legal action|legal proceedings|proceedings|claim|court claim|county court claim)"
    r"|\b(?:lawsuit|legal action|legal proceedings|proceedings|suit|court claim|claim) (?:has|have) (?:already )?"
    r"(?:been )?(?:filed|commenced|started|issued|initiated|brought)"
    r"|\b(?:court |county court )?judg(?:e)?ment (?:has been |was )?(?:entered |issued |obtained |made )?against you"
    r"|\b(?:we|they) (?:have )?sued you\b|\byou (?:have been|are being|were) sued\b",
)
_DEADLINE = _fast(
    "wtb今当0-9",
    r"\bwithin (?P<hours>\d{1,3}) hours?\b|\b(?P<today>today|tonight|by end of day|by the end of the day)\b"
    r"|\bby (?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? (?P<day>\d{1,2})\b"
    r"|(?P<zhours>\d{1,3})\s*小时内|(?P<ztoday>今天|今日|当天)[^，。,.]{0,8}?[前内]"
    r"|(?P<zmonth>\d{1,2})月(?P<zday>\d{1,2})[日号](?:\d{1,2}[点时:：]\d{0,2})?[前之内]",
)
_CONSEQUENCE = re.compile(
    r"滞纳金|罚息|违约金|逾期|征信|起诉|诉讼|法律|上门|\blate\b|\bfee\b|\bcharge\b|\bpenalt|\blegal\b|\bcourt\b"
    r"|\bcredit (?:record|report|file|score)\b|\bdefault\b|\bsue\b|\blawsuit\b|\bcollections?\b"
)


# Literals one of which every match of a pattern contains: a text with none of them skips that pattern's scan.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "days": ("逾期", "day"),
    "overdue": ("逾期", "overdue", "past", "arrears", "delinquent", "late", "missed"),
    "amount": ("¥", "$", "£", "€", "元", "块", "人民币", "cny", "rmb", "usd", "gbp", "eur", "dollar", "pound"),
    "fee": ("滞纳金", "罚息", "违约金", "逾期", "催收费", "late", "penalt", "default", "collection", "charge"),
    "legal": (
        "起诉",
        "诉讼",
        "仲裁",
        "立案",
        "强制执行",
        "程序",
        "法院",
        "judg",
        "sue",
        "suit",
        "proceeding",
        "legal",
        "claim",
    ),
    "deadline": ("hour", "today", "tonight", "end of", "by ", "小时", "今天", "今日", "当天", "月"),
}


def _triggered(folded: str, kind: str) -> bool:
    return any(word in folded for word in _TRIGGERS[kind])


def _span(index: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    return index[start], index[end]


def _bounds(pattern: re.Pattern[str], folded: str, pos: int) -> tuple[int, int]:
    """The [start, end) of the sentence or clause around `pos`."""
    start = 0
    for m in pattern.finditer(folded, 0, pos):
        start = m.end()
    nxt = pattern.search(folded, pos)
    return start, nxt.start() if nxt else len(folded)


def _general(folded: str, start: int) -> bool:
    """A sentence that names neither the recipient nor their account states a general rule ("late fees are charged
    on payments after the due date"), not a fact about this debt."""
    s_start, s_end = _bounds(_SENTENCE_END, folded, start)
    return _PERSONAL.search(folded, s_start, s_end) is None


def _hedged(folded: str, start: int) -> bool:
    """A conditional or hedge earlier in the sentence, or a negation right before the match."""
    s_start, _ = _bounds(_SENTENCE_END, folded, start)
    before = folded[s_start:start]
    return bool(_HEDGE.search(before) or _NEGATION.search(before))


def _zh_conditional_after(folded: str, end: int) -> bool:
    """'逾期将…' / '逾期后…' / '逾期前' / '逾期的话': 逾期 used as a condition, not a statement."""
    return folded[end : end + 2].startswith(("将", "会", "后", "前", "的话", "记录", "影响", "可能"))


def _minor(integer: str, decimals: str | None, currency: str) -> int:
    exponent = MINOR_EXPONENT.get(currency, 2)
    whole = int(integer.replace(",", ""))
    frac = (decimals or "").ljust(exponent, "0")[:exponent]
    scaled: int = whole * 10**exponent
    return scaled + (int(frac) if frac else 0)


@lru_cache(maxsize=cache_entries_max)
def claims(text: str, on: dt.date | None = None) -> tuple[Claim, ...]:
    """Every factual claim in `text` (see the module docstring), in text order."""
    folded, index = fold(text)
    found: list[Claim] = []

    def claim(kind: str, start: int, end: int, **kw: Any) -> None:
        s, e = _span(index, start, end)
        found.append(Claim(kind, text[s:e], (s, e), **kw))

    day_spans: list[tuple[int, int]] = []
    for m in _DAYS.finditer(folded) if _triggered(folded, "days") else ():
        if _hedged(folded, m.start()) or _general(folded, m.start()):
            continue
        if m.group("zn"):
            value, q = int(m.group("zn")), m.group("zq") or ""
            qualifier = "more_than" if "超" in q else ("at_least" if (m.group("zmin") or "达" in q) else None)
        else:
            value = int(m.group("en") or m.group("en2"))
            q = (m.group("eq") or m.group("eq2") or "").strip()
            qualifier = "more_than" if q in ("more than", "over") else ("at_least" if q == "at least" else None)
        claim("days_past_due", m.start(), m.end(), value=value, qualifier=qualifier)
        day_spans.append((m.start(), m.end()))
    for m in _OVERDUE.finditer(folded) if _triggered(folded, "overdue") else ():
        if any(m.start() < b and m.end() > a for a, b in day_spans) or _hedged(folded, m.start()):
            continue
        if _general(folded, m.start()):
            continue
        if "逾期" in m.group(0) and _zh_conditional_after(folded, m.end()):
            continue
        claim("overdue", m.start(), m.end())
    for m in _AMOUNT.finditer(folded) if _triggered(folded, "amount") else ():
        c_start, c_end = _bounds(_CLAUSE_END, folded, m.start())
        clause = folded[c_start:c_end]
        if not _OWED.search(clause) or _NOT_OWED.search(clause) or _hedged(folded, m.start()):
            continue
        if _general(folded, m.start()):
            continue
        sym = m.group("sym") or m.group("code") or m.group("word") or ""
        currency = _CURRENCY.get(sym, "")
        integer = m.group("int1") or m.group("int2") or m.group("int3")
        decimals = m.group("dec1") or m.group("dec2") or m.group("dec3")
        claim("amount_owed", m.start(), m.end(), value=_minor(integer, decimals, currency), qualifier=currency)
    for m in _FEE.finditer(folded) if _triggered(folded, "fee") else ():
        if _hedged(folded, m.start()) or _general(folded, m.start()):
            continue
        s_start, s_end = _bounds(_SENTENCE_END, folded, m.start())
        sentence = folded[s_start:s_end]
        kind = "fee_future" if _FUTURE.search(sentence) else "fee"
        amount = None
        c_start, c_end = _bounds(_CLAUSE_END, folded, m.start())
        a = _AMOUNT.search(folded, c_start, c_end)
        if a is not None:
            sym = a.group("sym") or a.group("code") or a.group("word") or ""
            currency = _CURRENCY.get(sym, "")
            integer = a.group("int1") or a.group("int2") or a.group("int3")
            amount = _minor(integer, a.group("dec1") or a.group("dec2") or a.group("dec3"), currency)
            claim(kind, m.start(), m.end(), value=amount, qualifier=currency)
        else:
            claim(kind, m.start(), m.end())
    for m in _LEGAL.finditer(folded) if _triggered(folded, "legal") else ():
        if _hedged(folded, m.start()):
            continue
        claim("legal_action", m.start(), m.end())
    for m in _DEADLINE.finditer(folded) if _triggered(folded, "deadline") else ():
        s_start, s_end = _bounds(_SENTENCE_END, folded, m.start())
        if not _CONSEQUENCE.search(folded[s_start:s_end]):
            continue
        claim("deadline", m.start(), m.end(), date=_deadline_date(m, on))
    found.sort(key=lambda c: c.span)
    return tuple(found)


def _deadline_date(m: re.Match[str], on: dt.date | None) -> dt.date | None:
    if on is None:
        return None
    if m.group("hours") or m.group("zhours"):
        hours = int(m.group("hours") or m.group("zhours"))
        return on + dt.timedelta(days=hours // 24)
    if m.group("today") or m.group("ztoday"):
        return on
    month = _MONTHS.get(m.group("month") or "") or (int(m.group("zmonth")) if m.group("zmonth") else None)
    day = int(m.group("day") or m.group("zday") or 0)
    if month is None or not 1 <= month <= 12:
        return None
    try:
        date = dt.date(on.year, month, day)
    except ValueError:
        return None
    return date if date >= on else _next_year(date)


def _next_year(date: dt.date) -> dt.date | None:
    try:
        return date.replace(year=date.year + 1)
    except ValueError:
        return None


def _money(minor: int, currency: str) -> str:
    exponent = MINOR_EXPONENT.get(currency, 2)
    return f"{minor / 10**exponent:,.{exponent}f} {currency}"


@lru_cache(maxsize=cache_entries_max)
def contradictions(text: str, state: DebtState, on: dt.date | None = None) -> tuple[Contradiction, ...]:
    """The claims in `text` that `state` contradicts, in text order."""
    out: list[Contradiction] = []
    for c in claims(text, on):
        hit = _contradiction(c, state)
        if hit is not None:
            out.append(hit)
    return tuple(out)


def _overdue(c: Claim, s: DebtState) -> Contradiction | None:
    if s.overdue:
        return None
    return Contradiction(
        c,
        "overdue",
        False,
        f"The message says the debt is overdue ({c.matched!r}), but nothing is overdue.",
        f"信息称债务已逾期（“{c.matched}”），但该债务并未逾期。",
    )


def _days(c: Claim, s: DebtState) -> Contradiction | None:
    days, claimed = s.days_past_due, c.value
    if claimed is None:
        return None
    if c.qualifier == "more_than":
        ok = days > claimed
    elif c.qualifier == "at_least":
        ok = days >= claimed
    else:
        ok = days == claimed
    if ok:
        return None
    return Contradiction(
        c,
        "days_past_due",
        days,
        f"The message says {c.matched!r}, but the debt is {days} day(s) past due.",
        f"信息称“{c.matched}”，但该债务实际逾期 {days} 天。",
    )


def _amount(c: Claim, s: DebtState) -> Contradiction | None:
    if c.value is None or c.qualifier != s.currency or c.value in (s.amount_due, s.balance):
        return None
    claimed, due, balance = (_money(v, s.currency) for v in (c.value, s.amount_due, s.balance))
    return Contradiction(
        c,
        "amount_due",
        {"amount_due": s.amount_due, "balance": s.balance},
        f"The message claims {claimed} is owed ({c.matched!r}), which is neither the amount due ({due}) nor the "
        f"balance ({balance}).",
        f"信息称欠款 {claimed}（“{c.matched}”），与应还金额 {due} 和总欠款 {balance} 均不符。",
    )


def _fee(c: Claim, s: DebtState) -> Contradiction | None:
    if s.fees_charged == 0:
        return Contradiction(
            c,
            "fees_charged",
            0,
            f"The message says a fee was charged ({c.matched!r}), but no fee has been charged.",
            f"信息称已产生费用（“{c.matched}”），但实际未收取任何费用。",
        )
    if c.value is None or c.qualifier != s.currency or c.value <= s.fees_charged:
        return None
    claimed, charged = _money(c.value, s.currency), _money(s.fees_charged, s.currency)
    return Contradiction(
        c,
        "fees_charged",
        s.fees_charged,
        f"The message claims a fee of {claimed}, more than the fees charged ({charged}).",
        f"信息称费用 {claimed}，超过实际收取的费用 {charged}。",
    )


def _fee_future(c: Claim, s: DebtState) -> Contradiction | None:
    if s.overdue:
        return None
    return Contradiction(
        c,
        "overdue",
        False,
        f"The message says a fee will be charged ({c.matched!r}), which claims the debt is late; it is not.",
        f"信息称将收取费用（“{c.matched}”），即暗示已逾期，但该债务并未逾期。",
    )


def _legal(c: Claim, s: DebtState) -> Contradiction | None:
    if s.legal_action:
        return None
    return Contradiction(
        c,
        "legal_action",
        False,
        f"The message states legal action has been taken ({c.matched!r}); no legal proceeding has been started.",
        f"信息称已采取法律行动（“{c.matched}”），但并未启动任何法律程序。",
    )


def _deadline(c: Claim, s: DebtState) -> Contradiction | None:
    if s.overdue or c.date is None or (s.next_due_on is not None and c.date >= s.next_due_on):
        return None
    due = s.next_due_on.isoformat() if s.next_due_on else None
    return Contradiction(
        c,
        "next_due_on",
        due,
        f"The message sets a deadline with a consequence ({c.matched!r}) before anything falls due (next due: {due}).",
        f"信息设定了带后果的期限（“{c.matched}”），但在该期限前并无到期款项（下一到期日：{due}）。",
    )


_CHECKS: dict[str, Callable[[Claim, DebtState], Contradiction | None]] = {
    "overdue": _overdue,
    "days_past_due": _days,
    "amount_owed": _amount,
    "fee": _fee,
    "fee_future": _fee_future,
    "legal_action": _legal,
    "deadline": _deadline,
}


def _contradiction(c: Claim, s: DebtState) -> Contradiction | None:
    return _CHECKS[c.kind](c, s)
