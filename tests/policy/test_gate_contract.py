"""The gate's stable contract: JSON in, JSON out, every rule runs, and any failure denies (fail closed)."""

from __future__ import annotations

import json

import pytest
from gate_cases import base, location, with_
from typer.testing import CliRunner

import fairdue.policy.rules as rules_module
from fairdue.cli import app
from fairdue.policy import CATEGORIES, Gate, decide, load_pack
from fairdue.policy.pack import KINDS_REQUIRED

KEYS = {"allowed", "jurisdiction", "pack", "violations", "warnings", "next_allowed_at"}
VIOLATION_KEYS = {"rule", "category", "reason_en", "reason_zh", "evidence", "citation"}


def test_decision_shape_is_json_and_complete():
    decision = decide(with_(base("CN"), at="2026-03-02T13:30:00Z"))
    assert set(decision) == KEYS
    assert json.loads(json.dumps(decision)) == decision
    (violation,) = decision["violations"]
    assert set(violation) == VIOLATION_KEYS
    assert violation["evidence"]["local_time"] == "21:30" and violation["evidence"]["window"] == "08:00-21:00"
    assert violation["reason_zh"] and violation["reason_en"]


def test_every_rule_runs_so_every_reason_is_listed():
    """No early exit: a request wrong in five ways is denied with five categories."""
    request = with_(
        location("CN", role="third_party"),
        at="2026-03-02T14:00:00Z",
        message={"language": "zh", "text": "【诚信消费金融】张伟欠款逾期未还，不还就爆通讯录，麻烦您转告他回电95123。"},
        **{"recipient.source": "device_contacts", "recipient.opted_out_channels": ["call"]},
    )
    categories = {v["category"] for v in decide(request)["violations"]}
    assert {"time_window", "data_source", "third_party", "content", "channel"} <= categories


def test_next_allowed_at_is_null_when_waiting_cannot_help():
    late_and_bad_source = with_(base("CN"), at="2026-03-02T13:30:00Z", **{"recipient.source": "device_contacts"})
    assert decide(late_and_bad_source)["next_allowed_at"] is None
    assert decide(with_(base("CN"), at="2026-03-02T13:30:00Z"))["next_allowed_at"] == "2026-03-03T00:00:00Z"


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        42,
        "call me",
        [],
        [1, 2],
        {"jurisdiction": ["CN"]},
        {
            "jurisdiction": "CN",
            "at": 5,
            "recipient": "x",
            "borrower": [],
            "history": {"a": 1},
            "message": "hi",
            "debt": 3,
        },
    ],
)
def test_garbage_is_denied_never_raised(garbage):
    decision = decide(garbage)
    assert decision["allowed"] is False
    assert decision["violations"]
    assert {v["category"] for v in decision["violations"]} <= set(CATEGORIES)


def _boom(req, at, rule):
    raise ZeroDivisionError("injected failure")


def test_a_failing_rule_denies_with_the_error_as_a_violation(monkeypatch, caplog):
    """The evidence names a generic internal error; the exception's text is in the server log only (ASVS V7.4.1)."""
    needs, _check = rules_module.KINDS["opt_out"]
    monkeypatch.setitem(rules_module.KINDS, "opt_out", (needs, _boom))
    gate = Gate()
    decision = gate.decide(base("CN"))
    assert decision["allowed"] is False
    (violation,) = decision["violations"]
    assert violation["rule"] == "CN.house.opt_out" and violation["category"] == "channel"
    assert violation["evidence"] == {"error": "internal_error"}
    assert "injected failure" not in str(decision)
    assert any(r.exc_info and "injected failure" in str(r.exc_info[1]) for r in caplog.records)
    assert decision["next_allowed_at"] is None


_FLAG_OF = {"cease": "cease_requested", "attorney": "represented_by_attorney", "bankruptcy": "bankruptcy"}


@pytest.mark.parametrize("kind", sorted(KINDS_REQUIRED))
def test_any_failing_rule_kind_fails_closed(monkeypatch, kind):
    """Every required kind, when it runs and breaks, denies with its error (suppression rules run when flagged)."""
    needs, _check = rules_module.KINDS[kind]
    monkeypatch.setitem(rules_module.KINDS, kind, (needs, _boom))
    for jurisdiction in ("CN", "US", "UK"):
        request = base(jurisdiction)
        if kind in _FLAG_OF:
            request = with_(request, **{f"borrower.{_FLAG_OF[kind]}": True})
        decision = Gate().decide(request)
        assert decision["allowed"] is False
        assert any(v["evidence"].get("error") == "internal_error" for v in decision["violations"])
        assert "injected failure" not in str(decision)


