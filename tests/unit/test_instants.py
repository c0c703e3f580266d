"""The one parser and formatter of UTC instants keeps the text the decision log hashes byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from fairdue.domain.instants import (
    InstantInvalid,
    InstantNaive,
    as_utc,
    aware,
    format_utc,
    parse_utc,
    parse_utc_or_none,
)

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    "text",
    ["2026-03-01T01:00:00Z", "2026-03-01T01:00:00.250000Z", "2026-12-31T23:59:59Z", "2026-03-01T01:00:00.000001Z"],
)
def test_round_trip_is_byte_identical(text):
    assert format_utc(parse_utc(text)) == text


def test_z_and_zero_offset_are_the_same_instant():
    z, plus = parse_utc("2026-03-01T01:00:00Z"), parse_utc("2026-03-01T01:00:00+00:00")
    assert z == plus == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert z.tzinfo is UTC and plus.tzinfo is UTC


def test_non_utc_offset_is_converted_to_utc():
    at = parse_utc("2026-03-01T09:00:00+08:00")
    assert at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert at.utcoffset() == timedelta(0)
    assert format_utc(at) == "2026-03-01T01:00:00Z"


def test_format_is_what_the_code_wrote_before():
    """isoformat in UTC with Z for +00:00: microseconds only when non-zero, an aware non-UTC value converted."""
    for at in (datetime(2026, 3, 1, 1, 0, tzinfo=UTC), datetime(2026, 3, 1, 9, 0, 5, 12, tzinfo=SHANGHAI)):
        assert format_utc(at) == at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert format_utc(datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)) == "2026-03-01T01:00:00Z"


@pytest.mark.parametrize("text", ["2026-03-01T01:00:00", "2026-03-01"])
def test_naive_instant_is_refused_precisely(text):
    with pytest.raises(InstantNaive, match="no UTC offset"):
        parse_utc(text)
    assert parse_utc_or_none(text) is None


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01T00:00:00Z", "2026-03-01T25:00Z"])
def test_unreadable_text_is_refused(text):
    with pytest.raises(InstantInvalid, match="not an ISO 8601 instant"):
        parse_utc(text)
    assert parse_utc_or_none(text) is None


def test_errors_are_value_errors():
    """Callers that caught fromisoformat's ValueError still catch these."""
    assert issubclass(InstantNaive, InstantInvalid)
    assert issubclass(InstantInvalid, ValueError)


@pytest.mark.parametrize("value", [None, 17, datetime(2026, 3, 1, tzinfo=UTC), b"2026-03-01T01:00:00Z"])
def test_or_none_takes_only_text(value):
    assert parse_utc_or_none(value) is None


def test_format_refuses_naive():
    with pytest.raises(InstantNaive):
        format_utc(datetime(2026, 3, 1, 1, 0))


def test_aware_reads_naive_as_utc_and_keeps_an_offset():
    assert aware(datetime(2026, 3, 1, 1, 0)) == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    local = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    assert aware(local) is local


def test_as_utc_also_converts_an_offset():
    assert as_utc(datetime(2026, 3, 1, 1, 0)).tzinfo is UTC
    converted = as_utc(datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI))
    assert converted == datetime(2026, 3, 1, 1, 0, tzinfo=UTC) and converted.tzinfo is UTC
