"""The bureau month: what each bureau is told about one line for one month, derived from its `LineMonth`
and the line's earlier derived months — never typed by hand.

`derive_history` folds a line's months in order; because every month depends only on its own input and the
months before it, re-deriving after a backdated payment, a reversal or a correction is `derive_history` over
the corrected inputs, and `changed_months` names the months whose reported content moved (the ones a
correction file must carry). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

from fairdue.domain.bureau import cais, metro2, pboc
from fairdue.domain.bureau.errors import BureauInputInvalid
from fairdue.domain.bureau.month import LineMonth, check_line_month


@dataclass(frozen=True, slots=True, kw_only=True)
class BureauMonth:
    """One line's month as each bureau sees it.

    line: the checked input it was derived from.
    metro2_status / metro2_rating / metro2_profile / compliance_code: Metro 2 Fields 17A, 17B ("" = blank),
        18 (24 characters, the months before this one, most recent first) and 20 ("" = blank).
    metro2_profile_char: the character this month leaves in next month's profile.
    delinquency_chain_on: the start of the current delinquency chain, carried month to month (None: no chain).
    first_delinquency_on: Metro 2 Field 25 as reported this month (None: zero-filled).
    pboc_code / loan_class: 征信 当月还款状态 and 五级分类.
    cais_status / cais_flag / cais_reportable: CAIS status, arrangement flag ("" = none), and whether the
        month is still within the 6-year retention.
    """

    line: LineMonth
    metro2_status: str
    metro2_rating: str
    metro2_profile: str
    metro2_profile_char: str
    compliance_code: str
    delinquency_chain_on: date | None
    first_delinquency_on: date | None
    pboc_code: str
    loan_class: pboc.LoanClass
    cais_status: str
    cais_flag: str
    cais_reportable: bool

    @property
    def metro2_negative(self) -> bool:
        """A status that reports a delinquency or a charge-off (FCRA §623(a)(7) notice territory)."""
        return self.metro2_status in metro2.NEGATIVE_STATUSES

    @property
    def pboc_negative(self) -> bool:
        """不良信息 under 征信业管理条例 Art. 15: the borrower must be told before the first one is reported."""
        return self.pboc_code in pboc.NEGATIVE_CODES

    @property
    def cais_negative(self) -> bool:
        """Arrears (status 1–6) or a default."""
        return self.cais_status not in (cais.UP_TO_DATE, cais.UNCLASSIFIED, cais.DORMANT)


def derive_month(line: LineMonth, previous: Sequence[BureauMonth]) -> BureauMonth:
    """Derive `line`'s month from its input and the line's earlier derived months (oldest first)."""
    check_line_month(line)
    _check_follows(line, previous)
    last = previous[-1] if previous else None
    carried = last.delinquency_chain_on if last else None
    status = metro2.account_status(line)
    rating = metro2.payment_rating(status, line)
    chain = metro2.delinquency_chain(line, carried)
    earlier = {m.line.month_end_on: m.metro2_profile_char for m in previous[-metro2.PROFILE_MONTHS :]}
    return BureauMonth(
        line=line,
        metro2_status=status,
        metro2_rating=rating,
        metro2_profile=metro2.history_profile(line.month_end_on, line.opened_on, earlier),
        metro2_profile_char=metro2.profile_character(status, line),
        compliance_code=metro2.compliance_condition(line.dispute),
        delinquency_chain_on=chain,
        first_delinquency_on=metro2.reported_first_delinquency(status, rating, chain, carried),
        pboc_code=pboc.repayment_status(line),
        loan_class=pboc.loan_class(line, last.loan_class if last else None),
        cais_status=cais.account_status(line, last.cais_status if last else None),
        cais_flag=cais.arrangement_flag(line),
        cais_reportable=cais.is_reportable(line),
    )


def _check_follows(line: LineMonth, previous: Sequence[BureauMonth]) -> None:
    if not previous:
        return
    last = previous[-1].line
    if last.line_id != line.line_id:
        raise BureauInputInvalid(f"history of line {last.line_id} given for line {line.line_id}")
    if last.month_end_on >= line.month_end_on:
        raise BureauInputInvalid(
            f"line {line.line_id}: month {line.month_end_on} does not follow the last derived {last.month_end_on}"
        )


def derive_history(lines: Sequence[LineMonth]) -> list[BureauMonth]:
    """Derive every month of one line, oldest first; the same inputs always give the same months."""
    months: list[BureauMonth] = []
    for line in lines:
        months.append(derive_month(line, months))
    return months


def _reported(month: BureauMonth) -> tuple[object, ...]:
    return tuple(getattr(month, f.name) for f in fields(month))


def changed_months(before: Sequence[BureauMonth], after: Sequence[BureauMonth]) -> list[BureauMonth]:
    """The months of `after` that are new or differ from the same month in `before` (a correction's content)."""
    old = {m.line.month_end_on: _reported(m) for m in before}
    return [m for m in after if old.get(m.line.month_end_on) != _reported(m)]
