"""Payout: book the signed loan and pay it to the borrower's own account, exactly once.

Writes no ``DialogState`` field.
"""

from __future__ import annotations

from lendline.dialog.ports import PayoutView
from lendline.dialog.state import DialogState
from lendline.lending.servicing import LoanTerms
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.context import DeskContext, session_customer
from lendline.service_layer.desk.contracts import session_offer
from lendline.shared.clock import business_day


def disburse(desk: DeskContext, state: DialogState) -> PayoutView:
    """Book the signed loan and pay it to the borrower's own account, exactly once.

    The booking and the queued payout commit together (the transactional outbox); the
    payout is then sent at once so the caller hears the result. If the rail is down the
    payout stays queued and the relay (``lendline payouts drain``) sends it later.
    """
    record = session_customer(desk, state)
    offer = session_offer(desk, state)
    reference = state.reference or ""
    with SqlUnitOfWork(desk.engine, read_only=True) as uow:
        application = uow.applications.get(reference)
    if application is None or application.signed_at is None:
        raise LookupError("only a signed loan can be paid out")
    terms = LoanTerms(
        reference=reference,
        principal=offer.amount,
        annual_rate=offer.annual_rate,
        schedule=offer.schedule,
        disbursed_on=business_day(application.signed_at),
    )
    relay = desk.payouts
    payout = relay.request(
        terms,
        product_key=desk.product.key,
        account_name=record.full_name,
        account_number=record.account_number,
        session_id=state.session_id,
    )
    if payout.status == "requested":
        relay.drain(only_key=payout.idempotency_key)
        with SqlUnitOfWork(desk.engine, read_only=True) as uow:
            payout = uow.payouts.by_key(payout.idempotency_key) or payout
    return PayoutView(payout.status == "completed", offer.amount.amount, record.account_number[-4:])
