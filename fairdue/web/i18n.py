"""A small zh/en message catalogue for the pages, and language negotiation.

Messages live in messages.toml as `[key] en = "…" zh = "…"`; a missing key or
language is a bug that the catalogue test catches, and at run time shows the
key itself rather than crashing a page.
"""

from __future__ import annotations

import functools
import importlib.resources
import tomllib
from collections.abc import Mapping

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANG_COOKIE = "fairdue_lang"


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    text = importlib.resources.files("fairdue.web").joinpath("messages.toml").read_text("utf-8")
    return tomllib.loads(text)


def translate(lang: str, key: str, /, **params: object) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie wins; otherwise the best zh/en match in Accept-Language; otherwise zh."""
    if cookie in LANGUAGES:
        return cookie
    best, best_q = None, -1.0
    for part in (accept_language or "").split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best or DEFAULT_LANGUAGE
