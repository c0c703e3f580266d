"""The daily orchestration, in one place: day-end, then promise settlement and plan checks, then collections.

    report = run_daily(uow_factory, business_on=on, now_at=at)     # once a business day, after midnight
    summary = run_engine(uow_factory, business_on=on, now_at=at, daily=False)   # later runs the same day

Each step is its own transactions (day-end per partition, collections per action), so a failure undoes only
its own work; the order is what makes the day right: day-end closes the date and publishes its events, the
events become cases, promises due by the date settle and negotiated plans are checked (a missed row breaks its
plan and reopens the case) before any step is taken, so nobody is contacted about a debt a kept promise or an
honoured plan covers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.audit import Verification
from fairdue.service.collections.engine import (
    ACTION_BATCH_MAX,
    CollectionsInvalid,
    RunSummary,
    consume_events,
    run_due_steps,
)
from fairdue.service.collections.promises import settle_promises
from fairdue.service.contact.decision_log import log_head, log_keys, verify_log
from fairdue.service.dayend.runner import Summary, run_day_end
from fairdue.service.servicing.plans import check_plans


@dataclass(frozen=True, slots=True)
class DailyReport:
    """What one business day's run did: day-end's summary, then the first collections run's."""

    dayend: Summary
    collections: RunSummary


def run_engine(
    uow_factory: Callable[[], UnitOfWork],
    *,
    business_on: date,
    now_at: datetime,
    decide: Callable[[dict], dict] | None = None,
    cipher: FieldCipher | None = None,
    lender: Mapping[str, str] | None = None,
    batch_max: int = ACTION_BATCH_MAX,
    daily: bool = True,
) -> RunSummary:
    """One run of the collections engine. The first run of a business date (daily=True) first turns day-end's
    events into cases, settles the promises due by `business_on` and checks the negotiated plans (one
    transaction); every run then takes the due case steps and judges reminders (`run_due_steps`)."""
    if now_at.tzinfo is None:
        raise CollectionsInvalid("now_at must be an aware UTC instant")
    events = kept = broken = plans_broken = 0
    if daily:
        events = consume_events(uow_factory)
        with uow_factory() as uow:
            kept, broken = settle_promises(uow, business_on=business_on)
            plans_broken = check_plans(uow, business_on=business_on)
            uow.commit()
    summary = run_due_steps(
        uow_factory,
        business_on=business_on,
        now_at=now_at,
        decide=decide,
        cipher=cipher,
        lender=lender,
        batch_max=batch_max,
        daily=daily,
    )
    summary.events += events
    summary.promises_kept, summary.promises_broken, summary.plans_broken = kept, broken, plans_broken
    return summary


def run_daily(
    uow_factory: Callable[[], UnitOfWork],
    *,
    business_on: date,
    now_at: datetime,
    decide: Callable[[dict], dict] | None = None,
    cipher: FieldCipher | None = None,
    lender: Mapping[str, str] | None = None,
) -> DailyReport:
    """Close day-end through `business_on` (any unclosed dates before it first), then the day's first engine run."""
    dayend = run_day_end(uow_factory, business_on=business_on)
    collections = run_engine(
        uow_factory, business_on=business_on, now_at=now_at, decide=decide, cipher=cipher, lender=lender, daily=True
    )
    return DailyReport(dayend=dayend, collections=collections)


def checkpoint_log(uow_factory: Callable[[], UnitOfWork]) -> Verification | None:
    """At the end of a day-end run (issue 16 items 5/6, ASVS V7.3.3): verify the decision log and sign its head,
    in one transaction, when a private log key is configured (fairdue.adapters.log_signing; on SQLite the dev key
    file). None when the log is empty or no key can sign (nothing is written). A log that fails verification is
    not signed: the result says what is wrong, for the caller to report."""
    with uow_factory() as uow:
        if not log_head(uow)[0]:
            return None
        keys = log_keys(uow)
        if keys is None or not keys.can_sign:
            return None
        result = verify_log(uow, keys=keys, sign=True)
        uow.commit()
    return result
