"""The simulated payment rail: its own ledger, idempotent payouts, reconciliation totals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.lending.ports import PaymentRail, PayoutInstruction, PayoutReceipt
from lendline.shared.clock import ManualClock
from lendline.shared.errors import Conflict
from lendline.shared.money import Money

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def instruction(
    key: str = "payout:LL-20261128-AAAAA",
    amount: str = "50000.00",
    *,
    reference: str = "LL-20261128-AAAAA",
    account_number: str = "6225880012345678",
) -> PayoutInstruction:
    return PayoutInstruction(
        idempotency_key=key,
        reference=reference,
        account_name="张伟",
        account_number=account_number,
        amount=Money.of(amount),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def rail(tmp_path: Path, clock: ManualClock) -> Iterator[SimulatedPaymentRail]:
    simulator = SimulatedPaymentRail(tmp_path / "bank.db", clock=clock)
    yield simulator
    simulator.close()


def test_the_simulator_is_a_payment_rail(rail: SimulatedPaymentRail) -> None:
    port: PaymentRail = rail
    assert isinstance(port.pay(instruction()), PayoutReceipt)


def test_a_payout_is_accepted_and_entered_in_the_rails_ledger(
    rail: SimulatedPaymentRail,
) -> None:
    receipt = rail.pay(instruction())
    assert receipt.duplicate is False
    assert receipt.amount == Money.of("50000.00")
    assert receipt.accepted_at == T0
    assert receipt.rail_reference.startswith("SIM-")
    (stored,) = rail.payouts()
    assert stored.rail_reference == receipt.rail_reference
    assert stored.account_name == "张伟"
    assert stored.amount == Money.of("50000.00")
    assert rail.ledger_total() == Money.of("50000.00")


def test_a_replayed_key_returns_the_first_receipt_and_moves_no_money(
    rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    first = rail.pay(instruction())
    clock.advance(timedelta(minutes=5))
    again = rail.pay(instruction())
    assert again.duplicate is True
    assert (again.rail_reference, again.accepted_at, again.amount) == (
        first.rail_reference,
        first.accepted_at,
        first.amount,
    )
    assert len(rail.payouts()) == 1
    assert rail.ledger_total() == Money.of("50000.00")


def test_a_key_reused_with_a_different_amount_is_a_conflict(rail: SimulatedPaymentRail) -> None:
    rail.pay(instruction())
    with pytest.raises(Conflict, match="amount"):
        rail.pay(instruction(amount="50000.01"))
    with pytest.raises(Conflict, match="account_number"):
        rail.pay(instruction(account_number="0000"))
    assert rail.ledger_total() == Money.of("50000.00")


def test_different_keys_are_different_payouts_and_the_total_adds_them(
    rail: SimulatedPaymentRail, clock: ManualClock
) -> None:
    rail.pay(instruction("k1", "100.10", reference="LL-1"))
    clock.advance(timedelta(seconds=1))
    rail.pay(instruction("k2", "200.25", reference="LL-2"))
    assert [p.idempotency_key for p in rail.payouts()] == ["k1", "k2"]
    assert rail.ledger_total() == Money.of("300.35")
    assert rail.ledger_total("USD") == Money.zero("USD")


def test_the_ledger_survives_a_restart_of_the_rail(tmp_path: Path, clock: ManualClock) -> None:
    first = SimulatedPaymentRail(tmp_path / "bank.db", clock=clock)
    receipt = first.pay(instruction())
    first.close()
    second = SimulatedPaymentRail(f"sqlite:///{tmp_path / 'bank.db'}", clock=clock)
    try:
        again = second.pay(instruction())
        assert again.duplicate
        assert again.rail_reference == receipt.rail_reference
        assert again.accepted_at.tzinfo is UTC
    finally:
        second.close()


def test_concurrent_sends_of_one_key_pay_once(rail: SimulatedPaymentRail) -> None:
    receipts: list[PayoutReceipt] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        receipts.append(rail.pay(instruction()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(receipts) == 4
    assert sorted(r.duplicate for r in receipts) == [False, True, True, True]
    assert len({r.rail_reference for r in receipts}) == 1
    assert rail.ledger_total() == Money.of("50000.00")


def test_a_payout_to_someone_elses_account_is_refused_for_good(
    rail: SimulatedPaymentRail,
) -> None:
    from lendline.shared.errors import ProviderError

    rail.open_account("6225880012345678", "李娜")
    with pytest.raises(ProviderError, match="does not match") as refused:
        rail.pay(instruction())  # paid to 张伟's name
    assert refused.value.category.is_permanent
    assert rail.payouts() == []
    rail.open_account("6225880012345678", "张伟")  # the bank's record corrected
    assert not rail.pay(instruction()).duplicate
