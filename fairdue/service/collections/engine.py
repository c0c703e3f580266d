"""Collections engine: day-end events → cases → planned strategy steps → the policy gate → outbox / agent tasks.

    consume_events(uow_factory)                                   # idempotent (a consumer cursor)
    run_due_steps(uow_factory, business_on=..., now_at=...)     # consume events, then due steps and reminders

Schedules call fairdue.service.jobs.run_engine, which settles promises and checks plans first.

`became_overdue` opens a case (strategy variant by stable hash, recorded once; agent = least open
cases within the team that works the bucket), `bucket_changed` moves it and plans the new bucket's
steps, `cured` / `charged_off` close it. Every due step builds its gate request from stored facts
(borrower time zones, cease/opt-out requests, open disputes, active plans, the debt's sent
history) and goes through `request_contact` (messages) or the gate directly (call tasks, logged in
the same decision log). A denial is rescheduled to the gate's `next_allowed_at` when there is one.
While a promise to pay is pending or a dispute is open the cadence pauses (steps stay planned).

Before anything is overdue, the strategy's `pre_due` (e.g. D-3) and `due` steps are planned from the
installments table for lines with no open case and no active plan (`plan_due_reminders`, one per line,
step and due date) and judged like any other message, with purpose `reminder` (`run_reminders`).

A run reads what cannot change under it once (`RunCache`: account facts, recorded assignments, borrowers
decrypted once and held in memory only); what can (flags, contact facts, the debt's history, balances) is read
in each action's own transaction, so a message queued earlier in the run counts for the next one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from fairdue.adapters.channels.letter import CollectionLetter, render_text
from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.collections.strategy import Strategy, assign_variant, builtin_strategies, render, steps_for
from fairdue.domain.instants import parse_utc_or_none
from fairdue.domain.money import Money
from fairdue.domain.statuses import (
    ActionStatus,
    CaseStatus,
    ReminderStatus,
)
from fairdue.errors import FairdueError, Invalid
from fairdue.service.borrower.registry import get_borrower, get_borrowers
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import (
    OutgoingMessage,
    cipher_for,
    default_decide,
    judge_contact,
    request_contact,
    share_line_owners,
)
from fairdue.service.contact.gate_request import BuiltRequest, borrower_flags
from fairdue.service.servicing.accounts import code
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.products import get_product

CONSUMER = "collections"
EVENT_BATCH_MAX = 1000
ACTION_BATCH_MAX = 500
ATTEMPTS_MAX = 10
STEP_LOCAL_TIME = time(10, 0)  # a step falls due at 10:00 in the borrower's first time zone
HANDLED_KINDS = ("became_overdue", "bucket_changed", "cured", "charged_off")
DEFAULT_LENDER = {
    "lender_name": "示例消费金融",
    "callback_phone": "400-000-0000",
    "app_name": "示例App",
    "website": "https://example.invalid",
    "agent_name": "",
}


class CollectionsError(FairdueError):
    """A collections request that cannot be carried out (the context base; raise a subclass)."""


class CollectionsInvalid(CollectionsError, Invalid):
    """A collections request with bad input (a reason, a channel, a naive time)."""

    slug = "collections-error"  # the problem type clients saw before this class was split off


class CollectionsTargetUnknown(CollectionsError, Invalid):
    """The account or open dispute named does not exist."""

    slug = "collections-error"  # the problem type clients saw before this class was split off


class NoStrategy(CollectionsError):
    """No shipped strategy serves the account's product and jurisdiction."""


class UnknownCase(CollectionsError, Invalid):
    """No such collection case."""


@dataclass(frozen=True, slots=True)
class Case:
    """A collection case. close_reason/closed_on: None while open. agent_id/team_id: None when unassigned."""

    id: int
    account_id: int
    opened_on: date
    bucket: str
    bucket_entered_on: date
    dpd: int
    status: str
    close_reason: str | None
    closed_on: date | None
    team_id: int | None
    agent_id: int | None

    @classmethod
    def from_row(cls, row: Any) -> Case:
        """The case of a stored coll_cases row."""
        return cls(
            row.id,
            row.account_id,
            row.opened_on,
            row.bucket,
            row.bucket_entered_on,
            row.dpd,
            row.status,
            row.close_reason,
            row.closed_on,
            row.team_id,
            row.agent_id,
        )


@dataclass(frozen=True, slots=True)
class AgentTask:
    """A call the agent should make: allowed now or not, and when it may be made (None = no time known)."""

    action_id: int
    case_id: int
    account_id: int
    due_at: datetime
    allowed: bool
    next_allowed_at: datetime | None
    reasons: tuple[str, ...]


@dataclass(slots=True)
class RunSummary:
    """What a run did: events consumed, steps sent / denied / rescheduled / turned into tasks / paused."""

    events: int = 0
    sent: int = 0
    denied: int = 0
    rescheduled: int = 0
    tasks: int = 0
    paused: int = 0
    skipped: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    plans_broken: int = 0
    reminders_planned: int = 0
    denial_categories: dict[str, int] = field(default_factory=dict)

    def count_denials(self, violations) -> None:
        for v in violations or ():
            category = v.get("category", "?")
            self.denial_categories[category] = self.denial_categories.get(category, 0) + 1


# -- strategy and assignment ---------------------------------------------------------------------
class _AccountFacts(NamedTuple):
    """An account's facts read along with another row (the columns of CollectionsRepository.account_facts)."""

    id: int
    borrower_id: BorrowerId
    currency: str
    code: str
    jurisdiction: str


def _account_facts(uow: Any, account_id: int):
    row = uow.collections.account_facts(account_id)
    if row is None:
        raise CollectionsTargetUnknown(f"no credit line {account_id}")
    return row


PREFETCH_IDS_MAX = 500  # ids per IN (...) list when a run reads facts for many accounts at once


