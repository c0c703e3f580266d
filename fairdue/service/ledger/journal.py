"""Ledger use cases: the API the rest of fairdue posts through.

Every function takes the unit of work first and keyword-only arguments after;
it runs inside the caller's transaction and never commits (the caller does:
`with uow_factory() as uow: post_entry(uow, ...); uow.commit()`).

Account references (`AccountRef`) are a ledger account code (str), id (int)
or a LedgerAccount. Amounts are Money, signed: > 0 debit, < 0 credit.

    cash = ensure_account(uow, code="book:cash:CNY", kind="asset", currency="CNY")
    rec  = ensure_account(uow, code="cl:42:receivable_principal", kind="asset",
                          currency="CNY", owner="credit_line:42")
    post_entry(uow, key="purchase:order-981", kind="purchase", business_on=date(2026, 1, 15),
               postings=[(rec, Money(120000, "CNY")), (cash, Money(-120000, "CNY"))])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast

from fairdue.adapters.db.repos.ledger import BulkResult
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.ledger import (
    CODE_LEN_MAX,
    OWNER_LEN_MAX,
    REVERSAL_KIND,
    AccountCurrencyMismatch,
    AccountKind,
    AccountSpec,
    AlreadyReversed,
    EntryDraft,
    EntryRecord,
    IdempotencyConflict,
    InvalidEntry,
    LedgerAccount,
    LedgerAccountConflict,
    PostingLine,
    UnknownEntry,
    UnknownLedgerAccount,
    VerifyReport,
    check_entry,
    check_text,
    reversal_postings,
    trial_balance,
)
from fairdue.domain.money import Money, check_currency

AccountRef = str | int | LedgerAccount

__all__ = [
    "AccountRef",
    "AccountSpec",
    "BulkResult",
    "IdempotencyConflict",
    "account",
    "balance",
    "balances",
    "ensure_account",
    "ensure_accounts",
    "get_entry",
    "post_entries_bulk",
    "post_entry",
    "reverse_entry",
    "verify",
]


def ensure_account(
    uow: UnitOfWork,
    *,
    code: str,
    kind: AccountKind | str,
    currency: str,
    owner: str | None = None,
    name: str | None = None,
) -> LedgerAccount:
    """The ledger account `code`, created (with a zero balance) if absent; safe under concurrency.

    Raises LedgerAccountConflict if `code` exists with another kind, currency or owner.
    """
    spec = _check_spec(AccountSpec(code, kind, currency, owner, name))  # type: ignore[arg-type]
    stored = uow.ledger.add_account_if_absent(
        code=spec.code, kind=spec.kind, currency=spec.currency, owner=spec.owner, name=spec.name
    )
    _same_account(spec, stored)
    return stored


def _check_spec(spec: AccountSpec) -> AccountSpec:
    check_text(spec.code, "ledger account code", CODE_LEN_MAX)
    if spec.owner is not None:
        check_text(spec.owner, "ledger account owner", OWNER_LEN_MAX)
    try:
        kind = AccountKind(spec.kind)
    except ValueError:
        raise InvalidEntry(
            f"unknown ledger account kind {spec.kind!r}; one of {', '.join(k.value for k in AccountKind)}"
        ) from None
    check_currency(spec.currency)
    return AccountSpec(spec.code, kind, spec.currency, spec.owner, spec.name)


def _same_account(spec: AccountSpec, stored: LedgerAccount) -> None:
    if (stored.kind, stored.currency, stored.owner) != (spec.kind, spec.currency, spec.owner):
        raise LedgerAccountConflict(
            f"ledger account {spec.code!r} exists as {stored.kind.value} {stored.currency} owner={stored.owner!r}; "
            f"asked for {spec.kind.value} {spec.currency} owner={spec.owner!r}"
        )


def ensure_accounts(uow: UnitOfWork, specs: Iterable[AccountSpec]) -> dict[str, LedgerAccount]:
    """ensure_account for many accounts in a few statements (opening a portfolio, seeding); by code.

    Raises LedgerAccountConflict if a code exists with another kind, currency or owner.
    """
    checked: dict[str, AccountSpec] = {}
    for spec in specs:
        spec = _check_spec(spec)
        if checked.setdefault(spec.code, spec) != spec:
            raise LedgerAccountConflict(f"ledger account {spec.code!r} is listed twice with different fields")
    stored = uow.ledger.add_accounts_if_absent(list(checked.values()))
    for code, spec in checked.items():
        _same_account(spec, stored[code])
    return stored


def balances(uow: UnitOfWork, accounts: Iterable[LedgerAccount]) -> dict[str, Money]:
    """Stored balances (signed, debit-positive) of many accounts at once, by code."""
    accounts = list(accounts)
    by_id = uow.ledger.balances_of(a.id for a in accounts)
    return {a.code: Money(by_id.get(a.id, 0), a.currency) for a in accounts}


def account(uow: UnitOfWork, ref: AccountRef) -> LedgerAccount:
    """The stored account for a code, id or LedgerAccount; UnknownLedgerAccount if none."""
    if isinstance(ref, LedgerAccount):
        found = uow.ledger.account_by_id(ref.id)
    elif isinstance(ref, bool):
        found = None
    elif isinstance(ref, int):
        found = uow.ledger.account_by_id(ref)
    elif isinstance(ref, str):
        found = uow.ledger.account_by_code(ref)
    else:
        found = None
    if found is None:
        raise UnknownLedgerAccount(ref.code if isinstance(ref, LedgerAccount) else ref)
    return found


def _resolve(uow: UnitOfWork, postings: Sequence[tuple[AccountRef, Money]]) -> tuple[PostingLine, ...]:
    """Postings with account ids, in at most two queries (a LedgerAccount is taken as given:
    the database's (account_id, currency) foreign key still refuses a forged one)."""
    codes = {ref for ref, _ in postings if isinstance(ref, str)}
    ids = {ref for ref, _ in postings if isinstance(ref, int) and not isinstance(ref, bool)}
    by_code = uow.ledger.accounts_by_codes(codes) if codes else {}
    by_id = uow.ledger.accounts_by_ids(ids) if ids else {}
    lines = []
    for ref, amount in postings:
        if not isinstance(amount, Money):
            raise InvalidEntry(f"posting amount for {ref!r} must be Money, got {type(amount).__name__}")
        acct: LedgerAccount | None
        if isinstance(ref, LedgerAccount):
            acct = ref
        elif isinstance(ref, str):
            acct = by_code.get(ref)
        elif isinstance(ref, int) and not isinstance(ref, bool):
            acct = by_id.get(ref)
        else:
            acct = None
        if acct is None:
            raise UnknownLedgerAccount(ref)
        if acct.currency != amount.currency:
            raise AccountCurrencyMismatch(acct.code, acct.currency, amount.currency)
        lines.append(PostingLine(acct.id, amount.amount_minor, amount.currency))
    return tuple(lines)


def post_entry(
    uow: UnitOfWork,
    *,
    key: str,
    kind: str,
    business_on: date,
    postings: Sequence[tuple[AccountRef, Money]],
    description: str | None = None,
) -> EntryRecord:
    """Post a balanced entry once per idempotency key; returns the stored entry.

    The same key again with the same content returns the first entry and
    writes nothing; with different content raises IdempotencyConflict.
    Raises UnbalancedEntry, InvalidEntry/InvalidPosting, UnknownLedgerAccount,
    AccountCurrencyMismatch before anything is written.
    """
    draft = EntryDraft(
        key=key, kind=kind, business_on=business_on, postings=_resolve(uow, postings), description=description
    )
    check_entry(draft)
    record, _created = uow.ledger.add_entry(draft)
    return record


def reverse_entry(
    uow: UnitOfWork,
    *,
    entry_id: int,
    key: str,
    business_on: date,
    description: str | None = None,
) -> EntryRecord:
    """Post the entry that undoes `entry_id` (same accounts, opposite signs), once per key.

    An entry is reversed at most once: AlreadyReversed if another key did it.
    """
    original = uow.ledger.entry_by_id(entry_id)
    if original is None:
        raise UnknownEntry(entry_id)
    draft = EntryDraft(
        key=key,
        kind=REVERSAL_KIND,
        business_on=business_on,
        postings=reversal_postings(original.postings),
        description=description if description is not None else f"reverses entry #{entry_id} ({original.key})",
        reverses_entry_id=entry_id,
    )
    check_entry(draft)
    existing = uow.ledger.entry_by_key(key)
    if existing is None:
        by = uow.ledger.reversal_of(entry_id)
        if by is not None:
            raise AlreadyReversed(entry_id, by)
    record, _created = uow.ledger.add_entry(draft)
    return record


def get_entry(uow: UnitOfWork, *, entry_id: int | None = None, key: str | None = None) -> EntryRecord:
    """One stored entry by id or idempotency key (balance re-checked on read); UnknownEntry if none."""
    if (entry_id is None) == (key is None):
        raise InvalidEntry("give exactly one of entry_id or key")
    # Exactly one of them was given (checked above): without entry_id, key is a str.
    record = uow.ledger.entry_by_id(entry_id) if entry_id is not None else uow.ledger.entry_by_key(cast(str, key))
    if record is None:
        raise UnknownEntry(entry_id if entry_id is not None else key)
    return record


def balance(uow: UnitOfWork, ref: AccountRef, *, normal: bool = False) -> Money:
    """The stored balance (O(1)): signed debit-positive, or as the account kind reads it with normal=True."""
    acct = account(uow, ref)
    stored = uow.ledger.balance_of(acct.id)
    amount_minor = 0 if stored is None else stored[0]
    if normal:
        amount_minor *= acct.kind.normal_sign
    return Money(amount_minor, acct.currency)


def post_entries_bulk(uow: UnitOfWork, entries: Iterable[EntryDraft], *, check_existing: bool = True) -> BulkResult:
    """Post many entries (account ids already resolved) in a few statements; for batch jobs.

    Each draft is checked like post_entry (cheap, pure). Keys already stored
    are skipped (with check_existing, they must match: IdempotencyConflict).
    Account/currency agreement is enforced by the database's foreign key.
    Everything happens in the caller's transaction.
    """
    drafts = list(entries)
    for d in drafts:
        if d.reverses_entry_id is not None:
            raise InvalidEntry(f"entry {d.key!r}: reversals go through reverse_entry, not the bulk path")
        check_entry(d)
    return uow.ledger.add_entries_bulk(drafts, check_existing=check_existing)


def verify(uow: UnitOfWork) -> VerifyReport:
    """Recompute every balance from postings and re-check every entry; the report names what is off."""
    drifts, accounts = uow.ledger.drifts()
    imbalances, entries = uow.ledger.imbalances()
    return VerifyReport(
        drifts=tuple(drifts),
        imbalances=tuple(imbalances),
        accounts_checked=accounts,
        entries_checked=entries,
        trial_balance={c: t for c, t in trial_balance(uow.ledger.stored_balances()).items()},
    )
