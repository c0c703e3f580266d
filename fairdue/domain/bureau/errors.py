"""Errors of the credit-reporting (bureau) area: each is a FairdueError and a ValueError."""

from __future__ import annotations

from fairdue.errors import Conflict, Invalid


class BureauError(Invalid, ValueError):
    """Base of every bureau-input error; a ValueError so edges can catch one type."""


class BureauInputInvalid(BureauError):
    """A line-month record that cannot describe a real month (a negative DPD, a DPD that disagrees with the
    oldest overdue date, a month end that is not a month end, a history out of order)."""


class AmountNotReportable(BureauError):
    """An amount that the target format cannot carry (a non-USD amount in Metro 2, more than 9 digits)."""


class DefaultNotAllowed(Conflict, ValueError):
    """A UK default the rules forbid: no default notice served long enough before, or an agreed arrangement
    that is being kept (SCOR / ICO guidance on filing defaults)."""


class TextNotReportable(BureauError):
    """Text a fixed-width bureau field cannot carry (non-ASCII, or longer than the field)."""


class FileNotReadable(BureauError):
    """A bureau file that does not follow its layout (a record of the wrong length, an unknown record)."""
