"""What stops when a person withdraws a consent (PIPL Art. 15, 16; DOMAIN-NOTES §2.1).

Withdrawal must be easy and takes effect for the future only: processing done before stays
lawful (Art. 15). Processing that rests on another legal basis goes on -- performing the
loan contract (Art. 13(2)) and keeping records the law requires (Art. 13(3), AML Law Art. 34)
-- so each consent kind lists what stops and what continues, and on which basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class WithdrawalEffects:
    """The consequences of withdrawing one kind of consent.

    Parameters:
        kind: the consent kind withdrawn (as stored in ``consents.kind``).
        stops: processing that stops from the moment of withdrawal.
        continues: processing that goes on, each with its legal basis.
    """

    kind: str
    stops: tuple[str, ...]
    continues: tuple[str, ...]


_CONTRACT_AND_LAW: Final = (
    "servicing of loans already signed (PIPL Art. 13(2): performing the contract)",
    "retention of identity and transaction records (PIPL Art. 13(3); AML Law Art. 34)",
)

#: Effects per consent kind. Kinds not listed stop "processing based on that consent".
EFFECTS: Final[dict[str, WithdrawalEffects]] = {
    "marketing": WithdrawalEffects(
        "marketing",
        stops=("marketing calls", "marketing SMS", "product recommendations"),
        continues=_CONTRACT_AND_LAW,
    ),
    "general": WithdrawalEffects(
        "general",
        stops=(
            "new loan applications on the phone line (the data are needed for them, PIPL Art. 16)",
            "processing beyond the contract (analytics, model training, marketing)",
        ),
        continues=_CONTRACT_AND_LAW,
    ),
    "sensitive": WithdrawalEffects(
        "sensitive",
        stops=(
            "voiceprint and other sensitive-data processing (PIPL Art. 29)",
            "new identity checks by voice for new applications",
        ),
        continues=(
            "retention of call recordings that evidence identity and consent (AML Law Art. 34)",
            *_CONTRACT_AND_LAW[:1],
        ),
    ),
    "credit_check": WithdrawalEffects(
        "credit_check",
        stops=("new credit-report (征信) queries (征信业管理条例 Art. 18)",),
        continues=(
            "reports already obtained stay with the decision they were used for",
            *_CONTRACT_AND_LAW,
        ),
    ),
}


def effects_of(kind: str) -> WithdrawalEffects:
    """The effects of withdrawing consent of ``kind``.

    Raises:
        ValueError: for ``contract_signature``: a signature is not a consent that can be
            withdrawn; the contract ends by repayment or termination.
    """
    if kind == "contract_signature":
        raise ValueError("a contract signature cannot be withdrawn like a consent")
    known = EFFECTS.get(kind)
    if known is not None:
        return known
    return WithdrawalEffects(
        kind, stops=(f"processing based on the '{kind}' consent",), continues=_CONTRACT_AND_LAW
    )
