"""Content check for outgoing collection messages (zh/en): lexicon, patterns, required elements.

`check_message` is pure and deterministic: the same text and context always
give the same findings, each citing a stable rule id, its reasons in zh and en,
and the matched span in the ORIGINAL text. The policy gate
(`fairdue.policy.decide`) turns "violation" findings into denials.

How a message is read (see normalize.py and check.py):
1. OpenCC t2s, full-width -> half-width, case folding, leetspeak between
   letters; separators between characters are dropped for matching, with a map
   back to original positions (so 爆 通 訊 錄 and a.r.r.e.s.t are caught).
2. One Aho-Corasick automaton over the zh and en lexicons (data files in this
   package). Latin terms must start (and, unless a stem, end) on a word
   boundary in the original text. Short Chinese terms flagged `segment_check`
   are re-read with jieba around the hit only, and dropped when the hit lies
   inside a longer harmless word (交警|察看, 废物利用, 报警器); a hit inside a
   lawful allow-phrase (存入通讯录) is dropped too.
3. Context: lawsuit words are violations on time-barred debts and review
   warnings otherwise; debt words count for recipients who may not hear of
   the debt (category third_party) and in US voicemails.
4. Regex patterns for required elements (sender identity, official channel,
   objection route, opt-out, US voicemail limited content, location request).
Results are cached by (text, reduced context) in LRUs, since messages come
from templates. See README.md in this package for the data files and figures.
"""

from __future__ import annotations

from fairdue.policy.content.check import (
    CHANNELS,
    JURISDICTIONS,
    PURPOSES,
    ROLES,
    ContentContextError,
    Finding,
    check_message,
    lexicon,
    prepare,
)
from fairdue.policy.content.intents import INTENT_IDS
from fairdue.policy.content.lexicon import LANGUAGES

__all__ = [
    "CHANNELS",
    "INTENT_IDS",
    "JURISDICTIONS",
    "LANGUAGES",
    "PURPOSES",
    "ROLES",
    "ContentContextError",
    "Finding",
    "check_message",
    "lexicon",
    "prepare",
]
