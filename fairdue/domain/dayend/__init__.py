"""Day-end (close of business): the pure, vectorised kernel and its product parameters.

`kernel.close_day` closes one business date over one partition of accounts;
`params.product_frames` turns products into the frames it joins to.
"""

from fairdue.domain.dayend.kernel import (
    ACCOUNT_SCHEMA,
    BUCKET_MOVE_SCHEMA,
    ENTRY_SCHEMA,
    EVENT_KINDS,
    EVENT_SCHEMA,
    INSTALLMENT_SCHEMA,
    LEDGER_ROLES,
    DayendStateInvalid,
    DayResult,
    close_day,
    daily_accruals,
)
from fairdue.domain.dayend.params import product_frames

__all__ = [
    "ACCOUNT_SCHEMA",
    "BUCKET_MOVE_SCHEMA",
    "ENTRY_SCHEMA",
    "EVENT_KINDS",
    "EVENT_SCHEMA",
    "INSTALLMENT_SCHEMA",
    "LEDGER_ROLES",
    "DayResult",
    "DayendStateInvalid",
    "close_day",
    "daily_accruals",
    "product_frames",
]
