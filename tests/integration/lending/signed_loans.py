"""Signed loan applications written straight to the database, ready to be paid out.

The disbursement tests start where the call ends: an application approved and signed. They
are written through the real repositories (no shortcuts around constraints).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.lending.offer import make_offer
from lendline.lending.product import DEFAULT_PRODUCT
from lendline.lending.servicing import LoanTerms
from lendline.persistence.records import ApplicationRecord, SessionRecord
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.disbursements import Disbursements
from lendline.shared.clock import Clock, business_day
from lendline.shared.money import Money

ACCOUNT_NAME = "测试借款人"


def account_number(index: int) -> str:
    """A distinct test account per loan."""
    return f"62258800{index:08d}"


def amount_for(index: int) -> Money:
    """Varied amounts on the product's 100 CNY steps: 1,000 to 200,000."""
    return Money.of(1_000 + (index * 7_300) % 199_000)


def sign_application(engine: Engine, index: int, at: datetime) -> LoanTerms:
    """Write a signed application number ``index`` (idempotent) and return its loan terms."""
    reference = f"LL-TEST-{index:05d}"
    offer = make_offer(DEFAULT_PRODUCT, amount_for(index), 12)
    with SqlUnitOfWork(engine) as uow:
        if uow.applications.get(reference) is None:
            session_id = f"session-{index:05d}"
            uow.sessions.save(
                SessionRecord(
                    session_id=session_id,
                    caller_number=f"+86138{index:08d}",
                    channel="voice",
                    status="completed",
                    step="done",
                    started_at=at,
                    updated_at=at,
                    application_ref=reference,
                )
            )
            uow.applications.save(
                ApplicationRecord(
                    reference=reference,
                    session_id=session_id,
                    status="signed",
                    currency="CNY",
                    created_at=at,
                    updated_at=at,
                    amount_minor=offer.amount.to_minor(),
                    term_months=12,
                    decision="approve",
                    product_code=DEFAULT_PRODUCT.code,
                    annual_rate=offer.annual_rate,
                    apr=offer.rates.apr,
                    monthly_payment_minor=offer.monthly_payment.to_minor(),
                    total_repayment_minor=offer.total_repayment.to_minor(),
                    contract_sha256="0" * 64,
                    signed_at=at,
                )
            )
            uow.commit()
    return LoanTerms(
        reference, offer.amount, Decimal(offer.annual_rate), offer.schedule, business_day(at)
    )


def disburse(
    engine: Engine, rail: SimulatedPaymentRail, clock: Clock, terms: LoanTerms, index: int
) -> None:
    """Queue the payout of a signed loan and send it; the bank must pay it."""
    relay = Disbursements(engine, rail, clock)
    relay.request(
        terms,
        product_key="PL-STD@test",
        account_name=ACCOUNT_NAME,
        account_number=account_number(index),
    )
    outcomes = [outcome.status for outcome in relay.drain().outcomes]
    if outcomes != ["completed"]:
        raise AssertionError(f"payout of loan {index}: {outcomes}")
