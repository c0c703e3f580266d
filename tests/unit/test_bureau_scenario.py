"""The issue's hand-checked line, month by month: current → 35 → 65 → 96 days late → catches up → late again →
charged off, as Metro 2 base segments (checked by byte position), PBOC monthly codes and CAIS statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fairdue.adapters.bureau import metro2 as m2file
from fairdue.domain.bureau import LineMonth, derive_history
from fairdue.domain.bureau.pboc import LoanClass

OPENED = date(2025, 12, 5)
CREATED_AT = datetime(2027, 3, 2, 1, 2, 3, tzinfo=UTC)
REPORTER = m2file.Reporter(identification_number="FAIRDUE0001", name="Fairdue Demo Lender", address="1 Main St")
CONSUMER = m2file.Consumer(
    surname="Doe", first_name="Jane", address_line1="2 Elm St", city="Springfield", state="IL", zip_code="62701"
)


def _month(month_end_on: date, dpd: int = 0, **kw: object) -> LineMonth:
    """One month of the scenario's line; `dpd` > 0 sets the oldest overdue date that produces it."""
    fields: dict[str, object] = {
        "line_id": "L-0001",
        "month_end_on": month_end_on,
        "currency": "USD",
        "balance_minor": 105_099,
        "past_due_minor": 10_000 * (1 + dpd // 30) if dpd else 0,
        "dpd": dpd,
        "dpd_max_in_month": dpd,
        "oldest_overdue_on": month_end_on - timedelta(days=dpd) if dpd else None,
        "opened_on": OPENED,
        "credit_limit_minor": 200_000,
        "original_minor": 120_000,
        "scheduled_payment_minor": 10_000,
    }
    fields.update(kw)
    return LineMonth(**fields)  # type: ignore[arg-type]


CHARGED_OFF_ON = date(2027, 1, 21)
SCENARIO = [
    _month(date(2025, 12, 31), balance_minor=120_000, due_in_month=False),
    _month(date(2026, 1, 31), balance_minor=111_050, actual_payment_minor=10_000, last_payment_on=date(2026, 1, 20)),
    _month(date(2026, 2, 28), 4),  # Feb 24 missed: 4 days late, past a 3-day grace
    _month(date(2026, 3, 31), 35),
    _month(date(2026, 4, 30), 65),
    _month(date(2026, 5, 31), 96),  # the "95": one unpaid due date cannot give 35, 65, 95 at three month ends
    # Catches up on Jun 20 (115 days late that morning): nothing overdue at month end.
    _month(date(2026, 6, 30), 0, dpd_max_in_month=115, actual_payment_minor=50_000, last_payment_on=date(2026, 6, 20)),
    _month(date(2026, 7, 31), 7),  # Jul 24 missed
    _month(date(2026, 8, 31), 38),
    _month(date(2026, 9, 30), 68),
    _month(date(2026, 10, 31), 99),
    _month(date(2026, 11, 30), 129),
    _month(date(2026, 12, 31), 160, default_notice_on=date(2026, 12, 1)),
    _month(
        date(2027, 1, 31),
        191,
        charged_off_on=CHARGED_OFF_ON,
        charge_off_minor=105_099,
        past_due_minor=105_099,
        default_notice_on=date(2026, 12, 1),
        default_on=CHARGED_OFF_ON,
    ),
    _month(
        date(2027, 2, 28),
        219,
        charged_off_on=CHARGED_OFF_ON,
        charge_off_minor=105_099,
        past_due_minor=105_099,
        default_notice_on=date(2026, 12, 1),
        default_on=CHARGED_OFF_ON,
    ),
]
B = "B"
# (month end, Metro 2 status, payment rating, payment history profile, first delinquency, PBOC code, five-class,
#  CAIS status). Worked out by hand from the CRRG / 征信 / CAIS tables in fairdue/domain/bureau/*.py.
EXPECTED = [
    (date(2025, 12, 31), "11", "", B * 24, None, "*", LoanClass.NORMAL, "0"),
    (date(2026, 1, 31), "11", "", "0" + B * 23, None, "N", LoanClass.NORMAL, "0"),
    (date(2026, 2, 28), "11", "", "00" + B * 22, None, "1", LoanClass.SPECIAL_MENTION, "0"),
    (date(2026, 3, 31), "71", "", "000" + B * 21, date(2026, 2, 24), "2", LoanClass.SPECIAL_MENTION, "1"),
    (date(2026, 4, 30), "78", "", "1000" + B * 20, date(2026, 2, 24), "3", LoanClass.SPECIAL_MENTION, "2"),
    (date(2026, 5, 31), "80", "", "21000" + B * 19, date(2026, 2, 24), "4", LoanClass.SUBSTANDARD, "3"),
    (date(2026, 6, 30), "11", "", "321000" + B * 18, None, "M", LoanClass.NORMAL, "0"),
    (date(2026, 7, 31), "11", "", "0321000" + B * 17, None, "1", LoanClass.SPECIAL_MENTION, "0"),
    (date(2026, 8, 31), "71", "", "00321000" + B * 16, date(2026, 7, 24), "2", LoanClass.SPECIAL_MENTION, "1"),
    (date(2026, 9, 30), "78", "", "100321000" + B * 15, date(2026, 7, 24), "3", LoanClass.SPECIAL_MENTION, "2"),
    (date(2026, 10, 31), "80", "", "2100321000" + B * 14, date(2026, 7, 24), "4", LoanClass.SUBSTANDARD, "3"),
    (date(2026, 11, 30), "82", "", "32100321000" + B * 13, date(2026, 7, 24), "5", LoanClass.SUBSTANDARD, "4"),
    (date(2026, 12, 31), "83", "", "432100321000" + B * 12, date(2026, 7, 24), "6", LoanClass.SUBSTANDARD, "5"),
    (date(2027, 1, 31), "97", "", "5432100321000" + B * 11, date(2026, 7, 24), "B", LoanClass.LOSS, "8"),
    (date(2027, 2, 28), "97", "", "L5432100321000" + B * 10, date(2026, 7, 24), "B", LoanClass.LOSS, "8"),
]
MONTHS = derive_history(SCENARIO)


def _mmddyyyy(d: date | None) -> str:
    return d.strftime("%m%d%Y") if d else "00000000"


@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0].isoformat() for e in EXPECTED])
def test_metro2_base_segment_status_profile_and_first_delinquency_by_byte_position_crrg_fcra_623a5(index: int):
    month_end, status, rating, profile, dofd, *_ = EXPECTED[index]
    data = m2file.write_file([(MONTHS[index], CONSUMER)], REPORTER, activity_on=month_end, created_at=CREATED_AT)
    parsed = m2file.read_file(data)
    base = parsed.records[1]
    assert len(base) == 426 and base[:4] == "0426"
    assert base[123:125] == status  # Field 17A, moov baseSegmentCharacterFormat AccountStatus {123, 2}
    assert base[125] == (rating or " ")  # Field 17B PaymentRating {125, 1}
    assert base[126:150] == profile  # Field 18 PaymentHistoryProfile {126, 24}
    assert base[189:197] == _mmddyyyy(dofd)  # Field 25 DateFirstDelinquency {189, 8}
    assert base[181:189] == _mmddyyyy(month_end)  # Field 24 DateAccountInformation {181, 8}
    assert parsed.bases[0]["AccountStatus"] == status
    assert parsed.bases[0]["PaymentHistoryProfile"] == profile
    assert parsed.bases[0]["DateFirstDelinquency"] == dofd


