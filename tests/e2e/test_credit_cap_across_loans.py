"""R1 counts what a borrower already owes: a second loan that would take them over the cap is
declined, with the reason, because the first loan's principal is still on the ledger."""

from __future__ import annotations

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import chat_as
from lendline.dialog.state import SessionStatus
from lendline.lending.limits import RegulatoryLimits
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.decisions import outstanding_credit
from lendline.shared.money import Money


def test_a_second_loan_over_the_credit_cap_is_declined_because_the_first_is_owed(
    make_app,
) -> None:
    app = make_app()
    first = chat_as(app, happy_borrower("zh"))
    assert first.state.status is SessionStatus.COMPLETED
    with SqlUnitOfWork(app.engine) as uow:
        lent = uow.applications.get(first.state.reference or "")
    assert lent is not None and lent.amount_minor is not None
    owed = outstanding_credit(app.desk, first.state.customer_id)
    assert owed == Money.from_minor(lent.amount_minor)

    # A lender whose per-borrower cap leaves room for 10,000 more: the same amount again is over.
    app.desk.lender_type = None
    app.desk.limits = RegulatoryLimits(max_consumer_credit=owed + Money.of(10_000))
    second = chat_as(app, happy_borrower("zh"))
    assert second.state.status is SessionStatus.DECLINED
    with SqlUnitOfWork(app.engine) as uow:
        application = uow.applications.get(second.state.reference or "")
    assert application is not None and application.decision == "decline"
    assert application.reasons == ["R05"]


def test_credit_owed_falls_as_the_first_loan_is_repaid(make_app) -> None:
    from lendline.service_layer.loan_book import LoanBook

    app = make_app()
    first = chat_as(app, happy_borrower("en"))
    reference = first.state.reference or ""
    book = LoanBook(app.engine, app.clock)
    quote = book.quote_payoff(reference)
    book.repay_early(reference, quote.total, "bank-payoff-1")
    assert outstanding_credit(app.desk, first.state.customer_id) == Money.zero()


def test_a_private_lender_is_capped_at_four_times_the_lpr_of_the_decision_day(make_app) -> None:
    from dataclasses import replace
    from decimal import Decimal

    from lendline.lending.limits import LenderType

    app = make_app()
    app.desk.lender_type = LenderType.PRIVATE  # LPR 3.00 % since 2025-05-20: cap 12 %
    app.desk.product = replace(app.desk.product, annual_rate=Decimal("0.125"))
    declined = chat_as(app, happy_borrower("en"))
    assert declined.state.status is SessionStatus.DECLINED
    with SqlUnitOfWork(app.engine) as uow:
        application = uow.applications.get(declined.state.reference or "")
    assert application is not None and application.reasons == ["R07"]  # APR above the cap

    app.desk.product = replace(app.desk.product, annual_rate=Decimal("0.118"))
    approved = chat_as(app, happy_borrower("zh"))
    assert approved.state.status is SessionStatus.COMPLETED
