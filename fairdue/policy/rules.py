"""The rules: small pure functions, one per pack `kind`.

Each has the signature `check(req, at, rule) -> list[Violation]`: `req` is the
parsed request, `at` the instant being judged (the request's `at`, or a later
candidate when the gate searches for `next_allowed_at`), `rule` the compiled
pack rule (id, category, citation, params). `req.history` holds the earlier
calls only (see request.py). The same person is the borrower (any of their
numbers) for a borrower, and the same number for anyone else. A violation says when the same
rule could pass on its own (`retry_at`), or None when waiting will not help.

KINDS maps a kind to (fields it needs, check function); the gate skips a rule
whose needed fields were malformed (the request problem already denies).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fairdue.errors import FairdueError
from fairdue.policy import truth as truth_check
from fairdue.policy.pack import OPT_OUT_CONFIRMATION
from fairdue.policy.request import CONSUMER_ROLES, Request

if TYPE_CHECKING:
    from fairdue.policy.content.check import Finding

_UTC = dt.UTC
CALL_CHANNELS = frozenset({"call", "voicemail"})
# Calls that reached the number (Reg F counts these; a failed dial does not).
REACHED = frozenset({"no_answer", "voicemail", "conversation"})
# Calls that did not end in a conversation.
UNANSWERED = frozenset({"no_answer", "voicemail", "failed", "invalid_number"})
GOT_THROUGH = frozenset({"conversation"})
next_open_days_max = 8  # how far ahead the window search looks before saying "never"
# A zone-aware instant later than any retry time: where "never" sorts among retry times.
_NEVER = dt.datetime.max.replace(tzinfo=_UTC)

Zones = tuple[tuple[str, ZoneInfo], ...]  # (IANA name, zone)
Ranges = tuple[tuple[int, int], ...]  # local [start, end) in minutes; may wrap midnight


class RuleInputMissing(FairdueError):
    """A rule ran without an input its `needs` promise (the gate skips such rules): the gate denies with it."""

    def __init__(self, rule_id: str, field: str) -> None:
        super().__init__(f"rule {rule_id} ran without {field}")


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason to deny; `retry_at` is when this rule alone would pass (None: never by waiting)."""

    rule: str
    category: str
    reason_en: str
    reason_zh: str
    evidence: dict[str, Any]
    citation: str
    retry_at: dt.datetime | None = None
    warning: bool = False  # a doubt to show, not a reason to deny


@dataclass(frozen=True, slots=True)
class Compiled:
    """A pack rule ready to run: the spec's id, category, citation and prepared params."""

    id: str
    kind: str
    category: str
    citation: str
    p: Mapping[str, Any]
    needs: frozenset[str]
    check: RuleCheck


# `at` is None only when the request's `at` is malformed, and then the gate skips every rule that needs it.
RuleCheck = Callable[[Request, dt.datetime | None, Compiled], list[Violation]]


def _v(
    rule: Compiled,
    en: str,
    zh: str,
    evidence: dict[str, Any],
    retry_at: dt.datetime | None = None,
    category: str | None = None,
) -> Violation:
    return Violation(rule.id, category or rule.category, en, zh, evidence, rule.citation, retry_at)


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _in_range(sec: int, start_min: int, end_min: int) -> bool:
    """Is a local second-of-day inside [start, end) minutes (a range may wrap midnight)?"""
    start, end = start_min * 60, end_min * 60
    if start < end:
        return start <= sec < end
    return sec >= start or sec < end


def _local_sec(at: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, int]:
    local = at.astimezone(zone)
    return local, local.hour * 3600 + local.minute * 60 + local.second


@lru_cache(maxsize=16_384)
def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant at which local `day` begins in `zone` (cached: few distinct days are asked)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(_UTC)