class RunCache:
    """What one collections run reads once instead of once per action, in memory only.

    Kept: each account's facts (borrower, currency, product, jurisdiction: fixed once a line is open), its
    recorded strategy assignment (never changed once recorded; one not yet recorded is not kept, so a rolled-back
    first use is recorded again), its credit line (for the currency of balances), and each borrower decrypted once
    (the plaintext lives in this object for the run and is never written anywhere). Everything that can change
    while a run goes on (cease / dispute / plan / promise flags, contact facts, the debt's contact history,
    balances, installments) is still read in each action's own transaction.
    """

    def __init__(self, cipher: FieldCipher):
        self.cipher = cipher
        self._facts: dict[int, Any] = {}
        self._borrowers: dict[int, Any] = {}
        self._assignments: dict[int, tuple[Strategy, str]] = {}
        self.line_owners: dict[int, int] = {}  # credit line id -> borrower id (shared with contacts)

    def prefetch(self, uow: Any, account_ids: Any) -> None:
        """Read the facts, assignments and decrypted borrowers of these accounts in a few queries."""
        repo = uow.collections
        ids = sorted({int(a) for a in account_ids} - self._facts.keys())
        for start in range(0, len(ids), PREFETCH_IDS_MAX):
            chunk = ids[start : start + PREFETCH_IDS_MAX]
            for row in repo.accounts_facts(chunk):
                self._facts[row.id] = row
                self.line_owners[row.id] = row.borrower_id
            strategies = _strategies()
            for a in repo.assignments_of(chunk):
                self._assignments[a.account_id] = (strategies[a.strategy_code], a.variant)
        wanted = {self._facts[a].borrower_id for a in ids if a in self._facts} - self._borrowers.keys()
        self._borrowers.update(get_borrowers(uow, borrower_ids=wanted, cipher=self.cipher))

    def facts(self, uow: Any, account_id: int):
        """The account's facts (borrower, currency, product code, jurisdiction), read once per run."""
        row = self._facts.get(account_id)
        if row is None:
            row = self._facts[account_id] = _account_facts(uow, account_id)
            self.line_owners[account_id] = row.borrower_id
        return row

    def know_facts(self, facts: _AccountFacts) -> None:
        """Keep facts the caller read with its own row (fixed once a line is open, as those `facts` reads)."""
        if facts.id not in self._facts:
            self._facts[facts.id] = facts
            self.line_owners[facts.id] = facts.borrower_id

    def borrower(self, uow: Any, borrower_id: BorrowerId):
        b = self._borrowers.get(borrower_id)
        if b is None:
            b = self._borrowers[borrower_id] = get_borrower(uow, borrower_id=borrower_id, cipher=self.cipher)
        return b

    def assignment(self, uow: Any, account_id: int) -> tuple[Strategy, str]:
        known = self._assignments.get(account_id)
        if known is not None:
            return known
        row = uow.collections.assignment_of(account_id)
        if row is None:
            return ensure_assignment(uow, account_id=account_id)  # recorded in this transaction: not kept
        known = self._assignments[account_id] = (_strategies()[row.strategy_code], row.variant)
        return known


def _run_cache(uow_factory: Callable[[], Any], cipher: FieldCipher | None) -> RunCache:
    """A fresh RunCache; the configured keys are loaded once per run (not once per action) when none are given."""
    if cipher is not None:
        return RunCache(cipher)
    with uow_factory() as uow:
        return RunCache(cipher_for(uow, None))


_CACHE_ATTR = "_collections_run_cache"


def _uow_cache(uow: Any, cipher: FieldCipher | None) -> RunCache:
    """A RunCache for callers outside a run (a call task judged, a manual message): one per unit of work and
    cipher, so an agent working a queue in one unit of work reads each borrower once."""
    held = uow.__dict__.setdefault(_CACHE_ATTR, {})
    cache = held.get(id(cipher))
    if cache is None or (cipher is not None and cache.cipher is not cipher):
        cache = held[id(cipher)] = RunCache(cipher_for(uow, cipher))
    return cache


def strategy_for(*, jurisdiction: str, product_code: str, strategies: Mapping[str, Strategy] | None = None) -> Strategy:
    """The first shipped strategy (by code) of the jurisdiction that serves the product."""
    for strategy_code in sorted(strategies or builtin_strategies()):
        s = (strategies or builtin_strategies())[strategy_code]
        if s.jurisdiction == jurisdiction and s.serves(product_code):
            return s
    raise NoStrategy(f"no strategy serves product {product_code} in {jurisdiction}")


_STRATEGIES: dict[str, Strategy] | None = None


def _strategies() -> dict[str, Strategy]:
    global _STRATEGIES
    if _STRATEGIES is None:
        _STRATEGIES = builtin_strategies()
    return _STRATEGIES


def ensure_assignment(uow: Any, *, account_id: int) -> tuple[Strategy, str]:
    """The account's strategy and variant, recording them on first use (never changed afterwards)."""
    row = uow.collections.assignment_of(account_id)
    if row is not None:
        return _strategies()[row.strategy_code], row.variant
    facts = _account_facts(uow, account_id)
    strategy = strategy_for(jurisdiction=facts.jurisdiction, product_code=facts.code, strategies=_strategies())
    variant = assign_variant(strategy, str(account_id))
    uow.collections.add_assignment(
        account_id=account_id,
        strategy_code=strategy.code,
        strategy_version=strategy.version,
        variant=variant,
        assigned_at=uow.clock(),
    )
    return strategy, variant


# -- teams and agents ----------------------------------------------------------------------------
def create_team(uow: Any, *, code: str, name: str, buckets: str = "*", staff_ids: tuple[int, ...] = ()) -> int:
    """Create an agent team working `buckets` (space-separated, '*' = any) with these staff users."""
    tid = uow.collections.add_team(code=code, name=name, buckets=buckets)
    uow.collections.add_team_members(tid, staff_ids)
    return tid


def _pick_agent(uow: Any, bucket: str) -> tuple[int | None, int | None]:
    teams = uow.collections.teams()
    team = next((t for t in teams if bucket in t.buckets.split()), None) or next(
        (t for t in teams if "*" in t.buckets.split()), None
    )
    if team is None:
        return None, None
    return team.id, uow.collections.least_busy_agent(team.id)


# -- cases ---------------------------------------------------------------------------------------
def open_case_of(uow: Any, *, account_id: int) -> Case | None:
    """The account's open case, or None."""
    row = uow.collections.open_case_of(account_id)
    return None if row is None else Case.from_row(row)


