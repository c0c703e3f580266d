"""Bad input gets a precise BankFileError, never a traceback: every parser is fed damaged copies of its sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairdue.adapters.bankfiles import csvmap, parse_checked
from fairdue.adapters.bankfiles.errors import BankFileError

DATA = Path(__file__).parents[1] / "data" / "bankfiles"
MAPPING = csvmap.load_mapping((DATA / "bank_mapping.toml").read_bytes())
SAMPLES = {
    "camt053": "camt053_day.xml",
    "camt054": "camt054_notification.xml",
    "nacha": "nacha_returns.ach",
    "bacs-arudd": "bacs_arudd.xml",
    "bacs-addacs": "bacs_addacs.xml",
    "wechat": "wechat_bill_all.csv",
    "alipay": "alipay_bill.zip",
    "csv": "bank_statement.csv",
}
# Bytes that turn a valid field into an invalid one in every format: signs, separators, digits, letters, markup.
DAMAGE = st.sampled_from([b"-", b"0", b"9", b".", b",", b"`", b"#", b"<", b">", b'"', b"\n", b" ", b"X", b"\xff", b""])


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_fail_with_a_bank_file_error_only_issue20_clear_error_nothing_applied(
    fmt: str, data: st.DataObject
) -> None:
    raw = bytearray((DATA / SAMPLES[fmt]).read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw) - 1))
        width = data.draw(st.integers(0, 3))
        raw[at : at + width] = data.draw(DAMAGE)
    try:
        parse_checked(fmt, bytes(raw), mapping=MAPPING if fmt == "csv" else None)
    except BankFileError as err:
        assert str(err).startswith(fmt)  # the message names the format, then the record and field