@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0].isoformat() for e in EXPECTED])
def test_pboc_monthly_code_and_five_class_zhengxin_tiaoli_and_risk_classification_2023(index: int):
    _month_end, *_m2, pboc_code, loan_class, _cais = EXPECTED[index]
    assert MONTHS[index].pboc_code == pboc_code
    assert MONTHS[index].loan_class is loan_class


@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0].isoformat() for e in EXPECTED])
def test_cais_status_scor_principles(index: int):
    assert MONTHS[index].cais_status == EXPECTED[index][-1]


def test_charge_off_segment_amounts_are_whole_dollars_with_cents_dropped_crrg():
    """$1,050.99 balance and charge-off are reported as 1050 (cents dropped, never rounded up)."""
    base = m2file.base_segment(MONTHS[13], CONSUMER, REPORTER, created_at=CREATED_AT)
    assert base[154:163] == "000001050"  # CurrentBalance {154, 9}
    assert base[163:172] == "000001050"  # AmountPastDue {163, 9}
    assert base[172:181] == "000001050"  # OriginalChargeOffAmount {172, 9}
    assert base[83:92] == "000002000"  # CreditLimit {83, 9}


def test_first_negative_month_is_the_first_with_a_negative_status_fcra_623a7():
    """The month a pre-notice must precede: the first 71 for Metro 2; for 征信 the first overdue month (Feb)."""
    assert next(m.line.month_end_on for m in MONTHS if m.metro2_negative) == date(2026, 3, 31)
    assert next(m.line.month_end_on for m in MONTHS if m.pboc_negative) == date(2026, 2, 28)
    assert next(m.line.month_end_on for m in MONTHS if m.cais_negative) == date(2026, 3, 31)
