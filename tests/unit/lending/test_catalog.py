"""The product catalog: the packaged products, the TOML loader and its errors (R8 included)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lendline.lending.catalog import (
    CatalogError,
    ProductCatalog,
    UnknownProduct,
    load_products,
    parse_products,
)
from lendline.lending.limits import disclosed_apr
from lendline.lending.offer import make_offer
from lendline.lending.product import DEFAULT_PRODUCT, EarlyRepayment
from lendline.lending.schedule import RepaymentMethod
from lendline.shared.money import Money


def cny(value: str | int) -> Money:
    return Money.of(value)


MINIMAL = """
default = "T-1"

[products.T-1]
version = "1"
name_zh = "测试贷款"
name_en = "Test loan"
currency = "CNY"
min_amount = 1000
max_amount = "50000"
amount_step = 100
terms_months = [6, 12]
annual_rate = "0.12"
method = "equal_installment"
"""


def catalog_with(extra: str = "", **replace: str) -> str:
    """The minimal catalog with lines replaced (``field="new line"``) and ``extra`` appended."""
    lines = MINIMAL.splitlines()
    for field, line in replace.items():
        lines = [line if text.startswith(f"{field} =") else text for text in lines]
    return "\n".join(lines) + "\n" + extra


# ---------------------------------------------------------------- the packaged catalog


def test_the_packaged_default_product_is_default_product() -> None:
    catalog = load_products()
    assert catalog.default_code == "PL-STD"
    assert catalog.default == DEFAULT_PRODUCT
    assert catalog.get("PL-STD") is catalog.default


def test_the_packaged_catalog_has_an_equal_principal_a_flat_fee_and_a_grace_product() -> None:
    catalog = load_products()
    assert catalog.codes == ("PL-STD", "PL-EP", "PL-FLAT", "PL-GRACE")
    assert catalog.get("PL-EP").method is RepaymentMethod.EQUAL_PRINCIPAL
    flat = catalog.get("PL-FLAT")
    assert (flat.annual_rate, flat.monthly_fee_rate) == (Decimal(0), Decimal("0.006"))
    assert flat.monthly_fee.is_zero()
    assert catalog.get("PL-GRACE").grace_months == 3
    for product in catalog:
        # Shipped products charge no early-repayment penalty and need no notice.
        assert product.early_repayment == EarlyRepayment()
    assert len(catalog) == 4
    assert "PL-EP" in catalog
    assert "PL-NONE" not in catalog


def test_vector_three_through_the_flat_fee_product_has_apr_13_0342_percent() -> None:
    # DOMAIN-NOTES §4 vector 3: 12,000 CNY, 12 months, 1,000 principal + 72 fee a month.
    offer = make_offer(load_products().get("PL-FLAT"), cny(12_000), 12)
    assert offer.schedule.payments() == (cny(1_072),) * 12
    assert offer.total_fees == cny(864)
    assert offer.total_interest == cny(0)
    assert (offer.rates.apr * 100).quantize(Decimal("0.0001")) == Decimal("13.0342")
    assert (offer.rates.effective * 100).quantize(Decimal("0.0001")) == Decimal("13.8418")
    assert disclosed_apr(offer.rates.apr) == Decimal("0.130342")


def test_the_grace_product_charges_interest_only_for_three_months() -> None:
    offer = make_offer(load_products().get("PL-GRACE"), cny(12_000), 12)
    assert offer.grace_months == 3
    first_three = offer.schedule.installments[:3]
    assert all(item.principal.is_zero() for item in first_three)
    assert [item.interest for item in first_three] == [cny(108)] * 3  # 12,000 × 0.9 %
    assert offer.schedule.total_principal == cny(12_000)
    assert offer.schedule.peak_payment > offer.monthly_payment


def test_products_are_found_by_code_or_by_key() -> None:
    catalog = load_products()
    assert catalog.get("PL-EP@2026.11").code == "PL-EP"
    with pytest.raises(UnknownProduct, match=r"not version 2020\.01"):
        catalog.get("PL-EP@2020.01")
    with pytest.raises(UnknownProduct, match="PL-NONE"):
        catalog.get("PL-NONE")


def test_a_catalog_loads_from_a_file_and_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "lender-products.toml"
    path.write_text(MINIMAL, "utf-8")
    catalog = load_products(path)
    assert catalog.codes == ("T-1",)
    assert catalog.source == str(path)
    product = catalog.default
    assert product.max_amount == cny(50_000)
    assert product.early_repayment == EarlyRepayment()
    path.write_text(catalog_with(annual_rate="annual_rate = 0.12"), "utf-8")
    with pytest.raises(CatalogError) as caught:
        load_products(path)
    assert str(caught.value).startswith(f"{path}: product T-1: field annual_rate:")


# ---------------------------------------------------------------- R8 and other refusals


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ('upfront_fee = "500"', "upfront_fee"),
        ('up_front_fee = "500"', "up_front_fee"),
        ('fee = { upfront = "500" }', "fee.upfront"),
        ('fee = { monthly_rate = "0.005", deducted_at_payout = "0.02" }', "fee.deducted_at_payout"),
        ('prepaid_interest = "300"', "prepaid_interest"),
    ],
)
def test_an_up_front_fee_is_refused_naming_the_product_and_r8(extra: str, field: str) -> None:
    with pytest.raises(CatalogError, match="R8") as caught:
        parse_products(catalog_with(extra), "products.toml")
    error = caught.value
    assert (error.source, error.product, error.field) == ("products.toml", "T-1", field)
    assert f"products.toml: product T-1: field {field}: up-front fees" in str(error)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (catalog_with(annual_rate="annual_rate = 0.12"), "annual_rate", "inexact"),
        (catalog_with(min_amount="min_amount = 1000.5"), "min_amount", "inexact"),
        (catalog_with("fee = { monthly_rate = 0.006 }"), "fee.monthly_rate", "inexact"),
        (catalog_with(annual_rate='annual_rate = "twelve"'), "annual_rate", "not a number"),
        (catalog_with(annual_rate='annual_rate = "NaN"'), "annual_rate", "finite"),
        (catalog_with(method='method = "bullet"'), "method", "not one of"),
        (catalog_with("colour = 1"), "colour", "unknown field"),
        (catalog_with("fee = { monthly = 1 }"), "fee.monthly", "unknown field"),
        (catalog_with("fee = 5"), "fee", "expected a table"),
        (catalog_with('fee = { monthly_amount = "5", monthly_rate = "0.01" }'), "fee", "not both"),
        (catalog_with("early_repayment = { allowed = 1 }"), "early_repayment.allowed", "true"),
        (
            catalog_with('early_repayment = { notice_days = "3" }'),
            "early_repayment.notice_days",
            "whole number",
        ),
        (catalog_with(terms_months="terms_months = 12"), "terms_months", "list"),
        (catalog_with(terms_months='terms_months = ["12"]'), "terms_months", "whole number"),
        (catalog_with(name_zh='name_zh = ""'), "name_zh", "non-empty"),
        (catalog_with(currency='currency = "XYZ"'), "currency", "unsupported currency"),
        (catalog_with("grace_months = true"), "grace_months", "whole number"),
    ],
)
def test_field_errors_name_the_product_and_the_field(text: str, field: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as caught:
        parse_products(text, "c.toml")
    assert (caught.value.product, caught.value.field) == ("T-1", field)
    assert str(caught.value).startswith(f"c.toml: product T-1: field {field}: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (catalog_with(min_amount="min_amount = 60000"), "min_amount <= max_amount"),
        (catalog_with("grace_months = 6"), "grace months"),
        (catalog_with(terms_months="terms_months = [12, 6]"), "ascending"),
        (catalog_with('early_repayment = { allowed = false, penalty_rate = "0.01" }'), "allowed"),
        (catalog_with('early_repayment = { penalty_rate = "1.5" }'), "penalty rate"),
        (catalog_with('fee = { monthly_rate = "-0.01" }'), "fee rate"),
        (catalog_with(version="").replace("version", "#", 1), r"missing field\(s\) version"),
    ],
)
def test_product_rules_across_fields_name_the_product(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as caught:
        parse_products(text, "c.toml")
    assert caught.value.product == "T-1"
    assert str(caught.value).startswith("c.toml: product T-1: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("default = ", "not valid TOML"),
        ('default = "T-1"', "no \\[products"),
        (catalog_with().replace('default = "T-1"', 'default = "T-9"'), "default product 'T-9'"),
        (catalog_with().replace('default = "T-1"', "default = 1"), "expected a product code"),
        (catalog_with("[offers]"), "unknown top-level field"),
        (catalog_with() + "\n[products.T-1]\nversion = '2'\n", "not valid TOML"),
    ],
)
def test_catalog_errors_name_the_file(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as caught:
        parse_products(text, "c.toml")
    assert str(caught.value).startswith("c.toml")


def test_without_a_default_the_first_product_is_the_default() -> None:
    text = catalog_with().replace('default = "T-1"', "")
    assert parse_products(text).default_code == "T-1"


def test_a_catalog_refuses_duplicate_codes_and_emptiness() -> None:
    with pytest.raises(CatalogError, match="unique"):
        ProductCatalog((DEFAULT_PRODUCT, DEFAULT_PRODUCT), "PL-STD")
    with pytest.raises(CatalogError, match="at least one"):
        ProductCatalog((), "PL-STD")
