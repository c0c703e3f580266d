"""Metro 2 character format, fixed length: a writer for the header record, base segments and trailer record,
and a reader of the same layout (the tests check byte positions with it).

Layout. Every record is 426 bytes and starts with the record descriptor word "0426" (no block descriptor
word: fixed-length, unblocked). Field positions are those of the open-source `moov-io/metro2`,
pkg/lib/specifications.go (`headerRecordCharacterFormat`, `baseSegmentCharacterFormat`,
`trailerRecordCharacterFormat`; 0-based start, length), which follows the CDIA Credit Reporting Resource
Guide. Dates are MMDDYYYY and the time stamp MMDDYYYYHHMMSS (moov pkg/lib/constants.go); numbers are
right-justified and zero-filled, text left-justified, blank-filled and upper-case; a missing date is
zero-filled. J1/J2/K/L/N segments are not written.

Records are separated by a line feed (most furnisher portals accept it; it keeps files diffable); the reader
accepts records with or without separators. The writer refuses — never truncates — text or amounts that do
not fit their field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from fairdue.domain.bureau import metro2 as codes
from fairdue.domain.bureau.derive import BureauMonth
from fairdue.domain.bureau.errors import AmountNotReportable, FileNotReadable, TextNotReportable

RECORD_LENGTH = 426
RECORD_DESCRIPTOR_WORD = "0426"
DATE_FORMAT = "%m%d%Y"
TIMESTAMP_FORMAT = "%m%d%Y%H%M%S"
Kind = Literal["A", "N", "D", "T"]  # alphanumeric, numeric, date, time stamp


@dataclass(frozen=True, slots=True)
class Field:
    """One fixed-width field: its name (moov's), 0-based start, length and kind."""

    name: str
    start: int
    length: int
    kind: Kind


def _layout(*spec: tuple[str, int, int, Kind]) -> tuple[Field, ...]:
    return tuple(Field(*row) for row in spec)


# moov-io/metro2 pkg/lib/specifications.go, headerRecordCharacterFormat.
HEADER_LAYOUT = _layout(
    ("RecordDescriptorWord", 0, 4, "N"),
    ("RecordIdentifier", 4, 6, "A"),
    ("CycleIdentifier", 10, 2, "A"),
    ("InnovisProgramIdentifier", 12, 10, "A"),
    ("EquifaxProgramIdentifier", 22, 10, "A"),
    ("ExperianProgramIdentifier", 32, 5, "A"),
    ("TransUnionProgramIdentifier", 37, 10, "A"),
    ("ActivityDate", 47, 8, "D"),
    ("DateCreated", 55, 8, "D"),
    ("ProgramDate", 63, 8, "D"),
    ("ProgramRevisionDate", 71, 8, "D"),
    ("ReporterName", 79, 40, "A"),
    ("ReporterAddress", 119, 96, "A"),
    ("ReporterTelephoneNumber", 215, 10, "N"),
    ("SoftwareVendorName", 225, 40, "A"),
    ("SoftwareVersionNumber", 265, 5, "A"),
    ("PRBCProgramIdentifier", 270, 10, "A"),
    ("Reserved", 280, 146, "A"),
)

# moov-io/metro2 pkg/lib/specifications.go, baseSegmentCharacterFormat.
BASE_LAYOUT = _layout(
    ("RecordDescriptorWord", 0, 4, "N"),
    ("ProcessingIndicator", 4, 1, "N"),
    ("TimeStamp", 5, 14, "T"),
    ("CorrectionIndicator", 19, 1, "N"),
    ("IdentificationNumber", 20, 20, "A"),
    ("CycleIdentifier", 40, 2, "A"),
    ("ConsumerAccountNumber", 42, 30, "A"),
    ("PortfolioType", 72, 1, "A"),
    ("AccountType", 73, 2, "A"),
    ("DateOpened", 75, 8, "D"),
    ("CreditLimit", 83, 9, "N"),
    ("HighestCredit", 92, 9, "N"),
    ("TermsDuration", 101, 3, "A"),
    ("TermsFrequency", 104, 1, "A"),
    ("ScheduledMonthlyPaymentAmount", 105, 9, "N"),
    ("ActualPaymentAmount", 114, 9, "N"),
    ("AccountStatus", 123, 2, "A"),
    ("PaymentRating", 125, 1, "A"),
    ("PaymentHistoryProfile", 126, 24, "A"),
    ("SpecialComment", 150, 2, "A"),
    ("ComplianceConditionCode", 152, 2, "A"),
    ("CurrentBalance", 154, 9, "N"),
    ("AmountPastDue", 163, 9, "N"),
    ("OriginalChargeOffAmount", 172, 9, "N"),
    ("DateAccountInformation", 181, 8, "D"),
    ("DateFirstDelinquency", 189, 8, "D"),
    ("DateClosed", 197, 8, "D"),
    ("DateLastPayment", 205, 8, "D"),
    ("InterestTypeIndicator", 213, 1, "A"),
    ("Reserved2", 214, 17, "A"),
    ("Surname", 231, 25, "A"),
    ("FirstName", 256, 20, "A"),
    ("MiddleName", 276, 20, "A"),
    ("GenerationCode", 296, 1, "A"),
    ("SocialSecurityNumber", 297, 9, "N"),
    ("DateBirth", 306, 8, "D"),
    ("TelephoneNumber", 314, 10, "N"),
    ("ECOACode", 324, 1, "A"),
    ("ConsumerInformationIndicator", 325, 2, "A"),
    ("CountryCode", 327, 2, "A"),
    ("FirstLineAddress", 329, 32, "A"),
    ("SecondLineAddress", 361, 32, "A"),
    ("City", 393, 20, "A"),
    ("State", 413, 2, "A"),
    ("ZipCode", 415, 9, "A"),
    ("AddressIndicator", 424, 1, "A"),
    ("ResidenceCode", 425, 1, "A"),
)

# The trailer's per-status counts, in file order (moov trailerRecordCharacterFormat, TotalStatusCodeDA..97).
TRAILER_STATUS_CODES = (
    "DA", "05", "11", "13", "61", "62", "63", "64", "65", "71", "78", "80", "82", "83", "84",
    "88", "89", "93", "94", "95", "96", "97",
)  # fmt: skip
_TRAILER_TOTALS_AFTER_STATUSES = (
    "TotalECOACodeZ",
    "TotalEmploymentSegments",
    "TotalOriginalCreditorSegments",
    "TotalPurchasedToSegments",
    "TotalMortgageInformationSegments",
    "TotalPaymentInformationSegments",
    "TotalChangeSegments",
    "TotalSocialNumbersAllSegments",
    "TotalSocialNumbersBaseSegments",
    "TotalSocialNumbersJ1Segments",
    "TotalSocialNumbersJ2Segments",
    "TotalDatesBirthAllSegments",
    "TotalDatesBirthBaseSegments",
    "TotalDatesBirthJ1Segments",
    "TotalDatesBirthJ2Segments",
    "TotalTelephoneNumbersAllSegments",
)
# moov-io/metro2 pkg/lib/specifications.go, trailerRecordCharacterFormat: nine-digit counts from byte 11.
TRAILER_LAYOUT = _layout(
    ("RecordDescriptorWord", 0, 4, "N"),
    ("RecordIdentifier", 4, 7, "A"),
    ("TotalBaseRecords", 11, 9, "N"),
    ("Reserved1", 20, 9, "A"),
    ("TotalStatusCodeDF", 29, 9, "N"),
    ("TotalConsumerSegmentsJ1", 38, 9, "N"),
    ("TotalConsumerSegmentsJ2", 47, 9, "N"),
    ("BlockCount", 56, 9, "N"),
    *((f"TotalStatusCode{code}", 65 + 9 * i, 9, "N") for i, code in enumerate(TRAILER_STATUS_CODES)),
    *((name, 263 + 9 * i, 9, "N") for i, name in enumerate(_TRAILER_TOTALS_AFTER_STATUSES)),
    ("Reserved2", 407, 19, "A"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reporter:
    """The furnisher and the product-level fields every base segment of its file shares.

    identification_number: the furnisher's id at the bureaus (Field 5). name/address/telephone: header fields.
    *_program_id: the bureaus' program identifiers (blank when not assigned).
    portfolio_type / account_type / terms_duration / terms_frequency / interest_type: Fields 8, 9, 13, 14, 25A
        (a credit line: C, 15 "check credit or line of credit", LOC, M, F).
    """

    identification_number: str
    name: str
    address: str
    telephone: str = ""
    equifax_program_id: str = ""
    experian_program_id: str = ""
    transunion_program_id: str = ""
    innovis_program_id: str = ""
    software_vendor: str = "FAIRDUE"
    software_version: str = "1"
    portfolio_type: str = "C"
    account_type: str = "15"
    terms_duration: str = "LOC"
    terms_frequency: str = "M"
    interest_type: str = "F"


@dataclass(frozen=True, slots=True, kw_only=True)
class Consumer:
    """The borrower's identifying fields (Fields 43–56); decrypted by the caller, never stored by this module.

    ssn / telephone: digits only, "" when unknown (zero-filled). birth_on: None when unknown.
    ecoa_code: "1" individual. The address fields are the borrower's mailing address.
    """

    surname: str
    first_name: str
    middle_name: str = ""
    generation_code: str = ""
    ssn: str = ""
    birth_on: date | None = None
    telephone: str = ""
    ecoa_code: str = "1"
    country_code: str = "US"
    address_line1: str
    address_line2: str = ""
    city: str
    state: str
    zip_code: str


def _text(field: Field, value: str) -> str:
    text = value.upper()
    if not text.isascii() or not text.isprintable():
        raise TextNotReportable(f"{field.name}: Metro 2 text is printable ASCII; got {value!r}")
    if len(text) > field.length:
        raise TextNotReportable(f"{field.name}: {value!r} is longer than the field's {field.length} characters")
    return text.ljust(field.length)


def _number(field: Field, value: int | str) -> str:
    digits = str(value) if value != "" else "0"
    if isinstance(value, str) and not value.isdigit() and value != "":
        raise TextNotReportable(f"{field.name}: {value!r} must be digits only")
    if not digits.isdigit() or len(digits) > field.length:
        raise AmountNotReportable(f"{field.name}: {value!r} is not a number of at most {field.length} digits")
    return digits.zfill(field.length)


def format_field(field: Field, value: object) -> str:
    """`value` as the field's bytes: text left-justified and blank-filled, numbers zero-filled, dates
    MMDDYYYY (zeros when None), the time stamp MMDDYYYYHHMMSS in UTC."""
    if field.kind == "A":
        return _text(field, str(value))
    if field.kind == "N":
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            raise AmountNotReportable(f"{field.name}: expected a whole number, got {value!r}")
        return _number(field, value)
    if value is None:
        return "0" * field.length
    if field.kind == "T" and isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    if field.kind == "D" and isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    raise TextNotReportable(f"{field.name}: expected {'an aware datetime' if field.kind == 'T' else 'a date'}")


def build_record(layout: Sequence[Field], values: dict[str, object]) -> str:
    """A 426-byte record from `values` by field name; a field not given is blank (text) or zero (number)."""
    unknown = set(values) - {f.name for f in layout}
    if unknown:
        raise TextNotReportable(f"no such Metro 2 field(s): {', '.join(sorted(unknown))}")
    parts = [format_field(f, values.get(f.name, "" if f.kind in ("A", "N") else None)) for f in layout]
    record = "".join(parts)
    if len(record) != RECORD_LENGTH:  # the layouts tile 0..426; a broken table must not write a file
        raise FileNotReadable(f"a record of {len(record)} bytes was built; Metro 2 records are {RECORD_LENGTH}")
    return record


def header_record(reporter: Reporter, *, activity_on: date, created_on: date) -> str:
    """The header record: who reports, and the activity date (the month end being reported)."""
    return build_record(
        HEADER_LAYOUT,
        {
            "RecordDescriptorWord": RECORD_DESCRIPTOR_WORD,
            "RecordIdentifier": "HEADER",
            "InnovisProgramIdentifier": reporter.innovis_program_id,
            "EquifaxProgramIdentifier": reporter.equifax_program_id,
            "ExperianProgramIdentifier": reporter.experian_program_id,
            "TransUnionProgramIdentifier": reporter.transunion_program_id,
            "ActivityDate": activity_on,
            "DateCreated": created_on,
            "ReporterName": reporter.name,
            "ReporterAddress": reporter.address,
            "ReporterTelephoneNumber": reporter.telephone,
            "SoftwareVendorName": reporter.software_vendor,
            "SoftwareVersionNumber": reporter.software_version,
        },
    )


def _account_values(month: BureauMonth, reporter: Reporter) -> dict[str, object]:
    line = month.line

    def dollars(amount_minor: int) -> int:
        return codes.whole_dollars(amount_minor, line.currency)

    return {
        "IdentificationNumber": reporter.identification_number,
        "ConsumerAccountNumber": line.line_id,
        "PortfolioType": reporter.portfolio_type,
        "AccountType": reporter.account_type,
        "DateOpened": line.opened_on,
        "CreditLimit": dollars(line.credit_limit_minor),
        "HighestCredit": dollars(line.original_minor),
        "TermsDuration": reporter.terms_duration,
        "TermsFrequency": reporter.terms_frequency,
        "ScheduledMonthlyPaymentAmount": dollars(line.scheduled_payment_minor),
        "ActualPaymentAmount": dollars(line.actual_payment_minor),
        "AccountStatus": month.metro2_status,
        "PaymentRating": month.metro2_rating,
        "PaymentHistoryProfile": month.metro2_profile,
        "ComplianceConditionCode": month.compliance_code,
        "CurrentBalance": dollars(line.balance_minor),
        "AmountPastDue": dollars(line.past_due_minor),
        "OriginalChargeOffAmount": dollars(line.charge_off_minor) if line.charged_off_on else 0,
        "DateAccountInformation": line.month_end_on,
        "DateFirstDelinquency": month.first_delinquency_on,
        "DateClosed": line.closed_on,
        "DateLastPayment": line.last_payment_on,
        "InterestTypeIndicator": reporter.interest_type,
    }


def _consumer_values(consumer: Consumer) -> dict[str, object]:
    return {
        "Surname": consumer.surname,
        "FirstName": consumer.first_name,
        "MiddleName": consumer.middle_name,
        "GenerationCode": consumer.generation_code,
        "SocialSecurityNumber": consumer.ssn,
        "DateBirth": consumer.birth_on,
        "TelephoneNumber": consumer.telephone,
        "ECOACode": consumer.ecoa_code,
        "CountryCode": consumer.country_code,
        "FirstLineAddress": consumer.address_line1,
        "SecondLineAddress": consumer.address_line2,
        "City": consumer.city,
        "State": consumer.state,
        "ZipCode": consumer.zip_code,
    }


def base_segment(
    month: BureauMonth, consumer: Consumer, reporter: Reporter, *, created_at: datetime, correction: bool = False
) -> str:
    """One line's month as a 426-byte base segment; `correction` marks a replacement of a month sent before."""
    return build_record(
        BASE_LAYOUT,
        {
            "RecordDescriptorWord": RECORD_DESCRIPTOR_WORD,
            "ProcessingIndicator": 1,
            "TimeStamp": created_at,
            "CorrectionIndicator": 1 if correction else 0,
            **_account_values(month, reporter),
            **_consumer_values(consumer),
        },
    )


def trailer_record(bases: Sequence[str]) -> str:
    """The trailer: the counts the format requires, computed from the base segments themselves."""
    parsed = [parse_record(b, BASE_LAYOUT) for b in bases]
    statuses = Counter(str(p["AccountStatus"]) for p in parsed)
    ssns = sum(1 for p in parsed if p["SocialSecurityNumber"] not in (0, 999999999))
    births = sum(1 for p in parsed if p["DateBirth"] is not None)
    values: dict[str, object] = {
        "RecordDescriptorWord": RECORD_DESCRIPTOR_WORD,
        "RecordIdentifier": "TRAILER",
        "TotalBaseRecords": len(parsed),
        "TotalStatusCodeDF": statuses["DF"],
        "BlockCount": len(parsed) + 2,  # unblocked fixed-length records: one block per record, header and trailer
        "TotalECOACodeZ": sum(1 for p in parsed if p["ECOACode"] == "Z"),
        "TotalSocialNumbersAllSegments": ssns,
        "TotalSocialNumbersBaseSegments": ssns,
        "TotalDatesBirthAllSegments": births,
        "TotalDatesBirthBaseSegments": births,
        "TotalTelephoneNumbersAllSegments": sum(1 for p in parsed if p["TelephoneNumber"] != 0),
    }
    values.update({f"TotalStatusCode{code}": statuses[code] for code in TRAILER_STATUS_CODES})
    return build_record(TRAILER_LAYOUT, values)


def write_file(
    entries: Sequence[tuple[BureauMonth, Consumer]],
    reporter: Reporter,
    *,
    activity_on: date,
    created_at: datetime,
    corrections: bool = False,
) -> bytes:
    """A whole Metro 2 file: header, one base segment per (month, consumer), trailer; ASCII, one per line."""
    bases = [base_segment(m, c, reporter, created_at=created_at, correction=corrections) for m, c in entries]
    records = [header_record(reporter, activity_on=activity_on, created_on=created_at.date()), *bases]
    records.append(trailer_record(bases))
    return ("\n".join(records) + "\n").encode("ascii")


# --- reader ---------------------------------------------------------------------------------------------


def _parse_value(field: Field, raw: str) -> object:
    if field.kind == "A":
        return raw.rstrip(" ")
    if field.kind == "N":
        if not raw.isdigit():
            raise FileNotReadable(f"{field.name}: {raw!r} is not numeric")
        return int(raw)
    if set(raw) == {"0"}:
        return None
    try:
        parsed = datetime.strptime(raw, TIMESTAMP_FORMAT if field.kind == "T" else DATE_FORMAT)
    except ValueError:
        raise FileNotReadable(f"{field.name}: {raw!r} is not a Metro 2 date") from None
    return parsed.replace(tzinfo=UTC) if field.kind == "T" else parsed.date()


def parse_record(record: str, layout: Sequence[Field]) -> dict[str, object]:
    """A 426-byte record's fields by name: text right-stripped, numbers as int, dates (None when zero-filled)."""
    if len(record) != RECORD_LENGTH:
        raise FileNotReadable(f"a Metro 2 record is {RECORD_LENGTH} bytes; got {len(record)}")
    if record[:4] != RECORD_DESCRIPTOR_WORD:
        raise FileNotReadable(f"record descriptor word {record[:4]!r}, expected {RECORD_DESCRIPTOR_WORD!r}")
    return {f.name: _parse_value(f, record[f.start : f.start + f.length]) for f in layout}


@dataclass(frozen=True, slots=True)
class Metro2File:
    """A parsed file: the header's, each base segment's and the trailer's fields by name, and the raw records."""

    header: dict[str, object]
    bases: list[dict[str, object]]
    trailer: dict[str, object]
    records: list[str]


def split_records(data: bytes) -> list[str]:
    """The file's 426-byte records, with or without line separators between them."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise FileNotReadable("a Metro 2 character-format file is ASCII") from None
    text = text.replace("\r\n", "").replace("\n", "")
    if len(text) % RECORD_LENGTH:
        raise FileNotReadable(f"{len(text)} bytes is not a whole number of {RECORD_LENGTH}-byte records")
    return [text[i : i + RECORD_LENGTH] for i in range(0, len(text), RECORD_LENGTH)]


def read_file(data: bytes) -> Metro2File:
    """Parse a header, base segments and a trailer; refuse any other shape."""
    records = split_records(data)
    if len(records) < 2 or records[0][4:10] != "HEADER" or records[-1][4:11] != "TRAILER":
        raise FileNotReadable("a Metro 2 file starts with a HEADER record and ends with a TRAILER record")
    return Metro2File(
        header=parse_record(records[0], HEADER_LAYOUT),
        bases=[parse_record(r, BASE_LAYOUT) for r in records[1:-1]],
        trailer=parse_record(records[-1], TRAILER_LAYOUT),
        records=records,
    )
