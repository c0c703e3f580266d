"""The zh/en catalogue is complete and every key a template uses exists; language negotiation picks the right one."""

from __future__ import annotations

import importlib.resources
import re

import pytest

from fairdue.web import i18n


def test_every_catalogue_entry_has_both_languages():
    missing = [
        key
        for key, entry in i18n.catalogue().items()
        if not all(entry.get(lang, "").strip() for lang in i18n.LANGUAGES)
    ]
    assert missing == []


def _template_keys():
    root = importlib.resources.files("fairdue.web").joinpath("templates")
    keys = set()
    for path in sorted(pathlib_walk(root)):
        keys |= set(re.findall(r"\bt\('([a-z_.]+)'", path.read_text("utf-8")))
    return keys


def pathlib_walk(root):
    import pathlib

    return pathlib.Path(str(root)).rglob("*.html")


def test_every_literal_key_used_by_a_template_is_in_the_catalogue():
    keys = _template_keys()
    assert keys, "the scan found no keys: the pattern is broken"
    assert sorted(k for k in keys if not k.endswith(".") and k not in i18n.catalogue()) == []


def test_every_value_of_a_translated_family_has_a_message():
    from fairdue.policy.pack import ROLES, SOURCES
    from fairdue.web import compose

    families = {
        "role": ROLES,  # the composer shows the built request's role and source (every value the gate knows)
        "source": SOURCES,
        "channel": compose.CHANNELS,
        "purpose": compose.PURPOSES,
        "category": (
            "time_window",
            "frequency",
            "third_party",
            "data_source",
            "content",
            "suppression",
            "consent",
            "channel",
        ),
    }
    from fairdue.adapters.db.schema import web as web_schema
    from fairdue.service.portal import complaints

    families.update(
        {
            "complaint.cat": complaints.CATEGORIES,
            "complaint.st": web_schema.COMPLAINT_STATUSES,
            "complaint.cx": web_schema.COMPLAINT_COMPLEXITIES,
            "complaint.ev": ("received", "assigned", "marked_complex", "extended", "decided", "escalated"),
            "plan.status": web_schema.PLAN_REQUEST_STATUSES,
            "data.kind": web_schema.DATA_RIGHTS_KINDS,
            "data.status": web_schema.DATA_RIGHTS_STATUSES,
            "data.rel": ("spouse", "parent", "child", "sibling", "relative", "friend", "colleague", "other"),
            "contacts.role": (*sorted(ROLES), "unknown"),
            "portal.line.status": ("active", "closed", "charged_off"),
            "portal.plan_kind": ("full", "annuity", "equal_principal", "flat_fee", "zero_fee", "upfront_fee"),
            "portal.apr_convention": ("cn-irr", "us-reg-z", "eu-ccd"),
        }
    )
    from fairdue.service.portal import data_rights

    families["data.f"] = data_rights.CORRECTABLE_FIELDS
    from fairdue.adapters.db.schema.collections import OUTBOX_STATUSES

    families["contacts.outbox"] = OUTBOX_STATUSES
    missing = [f"{fam}.{v}" for fam, values in families.items() for v in values if f"{fam}.{v}" not in i18n.catalogue()]
    assert missing == []


@pytest.mark.parametrize(
    "cookie,accept,expected",
    [
        (None, None, "zh"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5, zh-CN;q=0.8", "zh"),
        (None, "zh-TW", "zh"),
        ("en", "zh-CN", "en"),
        ("xx", "en;q=bogus, zh;q=0.1", "zh"),
        (None, ";;;,,,", "zh"),
    ],
)
def test_negotiate(cookie, accept, expected):
    assert i18n.negotiate(cookie, accept) == expected


def test_translate_formats_params_and_survives_a_missing_key():
    assert i18n.translate("en", "compose.sent", ref=7) == "Queued for delivery (decision #7)."
    assert i18n.translate("zh", "no.such.key") == "no.such.key"