def test_a_crash_outside_the_rules_fails_closed(monkeypatch):
    import fairdue.policy.gate as gate_module

    def broken_parse(request):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(gate_module, "parse", broken_parse)
    decision = Gate().decide(base("US"))
    assert decision["allowed"] is False and decision["jurisdiction"] == "US"
    assert decision["violations"][0]["evidence"]["error"] == "internal_error"
    assert "parser exploded" not in str(decision)


def test_missing_content_check_denies_every_message(monkeypatch):
    monkeypatch.setattr(rules_module, "_check_message", None)
    monkeypatch.setattr(rules_module, "_CONTENT_ERROR", "ImportError: simulated")
    decision = Gate().decide(base("CN"))
    assert not decision["allowed"]
    assert decision["violations"][0]["evidence"]["error"] == "ImportError: simulated"
    assert Gate().decide(base("CN", channel="call"))["allowed"]  # no message, nothing to check


def test_content_warnings_do_not_deny():
    """A reminder missing its sender identity is a warning (reminders are not collection)."""
    request = with_(
        base("CN", purpose="reminder"),
        message={"language": "zh", "text": "您好，您的本期账单将于3日后到期，请通过官方App还款，如有疑问请致电95123。"},
    )
    decision = decide(request)
    assert decision["allowed"] is True
    assert [w["rule"] for w in decision["warnings"]] == ["CONTENT.required.sender_identity"]


# --- CLI ------------------------------------------------------------------------------------------------
runner = CliRunner()


def test_cli_check_from_stdin_allowed_and_denied():
    ok = runner.invoke(app, ["policy", "check", "-"], input=json.dumps(base("UK")))
    assert ok.exit_code == 0 and json.loads(ok.stdout)["allowed"] is True
    denied = runner.invoke(
        app,
        ["policy", "check", "-", "--compact"],
        input=json.dumps(with_(base("UK"), **{"recipient.source": "device_contacts"})),
    )
    assert denied.exit_code == 0
    assert json.loads(denied.stdout)["violations"][0]["category"] == "data_source"


def test_cli_check_from_file(tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(base("US"), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0 and json.loads(result.stdout)["pack"] == load_pack("US").label
    assert load_pack("US").label.startswith("US@2021-11-30#")


@pytest.mark.parametrize("stdin, args", [("{not json", ["-"]), ("", ["-"]), (None, ["/no/such/file.json"])])
def test_cli_unreadable_input_exits_2_and_still_prints_a_denial(stdin, args):
    result = runner.invoke(app, ["policy", "check", *args], input=stdin)
    assert result.exit_code == 2
    decision = json.loads(result.stdout)
    assert decision["allowed"] is False and decision["violations"][0]["rule"] == "REQUEST.unreadable"


def test_cli_override_tightens_and_a_loose_override_is_refused(tmp_path):
    tight = tmp_path / "tight.toml"
    tight.write_text(
        'name = "lender-x"\njurisdiction = "CN"\n[rules."CN.CBA2026.hours"]\nwindow = ["09:00", "20:00"]\n'
    )
    request = json.dumps(with_(base("CN"), at="2026-03-02T00:30:00Z"))
    result = runner.invoke(app, ["policy", "check", "-", "--override", str(tight)], input=request)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["pack"].startswith("CN@2026-01-30+lender-x#")
    assert json.loads(result.stdout)["allowed"] is False
    loose = tmp_path / "loose.toml"
    loose.write_text(
        'name = "lender-y"\njurisdiction = "CN"\n[rules."CN.CBA2026.hours"]\nwindow = ["07:00", "21:00"]\n'
    )
    result = runner.invoke(app, ["policy", "check", "-", "--override", str(loose)], input=request)
    assert result.exit_code != 0
    assert "CN.CBA2026.hours.window" in str(result.exception)


def test_cli_describe():
    result = runner.invoke(app, ["policy", "describe", "CN", "--lang", "zh"])
    assert result.exit_code == 0 and "08:00" in result.stdout and "通讯录" in result.stdout
