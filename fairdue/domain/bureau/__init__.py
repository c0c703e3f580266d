"""Credit reporting (征信 / Metro 2 / CAIS): the bureau month per line, derived from day-end's facts.

`month.LineMonth` is the input (one line at one month end), `derive.derive_history` folds a line's months
into `derive.BureauMonth` records, and `metro2`, `pboc`, `cais` hold each bureau's code tables and rules with
their sources. The file writers live in `fairdue.adapters.bureau`.
"""

from fairdue.domain.bureau.derive import BureauMonth, changed_months, derive_history, derive_month
from fairdue.domain.bureau.errors import (
    AmountNotReportable,
    BureauError,
    BureauInputInvalid,
    DefaultNotAllowed,
    FileNotReadable,
    TextNotReportable,
)
from fairdue.domain.bureau.month import DisputeState, LineMonth, Settlement, check_line_month

__all__ = [
    "AmountNotReportable",
    "BureauError",
    "BureauInputInvalid",
    "BureauMonth",
    "DefaultNotAllowed",
    "DisputeState",
    "FileNotReadable",
    "LineMonth",
    "Settlement",
    "TextNotReportable",
    "changed_months",
    "check_line_month",
    "derive_history",
    "derive_month",
]
