"""The lending settings (lender type, catalog, default product) and how the app reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lendline.bootstrap import _product_and_limits
from lendline.config import LendingSettings, Settings
from lendline.lending.catalog import CatalogError, UnknownProduct
from lendline.lending.limits import LenderType, RegulatoryLimits
from lendline.lending.product import DEFAULT_PRODUCT
from lendline.shared.clock import ManualClock

# 2025-05-19 23:30 UTC is already 2025-05-20 in China, the day the LPR fell to 3.00 %.
LPR_CHANGE_IN_CHINA = ManualClock(datetime(2025, 5, 19, 23, 30, tzinfo=UTC))


def test_by_default_a_licensed_lender_offers_the_packaged_default_product() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.lending == LendingSettings()
    product, limits = _product_and_limits(settings, ManualClock())
    assert product == DEFAULT_PRODUCT
    assert limits == RegulatoryLimits()


def test_the_environment_chooses_private_lending_and_a_product(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LENDLINE_LENDING__LENDER_TYPE", "private")
    monkeypatch.setenv("LENDLINE_LENDING__DEFAULT_PRODUCT", "PL-EP")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.lending.lender_type is LenderType.PRIVATE
    product, limits = _product_and_limits(settings, LPR_CHANGE_IN_CHINA)
    assert product.code == "PL-EP"
    assert limits.lender_type is LenderType.PRIVATE
    assert limits.max_apr == Decimal("0.12")  # the contract day is taken in China


def test_a_catalog_and_lpr_table_can_be_given_as_files(tmp_path: Path) -> None:
    catalog = tmp_path / "products.toml"
    catalog.write_text(
        'default = "X"\n[products.X]\nversion = "1"\nname_zh = "甲"\nname_en = "X"\n'
        'currency = "CNY"\nmin_amount = 100\nmax_amount = 1000\namount_step = 100\n'
        'terms_months = [3]\nannual_rate = "0.05"\nmethod = "equal_principal"\n',
        "utf-8",
    )
    lpr = tmp_path / "lpr.csv"
    lpr.write_text("effective_date,rate\n2025-01-01,0.025\n", "utf-8")
    lending = LendingSettings(
        lender_type=LenderType.PRIVATE, products_path=catalog, lpr_table_path=lpr
    )
    product, limits = _product_and_limits(Settings(lending=lending), ManualClock())
    assert product.code == "X"
    assert limits.max_apr == Decimal("0.1")


def test_a_bad_product_setting_fails_at_start(tmp_path: Path) -> None:
    settings = Settings(lending=LendingSettings(default_product="PL-NONE"))
    with pytest.raises(UnknownProduct):
        _product_and_limits(settings, ManualClock())
    broken = tmp_path / "products.toml"
    broken.write_text('[products.X]\nupfront_fee = "100"\n', "utf-8")
    settings = Settings(lending=LendingSettings(products_path=broken))
    with pytest.raises(CatalogError, match="R8"):
        _product_and_limits(settings, ManualClock())


def test_a_product_with_an_early_repayment_penalty_is_refused_at_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Servicing and the contract know only free early repayment: refuse what they cannot honour."""
    import pytest

    from lendline.bootstrap import _product_and_limits
    from lendline.config import LendingSettings, Settings
    from lendline.shared.clock import ManualClock

    catalog = tmp_path / "products.toml"
    catalog.write_text(
        """
default = "PL-PEN"

[products.PL-PEN]
version = "1"
name_zh = "测试"
name_en = "Test"
currency = "CNY"
min_amount = "1000"
max_amount = "50000"
amount_step = "100"
terms_months = [12]
annual_rate = "0.10"
method = "equal_installment"

[products.PL-PEN.early_repayment]
penalty_rate = "0.01"
""",
        encoding="utf-8",
    )
    settings = Settings(_env_file=None, lending=LendingSettings(products_path=catalog))
    with pytest.raises(ValueError, match="early-repayment penalties"):
        _product_and_limits(settings, ManualClock())
