"""Staged fraud patterns as scripted calls: the scenario set the risk engine is measured on.

Each scenario stages one pattern of DOMAIN-NOTES §3.6 that can be acted out by voice, with
the markers a correct detection leaves on the session (a fraud-rule code, a call signal the
fraud model named as a reason, an alert code, a dialog flag). Honest callers, including a
hesitant one who pauses and says "um", must leave none: they are the false-positive side
of the measurement. The calls run through the real pipeline (synthesised speech, VAD, end of
turn, Whisper, the dialog, the desk), so a detection here is a detection on audio.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lendline.demo.borrowers import Persona, happy_borrower


@dataclass(frozen=True, slots=True)
class FraudScenario:
    """One staged call.

    Parameters:
        name: short label.
        pattern: the §3.6 pattern it stages ("" for an honest caller).
        persona: the caller's script.
        expects: markers of a correct detection; any one of them counts. Empty for an
            honest caller, who must leave no marker at all.
        earlier_applications: applications the same person made shortly before this call
            (placed over chat before the call, for loan stacking).
    """

    name: str
    pattern: str
    persona: Persona
    expects: frozenset[str]
    earlier_applications: int = 0

    @property
    def is_fraud(self) -> bool:
        """Whether the scenario stages a fraud pattern (a positive)."""
        return bool(self.expects)


_SECURITY = ("q_city", "q_employer", "q_bank_name", "q_account_last4", "q_customer_since_year")


def _hesitant_en() -> Persona:
    """An honest caller who thinks aloud: long pauses and fillers before each answer."""
    base = happy_borrower("en")
    hesitant = base.with_answers(
        "hesitant-en",
        q_city=["Um, I live in Shanghai."],
        q_employer=["Uh, I work for China Mobile."],
        q_bank_name=["Um, Bank of China."],
        q_account_last4=["Let me see, two four six eight."],
        q_customer_since_year=["Hmm, twenty nineteen."],
        ask_income=["Um, about twenty thousand yuan a month."],
    )
    hesitant.think_secs.update(dict.fromkeys(_SECURITY, 2.5))
    return hesitant


def _coached_en() -> Persona:
    """An intermediary next to the applicant whispers each answer before it is given."""
    base = happy_borrower("en")
    coached = base.with_answers("coached-en")
    coached.coach.update(
        {
            "q_city": "Say you live in Shanghai.",
            "q_employer": "Tell them China Mobile.",
            "q_bank_name": "Bank of China, say it.",
            "q_account_last4": "The numbers are two four six eight.",
            "q_customer_since_year": "Say twenty nineteen.",
            "ask_income": "Say twenty thousand a month.",
            "ask_employment": "Say you are employed full time.",
        }
    )
    return coached


def _scripted_en() -> Persona:
    """Someone reading the customer's data off a sheet: instant, fast, even answers."""
    base = happy_borrower("en")
    scripted = base.with_answers("scripted-en")
    scripted.think_secs.update(dict.fromkeys(_SECURITY, 0.0))
    return replace(scripted, speaking_rate=1.35)


def _scam_victim(language: str) -> Persona:
    """A caller sent by a fake 'loan agent' who asked for an unfreezing fee."""
    base = happy_borrower(language)
    if language == "zh":
        return base.with_answers(
            "scam-fee-zh", ask_purpose=["客服说我要先交一笔解冻费，才能把贷款放出来"]
        )
    return base.with_answers(
        "scam-fee-en",
        ask_purpose=["They told me I must pay an unfreezing fee first to release the loan."],
    )


def fraud_scenarios(*, markers: dict[str, frozenset[str]]) -> list[FraudScenario]:
    """The scenario set, with the markers each pattern must leave.

    Args:
        markers: pattern -> the markers that count as detecting it (see
            ``lendline.service_layer.risk_assessment.PATTERN_MARKERS``).
    """
    return [
        FraudScenario("honest-en", "", happy_borrower("en"), frozenset()),
        FraudScenario("honest-zh", "", happy_borrower("zh"), frozenset()),
        FraudScenario("hesitant-en", "", _hesitant_en(), frozenset()),
        FraudScenario("coached-en", "coaching", _coached_en(), markers["coaching"]),
        FraudScenario("scripted-en", "scripted", _scripted_en(), markers["scripted"]),
        FraudScenario("scam-fee-en", "scam", _scam_victim("en"), markers["scam"]),
        FraudScenario("scam-fee-zh", "scam", _scam_victim("zh"), markers["scam"]),
        FraudScenario(
            "stacked-en",
            "stacking",
            happy_borrower("en").with_answers("stacked-en"),
            markers["stacking"],
            earlier_applications=3,
        ),
    ]
