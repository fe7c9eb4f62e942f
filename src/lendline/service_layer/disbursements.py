"""Paying signed loans out exactly once, through the transactional outbox.

``request`` books the loan and queues its payout in ONE transaction: the loan's terms, the
booking entry (the borrower owes the principal, the lender owes the payout), the payout row
and the outbox message commit together or not at all. ``drain`` (the relay) then sends each
queued payout to the rail with the loan's idempotency key and records the result in a second
transaction.

Why nothing is lost or paid twice when the process dies at any instant:

* before the first commit: nothing happened; the command is simply run again;
* after it, before the rail is called: the message is pending; the next drain sends it;
* after the rail paid, before the result was recorded: the message is still pending; the
  next drain sends it again, the rail recognises the key and answers with the first receipt
  (``duplicate``), and the result is recorded once.

A transient rail failure leaves the message pending with a growing back-off; a permanent one
(a refused account) reverses the booking, marks the payout failed and raises an audit event.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from sqlalchemy import Engine

from lendline.adapters.crypto.envelope import DecryptionFailed
from lendline.compliance.ports import SubjectErased, session_subject
from lendline.lending.ledger import reversal_of
from lendline.lending.ports import PaymentRail, PayoutInstruction, PayoutReceipt
from lendline.lending.servicing import (
    LoanTerms,
    book_disbursement,
    booking_key,
    settle_payout,
)
from lendline.persistence.outbox import OutboxMessage
from lendline.persistence.records import PayoutRecord
from lendline.persistence.uow import SqlUnitOfWork
from lendline.shared.clock import Clock
from lendline.shared.errors import Conflict, NotFound, ProviderError
from lendline.shared.money import Money

#: The outbox topic of a payout waiting for the rail.
PAYOUT_TOPIC: Final = "payout.requested"
#: The sealed field of a payout message that names the payee (account name and number).
PAYEE_FIELD: Final = "outbox.payout.payee"

#: Back-off after a transient rail failure: doubles from the first delay up to the ceiling.
FIRST_RETRY: Final = timedelta(seconds=2)
RETRY_CEILING: Final = timedelta(minutes=10)


def payout_key(reference: str) -> str:
    """The idempotency key of a loan's payout: one per loan, whatever the retries."""
    return f"disburse:{reference}"


