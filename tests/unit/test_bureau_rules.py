"""The bureau rules one at a time: re-aging keeps the first-delinquency date, disputes mark and unmark, a
backdated payment re-derives exactly the months it changes, and each bureau's end states, retention clocks
and refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from fairdue.domain.bureau import (
    AmountNotReportable,
    BureauInputInvalid,
    DefaultNotAllowed,
    DisputeState,
    LineMonth,
    Settlement,
    cais,
    changed_months,
    derive_history,
    metro2,
    pboc,
)
from fairdue.domain.bureau.pboc import LoanClass
from fairdue.errors import Conflict, Invalid

OPENED = date(2025, 12, 5)


def _month(month_end_on: date, dpd: int = 0, **kw: object) -> LineMonth:
    fields: dict[str, object] = {
        "line_id": "L-0002",
        "month_end_on": month_end_on,
        "currency": "USD",
        "balance_minor": 90_000,
        "past_due_minor": 10_000 if dpd else 0,
        "dpd": dpd,
        "dpd_max_in_month": dpd,
        "oldest_overdue_on": month_end_on - timedelta(days=dpd) if dpd else None,
        "opened_on": OPENED,
        "scheduled_payment_minor": 10_000,
    }
    fields.update(kw)
    return LineMonth(**fields)  # type: ignore[arg-type]


def _plan(month_end_on: date, dpd: int = 0, *, kept: bool = True, **kw: object) -> LineMonth:
    return _month(month_end_on, dpd, plan_active=True, plan_kept=kept, **kw)


# 35 and 65 days late, then a negotiated plan re-ages the line (dpd counted on the plan's terms), kept two
# months, then broken: 31 days late on the plan's first missed installment.
REAGED = [
    _month(date(2026, 2, 28)),
    _month(date(2026, 3, 31), 35),
    _month(date(2026, 4, 30), 65),
    _plan(date(2026, 5, 31)),
    _plan(date(2026, 6, 30)),
    _plan(date(2026, 7, 31), 31, kept=False),
    _plan(date(2026, 8, 31), 62, kept=False),
]
ORIGINAL_DOFD = date(2026, 3, 31) - timedelta(days=35)  # the Feb 24 installment, never brought current


def test_reaged_plan_keeps_the_date_of_first_delinquency_fcra_623a5():
    months = derive_history(REAGED)
    assert [m.metro2_status for m in months] == ["11", "71", "78", "11", "11", "71", "78"]
    # The plan months are reported current (Field 25 zero-filled) but the chain is carried, not cured...
    assert [m.first_delinquency_on for m in months[3:5]] == [None, None]
    assert [m.delinquency_chain_on for m in months[1:]] == [ORIGINAL_DOFD] * 6
    # ...so the broken plan reports the original date, not the plan's missed installment (Jun 30).
    assert months[5].first_delinquency_on == ORIGINAL_DOFD == date(2026, 2, 24)
    assert months[6].first_delinquency_on == ORIGINAL_DOFD


def test_cure_without_plan_ends_the_chain_and_a_new_delinquency_starts_a_new_date_crrg():
    months = derive_history([_month(date(2026, 3, 31), 35), _month(date(2026, 4, 30)), _month(date(2026, 5, 31), 40)])
    assert [m.first_delinquency_on for m in months] == [date(2026, 2, 24), None, date(2026, 4, 21)]


def test_reaged_plan_is_not_upgraded_in_the_five_class_while_it_runs_risk_classification_2023_art18():
    months = derive_history(REAGED)
    assert [m.loan_class for m in months] == [
        LoanClass.NORMAL,
        LoanClass.SPECIAL_MENTION,
        LoanClass.SPECIAL_MENTION,
        LoanClass.SPECIAL_MENTION,  # plan: at least 关注, never better than before
        LoanClass.SPECIAL_MENTION,
        LoanClass.SPECIAL_MENTION,
        LoanClass.SPECIAL_MENTION,
    ]


def test_kept_arrangement_holds_the_cais_status_and_sets_the_flag_scor_principles():
    months = derive_history(REAGED)
    assert [(m.cais_status, m.cais_flag) for m in months] == [
        ("0", ""),
        ("1", ""),
        ("2", ""),
        ("0", "A"),  # kept, and the plan's terms put it up to date: the status may improve
        ("0", "A"),
        ("1", "A"),  # broken: arrears count again
        ("2", "A"),
    ]


def test_no_default_while_an_agreed_arrangement_is_kept_scor_principles():
    line = _plan(date(2026, 6, 30), default_notice_on=date(2026, 5, 1), default_on=date(2026, 6, 15))
    with pytest.raises(DefaultNotAllowed, match="arrangement"):
        derive_history([line])
    assert issubclass(DefaultNotAllowed, Conflict)


def test_arrangement_agreed_after_a_default_keeps_status_8_scor_principles():
    defaulted = dict(default_notice_on=date(2026, 4, 1), default_on=date(2026, 5, 10))
    months = derive_history([_month(date(2026, 5, 31), 120, **defaulted), _plan(date(2026, 6, 30), **defaulted)])
    assert [(m.cais_status, m.cais_flag) for m in months] == [("8", ""), ("8", "A")]


def test_no_default_without_a_notice_28_days_before_ico_default_guidance():
    late_notice = _month(date(2026, 6, 30), 150, default_notice_on=date(2026, 6, 1), default_on=date(2026, 6, 20))
    with pytest.raises(DefaultNotAllowed, match="28 days"):
        derive_history([late_notice])
    with pytest.raises(DefaultNotAllowed, match="never"):
        derive_history([replace(late_notice, default_notice_on=None)])
    ok = replace(late_notice, default_notice_on=date(2026, 5, 23))
    assert derive_history([ok])[0].cais_status == "8"


def test_default_drops_off_six_years_after_the_default_date_scor_principles():
    defaulted = dict(default_notice_on=date(2026, 5, 1), default_on=date(2026, 6, 15))
    before = derive_history([_month(date(2032, 5, 31), 150, opened_on=OPENED, **defaulted)])[0]
    after = derive_history([_month(date(2032, 6, 30), 150, opened_on=OPENED, **defaulted)])[0]
    assert cais.drops_off_on(before.line) == date(2032, 6, 15)
    assert before.cais_reportable and not after.cais_reportable


def test_dispute_marks_xb_then_xh_when_resolved_or_xc_when_the_consumer_disagrees_crrg_field20():
    base = [_month(date(2026, 3, 31), 35), _month(date(2026, 4, 30), 65, dispute=DisputeState.OPEN)]
    resolved = derive_history([*base, _month(date(2026, 5, 31), 96, dispute=DisputeState.RESOLVED)])
    disagrees = derive_history([*base, _month(date(2026, 5, 31), 96, dispute=DisputeState.DISAGREES)])
    assert [m.compliance_code for m in resolved] == ["", "XB", "XH"]
    assert [m.compliance_code for m in disagrees] == ["", "XB", "XC"]
    assert derive_history([*base, _month(date(2026, 5, 31), 96)])[-1].compliance_code == ""


def test_backdated_payment_rederives_exactly_the_months_it_changes_deterministically():
    """A payment dated Mar 20 but posted in April cures March: March, April and the profiles after move."""
    before_inputs = [
        _month(date(2026, 2, 28)),
        _month(date(2026, 3, 31), 35),
        _month(date(2026, 4, 30), 65),
        _month(date(2026, 5, 31)),
        _month(date(2026, 6, 30)),
    ]
    before = derive_history(before_inputs)
    corrected = list(before_inputs)
    corrected[1] = _month(date(2026, 3, 31), 0, dpd_max_in_month=24, last_payment_on=date(2026, 3, 20))
    corrected[2] = _month(date(2026, 4, 30), 0)
    after = derive_history(corrected)
    assert after == derive_history(corrected)  # deterministic
    changed = changed_months(before, after)
    assert [m.line.month_end_on for m in changed] == [
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]
    assert [m.metro2_status for m in changed] == ["11", "11", "11", "11"]
    assert changed[2].metro2_profile[:3] == "000"  # May's profile no longer shows the April/March lates
    assert [m.pboc_code for m in after[1:3]] == ["M", "N"]
    assert changed_months(after, after) == []


def test_paid_and_closed_reports_13_with_the_worst_rating_of_the_month_crrg_field17b():
    months = derive_history(
        [
            _month(date(2026, 3, 31), 35),
            _month(
                date(2026, 4, 30),
                0,
                dpd_max_in_month=55,
                balance_minor=0,
                closed_on=date(2026, 4, 20),
                settled=Settlement.PAID,
            ),
        ]
    )
    closed = months[-1]
    assert (closed.metro2_status, closed.metro2_rating) == ("13", "1")
    assert closed.first_delinquency_on == date(2026, 2, 24)  # 13 with a delinquent rating keeps Field 25
    assert closed.metro2_profile_char == "E"
    assert closed.pboc_code == "C"


def test_charged_off_then_paid_reports_64_and_keeps_the_first_delinquency_crrg():
    co = dict(charged_off_on=date(2026, 8, 25), charge_off_minor=90_000)
    months = derive_history(
        [
            _month(date(2026, 8, 31), 190, **co),
            _month(date(2026, 9, 30), 0, dpd_max_in_month=210, balance_minor=0, settled=Settlement.PAID, **co),
        ]
    )
    assert [m.metro2_status for m in months] == ["97", "64"]
    # Aug 31 − 190 days = Feb 22, the oldest overdue due date.
    assert months[1].first_delinquency_on == months[0].first_delinquency_on == date(2026, 2, 22)
    assert [m.pboc_code for m in months] == ["B", "C"]


def test_deleted_account_reports_da_crrg():
    assert derive_history([_month(date(2026, 3, 31), 35, deleted=True)])[0].metro2_status == "DA"


@pytest.mark.parametrize(
    ("settled", "code"), [(Settlement.GUARANTOR, "D"), (Settlement.ASSETS, "Z"), (Settlement.OTHER, "G")]
)
def test_pboc_end_codes_guarantor_assets_abnormal_zhengxin_monthly_status(settled: Settlement, code: str):
    line = _month(date(2026, 5, 31), balance_minor=0, closed_on=date(2026, 5, 10), settled=settled)
    assert derive_history([line])[0].pboc_code == code


def test_pboc_unknown_month_is_hash_and_cais_unclassified_u_zhengxin_monthly_status_and_cais():
    month = derive_history([_month(date(2026, 5, 31), status_known=False)])[0]
    assert (month.pboc_code, month.cais_status) == ("#", "U")


@pytest.mark.parametrize(
    ("dpd", "code"), [(1, "1"), (30, "1"), (31, "2"), (90, "3"), (91, "4"), (180, "6"), (181, "7"), (999, "7")]
)
def test_pboc_overdue_codes_are_30_day_steps_from_day_one_zhengxin_monthly_status(dpd: int, code: str):
    assert pboc.overdue_code(dpd) == code


@pytest.mark.parametrize(
    ("dpd", "klass"),
    [(0, LoanClass.NORMAL), (1, LoanClass.SPECIAL_MENTION), (90, LoanClass.SPECIAL_MENTION),
     (91, LoanClass.SUBSTANDARD), (271, LoanClass.DOUBTFUL), (361, LoanClass.LOSS)],
)  # fmt: skip
def test_five_class_by_days_overdue_risk_classification_2023_art11(dpd: int, klass: LoanClass):
    assert pboc.loan_class(_month(date(2027, 12, 31), dpd), None) is klass


def test_negative_information_kept_five_years_from_the_end_of_the_behaviour_zhengxin_tiaoli_art16():
    assert pboc.negative_retained_until(date(2026, 6, 20)) == date(2031, 6, 20)
    assert pboc.negative_retained_until(date(2028, 2, 29)) == date(2033, 2, 28)


def test_fcra_purge_is_seven_years_after_180_days_from_the_delinquency_fcra_605c1():
    assert metro2.fcra_purge_on(date(2026, 3, 26)) == date(2033, 9, 22)


@pytest.mark.parametrize(("minor", "dollars"), [(0, 0), (99, 0), (105_099, 1050), (123_456_789, 1_234_567), (-500, 0)])
def test_metro2_amounts_drop_the_cents_and_report_credit_balances_as_zero_crrg(minor: int, dollars: int):
    assert metro2.whole_dollars(minor, "USD") == dollars


def test_metro2_refuses_non_usd_and_amounts_past_nine_digits_crrg():
    with pytest.raises(AmountNotReportable, match="US dollars"):
        metro2.whole_dollars(100, "CNY")
    with pytest.raises(AmountNotReportable, match="9-digit"):
        metro2.whole_dollars(100_000_000_000, "USD")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dpd": -1, "dpd_max_in_month": 0}, "dpd -1"),
        ({"dpd": 10, "dpd_max_in_month": 10, "oldest_overdue_on": date(2026, 3, 1)}, "disagrees"),
        ({"dpd": 5, "dpd_max_in_month": 5}, "exactly when"),
        ({"month_end_on": date(2026, 3, 30)}, "not the last day"),
        ({"past_due_minor": 1_000_000}, "exceeds the balance"),
        ({"balance_minor": 1.5}, "balance_minor"),
        ({"currency": "XXX"}, "unknown currency"),
        ({"closed_on": date(2026, 4, 2)}, "outside"),
        ({"line_id": ""}, "line_id"),
        ({"plan_kept": True}, "without an active plan"),
        ({"charge_off_minor": 100}, "without a charge-off date"),
        ({"settled": Settlement.PAID}, "still owed"),
        (
            {"oldest_overdue_on": date(2025, 11, 30), "dpd": 121, "dpd_max_in_month": 121, "past_due_minor": 1},
            "before the line opened",
        ),
    ],
)
def test_bad_line_month_is_refused_with_a_specific_error_style_precise_errors(change: dict[str, object], message: str):
    with pytest.raises(Invalid, match=message):
        derive_history([replace(_month(date(2026, 3, 31)), **change)])  # type: ignore[arg-type]


def test_history_out_of_order_or_of_another_line_is_refused():
    with pytest.raises(BureauInputInvalid, match="does not follow"):
        derive_history([_month(date(2026, 4, 30)), _month(date(2026, 3, 31))])
    with pytest.raises(BureauInputInvalid, match="history of line"):
        derive_history([_month(date(2026, 3, 31)), _month(date(2026, 4, 30), line_id="OTHER")])


def test_unreported_month_shows_d_and_months_before_opening_show_b_in_the_profile_crrg_field18():
    """Feb not reported (D), Jan current (0), Dec opened on the 5th but not reported (D), Nov before opening (B)."""
    months = derive_history([_month(date(2026, 1, 31)), _month(date(2026, 3, 31))])
    assert months[1].metro2_profile == "D0D" + "B" * 21
