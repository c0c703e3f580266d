"""`fairdue bench api [--database-url URL] [--workers N] [--json]`: the web tier under load, against a floor.

In one run, on 127.0.0.1:
(a) the floor: a bare FastAPI app with one sync JSON route, served by uvicorn in its own process(es) with the
    same worker count and log settings as the app: what the framework and server can do on this machine;
(b) the app: `fairdue.web.app.create_app` (through fairdue.cli.web.bench_app) over a seeded demo portfolio (fairdue.devtools.demo.run_demo, the demo's
    development keys; SQLite by default, `--database-url` for PostgreSQL: an empty database is seeded, one the
    bench seeded before is reused), in its own process(es), with a staff member (role agent) logged in through
    the API's login route and a borrower session opened as the web tests do (fairdue.web_testing);
(c) each route that matters driven for `--seconds` at 16 and 64 connections by `wrk` (the Debian package) when
    it is on PATH, else by a bounded async httpx client (the report says which): req/s, p50 and p99 latency,
    errors (non-2xx answers and socket errors), and the ratio of req/s to the floor's at the same connections.

The app is built with the API-wide request limit off (one session making thousands of requests a second is
the point here, and WebConfig.api_rate_limit would answer 429) and the plain-HTTP development switch on (the
bench talks http:// to 127.0.0.1); everything else (sessions, idle refresh, CSRF, headers) is as served.
`--json` prints one object: {"load_generator", "database", "workers", "seconds", "machine", "floor", "routes"}.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess  # nosec B404
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import typer

from fairdue.adapters.crypto import DEV_KEY_FILE, FieldCipher, dev_keyring
from fairdue.adapters.db.views import accounts as account_reads
from fairdue.bootstrap import bootstrap
from fairdue.devtools.demo import run_demo
from fairdue.domain.borrowers import BorrowerId
from fairdue.errors import FairdueError
from fairdue.service.staff.auth import borrower_login, create_staff, request_login_code

BENCH_DATABASE_ENV = "FAIRDUE_BENCH_API_DATABASE_URL"  # read by fairdue.cli.web.bench_app in the server process

HOST = "127.0.0.1"
CONNECTIONS = (16, 64)
SECONDS_DEFAULT = 10
ACCOUNTS_DEFAULT = 200
WRK_TIMEOUT_S = 10  # a slower answer counts as an error (wrk's own default, 2 s, would hide slow p99s as errors)
SERVER_START_S_MAX = 180  # the 2-core machine is often shared with test runs
BENCH_STAFF = "bench-agent"
BENCH_LOGIN_SECRET = secrets.token_bytes(32)  # keys the one-time code's HMAC in this process only
LOGIN_CODE_TTL_S = 300
SESSION_TTL_S = 8 * 3600
BENCH_PASSWORD = "load-test-pass-phrase-2026"  # nosec B105
LATENCY_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
GATE_REQUEST = {
    "jurisdiction": "CN",
    "at": "2026-01-15T02:00:00Z",
    "channel": "sms",
    "purpose": "collection",
    "debt": {"id": "D1", "time_barred": False},
    "recipient": {"role": "borrower", "address": "+8613800138000", "source": "contract"},
    "borrower": {"time_zones": ["Asia/Shanghai"]},
    "history": [],
    "message": {"language": "zh", "text": "【示例银行】您的账单已逾期，请通过官方App还款。回复TD退订。"},
}


class BenchFailed(FairdueError):
    """The bench could not start a server, log in, or drive a route."""


@dataclass(frozen=True, slots=True)
class Route:
    """name: the report's label; who: "staff", "borrower" or "" (no session); body: a JSON body (POST)."""

    name: str
    method: str
    path: str
    who: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Load:
    """One route at one number of connections."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


# ---------------------------------------------------------------------------------------------------------------
# The servers (started by the bench as `python -m uvicorn --factory fairdue.bench.api:<factory>`)


def floor_app() -> Any:
    """The floor: a bare FastAPI app with one sync JSON route (what the framework can do here)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/floor")
    def floor() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def start_server(factory: str, *, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start uvicorn with `fairdue serve`'s settings (fairdue.cli.web.run_server_process) over the app factory
    `factory` ("module:function") on a free port of 127.0.0.1, in its own process(es); (the process, its URL)."""
    port = _free_port()
    code = (
        "from fairdue.cli.web import run_server_process; "
        f"run_server_process({factory!r}, host={HOST!r}, port={port}, workers={workers})"
    )
    args = [sys.executable, "-c", code]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; shown if it fails to start
    proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)  # nosec B603
    base = f"http://{HOST}:{port}"
    try:
        _wait_ready(proc, base)
    except BenchFailed as err:
        log.seek(0)
        raise BenchFailed(f"{err}; its output ends: {log.read()[-800:].decode(errors='replace')}") from None
    return proc, base


def _wait_ready(proc: subprocess.Popen[bytes], base: str) -> None:
    import httpx

    deadline = time.monotonic() + SERVER_START_S_MAX
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchFailed(f"the server exited with code {proc.returncode} before answering")
        try:
            httpx.get(base + "/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    stop_server(proc)
    raise BenchFailed(f"the server at {base} did not answer within {SERVER_START_S_MAX} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn's graceful shutdown), then kill after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------------------------------------------------------
# Seeding and logins


def seed(database_url: str, accounts: int) -> dict[str, int]:
    """Seed the demo portfolio (unless the database already holds one) and the bench's staff member; the line
    and borrower the routes read: the first CN line with a statement."""

    cipher = FieldCipher(dev_keyring(DEV_KEY_FILE))
    core = bootstrap(database_url=database_url, cipher=cipher)
    try:
        core.migrate()
        with core.uow_factory() as uow:
            seeded = uow.accounts.line_count() > 0
    finally:
        core.dispose()  # the demo recreates a SQLite file: no connection may stay open on the old one
    if not seeded:
        run_demo(database_url=database_url, accounts=accounts)
    core = bootstrap(database_url=database_url, cipher=cipher)
    try:
        with core.uow_factory() as uow:
            if uow.staff.id_of_username(BENCH_STAFF) is None:
                create_staff(
                    uow,
                    username=BENCH_STAFF,
                    display_name="Bench",
                    password=BENCH_PASSWORD,
                    roles=["agent"],
                    now=uow.clock(),
                )
                uow.commit()
            for row in account_reads.lines_in_jurisdiction(uow.connection, "CN", limit=50):
                if uow.accounts.latest_statement(row.id) is not None:
                    return {"line_id": row.id, "borrower_id": row.borrower_id}
    finally:
        core.dispose()
    raise BenchFailed("the seeded portfolio has no CN line with a statement")


def borrower_token(database_url: str, borrower_id: int) -> str:
    """A borrower session through the portal's login flow in the service (fairdue.service.staff.auth: a one-time
    code requested and exchanged), the code handed over directly instead of by SMS."""
    core = bootstrap(database_url=database_url)
    codes: list[str] = []
    phone = f"+86138{secrets.randbelow(10**8):08d}"  # a fresh number: the per-number hourly code limit
    try:
        with core.uow_factory() as uow:
            request_login_code(
                uow,
                phone=phone,
                now=uow.clock(),
                secret=BENCH_LOGIN_SECRET,
                ttl_s=LOGIN_CODE_TTL_S,
                find_borrower=lambda _e164: BorrowerId(borrower_id),
                deliver=lambda _bid, _e164, code: codes.append(code),
            )
            uow.commit()
            new = borrower_login(
                uow, phone=phone, code=codes[0], now=uow.clock(), secret=BENCH_LOGIN_SECRET, ttl_s=SESSION_TTL_S
            )
            uow.commit()
    finally:
        core.dispose()
    if new is None:
        raise BenchFailed("the borrower's one-time code was refused")
    return new.token


def staff_token(base: str) -> str:
    """Log the bench's staff member in through POST /api/v1/auth/staff/sessions."""
    import httpx

    r = httpx.post(base + "/api/v1/auth/staff/sessions", json={"username": BENCH_STAFF, "password": BENCH_PASSWORD})
    if r.status_code != 201:
        raise BenchFailed(f"staff login failed: {r.status_code} {r.text[:200]}")
    token: str = r.json()["token"]
    return token


