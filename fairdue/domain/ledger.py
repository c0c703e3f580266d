"""Double-entry ledger rules, pure: accounts, entries, postings, and the checks on them.

Sign convention: a posting's `amount_minor` > 0 is a debit, < 0 a credit. An
entry balances when its postings sum to zero in every currency; it needs at
least two postings and none may be zero. A stored account balance is the
signed (debit-positive) sum of its postings; `AccountKind.normal_sign` turns it
into the figure people expect (a liability of 100 is stored as -100).

These functions are the first of three checks (code before insert, code again
on read, the database's triggers); storage lives in fairdue.adapters.db.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from fairdue.domain.money import AMOUNT_MINOR_MAX, CURRENCY_EXPONENTS, Money
from fairdue.errors import FairdueError

# Named limits (mirrored by the column sizes in adapters/db/schema/ledger.py).
KEY_LEN_MAX = 200
KIND_LEN_MAX = 60
CODE_LEN_MAX = 120
OWNER_LEN_MAX = 80
POSTINGS_PER_ENTRY_MAX = 1_000
REVERSAL_KIND = "reversal"


class AccountKind(enum.Enum):
    """The five kinds of a chart of accounts."""

    ASSET = "asset"
    LIABILITY = "liability"
    INCOME = "income"
    EXPENSE = "expense"
    EQUITY = "equity"

    @property
    def normal_sign(self) -> int:
        """+1 for debit-normal kinds (asset, expense), -1 for credit-normal ones."""
        return 1 if self in (AccountKind.ASSET, AccountKind.EXPENSE) else -1


# -- errors ----------------------------------------------------------------------------
class LedgerError(FairdueError):
    """Base of every ledger error."""


class InvalidEntry(LedgerError):
    """An entry's key, kind or shape is not acceptable."""


class InvalidPosting(LedgerError):
    """A posting is zero, not an int, too large, or in an unknown currency."""


class UnbalancedEntry(LedgerError):
    """The postings do not sum to zero in some currency."""

    def __init__(self, key: str, imbalances: dict[str, int]):
        detail = ", ".join(f"{cur} off by {total:+d} minor units" for cur, total in sorted(imbalances.items()))
        super().__init__(f"entry {key!r} does not balance: {detail}")
        self.key, self.imbalances = key, dict(imbalances)


class IdempotencyConflict(LedgerError):
    """The key was already used for an entry with different content."""

    def __init__(self, key: str, existing_entry_id: int, differences: Sequence[str]):
        super().__init__(
            f"idempotency key {key!r} was already used for entry #{existing_entry_id} "
            f"with different content: {'; '.join(differences)}"
        )
        self.key, self.existing_entry_id, self.differences = key, existing_entry_id, list(differences)


class UnknownLedgerAccount(LedgerError):
    def __init__(self, ref: object):
        super().__init__(f"unknown ledger account {ref!r}")
        self.ref = ref


class LedgerAccountConflict(LedgerError):
    """ensure_account found the code with a different kind or currency."""


class AccountCurrencyMismatch(LedgerError):
    def __init__(self, code: str, account_currency: str, posting_currency: str):
        super().__init__(f"ledger account {code!r} is in {account_currency}; cannot post {posting_currency} to it")
        self.code, self.account_currency, self.posting_currency = code, account_currency, posting_currency


class UnknownEntry(LedgerError):
    def __init__(self, ref: object):
        super().__init__(f"unknown ledger entry {ref!r}")
        self.ref = ref


class AlreadyReversed(LedgerError):
    def __init__(self, entry_id: int, by_entry_id: int | None):
        by = f" by entry #{by_entry_id}" if by_entry_id is not None else ""
        super().__init__(f"ledger entry #{entry_id} is already reversed{by}")
        self.entry_id, self.by_entry_id = entry_id, by_entry_id


class CorruptEntry(LedgerError):
    """A stored entry failed the balance check on read: the database was altered."""


