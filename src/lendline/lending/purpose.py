"""Loan purposes and the ones the law bans (DOMAIN-NOTES §0 R2).

Consumer loans may not fund buying housing or repaying mortgages (down payments included),
securities, bonds, futures, derivatives, asset-management products, fixed-asset or equity
investment, or anything unlawful.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class PurposeCategory(StrEnum):
    """What the borrower says the money is for."""

    CONSUMER_GOODS = "consumer_goods"
    HOME_RENOVATION = "home_renovation"
    EDUCATION = "education"
    MEDICAL = "medical"
    TRAVEL = "travel"
    WEDDING = "wedding"
    VEHICLE = "vehicle"
    BUSINESS_WORKING_CAPITAL = "business_working_capital"
    DEBT_REPAYMENT = "debt_repayment"  # credit cards and other consumer debts, not a mortgage
    RENT_AND_LIVING = "rent_and_living"
    FAMILY_EVENT = "family_event"  # a funeral, a birth, a celebration, support for parents
    #: A lawful purpose that fits no category: the caller's own words are kept with it.
    OTHER = "other"
    # Banned for consumer credit:
    HOUSING_PURCHASE = "housing_purchase"
    MORTGAGE_REPAYMENT = "mortgage_repayment"
    SECURITIES_INVESTMENT = "securities_investment"
    FUTURES_DERIVATIVES = "futures_derivatives"
    ASSET_MANAGEMENT = "asset_management"
    EQUITY_OR_FIXED_ASSET_INVESTMENT = "equity_or_fixed_asset_investment"
    GAMBLING = "gambling"
    OTHER_UNLAWFUL = "other_unlawful"


BANNED_PURPOSES: Final = frozenset(
    {
        PurposeCategory.HOUSING_PURCHASE,
        PurposeCategory.MORTGAGE_REPAYMENT,
        PurposeCategory.SECURITIES_INVESTMENT,
        PurposeCategory.FUTURES_DERIVATIVES,
        PurposeCategory.ASSET_MANAGEMENT,
        PurposeCategory.EQUITY_OR_FIXED_ASSET_INVESTMENT,
        PurposeCategory.GAMBLING,
        PurposeCategory.OTHER_UNLAWFUL,
    }
)


def is_banned(purpose: PurposeCategory) -> bool:
    """Return whether a consumer loan may not be made for ``purpose``."""
    return purpose in BANNED_PURPOSES
