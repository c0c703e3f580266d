"""Product use cases: read a product file, validate it, store it (versioned), look it up."""

from __future__ import annotations

import hashlib
import json
import pathlib
import tomllib
from dataclasses import dataclass

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.products import Product, ProductInvalid, product_from_mapping, product_to_mapping
from fairdue.errors import Invalid

PRODUCT_FILE_BYTES_MAX = 1_000_000


class ProductFileError(Invalid):
    """The product file cannot be read or parsed."""


class ProductVersionConflict(Invalid):
    """The same code and version is already stored with a different definition."""


class UnknownProduct(Invalid):
    def __init__(self, ref: object):
        super().__init__(f"unknown product {ref!r}; load it first with `fairdue product load FILE`")
        self.ref = ref


@dataclass(frozen=True, slots=True)
class StoredProduct:
    """A product as stored: database id, the validated Product, and whether this call created it."""

    id: int
    product: Product
    created: bool = False


def parse_product_file(path: str | pathlib.Path) -> Product:
    """Read a TOML (.toml) or YAML (.yaml/.yml) product file and validate it; nothing is stored."""
    p = pathlib.Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise ProductFileError(f"cannot read product file {p}: {err.strerror}") from None
    if len(raw) > PRODUCT_FILE_BYTES_MAX:
        raise ProductFileError(f"product file {p} is larger than {PRODUCT_FILE_BYTES_MAX} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProductFileError(f"product file {p} is not UTF-8 text") from None
    suffix = p.suffix.lower()
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ProductFileError(f"product file {p} is not valid TOML: {err}") from None
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ProductFileError(
                f"product file {p} is not valid YAML{where}: {getattr(err, 'problem', err)}"
            ) from None
    else:
        raise ProductFileError(f"product file {p} must end in .toml, .yaml or .yml")
    return product_from_mapping(data, source=p.name)


def _canonical(product: Product) -> tuple[str, str]:
    text = json.dumps(product_to_mapping(product), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_product(uow: UnitOfWork, *, product: Product) -> StoredProduct:
    """Store `product` (code, version) once; the same definition again is a no-op, a different one an error."""
    r = uow.accounts
    definition, digest = _canonical(product)
    existing = r.product_by_code(product.code, product.version)
    if existing is not None:
        if existing.definition_sha256 != digest:
            raise ProductVersionConflict(
                f"product {product.code} version {product.version} is already loaded with a different definition; "
                f"raise `version` in the file to change a product"
            )
        return StoredProduct(existing.id, product, created=False)
    pid = r.add_product(
        code=product.code,
        version=product.version,
        name=product.name,
        jurisdiction=product.jurisdiction,
        currency=product.currency,
        definition=definition,
        definition_sha256=digest,
        loaded_at=uow.clock(),
    )
    return StoredProduct(pid, product, created=True)


def load_product_file(uow: UnitOfWork, *, path: str | pathlib.Path) -> StoredProduct:
    """Parse, validate and store a product file (raises before writing anything if it is bad)."""
    return register_product(uow, product=parse_product_file(path))


# Validated products by the SHA-256 of their stored definition (validation prices every option).
_PARSED: dict[str, Product] = {}
_PARSED_MAX = 256


def _row_to_stored(row) -> StoredProduct:
    product = _PARSED.get(row.definition_sha256)
    if product is None:
        if hashlib.sha256(row.definition.encode("utf-8")).hexdigest() != row.definition_sha256:
            raise ProductFileError(
                f"stored product #{row.id} ({row.code}) was altered outside fairdue (digest differs)"
            )
        try:
            product = product_from_mapping(json.loads(row.definition), source=f"stored product #{row.id}")
        except (ProductInvalid, ValueError) as err:
            raise ProductFileError(f"stored product #{row.id} ({row.code}) no longer validates: {err}") from None
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[row.definition_sha256] = product
    return StoredProduct(row.id, product)


def get_product(uow: UnitOfWork, *, product_id: int | None = None, code: str | None = None) -> StoredProduct:
    """A stored product by id, or the newest version of `code`."""
    r = uow.accounts
    if product_id is not None and product_id in r.product_cache:
        return r.product_cache[product_id]  # type: ignore[return-value]
    row = r.product_by_id(product_id) if product_id is not None else r.product_by_code(code or "")
    if row is None:
        raise UnknownProduct(product_id if product_id is not None else code)
    stored = _row_to_stored(row)
    r.product_cache[stored.id] = stored
    return stored


def list_products(uow: UnitOfWork) -> list[StoredProduct]:
    """Every stored product version."""
    return [_row_to_stored(r) for r in uow.accounts.all_products()]
