"""A local payment rail that stands in for the bank, with a ledger of its own.

The simulator keeps its payouts in a separate database (by default a SQLite file next to, but
apart from, LendLine's), just as a bank keeps its own books: reconciliation compares the two.
It honours idempotency keys the way real rails do: a replay of a key returns the first
receipt marked ``duplicate`` and moves no money; the same key with different details is
refused.

Like a real transfer system it checks the payee's name against the account (R5: loans are
paid only into the borrower's own account): accounts registered with ``open_account`` must
be paid under their holder's name, or the payout is refused for good. Accounts it has never
heard of stand for other banks, whose name check this simulator cannot make; they are paid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    MetaData,
    Row,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from lendline.lending.ports import PayoutInstruction, PayoutReceipt
from lendline.persistence.db import make_engine
from lendline.persistence.tables import UtcDateTime
from lendline.shared.clock import Clock, SystemClock
from lendline.shared.errors import Conflict, ErrorCategory, ProviderError
from lendline.shared.money import Money

__all__ = ["RailPayout", "SimulatedPaymentRail"]

_metadata: Final = MetaData()

rail_payouts: Final = Table(
    "rail_payouts",
    _metadata,
    Column("rail_reference", String(64), primary_key=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("reference", String(64), nullable=False),
    Column("account_name", String(200), nullable=False),
    Column("account_number", String(40), nullable=False),
    Column("amount_minor", BigInteger(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("accepted_at", UtcDateTime(), nullable=False),
)


rail_accounts: Final = Table(
    "rail_accounts",
    _metadata,
    Column("account_number", String(40), primary_key=True),
    Column("holder_name", String(200), nullable=False),
)


@dataclass(frozen=True, slots=True)
class RailPayout:
    """One payout as the rail's ledger holds it.

    Parameters:
        rail_reference: the rail's id for the transfer.
        idempotency_key: the key it was sent with.
        reference: the loan reference shown on the statement.
        account_name: account holder's name.
        account_number: destination account.
        amount: amount paid.
        accepted_at: when the rail accepted it.
    """

    rail_reference: str
    idempotency_key: str
    reference: str
    account_name: str
    account_number: str
    amount: Money
    accepted_at: datetime


def _engine_for(db_path_or_url: str | Path) -> Engine:
    target = str(db_path_or_url)
    if "://" in target:
        return make_engine(target)
    return make_engine(f"sqlite:///{Path(target).expanduser().resolve()}")


class SimulatedPaymentRail:
    """A ``PaymentRail`` backed by its own small ledger database.

    Args:
        db_path_or_url: a file path (SQLite) or a SQLAlchemy URL for the rail's ledger; it
            must not be LendLine's own database.
        clock: the time source for acceptance times.
    """

    def __init__(self, db_path_or_url: str | Path, clock: Clock | None = None) -> None:
        self._engine = _engine_for(db_path_or_url)
        self._clock = clock or SystemClock()
        # The rail's own table: created on first use, no migrations (it is not LendLine's).
        _metadata.create_all(self._engine)

    def open_account(self, account_number: str, holder_name: str) -> None:
        """Register an account at the simulated bank (idempotent; the holder may be renamed)."""
        with self._engine.begin() as conn:
            known = conn.execute(
                select(rail_accounts.c.holder_name).where(
                    rail_accounts.c.account_number == account_number
                )
            ).first()
            if known is None:
                conn.execute(
                    insert(rail_accounts).values(
                        account_number=account_number, holder_name=holder_name
                    )
                )
            elif known.holder_name != holder_name:
                conn.execute(
                    rail_accounts.update()
                    .where(rail_accounts.c.account_number == account_number)
                    .values(holder_name=holder_name)
                )

    def _check_payee(self, instruction: PayoutInstruction) -> None:
        with self._engine.connect() as conn:
            holder = conn.execute(
                select(rail_accounts.c.holder_name).where(
                    rail_accounts.c.account_number == instruction.account_number
                )
            ).scalar()
        if holder is not None and holder != instruction.account_name:
            raise ProviderError(
                f"payee name does not match the holder of account "
                f"****{instruction.account_number[-4:]}",
                ErrorCategory.PERMANENT,
            )

    def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        """Pay ``instruction`` out once; replays of its key return the first receipt.

        Raises:
            Conflict: if the key was already used with a different amount, account or
                reference.
            ProviderError: (permanent) if the payee's name is not the account holder's.
        """
        self._check_payee(instruction)
        for _attempt in range(2):
            with self._engine.begin() as conn:
                row = conn.execute(
                    select(rail_payouts).where(
                        rail_payouts.c.idempotency_key == instruction.idempotency_key
                    )
                ).first()
                if row is not None:
                    return self._replay(row, instruction)
                accepted_at = self._clock.now()
                rail_reference = f"SIM-{uuid.uuid4().hex[:20].upper()}"
                try:
                    conn.execute(
                        insert(rail_payouts).values(
                            rail_reference=rail_reference,
                            idempotency_key=instruction.idempotency_key,
                            reference=instruction.reference,
                            account_name=instruction.account_name,
                            account_number=instruction.account_number,
                            amount_minor=instruction.amount.to_minor(),
                            currency=instruction.amount.currency,
                            accepted_at=accepted_at,
                        )
                    )
                except IntegrityError:
                    # Another caller sent the same key at the same moment and won; the next
                    # attempt finds its payout and answers as a replay.
                    continue
            return PayoutReceipt(
                rail_reference=rail_reference,
                idempotency_key=instruction.idempotency_key,
                amount=instruction.amount,
                accepted_at=accepted_at,
                duplicate=False,
            )
        raise Conflict(f"payout {instruction.idempotency_key!r} could not be recorded")

    @staticmethod
    def _replay(row: Row[Any], instruction: PayoutInstruction) -> PayoutReceipt:
        stored_amount = Money.from_minor(row.amount_minor, row.currency)
        differences = [
            name
            for name, stored, sent in (
                ("amount", stored_amount, instruction.amount),
                ("account_number", row.account_number, instruction.account_number),
                ("reference", row.reference, instruction.reference),
            )
            if stored != sent
        ]
        if differences:
            raise Conflict(
                f"idempotency key {instruction.idempotency_key!r} was already used for a "
                f"different payout ({', '.join(differences)} differ)"
            )
        return PayoutReceipt(
            rail_reference=row.rail_reference,
            idempotency_key=row.idempotency_key,
            amount=stored_amount,
            accepted_at=row.accepted_at,
            duplicate=True,
        )

    def payouts(self) -> list[RailPayout]:
        """Return every payout the rail has made, oldest first (for reconciliation)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(rail_payouts).order_by(
                    rail_payouts.c.accepted_at, rail_payouts.c.rail_reference
                )
            ).all()
        return [
            RailPayout(
                rail_reference=row.rail_reference,
                idempotency_key=row.idempotency_key,
                reference=row.reference,
                account_name=row.account_name,
                account_number=row.account_number,
                amount=Money.from_minor(row.amount_minor, row.currency),
                accepted_at=row.accepted_at,
            )
            for row in rows
        ]

    def ledger_total(self, currency: str = "CNY") -> Money:
        """Return the sum of all payouts in ``currency``."""
        with self._engine.connect() as conn:
            total = conn.execute(
                select(func.coalesce(func.sum(rail_payouts.c.amount_minor), 0)).where(
                    rail_payouts.c.currency == currency
                )
            ).scalar_one()
        return Money.from_minor(int(total), currency)

    def close(self) -> None:
        """Release the ledger's connections."""
        self._engine.dispose()
