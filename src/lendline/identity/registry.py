"""The lender's customer registry: the records identity checks and security questions use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer as the lender holds them (loaded by the operator from CSV).

    Parameters:
        customer_id: the lender's own key.
        full_name: legal name as on the resident ID card.
        id_number: 18-character resident ID number, upper-case X.
        mobile: registered 11-digit mainland mobile number.
        city: city of the registered address (e.g. "杭州" or "Hangzhou").
        employer: employer name on file.
        bank_name: bank of the account on file (e.g. "招商银行").
        account_number: the borrower's own account, the only payout destination.
        customer_since: date the relationship started.
        monthly_income: declared monthly income on file, in yuan.
    """

    customer_id: str
    full_name: str
    id_number: str
    mobile: str
    city: str
    employer: str
    bank_name: str
    account_number: str
    customer_since: date
    monthly_income: Decimal


class CustomerRegistry(Protocol):
    """Looks customers up in the lender's registry."""

    def find_by_id_number(self, id_number: str) -> CustomerRecord | None:
        """Return the customer with this resident ID number, if any."""
        ...
