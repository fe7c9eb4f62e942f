"""Our Decimal IRR solver against two independent implementations on 10,000 random loans.

Each loan is a real schedule from ``build_schedule`` (1,000–200,000 CNY, 1–60 months, 0–36 % a
year, both repayment methods, with and without a periodic fee) and, for a third of them, an
up-front deduction that lowers the cash received: unlawful in a product (R8) but the case the
APR must still price right (DOMAIN-NOTES §4, vector 2).

Why a difference below 1e-9 is a fair demand of float baselines: the cash flows are at most
about 2·10^5 CNY with two decimals, so turning them into floats moves each by a relative
1.1e-16 at most; for loan flows (one outflow, then payments) the IRR is a simple root whose
sensitivity to such relative changes is of order one, so the true float answer is good to
~1e-15. numpy-financial finds it as a root of the cash-flow polynomial through the eigenvalues
of its companion matrix, a backward-stable method that pins a simple root down to about
1e-15 for these degrees (at most 60). pyxirr runs Newton's method in Rust and, as its source
reads, stops when the NPV is within 1e-9 CNY of zero or the step is below 1e-9; with the NPV's
slope of the order of the amount lent (1,000 CNY or more) that leaves it under 1e-12. Ours
stops once the rate is pinned to 1e-15 (``apr.TOLERANCE``). So 1e-9 leaves orders of magnitude
of room; the measured maximum is reported on failure and printed otherwise (``-rP``).
"""

from __future__ import annotations

import decimal
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from lendline.lending.apr import monthly_irr
from lendline.lending.schedule import RepaymentMethod, build_schedule
from lendline.shared.money import MONEY_CONTEXT, Money

LOANS = 10_000
SEED = 20261128
LIMIT = 1e-9


@dataclass(frozen=True, slots=True)
class Loan:
    principal: Money
    annual_bp: int
    months: int
    method: RepaymentMethod
    fee: Money
    deducted: Money
    payments: tuple[Money, ...]

    @property
    def net(self) -> Money:
        return self.principal - self.deducted

    def flows(self) -> list[float]:
        """The borrower's cash flows as floats: what the baselines take."""
        return [-float(self.net.amount)] + [float(payment.amount) for payment in self.payments]

    def __str__(self) -> str:
        return (
            f"{self.principal} over {self.months} months at {self.annual_bp} bp, "
            f"{self.method.value}, fee {self.fee}, deducted {self.deducted}"
        )


def random_loans(seed: int, count: int) -> list[Loan]:
    rng = random.Random(seed)
    loans = []
    for _ in range(count):
        principal = Money.from_minor(rng.randint(1_000_00, 200_000_00))
        annual_bp = rng.randint(0, 3600)
        months = rng.randint(1, 60)
        method = rng.choice(list(RepaymentMethod))
        # A third with a periodic fee (up to 500 CNY a month), a third with a deduction of up
        # to a tenth of the principal, so both kinds of cost and their mix are all common.
        fee = Money.from_minor(rng.choice([0, 0, rng.randint(1, 500_00)]))
        deducted = Money.from_minor(rng.choice([0, 0, rng.randint(1, principal.to_minor() // 10)]))
        with decimal.localcontext(MONEY_CONTEXT):
            monthly_rate = Decimal(annual_bp) / 120_000  # annual ÷ 12, as products do
        schedule = build_schedule(principal, monthly_rate, months, method, fee)
        loans.append(Loan(principal, annual_bp, months, method, fee, deducted, schedule.payments()))
    return loans


@pytest.fixture(scope="module")
def solved() -> list[tuple[Loan, Decimal]]:
    """The loans with our IRR, computed once for both baselines."""
    return [(loan, monthly_irr(loan.net, loan.payments)) for loan in random_loans(SEED, LOANS)]


def numpy_financial_irr() -> Callable[[list[float]], Any]:
    # numpy-financial and pyxirr are test-only cross-checks; the core never imports them.
    npf = pytest.importorskip("numpy_financial")
    return npf.irr


def pyxirr_irr() -> Callable[[list[float]], Any]:
    pyxirr = pytest.importorskip("pyxirr")
    return pyxirr.irr


def test_the_random_loans_cover_every_kind_of_loan(solved: list[tuple[Loan, Decimal]]) -> None:
    loans = [loan for loan, _ in solved]
    kinds = {
        "equal installment": sum(
            loan.method is RepaymentMethod.EQUAL_INSTALLMENT for loan in loans
        ),
        "equal principal": sum(loan.method is RepaymentMethod.EQUAL_PRINCIPAL for loan in loans),
        "periodic fee": sum(not loan.fee.is_zero() for loan in loans),
        "deduction": sum(not loan.deducted.is_zero() for loan in loans),
        "fee and deduction": sum(
            not loan.fee.is_zero() and not loan.deducted.is_zero() for loan in loans
        ),
        "no cost beyond interest": sum(
            loan.fee.is_zero() and loan.deducted.is_zero() for loan in loans
        ),
        "one month": sum(loan.months == 1 for loan in loans),
        "sixty months": sum(loan.months == 60 for loan in loans),
        "zero rate": sum(loan.annual_bp == 0 for loan in loans),
    }
    assert all(count > 0 for count in kinds.values()), kinds
    assert kinds["periodic fee"] > LOANS // 5 and kinds["deduction"] > LOANS // 5


@pytest.mark.parametrize("baseline", [numpy_financial_irr, pyxirr_irr], ids=["npf", "pyxirr"])
def test_irr_matches_an_independent_solver_on_10000_random_loans(
    baseline: Callable[[], Callable[[list[float]], Any]],
    solved: list[tuple[Loan, Decimal]],
    record_property: Callable[[str, object], None],
) -> None:
    irr = baseline()
    worst, worst_loan = 0.0, ""
    unsolved = []
    for loan, ours in solved:
        theirs = irr(loan.flows())
        # A baseline that finds no rate (NaN from numpy-financial, None from pyxirr) is a
        # failure to report, never a case to skip: every one of these loans has a rate.
        if theirs is None or not math.isfinite(theirs):
            unsolved.append(str(loan))
            continue
        difference = abs(float(ours) - theirs)
        if difference > worst:
            worst, worst_loan = difference, str(loan)
    record_property("max_irr_difference", worst)
    assert not unsolved, f"{len(unsolved)} loans unsolved by the baseline, e.g. {unsolved[0]}"
    assert worst < LIMIT, f"max |difference| {worst:.3e} for {worst_loan}"
    print(f"max |monthly IRR difference| over {LOANS} loans: {worst:.3e} ({worst_loan})")