def list_cases(uow: Any, *, status: str | None = CaseStatus.OPEN, agent_id: int | None = None) -> list[Case]:
    """Cases, newest first, optionally by status and agent."""
    return [Case.from_row(r) for r in uow.collections.cases(status=status, agent_id=agent_id)]


def _borrower_zone(uow: Any, account_id: int) -> ZoneInfo:
    """The first time zone of the line's borrower."""
    return ZoneInfo(uow.collections.time_zones_of_line(account_id).split()[0])


def _plan_bucket_steps(
    uow: Any,
    case_id: int,
    account_id: int,
    bucket: str,
    entered_on: date,
    *,
    assignment: tuple[Strategy, str] | None = None,
    zone: ZoneInfo | None = None,
    new_case: bool = False,
) -> int:
    """Plan the bucket's steps not yet planned for the case. assignment, zone: the account's (strategy, variant) and
    its borrower's first time zone when the caller has read them in this transaction; new_case: the case was
    inserted in this transaction, so it has no steps to look up."""
    strategy, variant_name = assignment or ensure_assignment(uow, account_id=account_id)
    zone = zone or _borrower_zone(uow, account_id)
    steps = [
        (f"bucket:{bucket}:{step.offset_days}:{step.channel}:{entered_on.isoformat()}", step)
        for step in steps_for(strategy.variant(variant_name), stage="bucket", bucket=bucket)
    ]
    if not steps:
        return 0
    # One read of the keys already planned and one insert of the rest (in step order), not two statements a step.
    done: set[str] = set() if new_case else uow.collections.step_keys_planned(case_id, [k for k, _ in steps])
    rows = []
    for key, step in steps:
        if key in done:
            continue
        done.add(key)
        local = datetime.combine(entered_on + timedelta(days=step.offset_days), STEP_LOCAL_TIME, tzinfo=zone)
        rows.append(
            dict(
                case_id=case_id,
                step_key=key,
                due_at=local.astimezone(UTC),
                channel=step.channel,
                template=step.template,
                status=ActionStatus.PLANNED,
                attempts=0,
                updated_at=uow.clock(),
            )
        )
    if rows:
        uow.collections.add_steps(rows)
    return len(rows)


def _open_case(uow: Any, account_id: int, on: date, bucket: str, dpd: int, known: _EventAccounts | None = None) -> int:
    """Open a case and plan its bucket's steps; known: the event batch's account facts (kept current here)."""
    if known is not None:
        assignment = known.assignment(uow, account_id)
    else:
        assignment = ensure_assignment(uow, account_id=account_id)
    team_id, agent_id = _pick_agent(uow, bucket)
    cid = uow.collections.add_case(
        account_id=account_id,
        opened_on=on,
        opened_at=uow.clock(),
        bucket=bucket,
        dpd=dpd,
        team_id=team_id,
        agent_id=agent_id,
    )
    if known is not None:
        known.cases[account_id] = Case(
            cid, account_id, on, bucket, on, dpd, CaseStatus.OPEN, None, None, team_id, agent_id
        )
    _plan_bucket_steps(
        uow,
        cid,
        account_id,
        bucket,
        on,
        assignment=assignment,
        zone=known.zones[account_id] if known is not None else None,
        new_case=True,
    )
    return cid


def close_case(uow: Any, *, case_id: int, reason: str, closed_on: date) -> None:
    """Close a case (cure / plan / charge_off); its planned steps are skipped."""
    if reason not in ("cure", "plan", "charge_off"):
        raise CollectionsInvalid(f"close reason must be cure, plan or charge_off, not {reason!r}")
    uow.collections.close_case(case_id, reason=reason, closed_on=closed_on, at=uow.clock())


def reopen_case(uow: Any, *, account_id: int, on: date) -> int:
    """Open a case again for an account (e.g. a missed plan installment), in its current day-end bucket."""
    existing = open_case_of(uow, account_id=account_id)
    if existing is not None:
        return existing.id
    state = uow.collections.dayend_bucket_of(account_id)
    bucket, dpd = (state.bucket, state.dpd) if state is not None and state.dpd > 0 else ("M1", 1)
    return _open_case(uow, account_id, on, bucket, dpd)


def restore_case_closed_for_plan(uow: Any, *, case_id: int) -> None:
    """A reverted plan's case is open again as it was before the plan closed it (only if a plan closed it)."""
    uow.collections.reopen_case_closed_for_plan(case_id)


def _bucket_for(uow: Any, product_id: int, dpd: int) -> str:
    product = get_product(uow, product_id=product_id).product
    for b in product.delinquency_buckets:
        if b.dpd_min <= dpd <= b.dpd_max and b.dpd_min > 0:
            return b.code
    return next(b.code for b in product.delinquency_buckets if b.dpd_min > 0)


@dataclass(slots=True)
class _EventAccounts:
    """What a batch of day-end events needs to know about its accounts, read once for the batch in its transaction
    (a query per kind of fact, not one per event) and kept current by the batch's own writes: the open case (opened,
    moved and closed only here), whether a plan is active, the recorded strategy assignment (recorded here on first
    use), the line's product and the borrower's first time zone (nothing in a batch changes those)."""

    cases: dict[int, Case] = field(default_factory=dict)
    planned: set[int] = field(default_factory=set)
    assignments: dict[int, tuple[Strategy, str]] = field(default_factory=dict)
    products: dict[int, int] = field(default_factory=dict)
    zones: dict[int, ZoneInfo] = field(default_factory=dict)

    @classmethod
    def read(cls, uow: Any, account_ids: Any) -> _EventAccounts:
        known = cls()
        repo = uow.collections
        ids = sorted(set(account_ids))
        strategies = _strategies()
        for start in range(0, len(ids), PREFETCH_IDS_MAX):
            chunk = ids[start : start + PREFETCH_IDS_MAX]
            known.cases.update((row.account_id, Case.from_row(row)) for row in repo.open_cases_of(chunk))
            known.planned.update(repo.accounts_with_active_plan(chunk))
            for a in repo.assignments_of(chunk):
                known.assignments[a.account_id] = (strategies[a.strategy_code], a.variant)
            for line in repo.lines_with_zones(chunk):
                known.products[line.id] = line.product_id
                known.zones[line.id] = ZoneInfo(line.time_zones.split()[0])
        return known

    def assignment(self, uow: Any, account_id: int) -> tuple[Strategy, str]:
        """The account's strategy and variant, recorded now if it has none yet (ensure_assignment)."""
        known = self.assignments.get(account_id)
        if known is None:
            known = self.assignments[account_id] = ensure_assignment(uow, account_id=account_id)
        return known