def routes(line_id: int) -> list[Route]:
    """The routes the issue names, on the seeded line."""
    return [
        Route("health", "GET", "/health", ""),
        Route("static", "GET", "/static/app.js", ""),
        Route("auth_me", "GET", "/api/v1/auth/me", "borrower"),
        Route("account", "GET", f"/api/v1/accounts/{line_id}", "borrower"),
        Route("statement", "GET", f"/api/v1/accounts/{line_id}/statement", "borrower"),
        Route("schedule", "GET", f"/api/v1/accounts/{line_id}/schedules", "borrower"),
        Route("contact_log", "GET", f"/api/v1/accounts/{line_id}/contacts", "borrower"),
        Route("portal_home", "GET", "/portal", "borrower"),
        Route("case_list", "GET", "/api/v1/cases", "staff"),
        Route("gate_verdict", "POST", "/api/v1/policy/decisions", "staff", GATE_REQUEST),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Load generators


def _wrk_script(route: Route, headers: dict[str, str], directory: Path) -> Path:
    lines = [f'wrk.method = "{route.method}"']
    for name, value in headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if route.body is not None:
        lines.append(f"wrk.body = {_lua_string(json.dumps(route.body))}")
    path = directory / f"{route.name}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _lua_string(text: str) -> str:
    """`text` as a Lua long string, its bracket level one no line of `text` can close early."""
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def parse_wrk(output: str) -> Load:
    """req/s, p50, p99 (from `--latency`), requests and errors (non-2xx/3xx answers, socket errors) of wrk's report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50, p99 = (re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s|m)\b", output) for q in ("50", "99"))
    if not (rate and total and p50 and p99):
        raise BenchFailed(f"wrk's report could not be read: {output[-400:]!r}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(
        requests_per_s=float(rate.group(1)),
        p50_ms=round(float(p50.group(1)) * LATENCY_UNITS_MS[p50.group(2)], 2),
        p99_ms=round(float(p99.group(1)) * LATENCY_UNITS_MS[p99.group(2)], 2),
        requests=int(total.group(1)),
        errors=errors,
    )


def drive_wrk(url: str, route: Route, headers: dict[str, str], *, connections: int, seconds: int) -> Load:
    """One wrk run (1 thread) at `connections` for `seconds`."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchFailed("wrk is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        script = _wrk_script(route, headers, Path(tmp))
        args = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={WRK_TIMEOUT_S}s", "--latency"]
        args += ["-s", str(script), url + route.path]
        done = subprocess.run(args, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        raise BenchFailed(f"wrk failed: {done.stderr.strip()[:300]}")
    return parse_wrk(done.stdout)


def drive_httpx(url: str, route: Route, headers: dict[str, str], *, connections: int, seconds: int) -> Load:
    """The fallback: `connections` async httpx clients in a loop for `seconds` (bounded: one request in flight
    each), latencies kept in memory."""
    return asyncio.run(_drive_httpx(url, route, headers, connections=connections, seconds=seconds))


async def _drive_httpx(url: str, route: Route, headers: dict[str, str], *, connections: int, seconds: int) -> Load:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30.0) as client:
        stop_at = time.perf_counter() + seconds

        async def one_connection() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                try:
                    r = await client.request(route.method, route.path, json=route.body)
                    errors += r.status_code >= 400
                except httpx.TransportError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    if not latencies:
        raise BenchFailed(f"no request to {route.path} completed")
    return Load(
        requests_per_s=round(len(latencies) / elapsed, 2),
        p50_ms=round(latencies[len(latencies) // 2], 2),
        p99_ms=round(latencies[min(len(latencies) - 1, (len(latencies) * 99) // 100)], 2),
        requests=len(latencies),
        errors=errors,
    )


# ---------------------------------------------------------------------------------------------------------------
# The run


def _preflight(url: str, route: Route, headers: dict[str, str]) -> str | None:
    """None when the route answers 2xx/3xx once; else why not (the route is then reported, not driven)."""
    import httpx

    r = httpx.request(route.method, url + route.path, headers=headers, json=route.body, timeout=60.0)
    return None if r.status_code < 400 else f"answers {r.status_code}: {r.text[:200]}"


def run(
    *, database_url: str | None, workers: int, seconds: int, accounts: int, connections: tuple[int, ...] = CONNECTIONS
) -> dict[str, Any]:
    """Seed, start the floor and the app, drive every route at every number of connections; the report."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench-api.db"
        picked = seed(url, accounts)
        drive = drive_wrk if shutil.which("wrk") else drive_httpx
        floor_proc, floor_base = start_server("fairdue.bench.api:floor_app", workers=workers, env={})
        try:
            floor_route = Route("floor", "GET", "/floor", "")
            floor = {c: drive(floor_base, floor_route, {}, connections=c, seconds=seconds) for c in connections}
        finally:
            stop_server(floor_proc)
        app_proc, app_base = start_server("fairdue.cli.web:bench_app", workers=workers, env={BENCH_DATABASE_ENV: url})
        try:
            tokens = {"staff": staff_token(app_base), "borrower": borrower_token(url, picked["borrower_id"])}
            results: dict[str, dict[str, Any]] = {}
            for route in routes(picked["line_id"]):
                headers = {"Authorization": f"Bearer {tokens[route.who]}"} if route.who else {}
                if route.body is not None:
                    headers["Content-Type"] = "application/json"
                refused = _preflight(app_base, route, headers)
                if refused is not None:
                    results[route.name] = {"path": route.path, "error": refused}
                    continue
                results[route.name] = {
                    "path": route.path,
                    **{
                        str(c): _with_ratio(drive(app_base, route, headers, connections=c, seconds=seconds), floor[c])
                        for c in connections
                    },
                }
        finally:
            stop_server(app_proc)
    return {
        "load_generator": "wrk (1 thread)" if drive is drive_wrk else "httpx (async, bounded)",
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "workers": workers,
        "seconds": seconds,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "floor": {str(c): asdict(load) for c, load in floor.items()},
        "routes": results,
    }


def _with_ratio(load: Load, floor: Load) -> dict[str, Any]:
    return {**asdict(load), "ratio_to_floor": round(load.requests_per_s / floor.requests_per_s, 3)}


def _print_table(result: dict[str, Any]) -> None:
    typer.echo(
        f"{result['database']}, {result['workers']} worker(s), {result['load_generator']}, {result['seconds']} s"
    )
    typer.echo(f"{'route':14} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'errors':>6}")
    for c, load in result["floor"].items():
        typer.echo(f"{'floor':14} {c:>5} {load['requests_per_s']:>9.1f} {load['p50_ms']:>8} {load['p99_ms']:>8}")
    for name, by_conns in result["routes"].items():
        if "error" in by_conns:
            typer.echo(f"{name:14} {by_conns['error']}")
        for c, load in by_conns.items():
            if c in ("path", "error"):
                continue
            typer.echo(
                f"{name:14} {c:>5} {load['requests_per_s']:>9.1f} {load['p50_ms']:>8} {load['p99_ms']:>8} "
                f"{load['ratio_to_floor']:>6} {load['errors']:>6}"
            )


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("api")
    def api(
        database_url: str = typer.Option(None, "--database-url", help="Default: a temporary SQLite file."),
        workers: int = typer.Option(1, "--workers", min=1, max=64, help="Server processes (floor and app alike)."),
        seconds: int = typer.Option(SECONDS_DEFAULT, "--seconds", min=1, max=600, help="Per route and load."),
        accounts: int = typer.Option(ACCOUNTS_DEFAULT, "--accounts", min=1, max=100_000, help="Demo accounts."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object."),
    ) -> None:
        """The API and portal under wrk at 16 and 64 connections, against a bare FastAPI floor (same run)."""
        try:
            result = run(database_url=database_url, workers=workers, seconds=seconds, accounts=accounts)
        except BenchFailed as err:
            typer.echo(f"fairdue bench api: {err}", err=True)
            raise typer.Exit(code=1) from None
        if as_json:
            typer.echo(json.dumps(result))
            return
        _print_table(result)
