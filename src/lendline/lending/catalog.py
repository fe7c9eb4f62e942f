"""The product catalog: loan products as configuration, read from TOML (standard ``tomllib``).

A catalog file names its default product and describes each product in a table keyed by its
code (``lendline/data/products.toml`` ships with the package and documents every field)::

    default = "PL-STD"

    [products.PL-STD]
    version = "2026.11"
    name_zh = "个人消费贷款（标准）"
    name_en = "Personal consumer loan (standard)"
    currency = "CNY"
    min_amount = 1000
    max_amount = 200000
    amount_step = 100
    terms_months = [3, 6, 9, 12, 18, 24, 36]
    annual_rate = "0.108"
    method = "equal_installment"       # or "equal_principal"
    grace_months = 0                   # optional: interest-only months at the start
    fee = { monthly_amount = "0" }     # optional: or { monthly_rate = "0.006" }, flat on principal
    early_repayment = { allowed = true, notice_days = 0, penalty_rate = "0" }  # optional

Rates and amounts are exact: strings or integers. A TOML float (``0.108``) is refused because
it is binary and inexact, the same rule as ``Money``. An up-front fee in any form is refused
with an error naming the product: fees deducted from the principal are unlawful (R8). Every
error names the file, the product and the field, so a typo in configuration is found at start
rather than on a call.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from pathlib import Path
from typing import Final

from lendline.lending.product import EarlyRepayment, LoanProduct
from lendline.lending.schedule import RepaymentMethod
from lendline.shared.money import Money

#: Name of the catalog that ships with the package, in ``lendline.data``.
PACKAGED_CATALOG: Final = "products.toml"

_PRODUCT_FIELDS: Final = frozenset(
    {
        "version",
        "name_zh",
        "name_en",
        "currency",
        "min_amount",
        "max_amount",
        "amount_step",
        "terms_months",
        "annual_rate",
        "method",
        "grace_months",
        "fee",
        "early_repayment",
    }
)
_REQUIRED_FIELDS: Final = _PRODUCT_FIELDS - {"grace_months", "fee", "early_repayment"}
_FEE_FIELDS: Final = frozenset({"monthly_amount", "monthly_rate"})
_EARLY_FIELDS: Final = frozenset({"allowed", "notice_days", "penalty_rate"})


class CatalogError(ValueError):
    """Raised when a product catalog cannot be loaded.

    Attributes:
        source: the catalog file.
        product: the product code at fault, if the error is about one product.
        field: the field at fault (dotted, e.g. ``fee.monthly_rate``), if known.
    """

    def __init__(
        self, source: str, message: str, product: str | None = None, field: str | None = None
    ) -> None:
        where = source
        if product is not None:
            where += f": product {product}"
        if field is not None:
            where += f": field {field}"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.product = product
        self.field = field


class UnknownProduct(LookupError):
    """Raised when a catalog is asked for a product it does not have."""


def _is_upfront(key: str) -> bool:
    """Return whether a field name describes a fee taken at disbursement (R8)."""
    bare = key.lower().replace("_", "").replace("-", "")
    return any(word in bare for word in ("upfront", "deduct", "prepaid", "disbursementfee"))


@dataclass(frozen=True, slots=True)
class _Reader:
    """Reads one product's table, naming the file, product and field in every error."""

    source: str
    code: str

    def error(self, message: str, field: str | None = None) -> CatalogError:
        return CatalogError(self.source, message, self.code, field)

    def check_keys(self, table: Mapping[str, object], allowed: frozenset[str], prefix: str) -> None:
        for key in table:
            name = f"{prefix}{key}"
            if _is_upfront(key):
                raise self.error(
                    "up-front fees (deducted from the principal, 砍头息) are unlawful (R8); "
                    "charge a periodic fee (fee.monthly_amount or fee.monthly_rate) instead",
                    name,
                )
            if key not in allowed:
                raise self.error(f"unknown field; expected one of {sorted(allowed)}", name)

    def decimal(self, value: object, field: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | str):
            kind = "a TOML float is inexact" if isinstance(value, float) else "wrong type"
            raise self.error(f"{kind}: write an exact number as a string or integer", field)
        try:
            number = Decimal(value)
        except InvalidOperation as exc:
            raise self.error(f"{value!r} is not a number", field) from exc
        if not number.is_finite():
            raise self.error(f"{value!r} is not a finite number", field)
        return number

    def integer(self, value: object, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected a whole number, got {value!r}", field)
        return value

    def text(self, value: object, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"expected non-empty text, got {value!r}", field)
        return value

    def table(self, value: object, field: str) -> Mapping[str, object]:
        if not isinstance(value, dict):
            raise self.error("expected a table", field)
        return value

    def money(self, value: object, field: str, currency: str) -> Money:
        try:
            return Money(self.decimal(value, field), currency)
        except ValueError as exc:
            if isinstance(exc, CatalogError):
                raise
            raise self.error(str(exc), "currency") from exc

    def product(self, raw: Mapping[str, object]) -> LoanProduct:
        self.check_keys(raw, _PRODUCT_FIELDS, "")
        missing = sorted(_REQUIRED_FIELDS - raw.keys())
        if missing:
            raise self.error(f"missing field(s) {', '.join(missing)}")
        currency = self.text(raw["currency"], "currency")
        terms = raw["terms_months"]
        if not isinstance(terms, list):
            raise self.error("expected a list of months", "terms_months")
        method_name = self.text(raw["method"], "method")
        try:
            method = RepaymentMethod(method_name)
        except ValueError as exc:
            choices = [item.value for item in RepaymentMethod]
            raise self.error(f"{method_name!r} is not one of {choices}", "method") from exc

        fee = self.table(raw.get("fee", {}), "fee")
        self.check_keys(fee, _FEE_FIELDS, "fee.")
        if len(fee) > 1:
            raise self.error("give monthly_amount or monthly_rate, not both", "fee")
        monthly_fee = self.money(fee.get("monthly_amount", 0), "fee.monthly_amount", currency)
        fee_rate = self.decimal(fee.get("monthly_rate", 0), "fee.monthly_rate")

        early = self.table(raw.get("early_repayment", {}), "early_repayment")
        self.check_keys(early, _EARLY_FIELDS, "early_repayment.")
        allowed = early.get("allowed", True)
        if not isinstance(allowed, bool):
            raise self.error("expected true or false", "early_repayment.allowed")
        try:
            early_terms = EarlyRepayment(
                allowed=allowed,
                notice_days=self.integer(
                    early.get("notice_days", 0), "early_repayment.notice_days"
                ),
                penalty_rate=self.decimal(
                    early.get("penalty_rate", 0), "early_repayment.penalty_rate"
                ),
            )
            return LoanProduct(
                code=self.code,
                version=self.text(raw["version"], "version"),
                name_zh=self.text(raw["name_zh"], "name_zh"),
                name_en=self.text(raw["name_en"], "name_en"),
                currency=currency,
                min_amount=self.money(raw["min_amount"], "min_amount", currency),
                max_amount=self.money(raw["max_amount"], "max_amount", currency),
                amount_step=self.money(raw["amount_step"], "amount_step", currency),
                terms_months=tuple(self.integer(term, "terms_months") for term in terms),
                annual_rate=self.decimal(raw["annual_rate"], "annual_rate"),
                method=method,
                monthly_fee=monthly_fee,
                monthly_fee_rate=fee_rate,
                grace_months=self.integer(raw.get("grace_months", 0), "grace_months"),
                early_repayment=early_terms,
            )
        except ValueError as exc:
            if isinstance(exc, CatalogError):
                raise
            # The product's own checks span fields (min <= max, grace < shortest term).
            raise self.error(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class ProductCatalog:
    """The loan products a lender offers, by code, with one default.

    Parameters:
        products: the products, in catalog order; codes are unique.
        default_code: the code of the product offered when none is chosen.
        source: where the catalog was read from.
    """

    products: tuple[LoanProduct, ...]
    default_code: str
    source: str = "<catalog>"

    def __post_init__(self) -> None:
        codes = [product.code for product in self.products]
        if not codes:
            raise CatalogError(self.source, "a catalog has at least one product")
        if len(set(codes)) != len(codes):
            raise CatalogError(self.source, "product codes must be unique")
        if self.default_code not in codes:
            raise CatalogError(self.source, f"default product {self.default_code!r} is not listed")

    @property
    def codes(self) -> tuple[str, ...]:
        """The product codes, in catalog order."""
        return tuple(product.code for product in self.products)

    @property
    def default(self) -> LoanProduct:
        """The default product."""
        return self.get(self.default_code)

    def get(self, code: str) -> LoanProduct:
        """Return the product with ``code``, or with key ``code@version``.

        Raises:
            UnknownProduct: if there is no such product, or the catalog holds another version.
        """
        wanted, _, version = code.partition("@")
        for product in self.products:
            if product.code == wanted:
                if version and product.version != version:
                    raise UnknownProduct(
                        f"{self.source} has {product.key}, not version {version} of {wanted}"
                    )
                return product
        raise UnknownProduct(f"no product {wanted!r} in {self.source}; it has {list(self.codes)}")

    def __iter__(self) -> Iterator[LoanProduct]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def __contains__(self, code: object) -> bool:
        return code in self.codes


def parse_products(text: str, source: str = "<text>") -> ProductCatalog:
    """Read a product catalog from TOML text.

    Raises:
        CatalogError: if the TOML is malformed or any product is invalid; the message names
            ``source``, the product and the field.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(source, f"not valid TOML: {exc}") from exc
    unknown = sorted(document.keys() - {"default", "products"})
    if unknown:
        raise CatalogError(source, f"unknown top-level field(s) {unknown}", field=unknown[0])
    raw_products = document.get("products")
    if not isinstance(raw_products, dict) or not raw_products:
        raise CatalogError(source, "no [products.<code>] tables", field="products")
    products: list[LoanProduct] = []
    for code, raw in raw_products.items():
        reader = _Reader(source, code)
        products.append(reader.product(reader.table(raw, "products")))
    default = document.get("default", products[0].code)
    if not isinstance(default, str):
        raise CatalogError(source, "expected a product code", field="default")
    return ProductCatalog(tuple(products), default, source)


def load_products(path: Path | None = None) -> ProductCatalog:
    """Load the product catalog at ``path``, or the one that ships with the package.

    Raises:
        CatalogError: if the catalog is invalid.
        OSError: if ``path`` cannot be read.
    """
    if path is None:
        text = files("lendline.data").joinpath(PACKAGED_CATALOG).read_text("utf-8")
        return parse_products(text, PACKAGED_CATALOG)
    return parse_products(path.read_text("utf-8"), str(path))