def _handle_event(
    uow: Any, kind: str, account_id: int, on: date, payload: Mapping[str, Any], known: _EventAccounts
) -> None:
    case = known.cases.get(account_id)
    if case is None and kind in ("became_overdue", "bucket_changed") and account_id in known.planned:
        return  # an honoured plan suppresses collection; only a missed plan installment reopens (check_plans)
    dpd = int(payload.get("dpd") or 0)
    if kind == "became_overdue":
        if case is None:
            # The bucket as of the event (never today's state: events may be consumed days later).
            _open_case(uow, account_id, on, _bucket_for(uow, known.products[account_id], dpd), dpd, known)
    elif kind == "bucket_changed":
        to = str(payload["bucket_to"])
        if case is None:
            if dpd > 0:
                _open_case(uow, account_id, on, to, dpd, known)
            return
        if to != case.bucket:
            # The case moves; steps of the bucket left behind and not yet done are dropped.
            uow.collections.move_case(case.id, bucket=to, entered_on=on, dpd=dpd, at=uow.clock())
            known.cases[account_id] = replace(case, bucket=to, bucket_entered_on=on, dpd=dpd)
            _plan_bucket_steps(
                uow,
                case.id,
                account_id,
                to,
                on,
                assignment=known.assignment(uow, account_id),
                zone=known.zones[account_id],
            )
    elif kind in ("cured", "charged_off") and case is not None:
        close_case(uow, case_id=case.id, reason="cure" if kind == "cured" else "charge_off", closed_on=on)
        del known.cases[account_id]


def consume_events(uow_factory: Callable[[], Any], *, batch_max: int = EVENT_BATCH_MAX) -> int:
    """Apply day-end events after this consumer's cursor, one batch per transaction; returns how many."""
    handled = 0
    while True:
        with uow_factory() as uow:
            repo = uow.collections
            cursor = repo.event_cursor(CONSUMER)
            if cursor is None:
                repo.add_event_cursor(CONSUMER, at=uow.clock())
                cursor = 0
            cursor = repo.lock_event_cursor(CONSUMER, cursor)  # one consumer at a time advances the cursor
            rows = repo.events_after(cursor, batch_max=batch_max)
            if not rows:
                return handled
            known = _EventAccounts.read(uow, (r.account_id for r in rows if r.kind in HANDLED_KINDS))
            for r in rows:
                if r.kind in HANDLED_KINDS:
                    _handle_event(uow, r.kind, r.account_id, r.business_on, json.loads(r.payload), known)
            repo.advance_event_cursor(CONSUMER, last_event_id=rows[-1].id, at=uow.clock())
            uow.commit()
            handled += len(rows)


# -- facts for the gate ------------------------------------------------------------------------
def build_gate_request(
    uow: Any,
    *,
    account_id: int,
    channel: str,
    at: datetime,
    purpose: str = "collection",
    cipher: FieldCipher | None = None,
    flags: Mapping[str, Any] | None = None,
    cache: RunCache | None = None,
) -> BuiltRequest:
    """The gate request for contacting the borrower about this account at their own address for the channel,
    built from stored facts (fairdue.service.contact.gate_request.build, the one builder).

    flags: `borrower_flags` the caller has just read in this transaction (else they are read there).
    cache: the run's RunCache (account facts, decrypted borrower); None = one kept on the unit of work.
    """
    cache = cache if cache is not None else _uow_cache(uow, cipher)
    cache.facts(uow, account_id)  # a line that is not on file is refused here, not judged
    share_line_owners(uow, cache.line_owners)
    built = gate_requests.build(
        uow,
        debt_id=debt_id_for_line(account_id),
        recipient=None,
        channel=channel,
        purpose=purpose,
        at=at,
        cipher=cache.cipher,
        lookup=cache,
        flags=flags,
    )
    if built.recipient is None or not built.recipient.on_file:
        raise CollectionsInvalid(
            f"borrower {built.borrower.id if built.borrower else '?'} has no address for {channel}"
        )
    return built


@dataclass(frozen=True, slots=True)
class _CaseOfStep:
    """What a case step needs of its case, read with the step in one query."""

    id: int
    account_id: int
    dpd: int
    bucket_entered_on: date


def _variables(
    state: Mapping[str, Any], borrower, language: str, on: date, lender: Mapping[str, str]
) -> dict[str, Any]:
    """A step's template variables. The amount and the days past due are the debt's stored state as the gate request
    carries it (gate_request.build), so what the message says is what the gate's truth check compares it with."""
    title = (borrower.name[:1] + ("先生/女士" if language == "zh" else "")) if language == "zh" else borrower.name
    return {
        **DEFAULT_LENDER,
        **lender,
        "borrower_title": title,
        "amount_due": Money(state["amount_due"], state["currency"]).format(),
        "due_on": on.isoformat(),
        "days_past_due": state["days_past_due"],
    }


