"""Servicing a loan on the ledger, from booking to zero: installments, repayments, early payoff."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendline.lending.ledger import (
    FEE_INCOME,
    INTEREST_INCOME,
    SETTLEMENT,
    JournalEntry,
    balances,
    trial_balance,
)
from lendline.lending.schedule import RepaymentMethod, build_schedule
from lendline.lending.servicing import (
    LoanTerms,
    RepaymentRefused,
    add_months,
    apply_repayment,
    book_disbursement,
    fall_due,
    payoff_quote,
    position,
    repay_early,
    settle_payout,
    unposted_installments,
)
from lendline.shared.errors import Conflict
from lendline.shared.money import Money

START = date(2026, 1, 31)
AT = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)
ids = (f"e{n}" for n in count())


def vector_one(method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALLMENT) -> LoanTerms:
    """DOMAIN-NOTES §4 vector 1: 50,000 CNY, 12 months, 1 % a month (12 % a year)."""
    schedule = build_schedule(Money.of(50_000), Decimal("0.01"), 12, method)
    return LoanTerms("L1", Money.of(50_000), Decimal("0.12"), schedule, START)


def booked(terms: LoanTerms) -> list[JournalEntry]:
    return [book_disbursement(terms, next(ids), AT), settle_payout(terms, next(ids), AT)]


def post_due(terms: LoanTerms, entries: list[JournalEntry], day: date) -> None:
    for item in unposted_installments(terms, entries, day):
        made = fall_due(terms, item, next(ids), AT)
        if made is not None:
            entries.append(made)


def test_due_dates_keep_the_day_of_month_or_take_the_months_last_day() -> None:
    assert [add_months(START, n) for n in (1, 2, 3, 13)] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2027, 2, 28),
    ]
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_booking_owes_the_principal_to_the_borrower_until_the_rail_pays() -> None:
    terms = vector_one()
    entries = [book_disbursement(terms, "b", AT)]
    now = position(terms, entries, START)
    assert now.principal_outstanding == Money.of(50_000)
    assert now.payout_owed == Money.of(50_000)
    entries.append(settle_payout(terms, "s", AT))
    assert position(terms, entries, START).payout_owed.is_zero()
    assert balances(entries)[SETTLEMENT].credit_balance == Money.of(50_000)


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_a_loan_repaid_on_schedule_reaches_zero_having_earned_the_scheduled_interest(
    method: RepaymentMethod,
) -> None:
    terms = vector_one(method)
    entries = booked(terms)
    for item in terms.schedule.installments:
        day = terms.due_date(item.period)
        post_due(terms, entries, day)
        assert position(terms, entries, day).due_now == item.payment
        entries.append(
            apply_repayment(terms, entries, item.payment, f"pay-{item.period}", next(ids), AT, day)
        )
    final = position(terms, entries, terms.due_date(12))
    assert final.is_repaid and final.due_now.is_zero()
    income = balances(entries)[INTEREST_INCOME].credit_balance
    expected = (
        Money.of("3309.27") if method is RepaymentMethod.EQUAL_INSTALLMENT else Money.of(3250)
    )
    assert income == expected == terms.schedule.total_interest
    assert balances(entries)[SETTLEMENT].debit_balance == expected  # paid out 50,000, got it back
    assert trial_balance(entries).is_zero()
    # Nothing falls due after the last installment.
    assert unposted_installments(terms, entries, date(2030, 1, 1)) == ()


def test_money_pays_fees_then_interest_then_principal() -> None:
    schedule = build_schedule(
        Money.of(12_000), Decimal("0"), 12, RepaymentMethod.EQUAL_PRINCIPAL, Money.of(72)
    )
    terms = LoanTerms("L1", Money.of(12_000), Decimal("0"), schedule, START)
    entries = booked(terms)
    day = terms.due_date(1)
    post_due(terms, entries, day)
    paid = apply_repayment(terms, entries, Money.of(100), "p1", next(ids), AT, day)
    entries.append(paid)
    now = position(terms, entries, day)
    assert now.fees_due.is_zero()
    assert now.principal_due == Money.of(972)  # 1,000 due, 28 of the 100 went to principal
    assert balances(entries)[FEE_INCOME].credit_balance == Money.of(72)


def test_paying_more_than_is_due_is_refused_with_a_pointer_to_early_repayment() -> None:
    terms = vector_one()
    entries = booked(terms)
    day = terms.due_date(1)
    post_due(terms, entries, day)
    with pytest.raises(RepaymentRefused, match="repay the whole loan early"):
        apply_repayment(terms, entries, Money.of("4442.45"), "p", next(ids), AT, day)
    with pytest.raises(RepaymentRefused):
        apply_repayment(terms, entries, Money.of("1", "USD"), "p", next(ids), AT, day)
    before_due = position(terms, entries, START + timedelta(days=3))
    assert before_due.due_now == Money.of(500)  # interest posted, principal not yet due


def test_early_repayment_charges_interest_only_for_the_days_used() -> None:
    terms = vector_one()
    entries = booked(terms)
    for item in terms.schedule.installments[:3]:
        day = terms.due_date(item.period)
        post_due(terms, entries, day)
        entries.append(
            apply_repayment(terms, entries, item.payment, f"p{item.period}", next(ids), AT, day)
        )
    on = terms.due_date(3) + timedelta(days=10)  # 2026-04-30 + 10 days
    quote = payoff_quote(terms, entries, on)
    outstanding = terms.schedule.installments[2].balance_after
    assert quote.principal == outstanding
    assert quote.days_accrued == 10
    # 10 days at 12 % / 360 a day on the principal outstanding, rounded half up to the fen.
    assert (
        quote.accrued_interest == Money(outstanding.amount * Decimal("0.12") * 10 / 360).rounded()
    )
    assert quote.total == outstanding + quote.accrued_interest
    with pytest.raises(RepaymentRefused, match="not"):
        repay_early(terms, entries, quote, quote.total - Money.of("0.01"), "x", next(ids), AT)
    entries.append(repay_early(terms, entries, quote, quote.total, "early", next(ids), AT))
    assert position(terms, entries, on).is_repaid
    # Total interest is far below the 3,309.27 of the full term.
    paid_interest = balances(entries)[INTEREST_INCOME].credit_balance
    assert paid_interest < Money.of("1700")
    assert trial_balance(entries).is_zero()
    assert unposted_installments(terms, entries, date(2030, 1, 1)) == ()
    with pytest.raises(RepaymentRefused, match="already repaid"):
        repay_early(terms, entries, payoff_quote(terms, entries, on), Money.of(1), "y", "e", AT)


def test_a_payoff_quote_needs_the_installments_due_posted_first() -> None:
    terms = vector_one()
    entries = booked(terms)
    with pytest.raises(Conflict, match="post the installments"):
        payoff_quote(terms, entries, terms.due_date(2))


@settings(max_examples=120, deadline=None)
@given(
    principal_fen=st.integers(100_000, 20_000_000),
    months=st.integers(1, 36),
    rate_bp=st.integers(0, 2400),
    method=st.sampled_from(list(RepaymentMethod)),
    fee_fen=st.integers(0, 5_000),
    payoff_after=st.integers(0, 40),
    extra_days=st.integers(0, 27),
    data=st.data(),
)
def test_any_loan_followed_to_zero_keeps_the_ledger_balanced_and_never_negative(
    principal_fen: int,
    months: int,
    rate_bp: int,
    method: RepaymentMethod,
    fee_fen: int,
    payoff_after: int,
    extra_days: int,
    data: st.DataObject,
) -> None:
    annual = Decimal(rate_bp) / 10_000
    principal = Money.from_minor(principal_fen)
    schedule = build_schedule(principal, annual / 12, months, method, Money.from_minor(fee_fen))
    terms = LoanTerms("L1", principal, annual, schedule, START)
    entries = booked(terms)
    for item in schedule.installments[: min(payoff_after, months)]:
        day = terms.due_date(item.period)
        post_due(terms, entries, day)
        due = position(terms, entries, day).due_now
        # Pay all, part or nothing of what is due; arrears carry over.
        part = data.draw(st.sampled_from([due, (due * Decimal("0.5")).rounded(), None]))
        if part is not None and not part.is_zero():
            entries.append(
                apply_repayment(terms, entries, part, f"p{item.period}", next(ids), AT, day)
            )
        now = position(terms, entries, day)
        for amount in (now.principal_outstanding, now.interest_due, now.fees_due):
            assert amount.amount >= 0
        assert trial_balance(entries).is_zero()
    on = terms.due_date(min(payoff_after, months)) + timedelta(days=extra_days)
    post_due(terms, entries, on)
    quote = payoff_quote(terms, entries, on)
    if not quote.total.is_zero():
        entries.append(repay_early(terms, entries, quote, quote.total, "early", next(ids), AT))
    final = position(terms, entries, on)
    assert final.is_repaid
    assert trial_balance(entries).is_zero()
    # The borrower never pays more interest and fees than the full schedule would charge,
    # plus the interest of the days between the last due date and payoff.
    earned = balances(entries).get(INTEREST_INCOME)
    earned_interest = earned.credit_balance if earned else Money.zero()
    assert earned_interest <= schedule.total_interest + quote.accrued_interest