# -- records -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LedgerAccount:
    """A ledger account of the chart.

    id: database id. code: unique, stable name ("cl:42:receivable_principal").
    kind: AccountKind. currency: ISO 4217; every posting to it is in this currency.
    owner: optional reference to what the account belongs to ("credit_line:42"); None for book-wide accounts.
    name: optional human label; None when the code says enough.
    """

    id: int
    code: str
    kind: AccountKind
    currency: str
    owner: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """An account to ensure: the fields of LedgerAccount without the id (see ensure_accounts)."""

    code: str
    kind: AccountKind
    currency: str
    owner: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PostingLine:
    """One leg of an entry: account_id, signed amount_minor (debit > 0), currency."""

    account_id: int
    amount_minor: int
    currency: str

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An entry not yet stored.

    key: idempotency key, unique across the journal. kind: what happened ("purchase", "payment").
    business_on: the business date it belongs to. postings: at least two, balanced per currency.
    description: optional free text; None when the kind says enough.
    reverses_entry_id: the entry this one reverses; None for ordinary entries.
    """

    key: str
    kind: str
    business_on: date
    postings: tuple[PostingLine, ...]
    description: str | None = None
    reverses_entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A stored entry: the draft's fields plus id and created_at (aware UTC)."""

    id: int
    key: str
    kind: str
    business_on: date
    created_at: datetime
    postings: tuple[PostingLine, ...]
    description: str | None = None
    reverses_entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class Drift:
    """An account whose stored balance differs from the sum of its postings.

    stored_minor: the stored balance; None when the balance row is missing.
    computed_minor: the sum of the account's postings. posting counts likewise.
    """

    account_id: int
    code: str
    currency: str
    stored_minor: int | None
    computed_minor: int
    stored_postings: int | None
    computed_postings: int

    def __str__(self) -> str:
        stored = "missing" if self.stored_minor is None else f"{self.stored_minor}"
        return (
            f"account {self.code} (#{self.account_id}, {self.currency}): stored balance {stored} minor units, "
            f"postings sum to {self.computed_minor} ({self.computed_postings} postings, "
            f"stored count {self.stored_postings})"
        )


@dataclass(frozen=True, slots=True)
class EntryImbalance:
    """A stored entry that does not balance in `currency` (total_minor ≠ 0) or has too few postings."""

    entry_id: int
    key: str
    currency: str | None
    total_minor: int
    posting_count: int

    def __str__(self) -> str:
        if self.currency is None:
            return f"entry #{self.entry_id} ({self.key}) has {self.posting_count} posting(s); needs at least 2"
        return f"entry #{self.entry_id} ({self.key}) is off by {self.total_minor:+d} {self.currency} minor units"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of recomputing the ledger: drifting accounts, unbalanced entries, what was checked."""

    drifts: tuple[Drift, ...]
    imbalances: tuple[EntryImbalance, ...]
    accounts_checked: int
    entries_checked: int
    trial_balance: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.drifts and not self.imbalances and not any(self.trial_balance.values())


# -- rules ---------------------------------------------------------------------------------
def imbalances(postings: Iterable[PostingLine]) -> dict[str, int]:
    """Per-currency sums that are not zero (empty when the postings balance)."""
    totals: dict[str, int] = defaultdict(int)
    for p in postings:
        totals[p.currency] += p.amount_minor
    return {cur: total for cur, total in totals.items() if total != 0}


def check_text(value: object, what: str, length_max: int) -> str:
    """A non-empty, stripped-equal string no longer than length_max, else InvalidEntry."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidEntry(f"{what} must be a non-empty string")
    if value != value.strip():
        raise InvalidEntry(f"{what} {value!r} has leading or trailing spaces")
    if len(value) > length_max:
        raise InvalidEntry(f"{what} is {len(value)} characters; at most {length_max}")
    return value


