"""Contracts: the offer and contract of a session, sent by SMS and then signed.

The contract is built from the same inputs at sending and at signing (the offer, the
customer, the limits of the decision day), so the hash signed can be compared with the hash
sent.

Writes no ``DialogState`` field.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from lendline.compliance.ports import session_subject
from lendline.dialog.state import DialogState
from lendline.identity.phone import MobileNumber
from lendline.identity.resident_id import ResidentId
from lendline.lending.contract import ContractDocument, ContractParties, build_contract
from lendline.lending.offer import Offer, make_offer
from lendline.lending.purpose import PurposeCategory
from lendline.lending.signature import sign
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.context import (
    DeskContext,
    audio_offset_ms,
    session_customer,
    sha256_text,
)
from lendline.shared.clock import business_day
from lendline.shared.money import Money


def session_offer(desk: DeskContext, state: DialogState) -> Offer:
    """The offer the session accepted, at the rate it was priced at (the product's if unset)."""
    product = desk.product
    priced = state.slots.get("offer_annual_rate")
    if priced is not None and Decimal(priced) != product.annual_rate:
        product = replace(product, annual_rate=Decimal(priced))
    return make_offer(
        product, Money.of(state.slots["offer_amount"]), int(state.slots["offer_term"])
    )


def _contract(desk: DeskContext, state: DialogState) -> ContractDocument:
    """The contract for the session's offer; the same inputs at sending and at signing."""
    record = session_customer(desk, state)
    resident = ResidentId.parse(record.id_number)
    language = state.language or "zh"
    parties = ContractParties(
        lender_name=desk.lender_name,
        borrower_name=record.full_name,
        borrower_id_masked=resident.masked(),
        borrower_account_masked=f"****{record.account_number[-4:]}",
    )
    purpose = state.slots.get("purpose")
    return build_contract(
        state.reference or "",
        parties,
        session_offer(desk, state),
        language,
        purpose=PurposeCategory(purpose) if purpose else None,
        product_name=desk.product.name_zh if language == "zh" else desk.product.name_en,
        # The limits of the day the offer was decided, at sending and at signing alike.
        limits=desk.limits_on(
            date.fromisoformat(state.slots["decided_on"])
            if "decided_on" in state.slots
            else business_day(desk.clock.now())
        ),
    )


def send_contract(desk: DeskContext, state: DialogState, sms_template: str) -> str:
    """Send the contract summary by SMS and record the contract's hash."""
    offer = session_offer(desk, state)
    document = _contract(desk, state)
    digest = document.sha256()
    # The document itself is filed before anything says it was sent: the borrower can
    # always be given the exact text whose hash they sign.
    subject = session_subject(state.session_id)
    filed = desk.contracts.file(document, subject) if desk.contracts is not None else None
    now = desk.clock.now()
    with SqlUnitOfWork(desk.engine) as uow:
        application = uow.applications.get(state.reference or "")
        if application is None:
            raise LookupError("no application to send a contract for")
        application.contract_sha256 = digest
        application.updated_at = now
        uow.applications.save(application)
        uow.audit.append(
            "contract.sent",
            state.session_id,
            {
                "reference": state.reference,
                "contract_sha256": digest,
                "language": state.language,
                "document_sha256": filed.file_sha256 if filed else None,
                "document": filed.location if filed else None,
            },
            now,
        )
        uow.commit()
    record = session_customer(desk, state)
    message = sms_template.format(
        lender=desk.lender_name,
        lender_en=desk.lender_name,
        amount=f"{offer.amount.amount:,.2f}",
        term=offer.term_months,
        apr=f"{offer.rates.apr * 100:.2f}%",
        payment=f"{offer.monthly_payment.amount:,.2f}",
        total=f"{offer.total_repayment.amount:,.2f}",
        reference=state.reference,
        contract_sha256_short=digest[:16],
    )
    desk.sms.send(MobileNumber.parse(record.mobile), message)
    return digest


def sign_contract(desk: DeskContext, state: DialogState, consent_text: str) -> None:
    """Sign the contract sent: consent, SMS code, time and recording offset bound to its hash.

    The signature (R9) binds the verbal consent, the verified SMS code, the time and the
    place in the recording to the SHA-256 of the contract text sent.

    Raises:
        LookupError: if the contract signed is not the one sent.
        SignatureRefused: if the session's SMS code was not verified.
    """
    digest = _contract(desk, state).sha256()
    now = desk.clock.now()
    offset = audio_offset_ms(desk, state, now)
    with SqlUnitOfWork(desk.engine) as uow:
        application = uow.applications.get(state.reference or "")
        if application is None or application.contract_sha256 != digest:
            raise LookupError("the contract signed is not the contract sent")
        otp = uow.otps.get(state.session_id)
        signature = sign(
            reference=application.reference,
            contract_sha256=digest,
            consent_text_sha256=sha256_text(consent_text),
            otp_challenge=(
                f"{state.session_id}@{otp.issued_at.isoformat()}"
                if otp is not None and otp.issued_at is not None
                else state.session_id
            ),
            otp_verified=otp is not None and otp.verified,
            signed_at=now,
            audio_offset_ms=offset,
        )
        application.signed_at = now
        application.status = "signed"
        application.updated_at = now
        uow.applications.save(application)
        uow.consents.add(state.session_id, "contract_signature", True, digest[:32], now, offset)
        uow.audit.append(
            "contract.signed",
            state.session_id,
            {
                **signature.as_record(),
                "otp_verified": True,
                "signature_sha256": signature.binding_sha256(),
            },
            now,
        )
        uow.commit()
