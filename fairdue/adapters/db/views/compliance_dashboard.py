"""Figures for the compliance dashboard: gate denials by category and rule, contact volumes,
complaints by age. Read-only queries over the decision log, the outbox and complaints."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from fairdue.adapters.db.schema.collections import decision_log
from fairdue.adapters.db.schema.web import complaints
from fairdue.domain.instants import aware

WINDOW_DAYS_MAX = 366
TOP_RULES_MAX = 12
AGE_BUCKETS = ((0, 7), (8, 15), (16, 30), (31, 60), (61, None))


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Counts over [since, until). volumes: (local day ISO, channel) -> decisions allowed/denied."""

    since: dt.datetime
    until: dt.datetime
    decisions: int
    allowed: int
    denied: int
    denials_by_category: tuple[tuple[str, int], ...]
    denials_by_rule: tuple[tuple[str, int], ...]
    days: tuple[str, ...]
    allowed_by_day: tuple[int, ...]
    denied_by_day: tuple[int, ...]
    allowed_by_channel: tuple[tuple[str, int], ...]
    complaints_open: int
    complaints_overdue: int
    complaints_by_age: tuple[tuple[str, int], ...]


def build(conn: sa.Connection, *, now: dt.datetime, window_days: int = 30, zone: str = "Asia/Shanghai") -> Dashboard:
    window_days = max(1, min(int(window_days), WINDOW_DAYS_MAX))
    tz = ZoneInfo(zone)
    since = now - dt.timedelta(days=window_days)
    rows = conn.execute(
        sa.select(
            decision_log.c.decided_at,
            decision_log.c.allowed,
            decision_log.c.channel,
            decision_log.c.violation_categories,
            decision_log.c.violation_rules,
        ).where(decision_log.c.decided_at >= since, decision_log.c.decided_at < now + dt.timedelta(seconds=1))
    ).all()
    categories: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    first_day = since.astimezone(tz).date()
    days = [(first_day + dt.timedelta(days=i)).isoformat() for i in range(window_days + 1)]
    index = {d: i for i, d in enumerate(days)}
    allowed_by_day = [0] * len(days)
    denied_by_day = [0] * len(days)
    allowed = 0
    for row in rows:
        day = aware(row.decided_at).astimezone(tz).date().isoformat()
        i = index.get(day)
        if row.allowed:
            allowed += 1
            channels[row.channel or "?"] += 1
            if i is not None:
                allowed_by_day[i] += 1
        else:
            if i is not None:
                denied_by_day[i] += 1
            categories.update(set(filter(None, (row.violation_categories or "").split(","))))
            rules.update(set(filter(None, (row.violation_rules or "").split(","))))
    open_rows = conn.execute(
        sa.select(complaints.c.received_at, complaints.c.due_at).where(
            complaints.c.status.in_(("received", "in_progress"))
        )
    ).all()
    ages: Counter[str] = Counter()
    overdue = 0
    for complaint in open_rows:
        age = (now - aware(complaint.received_at)).days
        overdue += now > aware(complaint.due_at)
        for low, high in AGE_BUCKETS:
            if age >= low and (high is None or age <= high):
                ages[_bucket_label(low, high)] += 1
                break
    return Dashboard(
        since=since,
        until=now,
        decisions=len(rows),
        allowed=allowed,
        denied=len(rows) - allowed,
        denials_by_category=tuple(categories.most_common()),
        denials_by_rule=tuple(rules.most_common(TOP_RULES_MAX)),
        days=tuple(days),
        allowed_by_day=tuple(allowed_by_day),
        denied_by_day=tuple(denied_by_day),
        allowed_by_channel=tuple(channels.most_common()),
        complaints_open=len(open_rows),
        complaints_overdue=overdue,
        complaints_by_age=tuple((_bucket_label(lo, hi), ages.get(_bucket_label(lo, hi), 0)) for lo, hi in AGE_BUCKETS),
    )


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"