def _execute_action(
    uow: Any,
    action,
    case_row: _CaseOfStep,
    *,
    now_at: datetime,
    business_on: date,
    decide: Callable[[dict], dict],
    cache: RunCache,
    lender: Mapping[str, str],
    summary: RunSummary,
) -> None:
    account_id = case_row.account_id
    facts = cache.facts(uow, account_id)
    flags = borrower_flags(uow, account_id=account_id, borrower_id=facts.borrower_id, overdue_before=business_on)
    if flags["promise_pending"] or flags["dispute_open"]:
        # Stays planned: a broken promise or a resolved dispute resumes it. The dispute flag is also fed to
        # the gate, but not every pack suppresses on it (CN has no dispute rule), so the engine suspends here.
        summary.paused += 1
        return
    plan_row = _plan_row(uow, action.step_key)  # a reminder of a negotiated plan's own installment
    if plan_row is None and not flags["installment_overdue"]:
        # Paid since the last day-end touched the line (the `cured` event comes when it next does): never chase it.
        uow.actions.update_action(
            action.id,
            {
                "status": ActionStatus.SKIPPED,
                "updated_at": uow.clock(),
                "verdict": json.dumps({"why": "nothing overdue any more"}),
            },
        )
        summary.skipped += 1
        return
    values: dict[str, Any] = {"attempts": action.attempts + 1, "updated_at": uow.clock()}
    borrower = cache.borrower(uow, facts.borrower_id)
    if action.channel == "letter" and not borrower.address:
        values.update(status=ActionStatus.SKIPPED, verdict=json.dumps({"why": "no postal address on file"}))
        uow.actions.update_action(action.id, values)
        summary.skipped += 1
        return
    built = build_gate_request(
        uow,
        account_id=account_id,
        channel=action.channel,
        at=now_at,
        purpose="reminder" if plan_row else "collection",
        flags=flags,
        cache=cache,
    )
    names = [borrower.name]
    if action.channel == "call":
        decision, seq = judge_contact(uow, built, decide=decide, names=names)
        allowed = decision.get("allowed") is True
        values.update(
            status=ActionStatus.TASK,
            decision_seq=seq,
            next_allowed_at=None if allowed else parse_utc_or_none(decision.get("next_allowed_at")),
            verdict=json.dumps(
                {"allowed": allowed, "rules": [v.get("rule") for v in decision.get("violations") or []]}
            ),
        )
        summary.tasks += 1
        if not allowed:
            for v in decision.get("violations") or []:
                summary.denial_categories[v.get("category", "?")] = (
                    summary.denial_categories.get(v.get("category", "?"), 0) + 1
                )
        uow.actions.update_action(action.id, values)
        return
    strategy, _ = cache.assignment(uow, account_id)
    base = borrower.language.split("-")[0].lower()  # borrowers carry zh-CN / en-GB; templates are zh / en
    language = base if base in ("zh", "en") else "en"
    variables = _variables(built.request["debt"]["state"], borrower, language, business_on, lender)
    if plan_row is not None:
        variables.update(amount_due=Money(plan_row["amount_minor"], facts.currency).format(), due_on=plan_row["due_on"])
    text = render(strategy, action.template, language, variables)
    letter = None
    if action.channel == "letter":
        zh = language == "zh"
        letter = CollectionLetter(
            language=language,
            lender_name=variables["lender_name"],
            reference=f"case-{case_row.id}",
            letter_on=business_on.isoformat(),
            borrower_name=borrower.name,
            balance_minor=built.request["debt"]["state"]["balance"],
            currency=facts.currency,
            reason=text,
            legal_basis="借款合同及《商业银行信用卡业务监督管理办法》" if zh else "Your credit agreement",
            rights_obligations="您有按期还款的义务，并有查询、异议、申请协商还款的权利"
            if zh
            else "You must repay; you may check your account, object and ask for a repayment plan",
            account_check=f"{variables['app_name']} / {variables['callback_phone']}",
            objection_route=f"{variables['callback_phone']}",
            lender_contact=variables["website"],
        )
        text = render_text(letter)
    address = built.request["recipient"]["address"]  # the postal address on file, for a letter
    message = OutgoingMessage(
        channel=action.channel,
        recipient_address=address,
        language=language,
        text=text,
        subject=("还款提醒" if language == "zh" else "Payment reminder") if action.channel == "email" else None,
        letter=letter,
    )
    outcome = request_contact(
        uow, gate_request=built, message=message, decide=decide, names=names, commit=False, cipher=cache.cipher
    )
    values["decision_seq"] = outcome.decision_seq
    if outcome.allowed:
        values.update(status=ActionStatus.SENT, next_allowed_at=None, verdict=None)
        summary.sent += 1
    else:
        for v in outcome.violations:
            summary.denial_categories[v.get("category", "?")] = (
                summary.denial_categories.get(v.get("category", "?"), 0) + 1
            )
        verdict = json.dumps({"allowed": False, "rules": [v.get("rule") for v in outcome.violations]})
        if outcome.next_allowed_at is not None and values["attempts"] < ATTEMPTS_MAX:
            values.update(
                status=ActionStatus.RESCHEDULED,
                due_at=outcome.next_allowed_at,
                next_allowed_at=outcome.next_allowed_at,
                verdict=verdict,
            )
            summary.rescheduled += 1
        else:
            values.update(status=ActionStatus.DENIED, next_allowed_at=None, verdict=verdict)
            summary.denied += 1
    uow.actions.update_action(action.id, values)


def _plan_row(uow: Any, step_key: str) -> dict | None:
    if not step_key.startswith("plan:"):
        return None
    _, plan_id, seq = step_key.split(":")
    return json.loads(uow.actions.plan_rows_text(int(plan_id)))[int(seq) - 1]


PLAN_REMINDER_DAYS = 3  # a plan installment is reminded this many days before it is due


def plan_installment_reminders(uow: Any, *, plan_id: int) -> int:
    """Plan an SMS reminder (purpose reminder, which the gate allows while the plan is honoured) per plan row."""
    plan = uow.plans.plan(plan_id)
    if plan.case_id is None:
        return 0
    zone = _borrower_zone(uow, plan.account_id)
    n = 0
    for seq, row in enumerate(json.loads(plan.rows), start=1):
        local = datetime.combine(
            date.fromisoformat(row["due_on"]) - timedelta(days=PLAN_REMINDER_DAYS), STEP_LOCAL_TIME, tzinfo=zone
        )
        uow.actions.add_action(
            case_id=plan.case_id,
            step_key=f"plan:{plan_id}:{seq}",
            due_at=local.astimezone(UTC),
            channel="sms",
            template="pre_due",
        )
        n += 1
    return n


