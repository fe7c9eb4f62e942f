"""A disbursed loan followed to zero through the loan book, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from signed_loans import disburse, sign_application
from sqlalchemy import Engine

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.lending.ledger import INTEREST_INCOME, SETTLEMENT
from lendline.lending.servicing import LoanTerms, RepaymentRefused
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.loan_book import LoanBook
from lendline.shared.clock import BUSINESS_TZ, ManualClock

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def paid_out(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock, index: int
) -> LoanTerms:
    terms = sign_application(engine, index, clock.now())
    disburse(engine, rail, clock, terms, index)
    return terms


def on_day(clock: ManualClock, day: object) -> None:
    """Move the clock to 10:00 Beijing time on ``day``."""
    target = datetime.combine(day, time(10), tzinfo=BUSINESS_TZ).astimezone(UTC)  # type: ignore[arg-type]
    clock.advance(target - clock.now())


def test_a_loan_repaid_month_by_month_ends_at_zero_with_the_scheduled_interest(
    engine: Engine, rail: SimulatedPaymentRail
) -> None:
    clock = ManualClock(T0)
    terms = paid_out(engine, rail, clock, 7)
    book = LoanBook(engine, clock)
    assert book.position(terms.reference).principal_outstanding == terms.principal
    for item in terms.schedule.installments:
        on_day(clock, terms.due_date(item.period))
        assert book.post_all_due() == 1
        assert book.post_all_due() == 0  # the daily job is idempotent
        key = f"bank-txn-{item.period}"
        after = book.repay(terms.reference, item.payment, key)
        again = book.repay(terms.reference, item.payment, key)  # the bank file delivered twice
        assert after == again
    assert book.position(terms.reference).is_repaid
    with SqlUnitOfWork(engine) as uow:
        assert (
            -uow.ledger.balance_minor(INTEREST_INCOME) == terms.schedule.total_interest.to_minor()
        )
        # Out 1 principal, back principal + interest: the bank account gained the interest.
        assert uow.ledger.balance_minor(SETTLEMENT) == terms.schedule.total_interest.to_minor()
        debits, credits = uow.ledger.trial_balance_minor()
        assert debits == credits
    assert book.reconcile(rail).balanced


def test_early_repayment_through_the_book_clears_the_loan_for_the_quoted_amount(
    engine: Engine, rail: SimulatedPaymentRail
) -> None:
    clock = ManualClock(T0)
    terms = paid_out(engine, rail, clock, 8)
    book = LoanBook(engine, clock)
    first = terms.schedule.installments[0]
    on_day(clock, terms.due_date(1))
    book.repay(terms.reference, first.payment, "bank-1")
    on_day(clock, terms.due_date(1) + timedelta(days=17))
    quote = book.quote_payoff(terms.reference)
    assert quote.days_accrued == 17
    assert quote.principal == first.balance_after
    with pytest.raises(RepaymentRefused):
        book.repay(terms.reference, quote.total, "bank-2")  # more than due: not a scheduled payment
    with pytest.raises(RepaymentRefused):
        book.repay_early(terms.reference, quote.principal, "bank-2")
    final = book.repay_early(terms.reference, quote.total, "bank-2")
    assert final.is_repaid
    assert book.repay_early(terms.reference, quote.total, "bank-2").is_repaid  # replay: once
    on_day(clock, terms.due_date(12))
    assert book.post_all_due() == 0  # nothing falls due on a repaid loan
    assert book.position(terms.reference).is_repaid
