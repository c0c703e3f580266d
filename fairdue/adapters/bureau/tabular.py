"""JSON Lines and CSV for the modelled bureau records (PBOC, CAIS): one flat record per line-month.

JSON Lines carries a header line and a trailer line with the record count and control totals per currency;
CSV carries the data rows only, under a header row of the column names (its totals come from
`control_totals`). Keys keep the order the record builder gives them; output is deterministic.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

Record = Mapping[str, str | int | bool | None]


def control_totals(records: Sequence[Record], amount_keys: Sequence[str]) -> dict[str, object]:
    """The record count and, per currency, the sum of each amount column (integer minor units)."""
    totals: dict[str, dict[str, int]] = {}
    for record in records:
        per_currency = totals.setdefault(str(record["currency"]), dict.fromkeys(amount_keys, 0))
        for key in amount_keys:
            value = record[key]
            per_currency[key] += value if isinstance(value, int) else 0
    return {"record_count": len(records), "totals_by_currency": dict(sorted(totals.items()))}


def write_jsonl(records: Sequence[Record], *, header: Mapping[str, object], amount_keys: Sequence[str]) -> str:
    """Header line, one line per record, trailer line with `control_totals`."""
    lines = [json.dumps({"record_type": "header", **header}, ensure_ascii=False)]
    lines += [json.dumps({"record_type": "account_month", **r}, ensure_ascii=False) for r in records]
    trailer = {"record_type": "trailer", **control_totals(records, amount_keys)}
    lines.append(json.dumps(trailer, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def write_csv(records: Sequence[Record], columns: Sequence[str]) -> str:
    """A header row of `columns`, then one row per record (None as empty, booleans as true/false)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record[c] is None else _cell(record[c]) for c in columns])
    return out.getvalue()


def _cell(value: str | int | bool | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_jsonl(text: str) -> list[dict[str, object]]:
    """Every line of a JSON Lines file (header, records, trailer), for tests and re-reads."""
    return [json.loads(line) for line in text.splitlines() if line]
