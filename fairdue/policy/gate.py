"""The gate: request dict in, decision dict out — every rule runs, and it fails closed.

Like Open Policy Agent, the decision is data: `allowed`, the pack version it
was judged by, every violation with its rule id, category, zh/en reason,
evidence and citation, content warnings, and `next_allowed_at` — the first
instant at which the same contact would be allowed (after the time window
opens, the daily cap resets, …), or null when waiting will not make it
lawful (or when it is already allowed).

Every rule that can apply runs — there is no early exit, so a decision lists
every reason. Rules that cannot say anything about a request are not called:
per (jurisdiction, channel) only the rules for that channel (no visit
staffing for an SMS), and the six suppression rules only when the borrower
carries a suppression flag. A rule that raises denies, with its error.

Packs are loaded, validated and compiled once per `Gate`; the module-level
`decide` uses the shipped packs. A lender's tightening overrides go through
`Gate(overrides={"CN": {...}})`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from fairdue.policy.pack import CHANNELS, JURISDICTIONS, Pack, PackError, RuleSpec, apply_override, load_pack
from fairdue.policy.request import Problem, Request, hhmm, parse
from fairdue.policy.rules import KINDS, Compiled, Violation, channels_of

# What a decision's evidence says of an internal failure: a stable code, never the exception's text (which can
# carry internal detail into the decision log and the pages that show it); the traceback goes to this log.
INTERNAL_ERROR = "internal_error"
log = logging.getLogger("fairdue.gate")

_UTC = dt.UTC
next_allowed_rounds_max = 32  # fixpoint rounds when several time-bound rules interact
SUPPRESSION_KINDS = frozenset({"cease", "attorney", "bankruptcy", "breathing_space", "dispute", "plan"})
# Kinds whose verdict can change as time passes; every other kind gives retry_at None when it denies.
TIME_BOUND_KINDS = frozenset(
    {"hours", "unanswered_calls_per_day", "calls_in_days", "calls_after_conversation", "third_party"}
)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def compile_rule(spec: RuleSpec) -> Compiled:
    """Bind a pack rule to its function and pre-compute what each decision would recompute."""
    if spec.kind not in KINDS:
        raise PackError(f"rule {spec.id}: no rule function for kind {spec.kind!r}")
    needs, check = KINDS[spec.kind]
    params: dict[str, Any] = dict(spec.params)
    if spec.kind == "hours":
        start, end = (hhmm(v) for v in spec.params["window"])
        params.update(start=start, end=end, window_text=f"{spec.params['window'][0]}-{spec.params['window'][1]}")
    return Compiled(
        id=spec.id, kind=spec.kind, category=spec.category, citation=spec.citation, p=params, needs=needs, check=check
    )


def _violation_dict(v: Violation) -> dict[str, Any]:
    return {
        "rule": v.rule,
        "category": v.category,
        "reason_en": v.reason_en,
        "reason_zh": v.reason_zh,
        "evidence": v.evidence,
        "citation": v.citation,
    }


def _problem_violation(p: Problem) -> Violation:
    return Violation(
        p.rule,
        p.category,
        p.reason_en,
        p.reason_zh,
        {"field": p.field},
        "fairdue gate contract (fail closed on a missing or malformed field)",
    )


def _error_violation(rule_id: str, category: str, citation: str, err: BaseException) -> Violation:
    log.error("gate rule %s could not be evaluated; the contact is denied", rule_id, exc_info=err)
    return Violation(
        rule_id,
        category,
        "The rule could not be evaluated (internal error); the contact is denied to fail closed.",
        "规则无法执行（内部错误），为安全起见拒绝本次联系。",
        {"error": INTERNAL_ERROR},
        citation,
    )


def fail_closed(
    detail: str, jurisdiction: str | None = None, rule: str = "GATE.internal_error", category: str = "data_source"
) -> dict[str, Any]:
    """A deny decision when nothing else can be decided (internal error, unreadable input)."""
    return {
        "allowed": False,
        "jurisdiction": jurisdiction,
        "pack": None,
        "violations": [
            {
                "rule": rule,
                "category": category,
                "reason_en": f"The gate could not decide, so the contact is denied: {detail}",
                "reason_zh": f"无法作出判断，因此拒绝本次联系：{detail}",
                "evidence": {"error": detail},
                "citation": "fairdue gate contract (fail closed)",
            }
        ],
        "warnings": [],
        "next_allowed_at": None,
    }


class Gate:
    """Compiled packs for every jurisdiction; `decide` is pure and thread-safe."""

    __slots__ = ("_by_channel", "_by_channel_unsuppressed", "_labels", "_rules", "_timed", "packs")

    def __init__(
        self, overrides: Mapping[str, Mapping[str, Any]] | None = None, packs: Mapping[str, Pack] | None = None
    ) -> None:
        chosen = dict(packs) if packs is not None else {j: load_pack(j) for j in JURISDICTIONS}
        for jurisdiction, override in (overrides or {}).items():
            chosen[jurisdiction] = apply_override(chosen[jurisdiction], override)
        self.packs: dict[str, Pack] = chosen
        self._rules: dict[str, tuple[Compiled, ...]] = {
            j: tuple(compile_rule(spec) for spec in pack.rules) for j, pack in chosen.items()
        }
        # Per (jurisdiction, channel), only the rules that can say anything about that channel:
        # the per-decision loop then skips e.g. visit staffing for an SMS.
        self._by_channel: dict[tuple[str, str], tuple[Compiled, ...]] = {
            (j, channel): tuple(r for r in rules if channel in channels_of(r))
            for j, rules in self._rules.items()
            for channel in CHANNELS
        }
        # For the next_allowed_at search: the time-bound rules, the time window first (see _next_allowed).
        self._timed = {
            key: tuple(sorted((r for r in rules if r.kind in TIME_BOUND_KINDS), key=lambda r: r.kind != "hours"))
            for key, rules in self._by_channel.items()
        }
        self._labels = {j: pack.label for j, pack in chosen.items()}
        # Most borrowers carry no suppression flag: their decisions skip the six suppression rules.
        self._by_channel_unsuppressed = {
            key: tuple(r for r in rules if r.kind not in SUPPRESSION_KINDS) for key, rules in self._by_channel.items()
        }

    def _run(self, req: Request, at: dt.datetime | None, rules: tuple[Compiled, ...]) -> list[Violation]:
        out: list[Violation] = []
        bad = req.bad
        for rule in rules:  # every rule runs: no early exit
            if bad and not rule.needs.isdisjoint(bad):
                continue  # its input is malformed: that problem already denies
            try:
                found = rule.check(req, at, rule)
                if found:
                    out.extend(found)
            except Exception as err:  # fail closed, and say which rule failed
                out.append(_error_violation(rule.id, rule.category, rule.citation, err))
        return out

    def _next_allowed(self, req: Request, first: list[Violation], timed: tuple[Compiled, ...]) -> dt.datetime | None:
        if any(v.retry_at is None for v in first):
            return None
        t = max(v.retry_at for v in first if v.retry_at is not None)  # none is None (returned above)
        # Only time-bound rules can change their answer later (history and flags are fixed), the
        # time window first: it is the one most often still closed at a cap's reset (local midnight).
        # A round stops at the first rule that still denies and moves t to when that rule could pass:
        # every instant before it fails that rule, so the first t where all pass is the answer.
        for _ in range(next_allowed_rounds_max):
            later = None
            for rule in timed:
                try:
                    found = [v for v in rule.check(req, t, rule) if not v.warning]
                except Exception:
                    return None  # the decision already denies; no retry time is named
                if found:
                    if any(v.retry_at is None for v in found):
                        return None
                    later = max(v.retry_at for v in found if v.retry_at is not None)  # none is None
                    break
            if later is None:
                return t
            if later <= t:
                return None
            t = later
        return None

    def decide(self, request: Any) -> dict[str, Any]:
        """Decide one proposed contact (see the module docstring); never raises."""
        try:
            return self._decide(request)
        except Exception as err:  # the last line of fail-closed
            log.error("the gate failed outside its rules; the contact is denied", exc_info=err)
            jurisdiction = request.get("jurisdiction") if isinstance(request, dict) else None
            return fail_closed(INTERNAL_ERROR, jurisdiction if isinstance(jurisdiction, str) else None)

    def _decide(self, request: Any) -> dict[str, Any]:
        req, problems = parse(request)
        violations = [_problem_violation(p) for p in problems]
        jurisdiction = req.jurisdiction
        pack = self.packs.get(jurisdiction) if jurisdiction else None
        rules: tuple[Compiled, ...]
        if not jurisdiction:
            rules = ()
        elif req.channel is None:
            rules = self._rules.get(jurisdiction, ())
        elif (
            req.cease_requested
            or req.represented_by_attorney
            or req.dispute_open
            or req.plan_active
            or req.bankruptcy
            or req.breathing_space
            or req.bad
        ):
            rules = self._by_channel.get((jurisdiction, req.channel), ())
        else:
            rules = self._by_channel_unsuppressed.get((jurisdiction, req.channel), ())
        if jurisdiction and pack is None:
            violations.append(
                Violation(
                    "GATE.no_pack",
                    "data_source",
                    f"No pack is loaded for {jurisdiction}.",
                    f"未加载 {jurisdiction} 的规则包。",
                    {"jurisdiction": jurisdiction},
                    "fairdue gate contract (fail closed)",
                )
            )
        found = self._run(req, req.at, rules)
        warnings = [v for v in found if v.warning]
        denied = [v for v in found if not v.warning]
        violations.extend(denied)
        next_at = None
        # Without problems, the jurisdiction and channel are known values.
        if violations and not problems and denied and jurisdiction and req.channel:
            next_at = self._next_allowed(req, denied, self._timed.get((jurisdiction, req.channel), ()))
        return {
            "allowed": not violations,
            "jurisdiction": jurisdiction,
            "pack": self._labels[jurisdiction] if pack and jurisdiction else None,
            "violations": [_violation_dict(v) for v in violations],
            "warnings": [_violation_dict(v) for v in warnings],
            "next_allowed_at": _iso(next_at) if next_at else None,
        }


_DEFAULT: Gate | None = None


def default_gate() -> Gate:
    """The gate over the shipped packs (built once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Gate()
    return _DEFAULT


def decide(request: Any) -> dict[str, Any]:
    """`fairdue.policy.decide`: the stable contract — JSON-able dict in, JSON-able decision out."""
    try:
        gate = default_gate()
    except Exception as err:  # a broken pack denies everything, with the reason
        log.error("the gate's packs did not load; every contact is denied", exc_info=err)
        return fail_closed(INTERNAL_ERROR)
    return gate.decide(request)
