"""A disbursement worker the fault test kills with SIGKILL, over and over.

Usage: ``crash_worker.py DATABASE_URL BANK_DB COUNT [MODE N]``, MODE one of
``--die-after-bank-pays`` and ``--die-before-bank``.

On every start it does what a restarted service does: drain the outbox, then run the
disbursement command for loans 0..COUNT-1 (signing them first if needed) and send each payout.
Loans already handled are replays: the command and the relay must make them no-ops. The two
options make the process kill itself with SIGKILL at the most dangerous instants: just after
the bank paid (before LendLine recorded it), or just after the payout was queued (before the
bank was called), on the N-th payout of this run.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from signed_loans import ACCOUNT_NAME, account_number, sign_application

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.lending.ports import PayoutInstruction, PayoutReceipt
from lendline.persistence.db import make_engine
from lendline.persistence.outbox import OutboxMessage
from lendline.persistence.subject_keys import KeyFile, bind_keys
from lendline.service_layer.disbursements import Disbursements, payout_key
from lendline.shared.clock import SystemClock


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class BankThatOutlivesUs:
    """The simulated bank; the process dies right after the N-th payment it makes."""

    def __init__(self, inner: SimulatedPaymentRail, die_after: int | None) -> None:
        self.inner, self.die_after, self.paid = inner, die_after, 0

    def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        receipt = self.inner.pay(instruction)
        self.paid += 1
        if self.paid == self.die_after:
            die()
        return receipt


def main() -> None:
    url, bank_db, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else ""
    nth = int(sys.argv[5]) if len(sys.argv) > 5 else None
    engine = make_engine(url)
    # Personal data is sealed: this process must use the test's keys, not keys of its own.
    bind_keys(engine, KeyFile(Path(bank_db).with_suffix(".keys.json")).keys())
    bank = BankThatOutlivesUs(
        SimulatedPaymentRail(bank_db), nth if mode == "--die-after-bank-pays" else None
    )
    attempts = 0

    def before_bank(_message: OutboxMessage) -> None:
        nonlocal attempts
        attempts += 1
        if mode == "--die-before-bank" and attempts == nth:
            die()

    clock = SystemClock()
    desk = Disbursements(engine, bank, clock, on_attempt=before_bank)
    print("ready", flush=True)
    desk.drain()  # a restarted service first delivers what the last run left behind
    for index in range(count):
        terms = sign_application(engine, index, clock.now())
        desk.request(
            terms,
            product_key="PL-STD@test",
            account_name=ACCOUNT_NAME,
            account_number=account_number(index),
            session_id=f"session-{index:05d}",
        )
        desk.drain(only_key=payout_key(terms.reference))
    print("finished", flush=True)


if __name__ == "__main__":
    main()
