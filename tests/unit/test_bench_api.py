"""`fairdue bench api` reads wrk's report right, and `fairdue serve --workers` takes what it says (issue 22)."""

from __future__ import annotations

import json

import pytest

from fairdue.bench.api import BenchFailed, Route, _lua_string, _wrk_script, parse_wrk
from fairdue.cli.web import WORKERS_MAX, check_workers, parse_workers
from fairdue.config import ConfigurationRefused

# A real report of `wrk -t1 -c16 -d10s --latency` (wrk 4.1.0, Debian) against the account read.
WRK_REPORT = """Running 10s test @ http://127.0.0.1:18301/api/v1/accounts/1
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   295.16ms  366.16ms   1.87s    89.81%
    Req/Sec    13.19      7.86    50.00     85.00%
  Latency Distribution
     50%  159.64ms
     75%  331.81ms
     90%  737.49ms
     99%    1.56s
  121 requests in 10.06s, 80.59KB read
  Socket errors: connect 0, read 0, write 0, timeout 13
  Non-2xx or 3xx responses: 2
Requests/sec:     12.02
Transfer/sec:      8.01KB
"""


def test_parse_wrk_reads_rate_percentiles_in_ms_and_counts_errors_wrk_latency_report():
    load = parse_wrk(WRK_REPORT)
    assert load.requests_per_s == 12.02
    assert load.p50_ms == 159.64
    assert load.p99_ms == 1560.0  # "1.56s" in milliseconds
    assert load.requests == 121
    assert load.errors == 13 + 2  # socket timeouts and non-2xx answers


def test_parse_wrk_reads_microseconds_wrk_latency_report():
    report = WRK_REPORT.replace("159.64ms", "812.00us").replace("1.56s", "3.20ms")
    load = parse_wrk(report)
    assert (load.p50_ms, load.p99_ms) == (0.81, 3.2)


def test_parse_wrk_refuses_a_report_without_latency_distribution():
    with pytest.raises(BenchFailed, match="could not be read"):
        parse_wrk("Running 10s test @ http://127.0.0.1:1/\n  unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrk_script_carries_method_headers_and_json_body(tmp_path):
    body = {"text": '逾期 ]=] "q"'}
    route = Route("gate", "POST", "/api/v1/policy/decisions", "staff", body)
    script = _wrk_script(route, {"Authorization": "Bearer abc"}, tmp_path).read_text(encoding="utf-8")
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Authorization"] = "Bearer abc"' in script
    assert f"wrk.body = [==[{json.dumps(body)}]==]" in script  # "]=]" is in the body: one level up


def test_lua_long_string_level_is_one_the_text_cannot_close_lua_manual_2_1():
    assert _lua_string("a") == "[=[a]=]"
    assert _lua_string("x]=]y]==]") == "[===[x]=]y]==]]===]"


def test_serve_workers_auto_is_one_per_core_and_numbers_are_bounded():
    assert parse_workers("auto", cores=2) == 2
    assert parse_workers("AUTO", cores=1000) == WORKERS_MAX
    assert parse_workers("3") == 3
    for bad in ("0", "-1", "two", "1.5", str(WORKERS_MAX + 1), ""):
        with pytest.raises(ConfigurationRefused, match="--workers"):
            parse_workers(bad)


def test_serve_several_workers_need_a_shared_secret_key_and_rate_limit_store_asvs_v2_2_1():
    check_workers(1, {})  # one process shares everything with itself
    with pytest.raises(ConfigurationRefused, match="FAIRDUE_SECRET_KEY"):
        check_workers(2, {"FAIRDUE_REDIS_URL": "redis://127.0.0.1:6379/0"})
    with pytest.raises(ConfigurationRefused, match=r"FAIRDUE_REDIS_URL.*2 times looser"):
        check_workers(2, {"FAIRDUE_SECRET_KEY": "k" * 48})
    check_workers(4, {"FAIRDUE_SECRET_KEY": "k" * 48, "FAIRDUE_REDIS_URL": "redis://127.0.0.1:6379/0"})