def drop_plan_reminders(uow: Any, *, plan_id: int) -> None:
    """Skip a plan's reminders not yet sent (the plan ended, broke or was reverted)."""
    uow.actions.skip_plan_reminders(plan_id)


# -- pre-due and due-day reminders (lines without a case) ----------------------------------------
REMINDER_STAGES = ("pre_due", "due")
REMINDER_LATE_DAYS_MAX = 1  # a reminder not sent by this many days after the due date it reminds of is dropped


def _reminder_lead_days(strategies: Mapping[str, Strategy]) -> int:
    """How many days ahead of a due date the earliest pre_due step of any shipped strategy falls."""
    return max(
        [0]
        + [-s.offset_days for st in strategies.values() for v in st.variants for s in v.steps if s.stage == "pre_due"]
    )


def _ensure_assignments(uow: Any, rows: list[Any]) -> dict[int, tuple[Strategy, str]]:
    """Strategy and variant per account (rows: account_id, product_code, jurisdiction), recording new ones in bulk."""
    ids = sorted({r.account_id for r in rows})
    known: dict[int, tuple[Strategy, str]] = {}
    strategies = _strategies()
    for start in range(0, len(ids), PREFETCH_IDS_MAX):
        for a in uow.collections.assignments_of(ids[start : start + PREFETCH_IDS_MAX]):
            known[a.account_id] = (strategies[a.strategy_code], a.variant)
    new = []
    for r in rows:
        if r.account_id in known:
            continue
        strategy = strategy_for(jurisdiction=r.jurisdiction, product_code=r.product_code, strategies=strategies)
        variant = assign_variant(strategy, str(r.account_id))
        known[r.account_id] = (strategy, variant)
        new.append(
            dict(
                account_id=r.account_id,
                strategy_code=strategy.code,
                strategy_version=strategy.version,
                variant=variant,
                assigned_at=uow.clock(),
            )
        )
    if new:
        uow.collections.add_assignments(new)
    return known


def plan_due_reminders(uow: Any, *, business_on: date) -> int:
    """Plan the strategies' pre_due and due steps for unpaid installments falling due within the lead time on
    lines with no open case and no active plan; returns how many were planned.

    One reminder per (line, step, due date): installments of a line due the same day share it, and planning
    again (the same day or the next) plans nothing new. A step whose day has already passed is not planned.
    """
    strategies = _strategies()
    lead = _reminder_lead_days(strategies)
    until = business_on + timedelta(days=lead)
    rows = uow.actions.lines_to_remind(from_on=business_on, until=until)
    if not rows:
        return 0
    assignments = _ensure_assignments(uow, rows)
    existing = uow.actions.reminders_planned(from_on=business_on, until=until)
    now = uow.clock()
    new = []
    for r in rows:
        strategy, variant_name = assignments[r.account_id]
        variant = strategy.variant(variant_name)
        zone = ZoneInfo(r.time_zones.split()[0])
        for stage in REMINDER_STAGES:
            for step in steps_for(variant, stage=stage):
                step_on = r.due_on + timedelta(days=step.offset_days)
                key = f"{stage}:{step.offset_days}:{step.channel}"
                if step_on < business_on or step.template is None or (r.account_id, key, r.due_on) in existing:
                    continue
                existing.add((r.account_id, key, r.due_on))
                due_at = datetime.combine(step_on, STEP_LOCAL_TIME, tzinfo=zone).astimezone(UTC)
                new.append(
                    dict(
                        account_id=r.account_id,
                        step_key=key,
                        installment_due_on=r.due_on,
                        due_at=due_at,
                        channel=step.channel,
                        template=step.template,
                        status=ReminderStatus.PLANNED,
                        decision_seq=None,
                        next_allowed_at=None,
                        attempts=0,
                        verdict=None,
                        updated_at=now,
                    )
                )
    if new:
        uow.actions.add_reminders(new)
    return len(new)


def _reminder_context(
    uow: Any, reminders: list[Any]
) -> tuple[dict[tuple[int, date], int], set[int], set[int], set[int]]:
    """For a batch of reminders: amount still to pay per (line, due date) — unpaid installments less the line's
    credit balance (a payment before billing waits there) —, lines with an open case, an active plan, an open
    dispute; one query each, not one per reminder."""
    repo = uow.actions
    ids = sorted({r.account_id for r in reminders})
    stored = uow.accounts.ledger_balances([code(a, "credit") for a in ids])
    credit = {a: max(0, -stored.get(code(a, "credit"), 0)) for a in ids}
    days = sorted({r.installment_due_on for r in reminders})
    unpaid = {(a, d): max(0, m - credit[a]) for (a, d), m in repo.unpaid_by_line_and_day(ids, days).items()}
    cased = repo.lines_with_open_case(ids)
    planned = set(uow.collections.accounts_with_active_plan(ids))
    disputed = repo.lines_with_open_dispute(ids)
    return unpaid, cased, planned, disputed


