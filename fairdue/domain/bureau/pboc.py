"""China (PBOC credit reference centre, 征信): the monthly repayment status code, the five-category loan
classification and how long negative information is kept, derived from a `LineMonth`.

Sources. 《征信业管理条例》(State Council Order No. 631, 2013) Art. 15 (notify before reporting negative
information), Art. 16 (negative information kept 5 years from the day the behaviour or event ended), Art. 25
(objections) [V2]. The monthly status codes are those the personal credit report (二代征信) prints in its
24-month grid, as publicly described [V2]; the PBOC submission format itself is given only to reporting
institutions, so fairdue's record is *modelled* on the public description (docs/credit-reporting.md).

Monthly repayment status (当月还款状态) [V2]:
    N 正常 — due this month and paid on time      1 逾期 1–30 天   2 31–60   3 61–90   4 91–120
    5 121–150    6 151–180    7 逾期 180 天以上
    C 结清 — settled       G 结束 — ended otherwise than by settlement    D 担保人代还 — paid by a guarantor
    Z 以资抵债 — settled with assets     B 呆账 — bad debt (written off)
    M 约定还款日后月底前还款 — overdue during the month, nothing overdue at month end
    # 状态未知 — the month's state is unknown    * 当月不需要还款且之前没有拖欠 — nothing due, nothing late
Five-category classification (五级分类) — 《商业银行金融资产风险分类办法》(CBIRC/PBOC Order 2023 No. 1)
Art. 9–11 [V2]: any overdue amount → at least 关注; more than 90 days → at least 次级; more than 270 → at least
可疑; more than 360 → 损失; a restructured asset (a plan) is not upgraded while the plan runs (Art. 18) [R];
a written-off line is 损失.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

from fairdue.domain.bureau.month import LineMonth, Settlement
from fairdue.domain.loanmath.calendar import add_months

NEGATIVE_RETENTION_MONTHS = 5 * 12  # 征信业管理条例 Art. 16: 5 years from the end of the behaviour
OVERDUE_BUCKET_DAYS = 30
OVERDUE_CODE_MAX = 7  # "7" is 180 days and more

ON_TIME = "N"
SETTLED_CODES: dict[Settlement, str] = {
    Settlement.PAID: "C",
    Settlement.OTHER: "G",
    Settlement.GUARANTOR: "D",
    Settlement.ASSETS: "Z",
}
BAD_DEBT = "B"
PAID_LATE_IN_MONTH = "M"
UNKNOWN = "#"
NOTHING_DUE = "*"
CODES = ("N", "1", "2", "3", "4", "5", "6", "7", "C", "G", "D", "Z", "B", "M", "#", "*")
# Negative information under Art. 15: an overdue month, a month paid late, bad debt, and an end by someone
# or something other than the borrower's payment.
NEGATIVE_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "M", "B", "D", "Z", "G"})


class LoanClass(IntEnum):
    """五级分类, ordered from best to worst so `max` gives the worse class."""

    NORMAL = 1  # 正常
    SPECIAL_MENTION = 2  # 关注
    SUBSTANDARD = 3  # 次级
    DOUBTFUL = 4  # 可疑
    LOSS = 5  # 损失


LOAN_CLASS_ZH: dict[LoanClass, str] = {
    LoanClass.NORMAL: "正常",
    LoanClass.SPECIAL_MENTION: "关注",
    LoanClass.SUBSTANDARD: "次级",
    LoanClass.DOUBTFUL: "可疑",
    LoanClass.LOSS: "损失",
}
# (more than this many days overdue, at least this class), worst first.
CLASS_BY_DPD: tuple[tuple[int, LoanClass], ...] = (
    (360, LoanClass.LOSS),
    (270, LoanClass.DOUBTFUL),
    (90, LoanClass.SUBSTANDARD),
    (0, LoanClass.SPECIAL_MENTION),
)


def overdue_code(dpd: int) -> str:
    """ "1" for 1–30 days overdue, "2" for 31–60 … "7" for more than 180 (integer ceiling of dpd / 30)."""
    return str(min(-(-dpd // OVERDUE_BUCKET_DAYS), OVERDUE_CODE_MAX))


def repayment_status(line: LineMonth) -> str:
    """The month's 当月还款状态 (codes in the module docstring), most decisive condition first."""
    if not line.status_known:
        return UNKNOWN
    if line.settled is not None:
        return SETTLED_CODES[line.settled]
    if line.charged_off_on is not None:
        return BAD_DEBT
    if line.dpd > 0:
        return overdue_code(line.dpd)
    if line.dpd_max_in_month > 0:
        return PAID_LATE_IN_MONTH
    if not line.due_in_month:
        return NOTHING_DUE
    return ON_TIME


def loan_class(line: LineMonth, previous: LoanClass | None) -> LoanClass:
    """五级分类 for the month: by days overdue; 损失 once written off; no upgrade while a plan runs."""
    if line.charged_off_on is not None and line.settled is None:
        return LoanClass.LOSS
    by_dpd = LoanClass.NORMAL
    for days_over, klass in CLASS_BY_DPD:
        if line.dpd > days_over:
            by_dpd = klass
            break
    if line.plan_active:
        return max(by_dpd, LoanClass.SPECIAL_MENTION, previous or LoanClass.NORMAL)
    return by_dpd


def negative_retained_until(behaviour_ended_on: date) -> date:
    """The last day negative information may be kept: 5 years from the day the behaviour ended
    (征信业管理条例 Art. 16)."""
    return add_months(behaviour_ended_on, NEGATIVE_RETENTION_MONTHS)
