"""Paying loans out through the outbox, on SQLite and PostgreSQL, against the simulated bank.

The rail is the local simulator with its own ledger database (the bank's books); the tests
reconcile LendLine's ledger with it. Failures are injected by wrapping the simulator: the
bank is the one system we cannot run here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signed_loans import ACCOUNT_NAME, account_number, sign_application
from sqlalchemy import Engine, select

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.lending.ledger import SETTLEMENT, payout_due_account, principal_account
from lendline.lending.ports import PayoutInstruction, PayoutReceipt
from lendline.lending.servicing import LoanTerms
from lendline.persistence import tables as t
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.disbursements import Disbursements, payout_key
from lendline.service_layer.loan_book import LoanBook
from lendline.shared.clock import ManualClock
from lendline.shared.errors import Conflict, ErrorCategory, ProviderError

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


class FlakyRail:
    """The simulator behind a line that fails: ``failures`` errors, then it works."""

    def __init__(self, inner: SimulatedPaymentRail, failures: int, category: ErrorCategory):
        self.inner, self.failures, self.category, self.calls = inner, failures, category, 0

    def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        self.calls += 1
        if self.calls <= self.failures:
            raise ProviderError("bank gateway said no", self.category)
        return self.inner.pay(instruction)

    def payouts(self) -> list[object]:
        return list(self.inner.payouts())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


def queue(desk: Disbursements, terms: LoanTerms, index: int) -> None:
    desk.request(
        terms,
        product_key="PL-STD@test",
        account_name=ACCOUNT_NAME,
        account_number=account_number(index),
        session_id=f"session-{index:05d}",
    )


def audit_kinds(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(t.audit_log.c.kind).order_by(t.audit_log.c.seq)).scalars())


def test_a_signed_loan_is_booked_paid_once_and_reconciles(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    terms = sign_application(engine, 1, T0)
    desk = Disbursements(engine, rail, clock)
    queue(desk, terms, 1)
    with SqlUnitOfWork(engine) as uow:  # booked and queued, nothing paid yet
        assert (
            uow.ledger.balance_minor(payout_due_account(terms.reference))
            == -terms.principal.to_minor()
        )
        assert uow.outbox.pending_count() == 1
        assert uow.applications.get(terms.reference).status == "disbursing"  # type: ignore[union-attr]
    assert rail.payouts() == []

    report = desk.drain()
    assert [o.status for o in report.outcomes] == ["completed"]
    assert not report.outcomes[0].duplicate
    [paid] = rail.payouts()
    assert (paid.reference, paid.amount, paid.account_name) == (
        terms.reference,
        terms.principal,
        ACCOUNT_NAME,
    )
    with SqlUnitOfWork(engine) as uow:
        application = uow.applications.get(terms.reference)
        assert application is not None and application.status == "disbursed"
        assert application.payout_reference == paid.rail_reference
        assert (
            uow.ledger.balance_minor(principal_account(terms.reference))
            == terms.principal.to_minor()
        )
        assert uow.ledger.balance_minor(payout_due_account(terms.reference)) == 0
        assert uow.ledger.balance_minor(SETTLEMENT) == -terms.principal.to_minor()
        assert uow.outbox.pending_count() == 0
    check = LoanBook(engine, clock).reconcile(rail)
    assert check.balanced and check.loans_paid == check.rail_payouts == 1
    assert audit_kinds(engine)[-2:] == ["loan.disbursement_requested", "loan.disbursed"]


def test_replaying_the_command_and_the_relay_pays_once(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    terms = sign_application(engine, 2, T0)
    desk = Disbursements(engine, rail, clock)
    for _ in range(3):
        queue(desk, terms, 2)
        desk.drain()
    # A relay that reached the bank but died before recording: the next drain meets a duplicate.
    assert len(rail.payouts()) == 1
    assert LoanBook(engine, clock).reconcile(rail).balanced
    assert audit_kinds(engine).count("loan.disbursed") == 1


def test_an_unsigned_application_is_not_paid(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    terms = sign_application(engine, 4, T0)
    with SqlUnitOfWork(engine) as uow:
        application = uow.applications.get(terms.reference)
        assert application is not None
        application.signed_at = None
        uow.applications.save(application)
        uow.commit()
    with pytest.raises(Conflict, match="not signed"):
        queue(Disbursements(engine, rail, clock), terms, 4)
    assert rail.payouts() == []


def test_a_bank_outage_is_retried_with_back_off_and_pays_once(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    terms = sign_application(engine, 5, T0)
    flaky = FlakyRail(rail, failures=2, category=ErrorCategory.TRANSIENT)
    desk = Disbursements(engine, flaky, clock)
    queue(desk, terms, 5)
    assert [o.status for o in desk.drain().outcomes] == ["pending"]
    assert desk.drain().outcomes == []  # backing off: not due yet
    clock.advance(timedelta(seconds=2))
    assert [o.status for o in desk.drain().outcomes] == ["pending"]
    clock.advance(timedelta(seconds=3))
    assert desk.drain().outcomes == []  # the second wait is 4 s
    clock.advance(timedelta(seconds=1))
    assert [o.status for o in desk.drain().outcomes] == ["completed"]
    assert flaky.calls == 3 and len(rail.payouts()) == 1
    assert audit_kinds(engine).count("loan.disbursement_retry") == 2
    with SqlUnitOfWork(engine) as uow:
        message = uow.outbox.by_key(payout_key(terms.reference))
        assert message is not None and message.status == "done"


def test_a_refused_payout_reverses_the_booking_and_fails_the_application(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    terms = sign_application(engine, 6, T0)
    refusing = FlakyRail(rail, failures=1, category=ErrorCategory.PERMANENT)
    desk = Disbursements(engine, refusing, clock)
    queue(desk, terms, 6)
    [outcome] = desk.drain().outcomes
    assert outcome.status == "failed" and "bank gateway said no" in (outcome.error or "")
    with SqlUnitOfWork(engine) as uow:
        assert uow.ledger.balance_minor(principal_account(terms.reference)) == 0
        assert uow.ledger.balance_minor(payout_due_account(terms.reference)) == 0
        assert uow.applications.get(terms.reference).status == "disbursement_failed"  # type: ignore[union-attr]
        assert uow.payouts.for_application(terms.reference).status == "failed"  # type: ignore[union-attr]
        assert uow.outbox.pending_count() == 0
    assert desk.drain().outcomes == []  # never retried
    assert rail.payouts() == []
    assert LoanBook(engine, clock).reconcile(rail).balanced
    assert "loan.disbursement_failed" in audit_kinds(engine)


OPERATIONS = st.lists(
    st.sampled_from(["request", "drain", "bank_paid_then_relay_died", "drain_other_relay"]),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS, loan=st.integers(100, 99_999))
def test_any_replay_of_the_disbursement_command_pays_exactly_once(
    engine: Engine,
    rail: SimulatedPaymentRail,
    clock: ManualClock,
    operations: list[str],
    loan: int,
) -> None:
    terms = sign_application(engine, loan, T0)
    if any(p.reference == terms.reference for p in rail.payouts()):
        return  # hypothesis drew a loan number an earlier example already paid
    desk = Disbursements(engine, rail, clock)
    other_relay = Disbursements(engine, rail, clock)
    queue(desk, terms, loan)  # the command runs at least once
    for operation in operations:
        if operation == "request":
            queue(desk, terms, loan)
        elif operation == "drain":
            desk.drain()
        elif operation == "drain_other_relay":
            other_relay.drain()
        else:
            # The relay called the bank, the bank paid, and the process died before recording.
            with SqlUnitOfWork(engine) as uow:
                message = uow.outbox.by_key(payout_key(terms.reference))
            assert message is not None
            if message.status == "pending":
                body = message.payload
                rail.pay(
                    PayoutInstruction(
                        str(body["idempotency_key"]),
                        terms.reference,
                        ACCOUNT_NAME,
                        account_number(loan),
                        terms.principal,
                    )
                )
    desk.drain()
    mine = [p for p in rail.payouts() if p.reference == terms.reference]
    assert len(mine) == 1 and mine[0].amount == terms.principal
    check = LoanBook(engine, clock).reconcile(rail)
    assert check.balanced, check


def test_the_queued_payout_names_its_payee_only_sealed(
    engine: Engine, rail: SimulatedPaymentRail
) -> None:
    clock = ManualClock(T0)
    terms = sign_application(engine, 900, T0)
    queue(Disbursements(engine, rail, clock), terms, 900)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT payload FROM outbox").scalar_one()
    assert ACCOUNT_NAME not in stored and account_number(900) not in stored
    (outcome,) = Disbursements(engine, rail, clock).drain().outcomes
    assert outcome.status == "completed"
    (paid,) = [p for p in rail.payouts() if p.reference == terms.reference]
    assert (paid.account_name, paid.account_number) == (ACCOUNT_NAME, account_number(900))