def new_entry_id() -> str:
    """A fresh journal entry id."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class PayoutOutcome:
    """Where one loan's payout stands after a delivery attempt.

    Parameters:
        reference: the loan.
        status: ``completed``, ``pending`` (will be retried) or ``failed`` (refused for good).
        rail_reference: the rail's transfer id once paid.
        duplicate: ``True`` when the rail had already paid it (a replay after a crash).
        error: why the last attempt failed, if it did.
    """

    reference: str
    status: str
    rail_reference: str | None = None
    duplicate: bool = False
    error: str | None = None


@dataclass
class DrainReport:
    """What one run of the relay did.

    Parameters:
        outcomes: one per message handled, in order.
    """

    outcomes: list[PayoutOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many payouts ended the run in ``status``."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def duplicates(self) -> int:
        """Payouts the rail had already made (replays after a crash)."""
        return sum(1 for outcome in self.outcomes if outcome.duplicate)


@dataclass
class Disbursements:
    """Books loans, queues their payouts and relays them to the payment rail.

    Args:
        engine: LendLine's database.
        rail: the payment rail.
        clock: the time source.
        on_attempt: called with each message just before the rail is called (for progress
            displays and fault-injection tests); must not raise.
    """

    engine: Engine
    rail: PaymentRail
    clock: Clock
    on_attempt: Callable[[OutboxMessage], None] | None = None

    def request(
        self,
        terms: LoanTerms,
        *,
        product_key: str,
        account_name: str,
        account_number: str,
        session_id: str | None = None,
    ) -> PayoutRecord:
        """Book a signed loan and queue its payout, once; a replay changes nothing.

        Raises:
            NotFound: if there is no such application.
            Conflict: if it is not signed, or was booked or paid with other figures.
        """
        reference = terms.reference
        key = payout_key(reference)
        now = self.clock.now()
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            application = uow.applications.get(reference)
            if application is None:
                raise NotFound(f"no application {reference}")
            existing = uow.payouts.for_application(reference)
            if existing is not None:
                if existing.amount_minor != terms.principal.to_minor():
                    raise Conflict(f"loan {reference} was queued for another amount")
                return existing
            if application.signed_at is None:
                raise Conflict(f"application {reference} is not signed; nothing is paid out")
            uow.loans.add(terms, product_key, now)
            uow.ledger.post(book_disbursement(terms, new_entry_id(), now), now)
            payout = uow.payouts.record_request(
                application_ref=reference,
                idempotency_key=key,
                amount_minor=terms.principal.to_minor(),
                currency=terms.principal.currency,
                account_number=account_number,
                requested_at=now,
            )
            # The payee (name and account) is personal data: the message carries it sealed
            # under the call session's key, like every other copy of it at rest.
            subject = session_subject(application.session_id)
            payee = json.dumps({"name": account_name, "account": account_number})
            uow.outbox.add(
                PAYOUT_TOPIC,
                key,
                {
                    "reference": reference,
                    "idempotency_key": key,
                    "payee_subject": subject,
                    "payee": base64.b64encode(
                        uow.cipher.seal(subject, PAYEE_FIELD, payee)
                    ).decode(),
                    "amount_minor": terms.principal.to_minor(),
                    "currency": terms.principal.currency,
                },
                now,
            )
            application.status = "disbursing"
            application.updated_at = now
            uow.applications.save(application)
            uow.audit.append(
                "loan.disbursement_requested",
                session_id,
                {
                    "reference": reference,
                    "amount_minor": terms.principal.to_minor(),
                    "idempotency_key": key,
                    "account_last4": account_number[-4:],
                },
                now,
            )
            uow.commit()
        return payout

    def drain(self, limit: int | None = None, only_key: str | None = None) -> DrainReport:
        """Send every payout that is due to the rail and record the results.

        Args:
            limit: stop after this many messages (``None``: until none is due).
            only_key: handle just this message (the call waits for its own loan's payout).
        """
        report = DrainReport()
        seen: set[str] = set()
        while limit is None or len(report.outcomes) < limit:
            with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
                if only_key is not None:
                    message = uow.outbox.by_key(only_key)
                    batch = [message] if message is not None and message.status == "pending" else []
                else:
                    batch = uow.outbox.due(self.clock.now(), limit=50)
            batch = [item for item in batch if item.message_id not in seen]
            if not batch:
                break
            for message in batch:
                if limit is not None and len(report.outcomes) >= limit:
                    break
                seen.add(message.message_id)
                if message.topic == PAYOUT_TOPIC:
                    report.outcomes.append(self._deliver(message))
        return report

    def _deliver(self, message: OutboxMessage) -> PayoutOutcome:
        body = message.payload
        reference = str(body["reference"])
        try:
            payee = self._payee(body)
        except (SubjectErased, DecryptionFailed, KeyError, ValueError, binascii.Error) as exc:
            # Nobody can be paid without knowing whom to pay; never retried blindly.
            return self._fail(message, reference, f"payee unreadable: {type(exc).__name__}")
        instruction = PayoutInstruction(
            idempotency_key=str(body["idempotency_key"]),
            reference=reference,
            account_name=payee["name"],
            account_number=payee["account"],
            amount=Money.from_minor(int(body["amount_minor"]), str(body["currency"])),
        )
        if self.on_attempt is not None:
            self.on_attempt(message)
        try:
            receipt = self.rail.pay(instruction)
        except (ProviderError, Conflict) as exc:
            permanent = isinstance(exc, Conflict) or exc.category.is_permanent
            if permanent:
                return self._fail(message, reference, f"{type(exc).__name__}: {exc}")
            return self._retry(message, reference, f"{type(exc).__name__}: {exc}")
        return self._complete(message, reference, receipt)

    def _payee(self, body: Mapping[str, object]) -> dict[str, str]:
        subject = str(body["payee_subject"])
        sealed = base64.b64decode(str(body["payee"]), validate=True)
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            payee = json.loads(uow.cipher.open_text(subject, PAYEE_FIELD, sealed))
        return {"name": str(payee["name"]), "account": str(payee["account"])}

    def _complete(
        self, message: OutboxMessage, reference: str, receipt: PayoutReceipt
    ) -> PayoutOutcome:
        now = self.clock.now()
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            current = uow.outbox.by_key(message.key)
            if current is None or current.status != "pending":
                # Another relay recorded this payout while we were at the rail.
                uow.rollback()
                return PayoutOutcome(reference, "completed", receipt.rail_reference, True)
            terms = uow.loans.get(reference)
            application = uow.applications.get(reference)
            if terms is None or application is None:
                raise NotFound(f"loan {reference} vanished while it was being paid")
            uow.payouts.mark_completed(message.key, receipt.rail_reference, now)
            uow.ledger.post(settle_payout(terms, new_entry_id(), now), now)
            application.status = "disbursed"
            application.disbursed_at = now
            application.payout_reference = receipt.rail_reference
            application.updated_at = now
            uow.applications.save(application)
            uow.outbox.mark_done(message.message_id, now)
            uow.audit.append(
                "loan.disbursed",
                application.session_id,
                {
                    "reference": reference,
                    "amount_minor": receipt.amount.to_minor(),
                    "rail_reference": receipt.rail_reference,
                    "idempotency_key": message.key,
                    "duplicate": receipt.duplicate,
                    "attempt": message.attempts + 1,
                },
                now,
            )
            uow.commit()
        return PayoutOutcome(reference, "completed", receipt.rail_reference, receipt.duplicate)

    def _retry(self, message: OutboxMessage, reference: str, error: str) -> PayoutOutcome:
        now = self.clock.now()
        attempts = message.attempts + 1
        delay = min(RETRY_CEILING, FIRST_RETRY * 2 ** min(attempts - 1, 20))
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            uow.outbox.retry_later(message.message_id, error, attempts, now + delay)
            uow.audit.append(
                "loan.disbursement_retry",
                None,
                {"reference": reference, "attempt": attempts, "error": error[:200]},
                now,
            )
            uow.commit()
        return PayoutOutcome(reference, "pending", error=error)

    def _fail(self, message: OutboxMessage, reference: str, error: str) -> PayoutOutcome:
        now = self.clock.now()
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            current = uow.outbox.by_key(message.key)
            if current is None or current.status != "pending":
                uow.rollback()
                return PayoutOutcome(reference, current.status if current else "failed")
            booking = uow.ledger.by_key(booking_key(reference))
            if booking is not None:
                undo = reversal_of(booking, new_entry_id(), f"unbook:{reference}", now)
                uow.ledger.post(undo, now)
            uow.payouts.mark_failed(message.key, now)
            application = uow.applications.get(reference)
            if application is not None:
                application.status = "disbursement_failed"
                application.updated_at = now
                uow.applications.save(application)
            uow.outbox.mark_failed(message.message_id, error, message.attempts + 1, now)
            uow.audit.append(
                "loan.disbursement_failed",
                application.session_id if application is not None else None,
                {"reference": reference, "error": error[:200], "ledger_reversed": True},
                now,
            )
            uow.commit()
        return PayoutOutcome(reference, "failed", error=error)

    def pending(self) -> int:
        """How many payouts wait in the outbox."""
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            return uow.outbox.pending_count()