def _execute_reminder(
    uow: Any,
    reminder,
    *,
    unpaid_minor: int,
    now_at: datetime,
    business_on: date,
    decide: Callable[[dict], dict],
    cache: RunCache,
    lender: Mapping[str, str],
    summary: RunSummary,
) -> None:
    """Judge and (if allowed) queue one reminder; the caller has checked it is still wanted."""
    built = build_gate_request(
        uow, account_id=reminder.account_id, channel=reminder.channel, at=now_at, purpose="reminder", cache=cache
    )
    borrower = built.borrower
    strategy, _ = cache.assignment(uow, reminder.account_id)
    base = borrower.language.split("-")[0].lower()
    language = base if base in ("zh", "en") else "en"
    facts = cache.facts(uow, reminder.account_id)
    title = (borrower.name[:1] + "先生/女士") if language == "zh" else borrower.name
    variables = {
        **DEFAULT_LENDER,
        **lender,
        "borrower_title": title,
        "amount_due": Money(unpaid_minor, facts.currency).format(),
        "due_on": reminder.installment_due_on.isoformat(),
        "days_past_due": 0,
    }
    text = render(strategy, reminder.template, language, variables)
    message = OutgoingMessage(
        channel=reminder.channel,
        recipient_address=built.request["recipient"]["address"],
        language=language,
        text=text,
        subject=("还款提醒" if language == "zh" else "Payment reminder") if reminder.channel == "email" else None,
    )
    outcome = request_contact(
        uow,
        gate_request=built,
        message=message,
        decide=decide,
        names=[borrower.name],
        commit=False,
        cipher=cache.cipher,
    )
    values: dict[str, Any] = {
        "attempts": reminder.attempts + 1,
        "updated_at": uow.clock(),
        "decision_seq": outcome.decision_seq,
    }
    if outcome.allowed:
        values.update(status=ReminderStatus.SENT, next_allowed_at=None, verdict=None)
        summary.sent += 1
    else:
        summary.count_denials(outcome.violations)
        verdict = json.dumps({"allowed": False, "rules": [v.get("rule") for v in outcome.violations]})
        last_at = datetime.combine(
            reminder.installment_due_on + timedelta(days=REMINDER_LATE_DAYS_MAX + 1), time(0), tzinfo=UTC
        )
        nxt = outcome.next_allowed_at
        if nxt is not None and nxt < last_at and values["attempts"] < ATTEMPTS_MAX:
            values.update(status=ReminderStatus.RESCHEDULED, due_at=nxt, next_allowed_at=nxt, verdict=verdict)
            summary.rescheduled += 1
        else:
            values.update(status=ReminderStatus.DENIED, next_allowed_at=None, verdict=verdict)
            summary.denied += 1
    uow.actions.update_reminder(reminder.id, values)


def run_reminders(
    uow_factory: Callable[[], Any],
    *,
    business_on: date,
    now_at: datetime,
    decide: Callable[[dict], dict] | None = None,
    cipher: FieldCipher | None = None,
    lender: Mapping[str, str] | None = None,
    batch_max: int = ACTION_BATCH_MAX,
    summary: RunSummary | None = None,
    plan: bool = True,
    cache: RunCache | None = None,
) -> RunSummary:
    """Plan pre_due / due reminders for business_on (unless plan=False), then judge those due by now_at, a batch
    per transaction.

    A reminder is skipped (with why) when its due date's installments are paid, a case or a plan has taken the
    line over, or it is more than REMINDER_LATE_DAYS_MAX days late; it waits while a dispute is open.
    """
    if now_at.tzinfo is None:
        raise CollectionsInvalid("now_at must be an aware UTC instant")
    summary = summary if summary is not None else RunSummary()
    if cache is None:
        cache = _run_cache(uow_factory, cipher)
    if plan:
        with uow_factory() as uow:
            summary.reminders_planned += plan_due_reminders(uow, business_on=business_on)
            uow.commit()
    last_id = 0
    while True:
        with uow_factory() as uow:
            batch = uow.actions.due_reminders(now_at=now_at, after_id=last_id, batch_max=batch_max)
            if not batch:
                return summary
            last_id = batch[-1].id
            unpaid, cased, planned, disputed = _reminder_context(uow, batch)
            cache.prefetch(uow, {r.account_id for r in batch})
            for r in batch:
                why = None
                if r.installment_due_on + timedelta(days=REMINDER_LATE_DAYS_MAX) < business_on:
                    why = "too late: the due date it reminds of has passed"
                elif unpaid.get((r.account_id, r.installment_due_on), 0) <= 0:
                    why = "nothing due on that date any more"
                elif r.account_id in cased:
                    why = "a collection case has taken the line over"
                elif r.account_id in planned:
                    why = "a negotiated plan is active (its own reminders apply)"
                elif r.account_id in disputed:
                    summary.paused += 1
                    continue
                if why is None:
                    try:
                        _execute_reminder(
                            uow,
                            r,
                            unpaid_minor=unpaid[(r.account_id, r.installment_due_on)],
                            now_at=now_at,
                            business_on=business_on,
                            decide=decide or default_decide,
                            cache=cache,
                            lender=lender or {},
                            summary=summary,
                        )
                        continue
                    except FairdueError as err:  # raised before anything is written for this reminder
                        why = f"{type(err).__name__}: {err}"
                uow.actions.update_reminder(
                    r.id,
                    {
                        "status": ReminderStatus.SKIPPED,
                        "updated_at": uow.clock(),
                        "verdict": json.dumps({"why": why}, ensure_ascii=False),
                    },
                )
                summary.skipped += 1
            uow.commit()


def reminders_of(uow: Any, *, account_id: int) -> list[Any]:
    """The line's pre_due / due reminders (rows), in due order."""
    return uow.actions.reminders_of(account_id)


def run_due_steps(
    uow_factory: Callable[[], Any],
    *,
    business_on: date,
    now_at: datetime,
    decide: Callable[[dict], dict] | None = None,
    cipher: FieldCipher | None = None,
    lender: Mapping[str, str] | None = None,
    batch_max: int = ACTION_BATCH_MAX,
    daily: bool = True,
) -> RunSummary:
    """Consume day-end events, execute case steps due by now_at, then plan and judge the pre_due / due reminders
    of lines without a case (`run_reminders`). The day's promise and plan checks come first, in
    fairdue.service.jobs.run_engine, which is what schedules call.

    daily=False skips planning reminders (once a day, idempotent) for a later run on the same business date.
    """
    if now_at.tzinfo is None:
        raise CollectionsInvalid("now_at must be an aware UTC instant")
    summary = RunSummary()
    cache = _run_cache(uow_factory, cipher)
    summary.events = consume_events(uow_factory)
    with uow_factory() as uow:
        summary.paused += uow.actions.paused_step_count(now_at=now_at)
        due = uow.actions.due_step_ids(now_at=now_at, batch_max=batch_max)
        if due:
            cache.prefetch(uow, uow.actions.accounts_of_actions(due))
    for action_id in due:  # one transaction per action: a failure never undoes another's decision
        try:
            with uow_factory() as uow:
                action = uow.actions.action_with_case(action_id)
                if action.status not in (ActionStatus.PLANNED, ActionStatus.RESCHEDULED):
                    continue
                case_row = _CaseOfStep(
                    action.case_id, action.case_account_id, action.case_dpd, action.case_bucket_entered_on
                )
                _execute_action(
                    uow,
                    action,
                    case_row,
                    now_at=now_at,
                    business_on=business_on,
                    decide=decide or default_decide,
                    cache=cache,
                    lender=lender or {},
                    summary=summary,
                )
                uow.commit()
        except FairdueError as err:  # e.g. no address for the channel, a template error: the step cannot be taken
            with uow_factory() as uow:
                uow.actions.update_action(
                    action_id,
                    {
                        "status": ActionStatus.SKIPPED,
                        "updated_at": uow.clock(),
                        "verdict": json.dumps({"error": type(err).__name__, "why": str(err)}, ensure_ascii=False),
                    },
                )
                uow.commit()
            summary.skipped += 1
    run_reminders(
        uow_factory,
        business_on=business_on,
        now_at=now_at,
        decide=decide,
        cipher=cache.cipher,
        lender=lender,
        batch_max=batch_max,
        summary=summary,
        plan=daily,
        cache=cache,
    )
    return summary


