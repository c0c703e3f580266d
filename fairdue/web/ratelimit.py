"""Rate limits in front of the login routes (ASVS V2.2.1, V11.1.4): per client address, per account, and global.

Each `Budget` names three moving-window limits (the `limits` library's notation, e.g. "10 per minute") on one
kind of request: staff password login, one-time-code requests (each may send an SMS), borrower code login.
A request is checked against the client address first, then the account it names (the username, or the phone
number in E.164 form, keyed by an HMAC so no store holds it in clear), then the whole service; the first limit
reached answers 429 with the seconds until a retry can pass. The account limit applies to any name, known or
not, so a 429 tells nothing about who exists; the database lockout (service.staff.auth) stays the limit that
survives restarts.

Counters live in memory by default (one process), or in Redis when FAIRDUE_REDIS_URL is set (shared by every
worker and kept across restarts). The limiter is built on first use and kept on `app.state.rate_limiter`;
tests put their own there.

When the store does not answer (Redis down), the login limits fail closed: the route answers 503 with
Retry-After (RateLimitUnavailable) and a `ratelimit.store_down` auth event is logged, rather than letting
unlimited guessing through. The API-wide limit (`check_api`: WebConfig.api_rate_limit per session, or per
client address when anonymous, a fixed window keyed by the token's hash so it costs no database query) fails
open instead, logged at most once per STORE_DOWN_LOG_INTERVAL_S: an outage of the counter must not take every
authenticated route down with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from starlette.requests import Request

from fairdue.service.staff.auth import InvalidPhone, normalize_phone
from fairdue.service.staff.auth_events import record_auth_event
from fairdue.web.problems import Problem, TooManyRequests

REDIS_URL_ENV = "FAIRDUE_REDIS_URL"
MEMORY_STORAGE = "memory://"
# A Redis that does not answer within this long counts as down (the request is not held for the OS timeout).
STORE_TIMEOUT_S = 1
STORE_DOWN_RETRY_AFTER_S = 30
STORE_DOWN_LOG_INTERVAL_S = 60
# After a store failure the store is not asked again for this long: a Redis that hangs must not hold every request
# for STORE_TIMEOUT_S (logins answer 503 at once meanwhile; the API limit lets requests through).
STORE_DOWN_SKIP_S = 5
API_BUDGET = "api"
log = logging.getLogger("fairdue.web.ratelimit")


@dataclass(frozen=True, slots=True)
class Budget:
    """One kind of request's limits. name: the counters' namespace. per_ip / per_account / overall: limits in
    the `limits` notation; per_account None when the request names no account."""

    name: str
    per_ip: str
    per_account: str | None
    overall: str


STAFF_LOGIN = Budget("staff_login", per_ip="30 per minute", per_account="10 per minute", overall="300 per minute")
CODE_REQUEST = Budget("code_request", per_ip="10 per 10 minutes", per_account="5 per hour", overall="60 per minute")
CODE_LOGIN = Budget("code_login", per_ip="30 per 10 minutes", per_account="10 per 10 minutes", overall="600 per minute")


class TooManyAttempts(TooManyRequests):
    """A rate limit was reached; `retry_after_s` says when a retry can pass."""

    slug = "too-many-requests"

    def __init__(self, scope: str, retry_after_s: int) -> None:
        super().__init__(
            f"too many attempts; try again in {retry_after_s} seconds", retry_after_s=retry_after_s, scope=scope
        )
        self.retry_after_s = retry_after_s


class RateLimitUnavailable(Problem):
    """The counters' store did not answer: an authentication limit cannot be checked, so the request is refused
    (fail closed) with the seconds after which a retry makes sense."""

    status = 503
    slug = "rate-limit-unavailable"

    def __init__(self, retry_after_s: int = STORE_DOWN_RETRY_AFTER_S) -> None:
        super().__init__(
            f"sign-in is briefly unavailable: the attempt counter cannot be reached; try again in {retry_after_s} "
            "seconds",
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class RateLimiter:
    """The moving-window limiter over one storage (memory:// or redis://…); `namespace` prefixes every key;
    `budgets` replaces the named budgets (by name) for this limiter, e.g. a deployment's own figures."""

    def __init__(
        self,
        storage_uri: str = MEMORY_STORAGE,
        *,
        namespace: str = "fairdue",
        key: bytes = b"",
        budgets: Mapping[str, Budget] | None = None,
    ):
        self.storage_uri = storage_uri
        self.budgets = dict(budgets or {})
        options: dict[str, Any] = {"wrap_exceptions": True}  # every store failure is a StorageError
        if not storage_uri.startswith("memory"):
            options.update(socket_connect_timeout=STORE_TIMEOUT_S, socket_timeout=STORE_TIMEOUT_S)
        self.storage = storage_from_string(storage_uri, **options)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.api_strategy = FixedWindowRateLimiter(self.storage)  # one counter per key and window: cheap
        self.namespace = namespace
        self._key = key or os.urandom(32)  # keys account names in the store; a fresh one forgets nothing that matters
        self._store_down_logged_at = 0.0
        self._store_down_until = 0.0  # time.monotonic() before which the store is taken as down without asking

    def check(self, budget: Budget, *, ip: str, account: str | None) -> None:
        """Count this request against the budget's limits, in order; TooManyAttempts at the first one reached
        (the later ones are not charged)."""
        budget = self.budgets.get(budget.name, budget)
        steps: list[tuple[str, str, str]] = [("ip", budget.per_ip, ip)]
        if budget.per_account is not None and account is not None:
            steps.append(("account", budget.per_account, self._keyed(account)))
        steps.append(("overall", budget.overall, "*"))
        if self._store_known_down():
            raise RateLimitUnavailable()
        for scope, rate, who in steps:
            item = _item(rate)
            ids = (self.namespace, budget.name, scope, who)
            try:
                allowed = self.strategy.hit(item, *ids)
                reset_at = None if allowed else self.strategy.get_window_stats(item, *ids).reset_time
            except StorageError:
                self._store_down_until = time.monotonic() + STORE_DOWN_SKIP_S
                record_auth_event("ratelimit.store_down", at=dt.datetime.now(dt.UTC), ip=ip, reason=budget.name)
                raise RateLimitUnavailable() from None
            if reset_at is not None:
                _log_limited(budget, scope=scope, ip=ip)
                raise TooManyAttempts(scope, max(1, math.ceil(reset_at - time.time())))

    def check_api(self, rate: str, *, who: str) -> None:
        """Count one API request of `who` (a session's keyed token hash, or a client address) against `rate`;
        TooManyAttempts when over. A store that does not answer lets the request through (logged)."""
        if self._store_known_down():
            return
        item = _item(rate)
        try:
            if self.api_strategy.hit(item, self.namespace, API_BUDGET, who):
                return
            reset_at = self.api_strategy.get_window_stats(item, self.namespace, API_BUDGET, who).reset_time
        except StorageError:
            self._store_down_until = time.monotonic() + STORE_DOWN_SKIP_S
            self._log_store_down_api()
            return
        raise TooManyAttempts("session" if who.startswith("s:") else "ip", max(1, math.ceil(reset_at - time.time())))

    def _store_known_down(self) -> bool:
        return self._store_down_until > 0 and time.monotonic() < self._store_down_until

    def _log_store_down_api(self) -> None:
        now = time.monotonic()
        if now - self._store_down_logged_at >= STORE_DOWN_LOG_INTERVAL_S or not self._store_down_logged_at:
            self._store_down_logged_at = now
            record_auth_event("ratelimit.store_down", at=dt.datetime.now(dt.UTC), reason=API_BUDGET)

    def keyed(self, name: str) -> str:
        """`name` (an account, a session token) as the store's key: an HMAC under this limiter's key."""
        return self._keyed(name)

    def _keyed(self, account: str) -> str:
        return hmac.new(self._key, account.encode("utf-8"), hashlib.sha256).hexdigest()


# The auth event a refusal is logged as, by budget (the borrower side has no event of its own for login).
_LIMITED_EVENTS = {
    "staff_login": "staff.login.rate_limited",
    "code_request": "borrower.code.limited",
    "code_login": "borrower.login.failed",
}


def _log_limited(budget: Budget, *, scope: str, ip: str) -> None:
    event = _LIMITED_EVENTS.get(budget.name)
    if event is not None:
        record_auth_event(event, at=dt.datetime.now(dt.UTC), ip=ip, reason=f"rate_limit_{scope}")


_items: dict[str, RateLimitItem] = {}


def _item(rate: str) -> RateLimitItem:
    item = _items.get(rate)
    if item is None:
        item = _items[rate] = parse(rate)
    return item


_build_lock = threading.Lock()


def limiter_for_env(environ: Mapping[str, str] | None = None, *, key: bytes = b"") -> RateLimiter:
    """Redis at FAIRDUE_REDIS_URL when set, else in-memory."""
    env = os.environ if environ is None else environ
    return RateLimiter(env.get(REDIS_URL_ENV) or MEMORY_STORAGE, key=key)


def limiter_of(app: Any) -> RateLimiter:
    """The app's limiter, built from the environment on first use."""
    limiter = getattr(app.state, "rate_limiter", None)
    if limiter is None:
        with _build_lock:
            limiter = getattr(app.state, "rate_limiter", None)
            if limiter is None:
                limiter = app.state.rate_limiter = limiter_for_env(key=app.state.web.secret_key)
    return limiter


def client_ip(request: Any) -> str:
    """The address the request came from (the proxy's, unless the server trusts forwarded headers)."""
    return request.client.host if request.client is not None else "unknown"


def phone_account(phone: str) -> str:
    """The account a phone number names: its E.164 form, so spellings of one number share one limit."""
    try:
        return normalize_phone(phone)
    except InvalidPhone:
        return phone.strip()


def check(request: Any, budget: Budget, *, account: str | None) -> None:
    """Count this request against `budget` for its client address and `account`; TooManyAttempts when over."""
    limiter_of(request.app).check(budget, ip=client_ip(request), account=account)


def retry_after(err: TooManyAttempts | RateLimitUnavailable) -> dict[str, str]:
    """The Retry-After header of a page answering 429 or 503."""
    return {"Retry-After": str(err.retry_after_s)}


def api_limit(request: Request) -> None:
    """Dependency of every /api/v1 route: count the request against WebConfig.api_rate_limit, keyed by the
    session token's hash when one is sent (Bearer or cookie; not looked up: no database query), else by the
    client address; TooManyAttempts (429, Retry-After) when over. A token that turns out not to be a session
    is charged to the client address as well (`charge_address`), so made-up tokens buy no fresh budget on any
    authenticated route."""
    rate = request.app.state.web.api_rate_limit
    if rate is None:
        return
    limiter = limiter_of(request.app)
    token = _sent_token(request)
    who = "s:" + limiter.keyed("session\x1f" + token) if token else "ip:" + client_ip(request)
    request.state.api_limit_key = who
    limiter.check_api(rate, who=who)


def charge_address(request: Request) -> None:
    """Count a request whose token is no session against its client address's API budget (see `api_limit`)."""
    rate = request.app.state.web.api_rate_limit
    if rate is None or not getattr(request.state, "api_limit_key", "").startswith("s:"):
        return
    limiter_of(request.app).check_api(rate, who="ip:" + client_ip(request))


def _sent_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()[:256] or None
    cookie: str | None = request.cookies.get(request.app.state.web.session_cookie)
    return cookie or None


def refusal(err: TooManyAttempts | RateLimitUnavailable) -> tuple[str, int, dict[str, str]]:
    """How a login page shows a limit's refusal: (the zh/en message key, the status, the Retry-After header)."""
    if isinstance(err, RateLimitUnavailable):
        return "login.limiter_down", err.status, retry_after(err)
    return "login.rate_limited", 429, retry_after(err)