def _midnight_after(local_day: dt.date, days: int, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of local midnight `days` days after `local_day` in `zone`."""
    return _midnight(local_day + dt.timedelta(days=days), zone)


# --- time window -----------------------------------------------------------------
def _zones_for(req: Request) -> Zones:
    """The recipient's zones: the stated ones ∪ every zone of the recipient's number (the parser takes the union,
    12 CFR 1006.6(b)(1)(i) and comment 6(b)(1)(i)-2: the time must be convenient in every known location)."""
    return req.zones


def _window_ok(at: dt.datetime, zones: Zones, start: int, end: int, inconvenient: Ranges) -> bool:
    for _name, zone in zones:
        _local, sec = _local_sec(at, zone)
        if not _in_range(sec, start, end):
            return False
        for lo, hi in inconvenient:
            if _in_range(sec, lo, hi):
                return False
    return True


def _next_open(at: dt.datetime, zones: Zones, start: int, end: int, inconvenient: Ranges) -> dt.datetime | None:
    """The first instant after `at` inside the window (and outside inconvenient hours) in every zone."""
    if len(zones) == 1 and not inconvenient:  # the common case, in closed form
        zone = zones[0][1]
        local = at.astimezone(zone)
        day = local.date()
        if local.hour * 60 + local.minute >= start:
            day += dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=zone).astimezone(_UTC)
    if not inconvenient:
        # Several zones (the zone union makes this common): every zone outside the window stays outside until its
        # next opening, so the latest of those openings is a lower bound; when all zones are open then, it is the
        # answer. Otherwise (windows that never overlap, a zone closing first) the search below decides.
        bound = None
        for _name, zone in zones:
            local, sec = _local_sec(at, zone)
            if _in_range(sec, start, end):
                continue
            day = local.date() + dt.timedelta(days=1 if sec >= start * 60 else 0)
            opening = dt.datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=zone).astimezone(_UTC)
            bound = opening if bound is None or opening > bound else bound
        if bound is not None and _window_ok(bound, zones, start, end, inconvenient):
            return bound
    openings = [start] + [hi for _lo, hi in inconvenient]
    todays = [(zone, at.astimezone(zone).date()) for _name, zone in zones]
    # First the next few local days (the usual answer; several zones make this path common since the zone union),
    # then the rest. A candidate of a later local day is never before that day's local midnight in its zone, so an
    # answer before the earliest such midnight is the first one overall.
    near_days = 3
    near = _first_open(at, todays, range(-1, near_days), openings, zones, start, end, inconvenient)
    horizon = min(_midnight(today + dt.timedelta(days=near_days), zone) for zone, today in todays)
    if near is not None and near < horizon:
        return near
    return _first_open(at, todays, range(-1, next_open_days_max + 1), openings, zones, start, end, inconvenient)


def _first_open(
    at: dt.datetime,
    todays: list[tuple[ZoneInfo, dt.date]],
    offsets: range,
    openings: list[int],
    zones: Zones,
    start: int,
    end: int,
    inconvenient: Ranges,
) -> dt.datetime | None:
    candidates = set()
    for zone, today in todays:
        for offset in offsets:
            day = today + dt.timedelta(days=offset)
            for minute in openings:
                minute %= 1440
                local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
                instant = local.astimezone(_UTC)
                if instant > at:
                    candidates.add(instant)
    for candidate in sorted(candidates):
        if _window_ok(candidate, zones, start, end, inconvenient):
            return candidate
    return None


def hours(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if at is None:
        raise RuleInputMissing(rule.id, "at")
    if req.channel not in rule.p["channels"]:
        return []
    if req.purpose in rule.p.get("purposes_exempt", ()) and _authentication_clean(req):
        # A code the borrower asked for, to the borrower, saying nothing about a debt: not a collection
        # contact. (The pack's `authentication` rule also checks the address's source and the channel.)
        return []
    start, end = rule.p["start"], rule.p["end"]
    window = rule.p["window_text"]
    zones = _zones_for(req)
    inconvenient = req.inconvenient if req.role == "borrower" else ()
    out: list[Violation] = []
    outside, blocked = [], []
    for name, zone in zones:
        local, sec = _local_sec(at, zone)
        if not _in_range(sec, start, end):
            outside.append(
                {
                    "zone": name,
                    "local_time": f"{local.hour:02d}:{local.minute:02d}",
                    "local_date": local.date().isoformat(),
                }
            )
        for lo, hi in inconvenient:
            if _in_range(sec, lo, hi):
                blocked.append(
                    {
                        "zone": name,
                        "local_time": f"{local.hour:02d}:{local.minute:02d}",
                        "inconvenient": f"{_fmt(lo)}-{_fmt(hi)}",
                    }
                )
    if not outside and not blocked:
        return out
    retry = _next_open(at, zones, start, end, inconvenient)
    if outside:
        first = outside[0]
        out.append(
            _v(
                rule,
                f"Local time {first['local_time']} ({first['zone']}) is outside the contact window {window}"
                + (" in every one of the borrower's time zones." if len(zones) > 1 else "."),
                f"当地时间 {first['local_time']}（{first['zone']}）不在允许联系时段 {window} 内"
                + ("（借款人所有可能的时区都须在时段内）。" if len(zones) > 1 else "。"),
                {"local_time": first["local_time"], "zone": first["zone"], "window": window, "zones": outside},
                retry,
            )
        )
    if blocked:
        first = blocked[0]
        out.append(
            _v(
                rule,
                f"The borrower asked not to be contacted {first['inconvenient']} local time "
                f"(now {first['local_time']}, {first['zone']}).",
                f"借款人要求当地时间 {first['inconvenient']} 不要联系（当前 {first['local_time']}，{first['zone']}）。",
                {
                    "local_time": first["local_time"],
                    "zone": first["zone"],
                    "inconvenient": first["inconvenient"],
                    "zones": blocked,
                },
                retry,
            )
        )
    return out


# --- frequency ---------------------------------------------------------------------
def unanswered_calls_per_day(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if at is None:
        raise RuleInputMissing(rule.id, "at")
    if req.channel not in CALL_CHANNELS:
        return []
    cap = rule.p["unanswered_calls_per_day_max"]
    key = req.address_key
    calls = [e.at for e in req.history if e.address_key == key and e.outcome in UNANSWERED]
    if len(calls) < cap:
        return []  # cannot reach the cap on any single day
    out = []
    for name, zone in req.zones:
        today = at.astimezone(zone).date()
        day_starts, day_ends = _midnight(today, zone), _midnight_after(today, 1, zone)
        count = sum(1 for c in calls if day_starts <= c < day_ends)
        if count >= cap:
            out.append(
                _v(
                    rule,
                    f"{count} unanswered calls to this number already on {today} ({name}); the cap is {cap} a day.",
                    f"该号码在当地日期 {today}（{name}）已有 {count} 次未接通呼叫，每日上限 {cap} 次。",
                    {"unanswered_today": count, "max": cap, "local_date": today.isoformat(), "zone": name},
                    day_ends,
                )
            )
    return _merge_latest(out)


def _merge_latest(out: list[Violation]) -> list[Violation]:
    """Several zones over the same cap: one violation, retry at the latest of them."""
    if len(out) < 2:
        return out
    return [max(out, key=lambda v: v.retry_at or _NEVER)]


def calls_in_days(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if at is None:
        raise RuleInputMissing(rule.id, "at")
    if req.channel not in CALL_CHANNELS:
        return []
    cap, days = rule.p["calls_max"], rule.p["days"]
    if req.role == "borrower":
        calls = [e.at for e in req.history if e.role == "borrower" and e.outcome in REACHED]
    else:
        key = req.address_key
        calls = [e.at for e in req.history if e.address_key == key and e.outcome in REACHED]
    if len(calls) < cap:
        return []
    out = []
    for name, zone in req.zones:
        today = at.astimezone(zone).date()
        first_day = today - dt.timedelta(days=days - 1)
        window_starts = _midnight(first_day, zone)
        in_window = [c for c in calls if window_starts <= c]
        if len(in_window) < cap:
            continue
        # Denied: find the first local day on which the rolling window holds fewer than `cap` calls.
        retry = None
        for ahead in range(1, days + 1):
            new_window_starts = _midnight_after(first_day, ahead, zone)
            if sum(1 for c in in_window if c >= new_window_starts) < cap:
                retry = _midnight_after(today, ahead, zone)
                break
        out.append(
            _v(
                rule,
                f"{len(in_window)} calls to this person about this debt in the {days} days to {today} ({name}); "
                f"the limit is {cap}.",
                f"截至当地日期 {today}（{name}）的 {days} 天内已就该债务向此人呼叫 {len(in_window)} 次，"
                f"上限 {cap} 次。",
                {"calls": len(in_window), "max": cap, "days": days, "local_date": today.isoformat(), "zone": name},
                retry,
            )
        )
    return _merge_latest(out)


def calls_after_conversation(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if at is None:
        raise RuleInputMissing(rule.id, "at")
    if req.channel not in CALL_CHANNELS:
        return []
    days = rule.p["days"]
    if req.role == "borrower":
        talks = [e.at for e in req.history if e.role == "borrower" and e.outcome in GOT_THROUGH]
    else:
        key = req.address_key
        talks = [e.at for e in req.history if e.address_key == key and e.outcome in GOT_THROUGH]
    if not talks:
        return []
    last = max(talks)
    out = []
    for name, zone in req.zones:
        today = at.astimezone(zone).date()
        talk_day = last.astimezone(zone).date()
        day_number = (today - talk_day).days + 1  # the conversation's day is day 1
        if day_number <= days:
            out.append(
                _v(
                    rule,
                    f"A telephone conversation about this debt took place on {talk_day} ({name}); "
                    f"no call until day {days + 1} (today is day {day_number}).",
                    f"已于当地日期 {talk_day}（{name}）就该债务通话；"
                    f"第 {days + 1} 天前不得再呼叫（今天是第 {day_number} 天）。",
                    {"conversation_on": talk_day.isoformat(), "day": day_number, "days": days, "zone": name},
                    _midnight_after(talk_day, days, zone),
                )
            )
    return _merge_latest(out)


# --- provenance and third parties --------------------------------------------------------
def sources(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    source = req.source
    if source in rule.p["sources_allowed"]:
        return []
    if source == "device_contacts":
        en = "This number came from a device address book or call log: it may never be used."
        zh = "该号码来自设备通讯录或通话记录，一律不得使用。"
    elif source == "unknown":
        en = "Where this address came from is unknown: it may not be used."
        zh = "该联系方式来源不明，不得使用。"
    else:
        en = f"Contact data from source {source!r} is not allowed in this jurisdiction."
        zh = f"本辖区不允许使用来源为 {source} 的联系方式。"
    return [_v(rule, en, zh, {"source": source, "allowed": list(rule.p["sources_allowed"])})]


def third_party(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    p = rule.p
    role = req.role
    if role is None:
        raise RuleInputMissing(rule.id, "recipient.role")
    if role in p["debtor_roles"]:
        return []
    out = []
    if role not in p["location_roles"]:
        out.append(
            _v(
                rule,
                f"A {role.replace('_', ' ')} may not be contacted about the borrower.",
                f"不得就借款人事宜联系{_ROLE_ZH.get(role, role)}。",
                {"role": role},
            )
        )
    if req.purpose != "location":
        out.append(
            _v(
                rule,
                f"Someone other than the debtor may be contacted only to locate the borrower, not for {req.purpose}.",
                "除债务人外，只能为寻找失联借款人联系他人，不得用于其他目的。",
                {"role": role, "purpose": req.purpose},
            )
        )
    if req.channel not in p["location_channels"]:
        out.append(
            _v(
                rule,
                f"A location contact may not use the {req.channel} channel.",
                f"寻找借款人时不得使用该渠道（{req.channel}）。",
                {"channel": req.channel, "allowed": list(p["location_channels"])},
            )
        )
    if p["stop_when_asked"] and req.asked_to_stop:
        out.append(
            _v(rule, "This person asked not to be contacted again.", "此人已要求不再被联系。", {"asked_to_stop": True})
        )
    if p["message_required"] and req.message_text is None:
        out.append(
            _v(
                rule,
                "A contact with someone other than the debtor needs a scripted message "
                "that can be checked for disclosure.",
                "联系债务人以外的人必须使用可审查的话术，以确保不泄露债务信息。",
                {"message": None},
            )
        )
    cap = p.get("location_contacts_per_person_max")
    if cap is not None:
        prior = req.prior_location_contacts
        if prior is None:
            out.append(
                _v(
                    rule,
                    "How often this person was already contacted to locate the borrower is unknown.",
                    "无法确定此前为寻找借款人联系此人的次数。",
                    {"prior_location_contacts": None, "max": cap},
                )
            )
        elif prior >= cap:
            out.append(
                _v(
                    rule,
                    f"This person was already contacted {prior} time(s) to locate the borrower; the limit is {cap}.",
                    f"已为寻找借款人联系此人 {prior} 次，上限 {cap} 次。",
                    {"prior_location_contacts": prior, "max": cap},
                )
            )
    if p["consent_required"] and role == "emergency_contact":
        if at is None:
            raise RuleInputMissing(rule.id, "at")
        out.extend(_consent(req, at, rule))
    return out


_ROLE_ZH = {
    "third_party": "无关第三方",
    "emergency_contact": "紧急联系人",
    "spouse": "配偶",
    "guarantor": "担保人",
    "attorney": "代理律师",
    "borrower": "借款人",
}


def _consent(req: Request, at: dt.datetime, rule: Compiled) -> list[Violation]:
    consent = req.consent
    if consent is None:
        return [
            _v(
                rule,
                "The emergency contact has not consented to be contacted.",
                "紧急联系人未同意被联系。",
                {"consent": None},
                category="consent",
            )
        ]
    out = []
    if consent.scope != "locate_only":
        out.append(
            _v(
                rule,
                f"The emergency contact's consent has scope {consent.scope!r}, not locate_only.",
                f"紧急联系人的授权范围为 {consent.scope}，不是 locate_only（仅用于寻找借款人）。",
                {"scope": consent.scope},
                category="consent",
            )
        )
    if consent.withdrawn_at is not None and consent.withdrawn_at <= at:
        out.append(
            _v(
                rule,
                "The emergency contact withdrew consent.",
                "紧急联系人已撤回同意。",
                {"withdrawn_at": _iso(consent.withdrawn_at)},
                category="consent",
            )
        )
    elif consent.granted_at > at:
        out.append(
            _v(
                rule,
                "The emergency contact's consent is not yet in force.",
                "紧急联系人的同意尚未生效。",
                {"granted_at": _iso(consent.granted_at)},
                consent.granted_at,
                category="consent",
            )
        )
    return out


def _iso(value: dt.datetime) -> str:
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unreachable(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """A location contact needs the borrower to be unreachable per the pack, judged from history."""
    if req.purpose != "location" or req.role == "borrower":
        return []
    attempts_min, days_min = rule.p["failed_attempts_min"], rule.p["failed_days_min"]
    own = sorted((e for e in req.history if e.role == "borrower"), key=lambda e: e.at)
    if own and own[-1].outcome == "invalid_number":
        return []
    since = own
    for i in range(len(own) - 1, -1, -1):
        if own[i].outcome in GOT_THROUGH:
            since = own[i + 1 :]
            break
    if len(since) >= attempts_min:
        return []
    zone = req.zones[0][1] if req.zones else _UTC
    days = sorted({e.at.astimezone(zone).date() for e in since})
    run = best = 0
    for i, day in enumerate(days):
        run = run + 1 if i and (day - days[i - 1]).days == 1 else 1
        best = max(best, run)
    if best >= days_min:
        return []
    return [
        _v(
            rule,
            f"The borrower is not unreachable: {len(since)} failed attempt(s) to their own numbers since the last "
            f"conversation (needed: {attempts_min} in a row, or {days_min} consecutive days, or an invalid number).",
            f"借款人并未失联：自上次通话以来本人号码仅 {len(since)} 次未接通"
            f"（须连续 {attempts_min} 次、或连续 {days_min} 天联系不上、或号码无效）。",
            {
                "failed_attempts": len(since),
                "failed_attempts_min": attempts_min,
                "failed_days": best,
                "failed_days_min": days_min,
            },
        )
    ]


# --- suppression ---------------------------------------------------------------------------
_SUPPRESSION_TEXT = {
    "cease": (
        "cease_requested",
        "The borrower asked that contact about this debt stop.",
        "借款人已要求停止就该债务联系。",
    ),
    "attorney": (
        "represented_by_attorney",
        "The borrower is represented by an attorney: contact the attorney instead.",
        "借款人已委托律师代理：请联系其律师。",
    ),
    "bankruptcy": (
        "bankruptcy",
        "The borrower is in bankruptcy: collection is stayed.",
        "借款人处于破产程序中：催收中止。",
    ),
    "breathing_space": (
        "breathing_space",
        "The borrower is in a breathing-space moratorium.",
        "借款人处于债务喘息期（暂停期）内。",
    ),
    "dispute": (
        "dispute_open",
        "The debt is disputed and not yet verified: collection is suspended.",
        "该债务存在未核实的异议：催收暂停。",
    ),
    "plan": (
        "plan_active",
        "A negotiated repayment plan is being honoured: no collection (reminders of its installments remain allowed).",
        "借款人正在履行协商还款计划：暂停催收（仅可提醒计划内的还款）。",
    ),
}


def _suppression(kind: str) -> RuleCheck:
    flag, en, zh = _SUPPRESSION_TEXT[kind]

    def check(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
        if not getattr(req, flag):
            return []
        if req.purpose not in rule.p["purposes_blocked"] or req.channel in rule.p["channels_excepted"]:
            return []
        if kind == "attorney" and req.role == "attorney":
            return []
        return [_v(rule, en, zh, {flag: True, "purpose": req.purpose, "channel": req.channel})]

    check.__name__ = kind
    return check


# --- channel --------------------------------------------------------------------------------
def opt_out(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """A channel the recipient opted out of is not used — except, where the pack sets `confirmations_max` (US:
    1, Reg F 1006.14(h)(2)(i)), for that many confirmations of the opt-out, carrying no collection content."""
    channel = req.channel
    if not (channel in req.opted_out or (channel == "voicemail" and "call" in req.opted_out)):
        return []
    evidence: dict[str, Any] = {"channel": channel, "opted_out_channels": sorted(req.opted_out)}
    if req.purpose != OPT_OUT_CONFIRMATION:
        return [
            _v(
                rule,
                f"The recipient opted out of the {channel} channel.",
                f"收件人已退订/拒绝该渠道（{channel}）。",
                evidence,
            )
        ]
    allowed = rule.p.get("confirmations_max") or 0
    sent = req.opt_out_confirmations_sent
    evidence.update(purpose=OPT_OUT_CONFIRMATION, confirmations_sent=sent, confirmations_max=allowed)
    if allowed == 0:
        return [
            _v(
                rule,
                f"The recipient opted out of the {channel} channel; this jurisdiction allows no confirmation on it "
                "(confirm the opt-out on another channel).",
                f"收件人已退订该渠道（{channel}）；本辖区不允许在该渠道发送退订确认（请通过其他渠道确认）。",
                evidence,
            )
        ]
    if sent >= allowed:
        return [
            _v(
                rule,
                f"The opt-out of the {channel} channel was already confirmed ({sent} sent; {allowed} allowed).",
                f"该渠道（{channel}）的退订已确认过（已发送 {sent} 次，上限 {allowed} 次）。",
                evidence,
            )
        ]
    text = req.message_text
    if text is None:
        return [
            _v(
                rule,
                "An opt-out confirmation is sent only with its text, so it can be checked for collection content.",
                "退订确认必须提供正文，以便审查其中不含催收内容。",
                evidence,
            )
        ]
    mentions = _debt_mentions(text) if _debt_mentions is not None else None
    amounts = [m.group(0) for m in _AMOUNT.finditer(text)]
    if mentions is None or mentions or amounts:
        evidence.update(
            debt_terms=[m["matched"] for m in mentions or ()],
            amounts=amounts,
            error=None if mentions is not None else _CONTENT_ERROR,
        )
        return [
            _v(
                rule,
                "An opt-out confirmation may only confirm the opt-out: it may carry no debt information or payment "
                "demand (debt words or amounts).",
                "退订确认只能确认退订：不得包含任何债务信息或还款要求（债务用语或金额）。",
                evidence,
            )
        ]
    return []


def visit_staff(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if req.channel != "visit":
        return []
    need = rule.p["visit_staff_min"]
    if req.staff_count is None or req.staff_count < need:
        return [
            _v(
                rule,
                f"A visit needs at least {need} staff (given: {req.staff_count}).",
                f"上门催收须至少 {need} 名人员（当前：{req.staff_count}）。",
                {"staff_count": req.staff_count, "min": need},
            )
        ]
    return []


def voicemail_script(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if req.channel == "voicemail" and req.message_text is None:
        return [
            _v(
                rule,
                "A voicemail may carry only the limited-content message: its script must be given and checked.",
                "语音留言只能包含有限内容：必须提供并审查留言话术。",
                {"message": None},
            )
        ]
    return []


def written_text(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if req.channel in rule.p["channels_requiring_text"] and req.message_text is None:
        return [
            _v(
                rule,
                f"A {req.channel} is sent only with its text, so the text can be checked.",
                f"发送{req.channel}必须提供正文以供审查。",
                {"channel": req.channel, "message": None},
            )
        ]
    return []


# --- content (built by the content check in fairdue.policy.content) ----------------------
# check_message refuses an unknown context value (None included) with ContentContextError: `content` passes the
# request's fields as they are and turns that error into a violation.
_check_message: Callable[..., list[Finding]] | None
_debt_mentions: Callable[[str], list[dict[str, Any]]] | None
_ContextError: type[Exception]
_CONTENT_ERROR: str | None
try:
    from fairdue.policy.content import ContentContextError as _content_context_error
    from fairdue.policy.content import check_message as _content_check_message
    from fairdue.policy.content.check import debt_mentions as _content_debt_mentions

    _check_message = _content_check_message
    _debt_mentions = _content_debt_mentions
    _ContextError = _content_context_error
    _CONTENT_ERROR = None
except Exception as _err:  # fail closed: a broken content module denies every message
    _check_message = None
    _debt_mentions = None
    _ContextError = ValueError
    logging.getLogger("fairdue.gate").error("the content check did not load; every message is denied", exc_info=_err)
    _CONTENT_ERROR = "internal_error"  # the text of the failure is in the log, not in any decision's evidence


def content(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    if req.message_text is None:
        return []
    if _check_message is None:
        return [
            _v(
                rule,
                "The message content check is unavailable: no message may be sent.",
                "内容审查不可用：不得发送任何信息。",
                {"error": _CONTENT_ERROR},
            )
        ]
    try:
        findings = _check_message(
            text=req.message_text,
            language=req.message_language,
            jurisdiction=req.jurisdiction,
            channel=req.channel,
            purpose=req.purpose,
            recipient_role=req.role,
            time_barred=req.time_barred,
        )
    except _ContextError as err:
        return [
            _v(
                rule,
                f"The message cannot be checked: {err}",
                f"无法审查该信息：{err}",
                {"language": req.message_language},
            )
        ]
    out = []
    for f in findings:
        category = f.category if f.category in ("content", "third_party") else "content"
        out.append(
            Violation(
                f.rule, category, f.reason_en, f.reason_zh, f.evidence, rule.citation, None, f.severity != "violation"
            )
        )
    return out


# --- authentication (a one-time code the borrower asked for) --------------------------------
# Money amounts in a text (¥12.30, 12.30元, $5, £5, 5 USD): a login code carries none.
_AMOUNT = re.compile(
    r"[¥￥$£€]\s*\d|\d\s*(?:元|块钱|USD|GBP|CNY|RMB|dollars?|pounds?)\b|\b(?:USD|GBP|CNY|RMB)\s*\d", re.IGNORECASE
)
_ROLE_ZH_AUTH = "借款人本人以外的人"


def _authentication_clean(req: Request) -> bool:
    """To the borrower, with a text that mentions no debt and no amount (fails closed without the check)."""
    text = req.message_text
    if req.role != "borrower" or text is None or _debt_mentions is None:
        return False
    return not _debt_mentions(text) and _AMOUNT.search(text) is None


def authentication(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """Purpose `authentication`: only to the borrower, at an address of theirs, on an allowed channel, with
    a checked text that says nothing about a debt. (The hours rule may exempt such a message; nothing else does.)"""
    if req.purpose != "authentication":
        return []
    out = []
    if req.role != "borrower":
        out.append(
            _v(
                rule,
                "A login code goes only to the borrower, never to anyone else.",
                f"验证码只能发给借款人本人，不得发给{_ROLE_ZH_AUTH}。",
                {"role": req.role},
                category="third_party",
            )
        )
    if req.source not in rule.p["sources_allowed"]:
        out.append(
            _v(
                rule,
                f"A login code goes only to the borrower's own verified address, not one from source {req.source!r}.",
                f"验证码只能发到借款人本人已核实的联系方式（来源 {req.source} 不符合）。",
                {"source": req.source, "allowed": list(rule.p["sources_allowed"])},
                category="data_source",
            )
        )
    if req.channel not in rule.p["channels"]:
        out.append(
            _v(
                rule,
                f"A login code is not sent by {req.channel}.",
                f"验证码不得通过该渠道（{req.channel}）发送。",
                {"channel": req.channel, "allowed": list(rule.p["channels"])},
                category="channel",
            )
        )
    text = req.message_text
    if text is None:
        out.append(
            _v(
                rule,
                "A login code is sent only with its text, so the text can be checked for debt information.",
                "发送验证码必须提供正文，以便审查其中不含债务信息。",
                {"message": None},
            )
        )
        return out
    mentions = _debt_mentions(text) if _debt_mentions is not None else None
    if mentions is None:
        out.append(
            _v(
                rule,
                "The debt-word check is unavailable: no login code may be sent outside the contact window.",
                "债务用语审查不可用：不得在允许时段外发送验证码。",
                {"error": _CONTENT_ERROR},
            )
        )
        return out
    amounts = [m.group(0) for m in _AMOUNT.finditer(text)]
    if mentions or amounts:
        out.append(
            _v(
                rule,
                "A login-code message may carry no debt information (debt words or amounts); "
                "it is a collection message and the collection rules apply.",
                "验证码信息不得包含任何债务信息（债务用语或金额）；否则即属催收信息，适用催收规则。",
                {"debt_terms": [m["matched"] for m in mentions], "amounts": amounts},
            )
        )
    return out


def content_checked(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """The `content` kind as the gate runs it: an opt-out confirmation is checked as a service message (the content
    check knows no such purpose; the `opt_out` rule checks what a confirmation may say)."""
    if req.purpose == OPT_OUT_CONFIRMATION:
        req = req._replace(purpose="service")
    return content(req, at, rule)


# --- messages must be true (fairdue.policy.truth) ----------------------------------------------------------
def truth(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """A message's factual claims must match `debt.state`; collection needs an overdue debt (truth.py)."""
    purpose = req.purpose
    if purpose == "authentication":  # carries no claims: its own rule denies any debt word or amount
        return []
    text = req.message_text
    state = req.debt_state
    if state is None:
        if purpose == "collection" or (text is not None and truth_check.claims(text)):
            return [
                Violation(
                    rule.id,
                    rule.category,
                    "Claims not verified: the request carries no debt state.",
                    "未核实信息中的事实陈述：请求未提供债务状态。",
                    {"debt.state": None},
                    rule.citation,
                    None,
                    True,
                )
            ]
        return []
    out = []
    on = at.astimezone(req.zones[0][1]).date() if (at is not None and req.zones) else None  # for deadlines
    if purpose == "collection" and not state.overdue and rule.p["collection_requires_overdue"]:
        out.append(
            _v(
                rule,
                "Collection on a debt that is not overdue: a message about a coming payment is a reminder.",
                "该债务未逾期，不得催收；到期前的提示应作为还款提醒发送。",
                {"purpose": purpose, "stored": {"overdue": False, "days_past_due": state.days_past_due}},
            )
        )
    if text is not None:
        out.extend(
            _v(rule, c.reason_en, c.reason_zh, c.evidence()) for c in truth_check.contradictions(text, state, on)
        )
    return out


# --- US location contacts: the employer only when asked (12 CFR 1006.10(b)(1)) ----------------------------------
_LOCATION_DEBTOR_ROLES = frozenset({"borrower", "spouse", "guarantor", "attorney"})
sender_name_key_chars_min = 3  # a shorter name would match by chance


@lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The sender's name as a case/width-insensitive pattern tolerant of spacing and punctuation between words."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = re.findall(r"\w+", folded)
    if sum(len(w) for w in words) < sender_name_key_chars_min:
        return None
    return re.compile(r"[\W_]*".join(re.escape(w) for w in words))


def location_employer(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """A location contact names the collector's employer (the sender) only if the person expressly asked."""
    if req.purpose != "location" or req.role in _LOCATION_DEBTOR_ROLES or req.asked_for_employer:
        return []
    text, name = req.message_text, req.sender_name
    if text is None or name is None:
        return []
    pattern = _name_pattern(name)
    if pattern is None:
        return []
    folded, index = truth_check.fold(text)
    m = pattern.search(folded)
    if m is None:
        return []
    start, end = index[m.start()], index[m.end()]
    return [
        _v(
            rule,
            f"A location contact may not name the employer ({text[start:end]!r}) unless the person expressly asked "
            "for it.",
            f"寻找借款人时不得说出所属机构名称（“{text[start:end]}”），除非对方明确询问。",
            {"matched": text[start:end], "span": [start, end], "sender_name": name, "asked_for_employer": False},
        )
    ]


# --- US debt-collector disclosure (12 CFR 1006.18(e)) ------------------------------------------------------------
# (e)(1) initial communication: attempting to collect a debt, and information obtained used for that purpose;
# (e)(2) every later communication: it is from a debt collector. Location contacts with third parties carry neither
# (1006.10(b)(2) and (b)(5): they may not reveal a debt or the debt-collection business).
_E1_ATTEMPT = re.compile(
    r"attempt(?:ing)?\s+to\s+collect\s+(?:a|the|this)\s+debt|(?:正在|试图)(?:向您)?(?:催收|收回)(?:一笔|该|此)?(?:债务|欠款)",
    re.IGNORECASE,
)
_E1_USE = re.compile(
    r"information\s+(?:\w+\s+){0,4}(?:will|shall)\s+be\s+used\s+for\s+that\s+purpose"
    r"|(?:获得|获取|所获)的?(?:任何)?信息(?:都)?将(?:被)?用于(?:此|该|这一)目的",
    re.IGNORECASE,
)
_E2_FROM = re.compile(r"\bdebt\s+collector\b|债务催收(?:方|机构|公司|人员?)|催收(?:机构|公司)", re.IGNORECASE)


def collector_disclosure(req: Request, at: dt.datetime | None, rule: Compiled) -> list[Violation]:
    """A debt collector's message to a consumer carries the 1006.18(e) disclosure: the full one the first time
    (no earlier communication reached a consumer in the history), "from a debt collector" after that."""
    if req.sender_kind != "collector" or req.message_text is None or req.role not in CONSUMER_ROLES:
        return []
    if req.channel not in rule.p["channels"] or req.purpose not in rule.p["purposes"]:
        return []
    text = unicodedata.normalize("NFKC", req.message_text)
    initial = req.prior_consumer_communications == 0
    if initial:
        missing = [
            label
            for label, pattern in (
                ("attempting to collect a debt", _E1_ATTEMPT),
                ("information used for that purpose", _E1_USE),
            )
            if pattern.search(text) is None
        ]
    else:
        missing = [] if _E2_FROM.search(text) else ["from a debt collector"]
    if not missing:
        return []
    which = "1006.18(e)(1) (initial communication)" if initial else "1006.18(e)(2) (subsequent communication)"
    return [
        _v(
            rule,
            f"A message from a debt collector must disclose {' and '.join(missing)} — {which}.",
            "债务催收方发出的信息必须声明其身份：首次联系须说明正在催收债务且所获信息将用于该目的，之后每次须说明信息来自债务催收方。",
            {
                "missing": missing,
                "initial_communication": initial,
                "sender_kind": "collector",
                "prior_consumer_communications": req.prior_consumer_communications,
            },
        )
    ]


# kind -> (fields of the request it needs, check)
_BASE = frozenset({"request", "channel"})
KINDS: dict[str, tuple[frozenset[str], RuleCheck]] = {
    "hours": (_BASE | {"at", "zones", "inconvenient", "recipient.role"}, hours),
    "unanswered_calls_per_day": (_BASE | {"at", "zones", "history", "recipient.address"}, unanswered_calls_per_day),
    "calls_in_days": (_BASE | {"at", "zones", "history", "recipient.role", "recipient.address"}, calls_in_days),
    "calls_after_conversation": (
        _BASE | {"at", "zones", "history", "recipient.role", "recipient.address"},
        calls_after_conversation,
    ),
    "sources": (frozenset({"request", "recipient", "recipient.source"}), sources),
    "third_party": (
        _BASE
        | {
            "at",
            "recipient",
            "recipient.role",
            "purpose",
            "recipient.consent",
            "recipient.prior_location_contacts",
            "message",
        },
        third_party,
    ),
    "unreachable": (frozenset({"request", "recipient", "recipient.role", "purpose", "history"}), unreachable),
    "cease": (_BASE | {"purpose", "borrower.cease_requested"}, _suppression("cease")),
    "attorney": (_BASE | {"purpose", "recipient.role", "borrower.represented_by_attorney"}, _suppression("attorney")),
    "bankruptcy": (_BASE | {"purpose", "borrower.bankruptcy"}, _suppression("bankruptcy")),
    "breathing_space": (_BASE | {"purpose", "borrower.breathing_space"}, _suppression("breathing_space")),
    "dispute": (_BASE | {"purpose", "borrower.dispute_open"}, _suppression("dispute")),
    "plan": (_BASE | {"purpose", "borrower.plan_active"}, _suppression("plan")),
    "opt_out": (_BASE | {"recipient.opted_out_channels"}, opt_out),
    "visit_staff": (_BASE | {"staff_count"}, visit_staff),
    "voicemail_script": (_BASE | {"message"}, voicemail_script),
    "written_text": (_BASE | {"message"}, written_text),
    "content": (
        _BASE | {"jurisdiction", "purpose", "recipient", "recipient.role", "message", "time_barred", "debt"},
        content_checked,
    ),
    "truth": (_BASE | {"purpose", "message", "debt", "debt.state"}, truth),
    "location_employer": (
        _BASE | {"purpose", "recipient", "recipient.role", "message"},  # a garbled asked flag counts as not asked
        location_employer,
    ),
    "collector_disclosure": (_BASE | {"purpose", "recipient", "recipient.role", "message"}, collector_disclosure),
    "authentication": (
        _BASE | {"purpose", "recipient", "recipient.role", "recipient.source", "message"},
        authentication,
    ),
}


_ALL_CHANNELS = frozenset({"call", "sms", "email", "letter", "app_push", "voicemail", "visit"})


def channels_of(rule: Compiled) -> frozenset[str]:
    """The proposed channels on which a rule can find anything (the others skip it, same verdict, less work)."""
    kind = rule.kind
    if kind in ("unanswered_calls_per_day", "calls_in_days", "calls_after_conversation"):
        return CALL_CHANNELS
    if kind == "hours":
        return frozenset(rule.p["channels"])
    if kind == "visit_staff":
        return frozenset({"visit"})
    if kind == "voicemail_script":
        return frozenset({"voicemail"})
    if kind == "written_text":
        return frozenset(rule.p["channels_requiring_text"])
    if kind == "collector_disclosure":
        return frozenset(rule.p["channels"])
    return _ALL_CHANNELS