def agent_queue(uow: Any, *, agent_id: int) -> list[AgentTask]:
    """Call tasks of the agent's open cases, oldest first, each with the gate's verdict and next allowed time."""
    rows = uow.actions.tasks_of_agent(agent_id)
    out = []
    for r in rows:
        verdict = json.loads(r.verdict or "{}")
        out.append(
            AgentTask(
                r.id,
                r.case_id,
                r.account_id,
                r.due_at,
                bool(verdict.get("allowed")),
                r.next_allowed_at,
                tuple(verdict.get("rules") or ()),
            )
        )
    return out


def judge_call_task(
    uow: Any,
    *,
    action_id: int,
    at: datetime,
    decide: Callable[[dict], dict] | None = None,
    cipher: FieldCipher | None = None,
) -> AgentTask:
    """Ask the gate again, at the moment the agent wants to call (logged); the task carries the new verdict."""
    row = uow.actions.open_call_task(action_id)
    if row is None:
        raise UnknownCase(f"no open call task {action_id}")
    cache = _uow_cache(uow, cipher)
    if row.jurisdiction is not None:
        cache.know_facts(_AccountFacts(row.account_id, row.borrower_id, row.currency, row.code, row.jurisdiction))
    built = build_gate_request(uow, account_id=row.account_id, channel="call", at=at, cache=cache)
    decision, seq = judge_contact(uow, built, decide=decide or default_decide, names=[built.borrower.name])
    allowed = decision.get("allowed") is True
    rules = [v.get("rule") for v in decision.get("violations") or []]
    nxt = None if allowed else parse_utc_or_none(decision.get("next_allowed_at"))
    uow.actions.update_action(
        action_id,
        dict(
            decision_seq=seq,
            next_allowed_at=nxt,
            attempts=row.attempts + 1,
            updated_at=uow.clock(),
            verdict=json.dumps({"allowed": allowed, "rules": rules}),
        ),
    )
    return AgentTask(row.id, row.case_id, row.account_id, row.due_at, allowed, nxt, tuple(rules))


def complete_task(uow: Any, *, action_id: int) -> None:
    """Mark a call task done (the agent made or closed the call)."""
    uow.actions.complete_task(action_id)


def actions_of(uow: Any, *, case_id: int) -> list[Any]:
    """The case's planned actions (rows), in due order."""
    return uow.actions.actions_of_case(case_id)


# -- disputes and cease requests -----------------------------------------------------------------
def open_dispute(uow: Any, *, account_id: int, reason: str, actor: StaffActor | None = None) -> int:
    """Record a dispute; collection on the account is suspended (fed to the gate) until it is resolved.
    `actor`: the staff member recording it on the borrower's behalf (None: the borrower's own), audited."""
    if not reason.strip():
        raise CollectionsInvalid("a dispute needs a reason")
    dispute_id = uow.actions.add_dispute(account_id=account_id, reason=reason)
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="dispute.opened",
            subject_kind="dispute",
            subject_id=dispute_id,
            details={"account_id": account_id},
        )
    uow.contact.withdraw_pending(  # judged before the dispute: collection waits for its resolution
        debt_ids=[debt_id_for_line(account_id)],
        channels=None,
        purposes=["collection", "location"],
        reason=f"withdrawn: dispute {dispute_id} opened after the decision",
    )
    return dispute_id


def resolve_dispute(uow: Any, *, dispute_id: int, resolution: str, actor: StaffActor | None = None) -> None:
    """Resolve an open dispute; collection may resume. `actor`: the staff member who resolves it, recorded in the
    staff audit trail (`dispute.resolved`; the resolution's text stays with the dispute, not in the trail)."""
    if uow.actions.resolve_open_dispute(dispute_id, resolution=resolution) != 1:
        raise CollectionsTargetUnknown(f"no open dispute {dispute_id}")
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="dispute.resolved",
            subject_kind="dispute",
            subject_id=dispute_id,
            details={"resolution_chars": len(resolution)},
        )


def record_cease(
    uow: Any,
    *,
    borrower_id: BorrowerId,
    channel: str = "all",
    source: str = "written",
    actor: StaffActor | None = None,
) -> int:
    """Record a cease-communication ('all') or a channel opt-out request; every later gate request carries it.
    `actor`: the staff member recording it on the borrower's behalf, audited (`cease.recorded`)."""
    if channel not in ("all", "sms", "email", "letter", "app_push", "call", "voicemail"):
        raise CollectionsInvalid(f"unknown channel {channel!r} for an opt-out")
    cease_id = uow.actions.add_cease(borrower_id=borrower_id, channel=channel, source=source)
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="cease.recorded",
            subject_kind="borrower",
            subject_id=int(borrower_id),
            details={"cease_id": cease_id, "channel": channel, "source": source},
        )
    uow.contact.withdraw_pending(  # messages judged before the request do not leave after it (Reg F 1006.6(c))
        debt_ids=[debt_id_for_line(line) for line in uow.contact.line_ids_of_borrower(borrower_id)],
        channels=None if channel == "all" else [channel],
        purposes=["collection", "reminder", "location"],
        reason=f"withdrawn: cease request {cease_id} ({channel}) recorded after the decision",
    )
    return cease_id
