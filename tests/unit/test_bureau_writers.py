"""The bureau file writers: Metro 2 records are 426 bytes with the moov-io/metro2 layout and a trailer whose
counts equal the records; the PBOC- and CAIS-modelled files carry their totals; bad text is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from fairdue.adapters.bureau import cais as cais_file
from fairdue.adapters.bureau import metro2 as m2file
from fairdue.adapters.bureau import pboc as pboc_file
from fairdue.adapters.bureau.tabular import read_jsonl
from fairdue.domain.bureau import (
    AmountNotReportable,
    DisputeState,
    FileNotReadable,
    LineMonth,
    TextNotReportable,
    derive_history,
)

CREATED_AT = datetime(2026, 4, 2, 3, 4, 5, tzinfo=UTC)
MONTH_END = date(2026, 3, 31)
REPORTER = m2file.Reporter(
    identification_number="FAIRDUE0001",
    name="Fairdue Demo Lender",
    address="1 Main St, Springfield IL",
    telephone="2175550100",
    equifax_program_id="EQ123",
)


def _consumer(n: int) -> m2file.Consumer:
    return m2file.Consumer(
        surname=f"Doe{n}",
        first_name="Jane",
        ssn=f"{100000000 + n}" if n % 2 else "",
        birth_on=date(1990, 1, 1 + n % 28) if n % 3 else None,
        telephone="2175550101" if n % 5 == 0 else "",
        address_line1=f"{n} Elm St",
        city="Springfield",
        state="IL",
        zip_code="62701",
    )


def _line(n: int, dpd: int, currency: str = "USD", **kw: object) -> LineMonth:
    fields: dict[str, object] = {
        "line_id": f"L-{n:04d}",
        "month_end_on": MONTH_END,
        "currency": currency,
        "balance_minor": 50_000 + n,
        "past_due_minor": 5_000 if dpd else 0,
        "dpd": dpd,
        "dpd_max_in_month": dpd,
        "oldest_overdue_on": MONTH_END - timedelta(days=dpd) if dpd else None,
        "opened_on": date(2025, 1, 10),
        "credit_limit_minor": 100_000,
    }
    fields.update(kw)
    return LineMonth(**fields)  # type: ignore[arg-type]


DPDS = [0, 0, 0, 35, 65, 95, 125, 155, 185, 10]
MONTHS = [derive_history([_line(n, dpd)])[0] for n, dpd in enumerate(DPDS)]
ENTRIES = [(m, _consumer(n)) for n, m in enumerate(MONTHS)]


def _file() -> m2file.Metro2File:
    data = m2file.write_file(ENTRIES, REPORTER, activity_on=MONTH_END, created_at=CREATED_AT)
    return m2file.read_file(data)


@pytest.mark.parametrize("layout", [m2file.HEADER_LAYOUT, m2file.BASE_LAYOUT, m2file.TRAILER_LAYOUT])
def test_metro2_layouts_tile_426_bytes_moov_specifications(layout: tuple[m2file.Field, ...]):
    position = 0
    for field in layout:
        assert field.start == position, field.name
        position += field.length
    assert position == 426


def test_metro2_trailer_positions_match_moov_specifications():
    """Spot checks against moov-io/metro2 pkg/lib/specifications.go trailerRecordCharacterFormat."""
    starts = {f.name: f.start for f in m2file.TRAILER_LAYOUT}
    assert starts["TotalStatusCodeDA"] == 65
    assert starts["TotalStatusCode11"] == 83
    assert starts["TotalStatusCode71"] == 146
    assert starts["TotalStatusCode97"] == 254
    assert starts["TotalECOACodeZ"] == 263
    assert starts["TotalTelephoneNumbersAllSegments"] == 398


def test_every_metro2_record_is_426_bytes_with_descriptor_word_0426_cra_manual():
    parsed = _file()
    assert len(parsed.records) == len(MONTHS) + 2
    assert all(len(r) == 426 and r.startswith("0426") for r in parsed.records)
    assert parsed.records[0][4:10] == "HEADER" and parsed.records[-1][4:11] == "TRAILER"


def test_metro2_trailer_counts_equal_the_records_crrg_trailer():
    parsed = _file()
    trailer = parsed.trailer
    assert trailer["TotalBaseRecords"] == len(parsed.bases) == 10
    by_status = {"11": 4, "71": 1, "78": 1, "80": 1, "82": 1, "83": 1, "84": 1}
    for code in m2file.TRAILER_STATUS_CODES:
        assert trailer[f"TotalStatusCode{code}"] == by_status.get(code, 0), code
    assert trailer["TotalSocialNumbersBaseSegments"] == sum(1 for b in parsed.bases if b["SocialSecurityNumber"])
    assert trailer["TotalSocialNumbersBaseSegments"] == 5
    assert trailer["TotalDatesBirthBaseSegments"] == sum(1 for b in parsed.bases if b["DateBirth"]) == 6
    assert trailer["TotalTelephoneNumbersAllSegments"] == 2
    assert trailer["BlockCount"] == 12


def test_metro2_header_and_base_fields_read_back_moov_specifications():
    parsed = _file()
    assert parsed.header["ActivityDate"] == MONTH_END
    assert parsed.header["DateCreated"] == CREATED_AT.date()
    assert parsed.header["ReporterName"] == "FAIRDUE DEMO LENDER"
    assert parsed.header["EquifaxProgramIdentifier"] == "EQ123"
    base = parsed.bases[4]
    assert base["TimeStamp"] == CREATED_AT
    assert base["ConsumerAccountNumber"] == "L-0004"
    assert base["IdentificationNumber"] == "FAIRDUE0001"
    assert (base["PortfolioType"], base["AccountType"], base["TermsDuration"]) == ("C", "15", "LOC")
    assert base["CurrentBalance"] == 500 and base["AmountPastDue"] == 50 and base["CreditLimit"] == 1000
    assert base["DateOpened"] == date(2025, 1, 10)
    assert base["DateClosed"] is None
    assert base["CorrectionIndicator"] == 0 and base["ProcessingIndicator"] == 1
    assert base["Surname"] == "DOE4" and base["City"] == "SPRINGFIELD"


def test_metro2_correction_file_sets_the_correction_indicator_crrg():
    data = m2file.write_file(ENTRIES[:1], REPORTER, activity_on=MONTH_END, created_at=CREATED_AT, corrections=True)
    assert m2file.read_file(data).records[1][19] == "1"


def test_metro2_compliance_condition_code_at_bytes_152_153_crrg_field20():
    disputed = derive_history([_line(1, 35, dispute=DisputeState.OPEN)])[0]
    base = m2file.base_segment(disputed, _consumer(1), REPORTER, created_at=CREATED_AT)
    assert base[152:154] == "XB"


def test_metro2_refuses_non_ascii_and_over_long_text_instead_of_truncating_crrg_character_format():
    with pytest.raises(TextNotReportable, match="ASCII"):
        m2file.base_segment(MONTHS[0], replace(_consumer(0), surname="张"), REPORTER, created_at=CREATED_AT)
    long_city = replace(_consumer(0), city="X" * 21)
    with pytest.raises(TextNotReportable, match="longer"):
        m2file.base_segment(MONTHS[0], long_city, REPORTER, created_at=CREATED_AT)


def test_metro2_refuses_a_non_usd_line_crrg_amounts():
    cny = derive_history([_line(1, 0, currency="CNY")])[0]
    with pytest.raises(AmountNotReportable, match="US dollars"):
        m2file.base_segment(cny, _consumer(1), REPORTER, created_at=CREATED_AT)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"0426HEADER" + b" " * 100, "whole number"),
        ("é".encode() * 213, "ASCII"),
        (b"0426" + b" " * 422 + b"0426" + b" " * 422, "HEADER"),
    ],
)
def test_metro2_reader_refuses_a_malformed_file_moov_specifications(data: bytes, message: str):
    with pytest.raises(FileNotReadable, match=message):
        m2file.read_file(data)


def test_metro2_reader_accepts_records_without_separators_crrg_fixed_length():
    data = m2file.write_file(ENTRIES, REPORTER, activity_on=MONTH_END, created_at=CREATED_AT)
    assert m2file.read_file(data.replace(b"\n", b"")).records == m2file.read_file(data).records


def test_pboc_modelled_jsonl_has_header_records_and_trailer_totals_zhengxin_tiaoli_art25_mark():
    months = [derive_history([_line(1, 35, currency="CNY", dispute=DisputeState.OPEN)])[0],
              derive_history([_line(2, 0, currency="CNY")])[0]]  # fmt: skip
    text = pboc_file.write_jsonl_file(months, institution_code="FD001", report_month="2026-03", created_at=CREATED_AT)
    lines = read_jsonl(text)
    assert [line["record_type"] for line in lines] == ["header", "account_month", "account_month", "trailer"]
    first = lines[1]
    assert (first["repayment_status"], first["five_class_zh"], first["objection_mark"]) == ("2", "关注", "open")
    assert lines[-1]["record_count"] == 2
    totals = lines[-1]["totals_by_currency"]
    assert isinstance(totals, dict)
    assert totals["CNY"]["balance_minor"] == 50_001 + 50_002
    assert totals["CNY"]["overdue_minor"] == 5_000


def test_pboc_modelled_csv_has_the_documented_columns_zhengxin_modelled():
    csv_text = pboc_file.write_csv_file(MONTHS[:2], institution_code="FD001")
    rows = csv_text.splitlines()
    assert rows[0].split(",") == list(pboc_file.COLUMNS)
    assert len(rows) == 3
    assert rows[1].split(",")[pboc_file.COLUMNS.index("repayment_status")] == "N"


def test_cais_modelled_file_leaves_out_months_past_the_six_year_drop_off_scor_principles():
    defaulted = dict(default_notice_on=date(2019, 1, 1), default_on=date(2019, 3, 1))
    old = derive_history([_line(1, 200, currency="GBP", opened_on=date(2018, 1, 1), **defaulted)])[0]
    live = derive_history([_line(2, 65, currency="GBP")])[0]
    assert not old.cais_reportable and live.cais_reportable
    lines = read_jsonl(cais_file.write_jsonl_file([old, live], lender_code="FD", report_month="2026-03",
                                                  created_at=CREATED_AT))  # fmt: skip
    records = [line for line in lines if line["record_type"] == "account_month"]
    assert [(r["account_number"], r["status"]) for r in records] == [("L-0002", "2")]
    assert cais_file.write_csv_file([old, live], lender_code="FD").count("\n") == 2


def test_metro2_refuses_a_formatted_ssn_and_a_negative_amount_field_crrg_numeric_fields():
    with pytest.raises(TextNotReportable, match="digits only"):
        m2file.base_segment(MONTHS[0], replace(_consumer(0), ssn="123-45-6789"), REPORTER, created_at=CREATED_AT)
    field = m2file.Field("CreditLimit", 83, 9, "N")
    with pytest.raises(AmountNotReportable, match="at most 9 digits"):
        m2file.format_field(field, -5)
    with pytest.raises(AmountNotReportable, match="at most 9 digits"):
        m2file.format_field(field, 10**9)
