"""Intent grammars: what a message is trying to do (threaten, expose, impersonate …), read from intents.toml.

An intent is found when the word classes of one of its grammars occur in
order (actor/action × target), close together (`gap_max` tokens: a CJK
character or a Latin word) and in one clause, in the normalised text. A
negation or assurance just before the action (不会, 绝不, 请勿, never, will
not, do not …) turns it into a promise — unless the negation belongs to the
payment ("if you don't pay we will post …", 不还钱就 …): see `assured`.

Class terms match three ways, all over the compact view (separators removed):
the term itself; for Latin terms, a whole word (a trailing ``*`` lets more
letters follow); for CJK terms, any spelling with the same tone-less pinyin
(通迅录, 坐lao, tongxunlu) — checked against jieba's dictionary, so a real
word that merely sounds alike (片子 for 骗子) is not read as the term.
Pure and deterministic; loaded once at import from package data.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import ahocorasick

from fairdue.policy.content.lexicon import ALL_JURISDICTIONS, ALL_PURPOSES, LexiconError, Rule
from fairdue.policy.content.normalize import Views, is_cjk, normalize_term, pinyin_keys, sound_view

INTENT_IDS = (
    "threat_harm",
    "exposure",
    "false_authority",
    "insult",
    "new_borrowing",
    "pressure",
    "disguised",
    "third_party",
)
LEARNED_SUB = "learned"  # rule id CONTENT.intent.<intent>.learned: a denial added by the learned layer
assurance_window_chars = 96  # characters before an action searched for a negation (one sentence at most)
unless_before_tokens = 2  # a `you_subject` hit ending this close before the action cancels it
needs_window_chars = 16  # a `needs` class hit must lie this close (compact characters) to the grammar's span
near_chars = 12  # compact characters looked at before/after an element for `unless_before` / `unless_after`
class_term_chars_max = 40  # no class term is longer than this once compacted (checked at load)
matches_per_grammar_max = 20  # matches kept per grammar and text (findings are capped per rule anyway)
homophone_word_freq_min = 10  # a CJK spelling jieba knows at least this well is a word of its own, not a homophone
homophone_cjk_chars_min = 3  # an all-character homophone must be this long (通迅录); shorter ones need letters (坐lao)
pinyin_key_letters_min = 4  # shorter pinyin keys ("ba", "wan") are too common to read as a word

# Clause punctuation; "." only when a space or the end follows (not a.r.r.e.s.t, not 1.5).
_CLAUSE = re.compile(r"[。！？!?；;，,\n]+|\.(?=\s|$)")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TWO_WORD_CHARS = re.compile(r"[^\W_][\W_]*[^\W_]")  # two letters or digits, whatever stands between them
_SENTENCE = frozenset("。！？!?；;\n.")  # the stronger boundaries: an assurance reaches across commas (a list)
_CJK_GAP = re.compile("(?<=[\u3400-\u9fff])[^\\w\u3400-\u9fff，。！？；、,.!?;\n]+(?=[\u3400-\u9fff])")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

# --- assurances ---------------------------------------------------------------
# A negation of the action: the last one in the clause before the action counts.
_NEGATION = re.compile(
    r"绝不|决不|从不|从未|从来不|并非|并不|没有|勿|谨防|警惕|提防|防范|禁止|严禁|杜绝|无需|无须|未(?!来|成年|满|知|必|经|能)|"
    r"别(?!怪|以为|想|逼|让|等|的|人|处|家|样|墅|致|针|名|说|躲|装|跑|拖|逃|磨蹭)|"
    r"(?<!何)(?<!什么)(?<!能)(?<!要)(?<!会)(?<!是)(?<!可)(?<!肯)(?<!敢)(?<!想)(?<!neng)(?<!yao)(?<!hui)(?<!ken)"
    r"不(?!管|论|然|过|仅|只|止|太|好意思|像|是有|少|便|断|足|同|久|停|如|得不|良|还|付|交|缴|接|理|回|配|是人|要脸|得好死|客气|放过|行|够|上|起|到账|到位)|"
    r"如有人|若有人|如果有人|如遇|如您收到|若您收到|如收到|自称|冒充|任何要求|任何人要求|有人说|任何人说|"
    r"\b(?:anyone who (?:says|tells|claims)|ignore anyone|someone who (?:says|tells|claims))\b|"
    r"\bnothing\b(?! but\b)|\b(?:stopped|ceased|will stop|have stopped|'ve stopped)\b|\b(?:pose|poses) as\b|\b(?:pretends?|claims?) to be\b|"
    r"\bstop\b(?! being| hiding| ignoring| avoiding| dodging| running| making excuses| lying| wasting)|\b(?:no longer|ceased?|claiming to be|pretending to be|posing as|impersonat\w*)\b|"
    r"(?<!why )\b(?:not|never|no|nobody|neither|nor|without|cannot|beware|avoid|refrain)\b"
    r"(?! in by\b| surprised\b| wonder\b| doubt\b| only\b| just\b)|"
    r"(?<!why do)(?<!why wo)n[’']t\b(?! in by\b| arrived\b| received\b| cleared\b| you\b)|"
    r"\bno one\b|\bstay away from\b|\bbe wary of\b|\bif (?:anyone|someone|you receive|you are asked|you get)\b"
)
# Between that negation and the action: the negation belonged to something else
# (the payment, a condition), so what follows is a threat, not a promise.
_NOT_OURS = re.compile(
    r"(?<!为)(?<!为了)(?<!来)(?<!去)还(?!旧|款的说法)|付|缴|交钱|接电话|接听|回复|理会|处理|就(?!该|此|本|这笔|这个|相关)|便|则|那么|否则|以为|认为|逼|迫|除非|直到|等到|后果|"
    r"没关系|不要紧|无所谓|也没事|"
    r"等着|等你|马上|立即|立刻|现在|"
    r"(?<!\bto )(?<!\bor )(?<!\band )\b(?:pay|paying|repay|repaying|settle|settling)\b|"
    r"\b(?:paid|respond|answer|reply|then|until|unless|otherwise|force|think|believe|assume|"
    r"wait|hear|contact us|call us|now|immediately|anymore|any longer)\b|we will|we'll|i will|i'll|they will|make us"
)
# Just before the negation: a condition ("if you do not …", 如果不 …, 再不 …).
_CONDITION = re.compile(
    r"(?:如果|若|要是|假如|倘若|一旦|再|还|敢|\bif|\bonce|\bwhen|\bunless)\s*\w{0,6}\s*$|"
    r"(?:如果|要是|假如|倘若|\bif|\bunless)(?!\s*(?:anyone|someone|有人|任何人))[^,，。.!?！？;；\n]{0,16}$"
)
# Before that negation: doubt about it ("别以为我们不会…", "don't think we won't …") makes it a threat again.
_DOUBT = re.compile(r"以为|认为|觉得|\b(?:think|believe|assume|expect|imagine)\b")


def assured(light: str, start: int, boundaries: tuple[int, ...], lo_min: int = 0) -> bool:
    """Whether a negation in the sentence just before ``start`` makes the action a promise ("we will not …").

    The window reaches back across commas ("we will not contact your address
    book, your family or your employer") but not across a sentence end.
    """
    lo = max(lo_min, start - assurance_window_chars)
    b = bisect_left(boundaries, start) - 1
    while b >= 0 and boundaries[b] >= lo:
        if light[boundaries[b]] in _SENTENCE:
            lo = boundaries[b] + 1
            break
        b -= 1
    window = light[lo:start]
    if "】" in window:  # a sender's 【signature】 is a name, not words of the clause (若水花 holds no "if")
        window = window[window.rindex("】") + 1 :]
    if _INVISIBLE.search(window):
        window = _INVISIBLE.sub("", window)
    window = _CJK_GAP.sub("", window)  # 能·不 能 reads as 能不能
    last = None
    for last in _NEGATION.finditer(window):  # noqa: B007 - the last negation is the one that counts
        pass
    if last is None:
        return False
    if _NOT_OURS.search(window, last.end()):
        return False
    return not (_CONDITION.search(window, 0, last.start()) or _DOUBT.search(window, 0, last.start()))


# After a match, in the same sentence: the act is disowned ("… are scams", "… is not from us").
_DISOWNED = re.compile(
    r"都是诈骗|均为诈骗|是诈骗|属于诈骗|不是我们|并非我司|并非本公司|与我司无关|与本平台无关|与本公司无关|与我们无关|不是我司|"
    r"\b(?:is|are) (?:a )?(?:scam|fraud|fake)s?\b|\bnot (?:from )?us\b|\bnot been sent by us\b|"
    r"\b(?:has|have) nothing to do with us\b|\bnot related to us\b|"
    r"请勿相信|不要相信|切勿相信|别相信|请不要相信|谨防受骗|谨防诈骗|\b(?:do not|don't) (?:believe|trust|pay) (?:it|them)\b"
)
disowned_window_chars = 60  # characters after a match searched for a disowning clause


# Right after the target, in its clause: a passive or topicalised promise
# ("your employer will not be contacted", 您的通讯录我们不会联系).
_AFTER_NEGATION = re.compile(r"绝不|永远不会|从不|从来不|不会|不得|并不|\b(?:never|not|won't|no longer)\b|n[’']t\b")
_AFTER_CONDITION = re.compile(r"如果|若|要是|假如|再|还|付|\b(?:if|unless|until|pay|paid)\b")
_AFTER_TAUNT = re.compile(r"吗|么|呢|[?？]|^\W*(?:还|付|交|缴|给钱)|^\W*(?:pay|repay|paying|settl|answer|respond)")
after_promise_chars = 14  # characters after a target searched for a passive promise


def promised_after(light: str, end: int, boundaries: tuple[int, ...]) -> bool:
    """Whether the target just before ``end`` is followed, in its clause, by a negation of what happens to it."""
    hi = min(len(light), end + after_promise_chars)
    k = bisect_left(boundaries, end)
    if k < len(boundaries) and boundaries[k] < hi:
        hi = boundaries[k]
    m = _AFTER_NEGATION.search(light, end, hi)
    if m is None or _AFTER_CONDITION.search(light, end, m.start()) is not None:
        return False
    # "借新还旧都不会吗？" is a taunt, "fraud by not paying" negates the payment: neither is a promise.
    tail_end = bisect_left(boundaries, m.end())
    tail = light[m.end() : boundaries[tail_end] + 1 if tail_end < len(boundaries) else len(light)]
    return _AFTER_TAUNT.search(tail[:24]) is None


def promise(light: str, hit: IntentHit, boundaries: tuple[int, ...]) -> bool:
    """Whether a match is a promise: a negation before it or between its two elements ("this is not a court"),
    or a disowning clause after it in the same sentence ("… 都是诈骗", "… is not from us")."""
    if not hit.assurable:
        return False
    if assured(light, hit.start, boundaries):
        return True
    if hit.mid > hit.start and assured(light, hit.mid, boundaries, lo_min=hit.start):
        return True
    return disowned(light, hit.end, boundaries) or promised_after(light, hit.end, boundaries)


# A next sentence that disowns what the one before said: "That's not us.", "They're not from us.", 这些都是诈骗.
_DISOWNED_NEXT = re.compile(
    r"\s*(?:that|this|they|these|those|it|such (?:texts|messages|calls|letters))(?:'s|’s|'re|’re| is| are| were| was)? "
    r"(?:not (?:from |sent by )?us|(?:all )?(?:a )?(?:scams?|fraud|fake))\b|"
    r"\s*(?:it|that|they|this)(?: wasn't| was not| weren't| were not| isn't| is not) (?:from )?us\b|"
    r"\s*(?:这|此|这些|以上|上述)\S{0,6}?(?:都是|均为|是|属于)(?:诈骗|假的|虚假)"
)


def _sentence_end(light: str, end: int, boundaries: tuple[int, ...], hi: int) -> int:
    """The first sentence boundary at or after ``end`` and before ``hi``, else ``hi``."""
    k = bisect_left(boundaries, end)
    while k < len(boundaries) and boundaries[k] < hi:
        if light[boundaries[k]] in _SENTENCE:
            return boundaries[k]
        k += 1
    return hi


def _sentence_start(light: str, start: int, boundaries: tuple[int, ...]) -> int:
    """Just after the last sentence boundary before ``start``, else 0."""
    k = bisect_left(boundaries, start) - 1
    while k >= 0:
        if light[boundaries[k]] in _SENTENCE:
            return boundaries[k] + 1
        k -= 1
    return 0


def disowned(light: str, end: int, boundaries: tuple[int, ...]) -> bool:
    """Whether the rest of the sentence after ``end``, or the start of the next one, disowns what came before it."""
    hi = _sentence_end(light, end, boundaries, min(len(light), end + disowned_window_chars))
    if _DISOWNED.search(light, end, hi) is not None:
        return True
    return hi < len(light) and light[hi] in _SENTENCE and _DISOWNED_NEXT.match(light, hi + 1) is not None


# --- the sender -----------------------------------------------------------------
# Where a message names its sender: a 【signature】, a leading [bracket], an SMS
# prefix ("Acme Loans: …"), a letter's first line or its closing ("Regards, Acme").
_SENDER_NAME = re.compile(
    r"【\s*([^【】\n]{2,24}?)\s*】|^\s*\[\s*([^\]\n]{2,30}?)\s*\]|(?m:^[ \t]*([^\W_][^:：\n]{1,40}?)[ \t]*[:：](?=\s))|"
    r"^\s*([^\n]{2,40}?)[ \t]*\n[ \t]*\n|"
    r"^\s*((?:[a-z0-9&'.]+ ){0,4}(?:loans?|lending|lenders?|finance|bank|credit|money|capital|financial|funding))"
    r"[ \t]+[-–—][ \t]|"
    r"(?:regards|sincerely|yours faithfully|yours sincerely|thank you|thanks|此致|敬礼)[,，!！]?[ \t]*\n?[ \t]*([^\n,，]{2,40}?)[ \t.。]*$"
)
sender_name_chars_max = 40
_LEGAL_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,30}?(?:股份有限公司|有限责任公司|有限公司)")
legal_name_within = 60  # characters of a one-line message read as its first line
_CITED_TITLE = re.compile(r"《[^《》\n]{1,60}》")


def sender_spans(light: str) -> tuple[tuple[int, int], ...]:
    """Every place the folded text names its own sender: the signature and each later mention of that name
    (请通过安心贷App还款 names the lender's own app, not a product to borrow from)."""
    names = set()
    for m in _SENDER_NAME.finditer(light):
        name = next((g for g in m.groups() if g), "").strip()
        if 2 <= len(name) <= sender_name_chars_max:
            names.add(name)
    spans = []
    for name in names:
        i = light.find(name)
        while i >= 0:
            spans.append((i, i + len(name)))
            i = light.find(name, i + 1)
    # A cited title (《商业银行信用卡业务监督管理办法》, 《借款合同》) names a document, not a product to borrow from.
    spans.extend(m.span() for m in _CITED_TITLE.finditer(light))
    # The sender's legal name on its first line (青柠贷（青柠网络小额贷款有限公司）): the sender, not a lender to borrow from.
    spans.extend(
        m.span() for m in _LEGAL_NAME.finditer(light, 0, light.find("\n") if "\n" in light else legal_name_within)
    )
    return tuple(sorted(spans))


# Someone else's words, quoted as theirs: 您提到“催收的人说要发到我朋友圈”, you told us you were worried about
# "going to jail". A match inside such a quotation is reported, not said by the sender.
_QUOTED = re.compile(r"“[^“”\n]{1,120}”|\"[^\"\n]{1,120}\"|「[^「」\n]{1,120}」|『[^『』\n]{1,120}』")
_REPORTING = re.compile(
    # The recipient's own words quoted back to them (您提到“…”, you told us "…"): only theirs — "我说“…”",
    # "他说“…”" or "we said '…'" would let a sender dress its own threat up as someone else's:
    r"(?:(?<![跟对给和向诉让叫])(?:您|你)[^，。！？“”\"\n]{0,12}?"
    r"(?:提到|提到过|说|说过|反映|反映的|称|声称|表示|投诉|问|问到|担心|留言|写道|来电说|回复|回复了|发来|转发)"
    r"[^，。！？“”\"\n]{0,6}?|"
    r"自称|自称是|冒充|假冒|\bclaiming to be|\bpretending to be|"  # an impersonator's claim, quoted in a warning
    r"(?:如有人|若有人|如果有人|有人)(?:以|说|称|声称|自称)?|"  # what someone might say, in a warning
    r"(?:^|\n|[.!?]\s)\s*you\s*[:：]|"  # a transcript's line of the recipient's ("You: \"…\"")
    r"(?<!told )(?<!tell )\byou\b[^.!?\n\"“]{0,40}?"
    r"\b(?:told (?:us|me|our \w+)(?: that)?|said(?: that)?|say|says|mentioned|wrote|asked(?: us| me| about)?|"
    r"forwarded(?: us| me)?[^.!?\n\"“]{0,40}?(?:saying|that said|which said|reading)|replied|"
    r"complained(?: about| that)?|worried(?: about| that)?|concerned(?: about| that)?|claim(?:s|ed|ing)?(?: to be)?)|"
    r"(?:^|\n)\s*(?:subject:\s*)?re)\s*[:：,，]?\s*"  # a reply's subject line quotes the message it answers
    r"(?:[“\"「『][^“”\"「」『』\n]{1,20}[”\"」』]\s*(?:[、，,和及与]|\bor\b|\band\b)?\s*)*$"  # a list: 自称“法院”“公安”
)
reported_lead_chars = 64  # characters before a quotation searched for who said it and the verb that reports it


# The recipient's own words reported without quotation marks, to the end of their clause: "You told us you were
# afraid of going to jail", 您提到您担心被起诉. A comma ends it: "you said you'd pay, so we'll …" is ours again.
_REPORTED_CLAUSE = re.compile(
    r"\byou (?:told us|told me|said|mentioned|wrote|explained|let us know|shared|asked(?: us| me)?(?: whether| if)?|"
    r"wondered(?: whether| if)?)(?: on the phone| in your email| in your letter| earlier| today)?(?: that)?"
    r"\s*[:：]?\s*['\"“‘]?[^.!?;:,\n]*|"
    r"(?<![跟对给和向诉让叫])(?:你|您)(?:提到|说|说过|反映|告诉我们|表示|担心|留言说|问)(?:过|的)?[,，:：]?[^。！？；：，,?\n]*(?![^。！？；\n]{0,12}?(?:吗|呢|怎么办|是不是|对不对|[?？]))"
)
# What impersonators and fraudsters say, reported in a warning about them: the sentence of the report, when a scam
# warning stands in it or right after it ("Fraudsters are sending texts saying you'll be arrested … That's not us").
_SCAM_REPORT = re.compile(
    r"\b(?:fraudsters?|scammers?|criminals|crooks|impostors?|imposters?|someone|people|callers?|(?:fake )?(?:texts?|"
    r"calls?|messages?|letters?|e-?mails?))\b[^.!?\n]{0,40}?\b(?:say|says|saying|said|claim|claims|claiming|pose as|posing as|"
    r"pretend\w*|tell you|telling you|threaten\w*|asking|posted|texting|sending)\b(?:“[^”\n]*”|\"[^\"\n]*\"|[^.!?\n])*|"
    r"(?:骗子|不法分子|诈骗分子|有人|陌生人|冒充者|客户|用户)[^。！？\n]{0,20}?(?:自称|冒充|假冒|说|称|声称|谎称|威胁|反映|收到)"
    r"[^。！？\n]*"
)
_SCAM_CONTEXT = re.compile(
    r"\b(?:scams?|fraud\w*|fake|not (?:from |sent by )?us|never|report (?:it|them|this)|hang up|impersonat\w*|"
    r"did not come from us|didn't come from us|not come from us|reported it|wasn't us|was not us|weren't us)\b|"
    r"诈骗|骗局|报警|不是我们|不是我司|并非我司|假的|挂断|冒充|保留证据|从不|绝不|不会以"
)
scam_context_chars = 160  # characters after a fraudster's reported words searched for the warning around them

# Words of one of the sender's staff reported in order to disown them, a correction or an apology following: "a
# call in which our agent said a bailiff would 'come round tonight'. That was wrong", 我司员工称…，这是错误的.
_STAFF_SAID = re.compile(
    r"\b(?:our|the|a|one of our) (?:\w+ )?(?:agent|caller|collector|colleague|representative|adviser|advisor|"
    r"employee|staff member)s? (?:had )?(?:said|told you|threatened|claimed|wrote|called you)\b[^.!?\n]*|"
    r"(?:我司|我们的|本公司)(?:员工|催收员|工作人员|坐席|客服|外访人员|同事)[^。！？\n]{0,8}?(?:说|称|表示|威胁)[^。！？\n]*"
)
_DISOWNING = re.compile(
    r"\b(?:that|this|it) (?:was|is|were) (?:\w+ )?(?:wrong|untrue|not true|false|unacceptable|not acceptable)\b|"
    r"\bshould (?:never|not) have been said\b|\bwe (?:apologi[sz]e|are sorry)\b|\bwe're sorry\b|"
    r"(?:这|此)(?:是|属于)?(?:错误|不实|违规|不当)|不应该|深表歉意|向你道歉|致歉"
)
disowning_window_chars = 160  # characters after reported staff words searched for the correction or apology


def reported_spans(light: str) -> tuple[tuple[int, int], ...]:
    """Someone else's words: quotations introduced as theirs (a reporting verb just before the opening mark), the
    recipient's own words reported to the end of their clause, fraudsters' words reported in a warning about them,
    and staff words reported in order to disown them."""
    quoted = [
        m.span()
        for m in _QUOTED.finditer(light)
        if _REPORTING.search(light, max(0, m.start() - reported_lead_chars), m.start())
    ]
    own = [m.span() for m in _REPORTED_CLAUSE.finditer(light) if m.end() > m.start()]
    scams = [
        m.span()
        for m in _SCAM_REPORT.finditer(light)
        if _SCAM_CONTEXT.search(light, max(0, m.start() - 40), m.end() + scam_context_chars)
    ]
    disowned = [
        m.span()
        for m in _STAFF_SAID.finditer(light)
        if _DISOWNING.search(light, m.end(), m.end() + disowning_window_chars)
    ]
    return tuple(sorted((*quoted, *own, *scams, *disowned)))


# Advice to someone weighing an act, in the act's own clause ("if you're thinking of taking a payday loan, talk to
# us first"; 如果您正在考虑借网贷还款，请先联系我们): the act is the reader's option, not the sender's demand.
_WEIGHING = re.compile(
    r"\bif (?:you're|you are|you|you've been) (?:thinking (?:of|about)|considering|planning|tempted)\b|"
    r"如果您?(?:正在)?(?:考虑|打算|想要?)|若您?(?:正在)?(?:考虑|打算)"
)


def weighing(light: str, start: int, boundaries: tuple[int, ...]) -> bool:
    """Whether the clause of ``start`` opens, before it, with advice to someone weighing the act."""
    k = bisect_left(boundaries, start) - 1
    lo = boundaries[k] + 1 if k >= 0 else 0
    return _WEIGHING.search(light, lo, start) is not None


# Advice to the recipient to go to an authority themselves (请立即报警, 您也可向金融监管总局反映, "you can contact your
# state attorney general", "report it to the police"): naming the authority is not posing as it.
_ADVICE_BEFORE = re.compile(
    r"(?:请|请您|请你|你可|可以|可向|也可向|也可以向|建议|建议你|并|或)\s*(?:立即|及时|直接|马上|随时)?\s*"
    r"(?:向|到|拨打|致电|联系|求助于?)?\s*$|"
    r"\b(?:you can|you may|you could|you should|please|feel free to|we encourage you to|we recommend you|"
    r"we'd encourage you to|do)\s+(?:\w+\s+){0,2}?(?:report\w*|complain\w*|contact|call|ring|tell|inform|alert|go to|"
    r"reach|visit)\s+(?:\w+\s+){0,3}?$|"
    r"\b(?:report (?:it|this|them|him|her|the (?:call|caller|message|text|letter))|complain|speak) to\s+(?:\w+\s+){0,2}?$"
)
advice_window_chars = 40  # characters before an authority's name searched for advice to go to it


def advised(light: str, start: int, boundaries: tuple[int, ...]) -> bool:
    """Whether the clause just before ``start`` advises the recipient to go to what is named at ``start``."""
    k = bisect_left(boundaries, start) - 1
    lo = max(boundaries[k] + 1 if k >= 0 else 0, start - advice_window_chars)
    return _ADVICE_BEFORE.search(light[lo:start]) is not None


# A contact with someone who knows the borrower, made to ask the borrower to call back (我们需要联系您的朋友孙磊，麻烦请他
# 回电; "we need to reach your friend: please ask them to call us back"): a location contact, not a threat to tell
# anyone, unless a condition turns it into one ("…, or we tell everyone").
_CALL_BACK = re.compile(r"回电|回个电话|回复电话|给我们回|\b(?:call us back|call back|ring us back|ring us|call us)\b")
_CALL_BACK_UNLESS = re.compile(
    r"否则|不然|要不|不还|不处理|\b(?:unless|or else|or we|otherwise|if you don't|if he doesn't|if she doesn't)\b"
)


def asks_call_back(light: str, start: int, end: int, boundaries: tuple[int, ...]) -> bool:
    """Whether the sentence of [start, end) asks, after it, for a call back, with no condition anywhere in it
    (不还就爆通讯录，麻烦转告他回电 stays a threat)."""
    lo, hi = _sentence_start(light, start, boundaries), _sentence_end(light, end, boundaries, len(light))
    return _CALL_BACK.search(light, end, hi) is not None and _CALL_BACK_UNLESS.search(light, lo, hi) is None


def exempt_in_context(intent: str | None, light: str, start: int, end: int, boundaries: tuple[int, ...]) -> bool:
    """What the words around a match make of it, by intent: naming an authority in advice to go to it is no false
    claim (`advised`); asking a friend of the borrower to have them call back is no exposure (`asks_call_back`)."""
    if intent == "false_authority":
        return advised(light, start, boundaries)
    if intent == "exposure":
        return asks_call_back(light, start, end, boundaries)
    return False


def in_spans(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """Whether [start, end) lies wholly inside one of ``spans``."""
    return any(s <= start and end <= e for s, e in spans)


def starts_in(spans: tuple[tuple[int, int], ...], start: int) -> bool:
    """Whether ``start`` lies inside one of ``spans`` (a match that begins in someone else's words is theirs)."""
    return any(s <= start < e for s, e in spans)


def _in_sender(senders: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in senders)


def clause_boundaries(light: str) -> tuple[int, ...]:
    """Positions of clause punctuation, except punctuation inserted between single characters (爆,通,讯,录).

    Punctuation counts as a boundary when at least two word characters stand on
    each side of it before the next punctuation: a real clause, not an evasion.
    """
    marks = [(m.start(), m.end()) for m in _CLAUSE.finditer(light)]
    if not marks:
        return ()
    out = []
    prev_end = 0
    for i, (s, e) in enumerate(marks):
        next_start = marks[i + 1][0] if i + 1 < len(marks) else len(light)
        if _TWO_WORD_CHARS.search(light, prev_end, s) and _TWO_WORD_CHARS.search(light, e, next_start):
            out.append(s)
        prev_end = e
    return tuple(out)


# --- data ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Grammar:
    """A sequence of word classes that, found in order and close together, shows an intent."""

    intent: str
    sub: str
    rule_id: str
    seq: tuple[int, ...]  # class ids, 1 or 2 of them
    gap_max: int  # tokens allowed between consecutive elements
    any_order: bool  # two elements may come in either order
    needs: int | None  # a class that must occur near the span (exposure.public: whose photo?)
    unless_before: tuple[int, ...]  # classes that, just before the first element, make it not our action
    unless_after: tuple[int, ...]  # classes that, just after the last element, change what it is (找朋友借: borrowing)
    breakers: tuple[int, ...]  # classes that may not stand between the elements
    cross_commas: bool  # the elements may stand in two clauses of one sentence (您跟他说，今天不还…)
    assurable: (
        bool  # a negation before it makes it a promise (false for threats phrased with one: "won't be in one piece")
    )
    jurisdictions: frozenset[str]
    purposes: frozenset[str]
    non_debtor: bool  # only for recipients who may not hear about the debt
    # An element inside the sender's own name (【安心贷】, "安心贷App") does not count.
    sender_is_not_target: bool = False
    # Classes that, anywhere earlier in the clause, cancel it ("if you use …, you may pay more").
    unless_clause: tuple[int, ...] = ()
    # The elements may stand in two sentences (a pretext, then the call-back it asks for: "Wrong number? Call me back").
    cross_sentences: bool = False


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regex over the folded text for shapes the classes cannot express (【…公安局】, premium-rate numbers)."""

    intent: str
    sub: str
    rule_id: str
    regex: re.Pattern[str]
    examples: tuple[str, ...]
    jurisdictions: frozenset[str]
    purposes: frozenset[str]
    non_debtor: bool


@dataclass(frozen=True, slots=True)
class IntentData:
    """Intents, classes, grammars and the automata over class terms."""

    rules: dict[str, Rule]  # one per grammar/pattern rule id
    class_names: tuple[str, ...]
    class_terms: tuple[tuple[str, ...], ...]  # per class, its terms as written
    cancelling: frozenset[int]  # classes that cancel a match (breakers, unless_before/after): matched strictly
    grammar_classes: tuple[tuple[frozenset[int], frozenset[int]], ...]  # per grammar: its elements, all its classes
    grammars: tuple[Grammar, ...]
    patterns: tuple[Pattern, ...]
    automaton: ahocorasick.Automaton  # compact term -> (key length, ((class, left_boundary, right_boundary), ...))
    sound: ahocorasick.Automaton  # pinyin -> (key length, (("c", class) | ("t", lexicon term index), ...), CJK forms)


@dataclass(frozen=True, slots=True)
class ClassHit:
    """A class term found in a text: original span [start, end), compact span [c0, c1)."""

    cls: int
    start: int
    end: int
    c0: int
    c1: int


@dataclass(frozen=True, slots=True)
class IntentHit:
    """A grammar or pattern match: the rule it cites and its original span."""

    grammar: int  # index into grammars, or -1 - index into patterns
    intent: str
    rule_id: str
    start: int
    end: int
    assurable: bool = True  # whether a negation before it can make it a promise
    mid: int = -1  # start of the second element ("this is NOT a court"), -1 for one-element matches


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _intent_rule(rule_id: str, intent: str, raw: Mapping[str, Any], grammar: Mapping[str, Any]) -> Rule:
    return Rule(
        id=rule_id,
        category="third_party" if intent == "third_party" else "content",
        severity="violation",
        applies="non_debtor" if grammar.get("non_debtor") else "always",
        reason_en=raw["reason_en"],
        reason_zh=raw["reason_zh"],
        source=raw["source"],
        article=raw["article"],
        confidence=raw["confidence"],
        negatable=False,
        jurisdictions=frozenset(grammar.get("jurisdictions", ALL_JURISDICTIONS)),
        purposes=frozenset(grammar.get("purposes", ALL_PURPOSES)),
        intent=intent,
    )


def _class_automata(
    names: tuple[str, ...], terms: tuple[tuple[str, ...], ...], lexicon_cjk: Iterable[tuple[int, str]]
) -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    by_key: dict[str, list[tuple[int, bool, bool]]] = {}
    by_sound: dict[str, tuple[list[tuple[str, int]], set[str]]] = {}
    for cls, class_terms in enumerate(terms):
        for raw in class_terms:
            stem = raw.endswith("*")
            key = normalize_term(raw.rstrip("*"))
            if not key:
                raise LexiconError(f"intents.toml: class {names[cls]} has a term empty after normalisation: {raw!r}")
            if len(key) > class_term_chars_max:
                raise LexiconError(f"intents.toml: class {names[cls]} term longer than {class_term_chars_max}: {raw!r}")
            by_key.setdefault(key, []).append((cls, _latin(key[0]), _latin(key[-1]) and not stem))
            if len(key) >= 2 and all(is_cjk(ch) for ch in key):
                for sound in pinyin_keys(key):
                    if len(sound) >= pinyin_key_letters_min:
                        entry = by_sound.setdefault(sound, ([], set()))
                        entry[0].append(("c", cls))
                        entry[1].add(key)
    for index, key in lexicon_cjk:
        for sound in pinyin_keys(key):
            if len(sound) >= pinyin_key_letters_min:
                entry = by_sound.setdefault(sound, ([], set()))
                entry[0].append(("t", index))
                entry[1].add(key)
    automaton = ahocorasick.Automaton()
    for key, values in by_key.items():
        automaton.add_word(key, (len(key), tuple(values)))
    automaton.make_automaton()
    sound = ahocorasick.Automaton()
    for key, (readers, forms) in by_sound.items():
        sound.add_word(key, (len(key), tuple(dict.fromkeys(readers)), frozenset(forms)))
    sound.make_automaton()
    return automaton, sound


def _grammar(raw: Mapping[str, Any], rule: Rule, cls: Callable[[str], int]) -> Grammar:
    seq = tuple(cls(n) for n in raw["seq"])
    if not 1 <= len(seq) <= 2:
        raise LexiconError(f"intents.toml: grammar {rule.id} needs one or two classes")
    return Grammar(
        intent=raw["intent"],
        sub=raw["sub"],
        rule_id=rule.id,
        seq=seq,
        gap_max=int(raw.get("gap_max", 0)),
        any_order=bool(raw.get("any_order", False)),
        needs=cls(raw["needs"]) if "needs" in raw else None,
        unless_before=tuple(cls(n) for n in raw.get("unless_before", ())),
        unless_after=tuple(cls(n) for n in raw.get("unless_after", ())),
        breakers=tuple(cls(n) for n in raw.get("breakers", ())),
        cross_commas=bool(raw.get("cross_commas", False)),
        assurable=bool(raw.get("assurable", True)),
        jurisdictions=rule.jurisdictions,
        purposes=rule.purposes,
        non_debtor=bool(raw.get("non_debtor", False)),
        sender_is_not_target=bool(raw.get("sender_is_not_target", False)),
        unless_clause=tuple(cls(n) for n in raw.get("unless_clause", ())),
        cross_sentences=bool(raw.get("cross_sentences", False)),
    )


def _pattern(raw: Mapping[str, Any], rule: Rule) -> Pattern:
    try:
        regex = re.compile(raw["regex"])
    except re.error as err:
        raise LexiconError(f"intents.toml: pattern {rule.id} does not compile: {err}") from None
    return Pattern(
        intent=raw["intent"],
        sub=raw["sub"],
        rule_id=rule.id,
        regex=regex,
        examples=tuple(raw.get("examples", ())),
        jurisdictions=rule.jurisdictions,
        purposes=rule.purposes,
        non_debtor=bool(raw.get("non_debtor", False)),
    )


def _rule_for(raw: Mapping[str, Any], intents: Mapping[str, Any], rules: dict[str, Rule]) -> Rule:
    intent = raw["intent"]
    if intent not in intents:
        raise LexiconError(f"intents.toml: grammar or pattern names unknown intent {intent!r}")
    if raw["sub"] == LEARNED_SUB:
        raise LexiconError(f"intents.toml: sub {LEARNED_SUB!r} is the learned layer's; name the grammar otherwise")
    rule_id = f"CONTENT.intent.{intent}.{raw['sub']}"
    rule = rules[rule_id] = _intent_rule(rule_id, intent, intents[intent], raw)
    return rule


def load(lexicon_cjk: Iterable[tuple[int, str]] = (), read: Callable[[str], dict[str, Any]] = _read) -> IntentData:
    """Read and validate intents.toml; ``lexicon_cjk`` adds (term index, CJK term) pairs to the pinyin reading."""
    data = read("intents.toml")
    intents = data.get("intents", {})
    if tuple(intents) != INTENT_IDS:
        raise LexiconError(f"intents.toml: intents must be exactly {list(INTENT_IDS)}, got {list(intents)}")
    names = tuple(data["classes"])
    index = {n: i for i, n in enumerate(names)}
    terms = tuple(tuple(data["classes"][n]) for n in names)

    def cls(name: str) -> int:
        if name not in index:
            raise LexiconError(f"intents.toml: unknown class {name!r}")
        return index[name]

    rules: dict[str, Rule] = {}
    for intent in INTENT_IDS:  # the learned layer's findings (learned.py): one rule an intent, all purposes
        rule_id = f"CONTENT.intent.{intent}.{LEARNED_SUB}"
        rules[rule_id] = _intent_rule(rule_id, intent, intents[intent], {"non_debtor": intent == "third_party"})
    grammars = [_grammar(raw, _rule_for(raw, intents, rules), cls) for raw in data.get("grammar", [])]
    patterns = [_pattern(raw, _rule_for(raw, intents, rules)) for raw in data.get("pattern", [])]
    automaton, sound = _class_automata(names, terms, lexicon_cjk)
    cancelling = frozenset(
        c for g in grammars for c in (*g.breakers, *g.unless_before, *g.unless_after, *g.unless_clause)
    )
    grammar_classes = tuple(
        (
            frozenset(g.seq),
            frozenset(
                (
                    *g.seq,
                    *g.breakers,
                    *g.unless_before,
                    *g.unless_after,
                    *g.unless_clause,
                    *((g.needs,) if g.needs is not None else ()),
                )
            ),
        )
        for g in grammars
    )
    return IntentData(
        rules=rules,
        class_names=names,
        class_terms=terms,
        cancelling=cancelling,
        grammar_classes=grammar_classes,
        grammars=tuple(grammars),
        patterns=tuple(patterns),
        automaton=automaton,
        sound=sound,
    )


# --- scanning -----------------------------------------------------------------
def _span(v: Views, c0: int, c1: int) -> tuple[int, int]:
    """Original [start, end) of compact [c0, c1)."""
    return v.original(c0), v.original(c1 - 1) + 1


def _spaced_letter_before(light: str, start: int) -> bool:
    """Whether a lone letter (not "a"/"i") stands just before ``start`` across one separator: "y o|u r" is spelled out."""
    return (
        start >= 2
        and not _latin(light[start - 1])
        and _latin(light[start - 2])
        and light[start - 2] not in "ai0123456789"
        and (start == 2 or not _latin(light[start - 3]))
    )


def _boundary_ok(light: str, start: int, end: int, left: bool, right: bool, strict: bool = False) -> bool:
    """Latin word boundaries in the original; ``strict`` (classes that cancel a match) also refuses spelled-out starts."""
    if left and start > 0 and (_latin(light[start - 1]) or (strict and _spaced_letter_before(light, start))):
        return False
    return not (right and end < len(light) and _latin(light[end]))


def scan_classes(
    data: IntentData, v: Views, word_freq: Callable[[str], int]
) -> tuple[list[ClassHit], list[tuple[int, int, int]]]:
    """Class hits in a text, and lexicon-term hits read through pinyin: (term index, start, end)."""
    light, compact = v.light, v.compact
    sounded, term_hits = _sound_hits(data, v, word_freq)
    # Plain hits as cheap tuples first; spans are worked out only for the
    # classes of grammars whose every element occurs in the text.
    raw = [
        (cls, end_c - key_len + 1, end_c + 1, left, right)
        for end_c, (key_len, values) in data.automaton.iter(compact)
        for cls, left, right in values
    ]
    present = {r[0] for r in raw} | {h.cls for h in sounded}
    needed = set().union(*(extra for seq, extra in data.grammar_classes if seq <= present))
    hits: list[ClassHit] = []
    seen: set[tuple[int, int, int]] = set()
    for cls, c0, c1, left, right in raw:
        if cls not in needed or (cls, c0, c1) in seen:
            continue
        start, end = _span(v, c0, c1)
        if (left or right) and not _boundary_ok(light, start, end, left, right, cls in data.cancelling):
            continue
        seen.add((cls, c0, c1))
        hits.append(ClassHit(cls, start, end, c0, c1))
    for h in sounded:
        if h.cls in needed and (h.cls, h.c0, h.c1) not in seen:
            seen.add((h.cls, h.c0, h.c1))
            hits.append(h)
    return hits, term_hits


# --- run-on pinyin ("ninyouyigebaoguo…"): a word inside a longer Latin word ---------
# English words spelled like the pinyin of a class or lexicon term (made = 妈的, women = 我们):
# written alone in Latin letters they are English.
ENGLISH_HOMOGRAPHS = frozenset(
    {"made", "like", "dating", "dangle", "women", "nike", "yale", "lian", "dile", "mama", "baba"}
)
run_on_letters_min = 8  # a Latin word this long that is wholly pinyin syllables is read syllable by syllable
_NOT_SYLLABLES = frozenset({"n", "m", "ng", "hm", "hng", "r"})  # interjections: they would let English words split


@cache
def _syllables() -> frozenset[str]:
    chars = "".join(map(chr, range(0x4E00, 0xA000)))  # the basic CJK block: every syllable pinyin has
    sound, starts = sound_view(chars)
    readings = {sound[starts[i] : starts[i + 1]] for i in range(len(chars))}
    return frozenset(r for r in readings if r.isascii() and r.isalpha()) - _NOT_SYLLABLES


@lru_cache(maxsize=4096)
def _cuts(word: str) -> frozenset[int]:
    """Offsets where ``word`` splits between two syllables in some reading of it wholly as pinyin (empty if none)."""
    syllables = _syllables()
    n = len(word)
    ahead = [False] * (n + 1)  # word[:i] reads as syllables
    ahead[0] = True
    for i in range(1, n + 1):
        ahead[i] = any(ahead[j] and word[j:i] in syllables for j in range(max(0, i - 6), i))
    if not ahead[n]:
        return frozenset()
    behind = [False] * (n + 1)  # word[i:] reads as syllables
    behind[n] = True
    for i in range(n - 1, -1, -1):
        behind[i] = any(behind[k] and word[i:k] in syllables for k in range(i + 1, min(n, i + 6) + 1))
    return frozenset(i for i in range(n + 1) if ahead[i] and behind[i])


def _syllable_cut(light: str, at: int) -> bool:
    """Whether ``at`` falls between two syllables of a run-on pinyin word (ninyou|baoguo|yindizhi…)."""
    lo = at
    while lo > 0 and light[lo - 1].isascii() and light[lo - 1].isalpha():
        lo -= 1
    hi = at
    while hi < len(light) and light[hi].isascii() and light[hi].isalpha():
        hi += 1
    if hi - lo < run_on_letters_min:
        return False
    return (at - lo) in _cuts(light[lo:hi])


def _sound_hits(
    data: IntentData, v: Views, word_freq: Callable[[str], int]
) -> tuple[list[ClassHit], list[tuple[int, int, int]]]:
    """Class and lexicon terms written as homophones or pinyin (通迅录, 坐lao, tongxunlu)."""
    light, compact = v.light, v.compact
    hits: list[ClassHit] = []
    term_hits: list[tuple[int, int, int]] = []
    sound, starts = sound_view(compact)
    for end_s, (key_len, values, forms) in data.sound.iter(sound):
        s0 = end_s - key_len + 1
        c0 = bisect_left(starts, s0)
        c1 = bisect_left(starts, end_s + 1)
        if c0 >= len(compact) or starts[c0] != s0 or c1 > len(compact) or starts[c1] != end_s + 1:
            continue  # not on character boundaries ("zuo" inside a longer Latin spelling)
        written = compact[c0:c1]
        if written in forms:
            continue  # the term itself: the plain automaton has it
        start, end = _span(v, c0, c1)
        if (
            _latin(written[0])
            and not _boundary_ok(light, start, start, True, False)
            and not _syllable_cut(light, start)
        ):
            continue
        if _latin(written[-1]) and not _boundary_ok(light, end, end, False, True) and not _syllable_cut(light, end):
            continue
        if written.isascii():
            if v.base[start].isupper() and start + 1 < len(v.base) and v.base[start + 1].islower():
                continue  # a capitalised pinyin word is a name (Zhang Jiaren), not a spelling
            if written in ENGLISH_HOMOGRAPHS:
                continue  # "Payments can be made", "we'd like": English, not 妈的 / 勒
        elif all(is_cjk(ch) for ch in written) and (
            len(written) < homophone_cjk_chars_min or word_freq(written) >= homophone_word_freq_min
        ):
            continue  # a real word that sounds alike (片子 is not 骗子), or too short to tell (致张 is not 智障)
        for kind, ident in values:
            if kind == "c":
                hits.append(ClassHit(ident, start, end, c0, c1))
            else:
                term_hits.append((ident, start, end))
    return hits, term_hits


def _tokens_between(compact: str, c0: int, c1: int) -> int:
    """Tokens between two hits: each CJK character, and Latin letters five to a word.

    Counted on the compact view so spaced-out or zero-width-split letters
    ("y o u r", "y\u200bo\u200bu\u200br") count as one word, not four.
    """
    if c1 <= c0:
        return 0
    cjk = len(_CJK.findall(compact, c0, c1))
    return cjk + (c1 - c0 - cjk + 4) // 5


def _crosses(boundaries: tuple[int, ...], i: int, j: int) -> bool:
    k = bisect_left(boundaries, i)
    return k < len(boundaries) and boundaries[k] < j


def _crosses_sentence(light: str, boundaries: tuple[int, ...], i: int, j: int) -> bool:
    k = bisect_left(boundaries, i)
    while k < len(boundaries) and boundaries[k] < j:
        if light[boundaries[k]] in _SENTENCE:
            return True
        k += 1
    return False


class _Index:
    """Class hits by class, sorted by compact start, for windowed lookups (bisect, not scans)."""

    __slots__ = ("hits", "starts")

    def __init__(self, hits: list[ClassHit]) -> None:
        by_class: dict[int, list[ClassHit]] = {}
        for h in hits:
            by_class.setdefault(h.cls, []).append(h)
        for lst in by_class.values():
            lst.sort(key=lambda h: (h.c0, -h.c1))
        self.hits = by_class
        self.starts = {cls: [h.c0 for h in lst] for cls, lst in by_class.items()}

    def between(self, cls: int, lo: int, hi: int) -> list[ClassHit]:
        """Hits of ``cls`` starting in compact [lo, hi)."""
        starts = self.starts.get(cls)
        if not starts:
            return []
        return self.hits[cls][bisect_left(starts, lo) : bisect_left(starts, hi)]


def _pair(g: Grammar, a: ClassHit, b: ClassHit, v: Views, boundaries: tuple[int, ...], index: _Index) -> bool:
    """Whether hits a (first in the text) and b form the grammar's two elements."""
    compact, light = v.compact, v.light
    if b.c0 < a.c1:
        return False
    if _tokens_between(compact, a.c1, b.c0) > g.gap_max:
        return False
    if (
        not g.cross_sentences
        and _crosses(boundaries, a.end, b.start)
        and (not g.cross_commas or _crosses_sentence(light, boundaries, a.end, b.start))
    ):
        return False
    return not any(h.c1 <= b.c0 for breaker in g.breakers for h in index.between(breaker, a.c1, b.c0))


def _not_ours(g: Grammar, first: ClassHit, compact: str, index: _Index) -> bool:
    return any(
        h.c1 <= first.c0 and _tokens_between(compact, h.c1, first.c0) <= unless_before_tokens
        for cls in g.unless_before
        for h in index.between(cls, first.c0 - class_term_chars_max - near_chars, first.c0)
    )


clause_chars_max = 120  # compact characters looked back for `unless_clause`


def _in_clause_before(g: Grammar, first: ClassHit, boundaries: tuple[int, ...], index: _Index) -> bool:
    """Whether a class of ``unless_clause`` stands earlier in the clause of ``first``."""
    k = bisect_left(boundaries, first.start) - 1
    clause_start = boundaries[k] if k >= 0 else -1
    lo = first.c0 - clause_chars_max
    return any(
        h.start > clause_start and h.c0 < first.c0 for cls in g.unless_clause for h in index.between(cls, lo, first.c0)
    )


def _followed(g: Grammar, last: ClassHit, compact: str, index: _Index) -> bool:
    return any(
        h.c1 > last.c1 and _tokens_between(compact, last.c1, h.c0) <= unless_before_tokens
        for cls in g.unless_after
        for h in index.between(cls, last.c0, last.c1 + near_chars)
    )


def _near(g: Grammar, first: ClassHit, last: ClassHit, index: _Index) -> bool:
    if g.needs is None:
        return True
    lo = first.c0 - needs_window_chars - class_term_chars_max
    return any(h.c1 > first.c0 - needs_window_chars for h in index.between(g.needs, lo, last.c1 + needs_window_chars))


def _partner(g: Grammar, a: ClassHit, v: Views, boundaries: tuple[int, ...], index: _Index) -> ClassHit | None:
    """The nearest hit of the grammar's second class that pairs with ``a`` (after it, or before it if any order)."""
    reach = g.gap_max * 5 + 5  # compact characters that gap_max tokens can span at most
    for b in index.between(g.seq[1], a.c1, a.c1 + reach + 1):
        if _pair(g, a, b, v, boundaries, index):
            return b
    if g.any_order:
        lo = a.c0 - reach - class_term_chars_max
        for b in reversed(index.between(g.seq[1], lo, a.c0)):
            if b.c1 <= a.c0 and _pair(g, b, a, v, boundaries, index):
                return b
    return None


def match(
    data: IntentData,
    v: Views,
    hits: list[ClassHit],
    boundaries: tuple[int, ...],
    senders: tuple[tuple[int, int], ...] = (),
) -> list[IntentHit]:
    """Every grammar and pattern match in a text (promises still included; see `promise`).

    Each lookup is a window around a hit (bisect over the class's hits), so a
    long pathological text costs time in proportion to its hits, not their square.
    """
    compact = v.compact
    index = _Index(hits)
    out: list[IntentHit] = []
    present = index.hits.keys()
    for gi, g in enumerate(data.grammars):
        if not all(c in present for c in g.seq):
            continue
        firsts = index.hits[g.seq[0]]
        found = 0
        for a in firsts:
            if found >= matches_per_grammar_max:
                break
            if len(g.seq) == 1:
                first = last = a
            else:
                b = _partner(g, a, v, boundaries, index)
                if b is None:
                    continue
                first, last = (a, b) if a.c0 <= b.c0 else (b, a)
            if _not_ours(g, first, compact, index) or not _near(g, first, last, index):
                continue
            if g.unless_clause and _in_clause_before(g, first, boundaries, index):
                continue
            if g.sender_is_not_target and senders and any(_in_sender(senders, h.start, h.end) for h in (first, last)):
                continue
            if g.unless_after and _followed(g, last, compact, index):
                continue
            mid = last.start if last is not first else -1
            out.append(IntentHit(gi, g.intent, g.rule_id, first.start, last.end, g.assurable, mid))
            found += 1
    for pi, p in enumerate(data.patterns):
        for n, m in enumerate(p.regex.finditer(v.light)):
            if n >= matches_per_grammar_max:
                break
            if m.end() > m.start():
                out.append(IntentHit(-1 - pi, p.intent, p.rule_id, m.start(), m.end()))
    return out


def in_context(data: IntentData, hit: IntentHit, jurisdiction: str, purpose: str, non_debtor: bool) -> bool:
    """Whether a match counts in this message context."""
    item: Grammar | Pattern = data.grammars[hit.grammar] if hit.grammar >= 0 else data.patterns[-1 - hit.grammar]
    if jurisdiction not in item.jurisdictions or purpose not in item.purposes:
        return False
    return non_debtor or not item.non_debtor