def check_posting(p: PostingLine) -> None:
    """Raise InvalidPosting unless `p` is a non-zero storable int amount in a known currency."""
    if isinstance(p.account_id, bool) or not isinstance(p.account_id, int):
        raise InvalidPosting(f"posting account_id must be an int, got {p.account_id!r}")
    if isinstance(p.amount_minor, bool) or not isinstance(p.amount_minor, int):
        raise InvalidPosting(f"posting amount_minor must be an int, got {type(p.amount_minor).__name__}")
    if p.amount_minor == 0:
        raise InvalidPosting(f"posting to account #{p.account_id} is zero; leave it out")
    if abs(p.amount_minor) > AMOUNT_MINOR_MAX:
        raise InvalidPosting(f"posting {p.amount_minor} exceeds the storable maximum {AMOUNT_MINOR_MAX}")
    if p.currency not in CURRENCY_EXPONENTS:
        raise InvalidPosting(f"posting in unknown currency {p.currency!r}")


def check_entry(draft: EntryDraft) -> None:
    """Everything the ledger requires of an entry before it is stored; raises a LedgerError."""
    check_text(draft.key, "idempotency key", KEY_LEN_MAX)
    check_text(draft.kind, "entry kind", KIND_LEN_MAX)
    if not isinstance(draft.business_on, date) or isinstance(draft.business_on, datetime):
        raise InvalidEntry(f"business_on must be a date, got {draft.business_on!r}")
    if not 2 <= len(draft.postings) <= POSTINGS_PER_ENTRY_MAX:
        raise InvalidEntry(
            f"entry {draft.key!r} has {len(draft.postings)} posting(s); needs 2 to {POSTINGS_PER_ENTRY_MAX}"
        )
    for p in draft.postings:
        check_posting(p)
    off = imbalances(draft.postings)
    if off:
        raise UnbalancedEntry(draft.key, off)


def check_stored(record: EntryRecord) -> EntryRecord:
    """The read-side check: a stored entry must still balance; raises CorruptEntry otherwise."""
    off = imbalances(record.postings)
    if off or len(record.postings) < 2:
        detail = ", ".join(f"{c} {t:+d}" for c, t in sorted(off.items())) or f"{len(record.postings)} posting(s)"
        raise CorruptEntry(
            f"stored ledger entry #{record.id} ({record.key}) does not balance ({detail}); "
            f"the database was altered outside fairdue — run `fairdue ledger verify`"
        )
    return record


def reversal_postings(postings: Iterable[PostingLine]) -> tuple[PostingLine, ...]:
    """The postings that undo `postings`: same accounts, opposite signs."""
    return tuple(PostingLine(p.account_id, -p.amount_minor, p.currency) for p in postings)


def _posting_key(p: PostingLine) -> tuple[int, str, int]:
    return (p.account_id, p.currency, p.amount_minor)


def differences(draft: EntryDraft, record: EntryRecord) -> list[str]:
    """How `draft` differs from the stored `record` with the same key (empty: the same entry).

    Postings compare as a multiset: their order does not matter.
    """
    diffs = []
    if draft.kind != record.kind:
        diffs.append(f"kind {draft.kind!r} != stored {record.kind!r}")
    if draft.business_on != record.business_on:
        diffs.append(f"business_on {draft.business_on} != stored {record.business_on}")
    if draft.description != record.description:
        diffs.append("description differs")
    if draft.reverses_entry_id != record.reverses_entry_id:
        diffs.append(f"reverses entry {draft.reverses_entry_id} != stored {record.reverses_entry_id}")
    mine = sorted(map(_posting_key, draft.postings))
    theirs = sorted(map(_posting_key, record.postings))
    if mine != theirs:
        diffs.append(f"postings {_fmt_postings(mine)} != stored {_fmt_postings(theirs)}")
    return diffs


def _fmt_postings(keys: list[tuple[int, str, int]]) -> str:
    return "[" + ", ".join(f"#{a} {amt:+d} {cur}" for a, cur, amt in keys) + "]"


def trial_balance(balances: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum of (currency, signed balance_minor) pairs per currency; all zeros on a sound ledger."""
    totals: dict[str, int] = defaultdict(int)
    for currency, amount_minor in balances:
        totals[currency] += amount_minor
    return dict(totals)


def normal_balance(kind: AccountKind, balance_minor: int) -> int:
    """A signed (debit-positive) balance as the account kind reads it (a liability owed is positive)."""
    return kind.normal_sign * balance_minor
