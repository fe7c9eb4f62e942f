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
from typing import Any, Final

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
    """An honest caller who takes long pauses and thinks aloud before some answers.

    Fillers are kept where the recogniser still hears the answer: Whisper base heard the
    synthesized "Um, I live in Shanghai." as "I love inching high", which fails the
    question for a reason that has nothing to do with fraud (see docs/risk.md).
    """
    base = happy_borrower("en")
    hesitant = base.with_answers(
        "hesitant-en",
        q_account_last4=["Let me see, two four six eight."],
        q_customer_since_year=["Hmm, twenty nineteen."],
    )
    hesitant.think_secs.update(dict.fromkeys(_SECURITY, 2.5))
    return hesitant


def _coached_en() -> Persona:
    """An intermediary beside the applicant "packages" the income and job answers.

    The coach (a second voice) starts whispering just before the applicant answers and goes
    on under the answer, and the applicant lets slip who is behind the figure, as coached
    applicants do.
    """
    base = happy_borrower("en")
    coached = base.with_answers(
        "coached-en",
        ask_income=["My agent told me to say twenty thousand yuan a month."],
    )
    coached.coach.update(
        {
            "ask_income": "Say twenty thousand.",
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


#: What counts as detecting each pattern: the call signal or cue the fraud model named as a
#: reason, the dialog's flag, the alert raised, or the fraud rule that fired.
PATTERN_MARKERS: Final[dict[str, frozenset[str]]] = {
    "coaching": frozenset({"second_voice", "second_voice_turns", "coaching_cues", "coaching_cue"}),
    "scripted": frozenset(
        {"F26", "question_answer_quickness", "scripted_reading", "question_answer_latency_secs"}
    ),
    "scam": frozenset({"scam_cue", "scam_cues"}),
    # Application velocity by ID number, mobile and caller number (24 h and 30 days).
    "stacking": frozenset({"F01", "F02", "F03", "F04", "F05", "F06"}),
}


def fraud_scenarios() -> list[FraudScenario]:
    """The scenario set, with the markers each pattern must leave."""
    markers = PATTERN_MARKERS
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


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What the risk engine made of one scenario call.

    Parameters:
        scenario: the scenario.
        session_id: the call's session.
        status: how the session ended.
        outcome: the decision's outcome ("" when no decision was reached).
        markers: every fraud marker the session left (see ``session_markers``).
        flagged: whether the session was treated as suspicious at all.
    """

    scenario: FraudScenario
    session_id: str
    status: str
    outcome: str
    markers: frozenset[str]
    flagged: bool

    @property
    def detected(self) -> bool:
        """A fraud scenario flagged for one of its own markers."""
        return self.flagged and bool(self.markers & self.scenario.expects)


def session_markers(app: Any, session_id: str) -> tuple[frozenset[str], str]:
    """The fraud markers a session left, and its last decision's outcome.

    Markers are the fraud rules that fired and the features the fraud model named as reasons
    (from the ``decision.made`` audit entries), the codes of the session's alerts, and the
    dialog's cue flags.
    """
    from lendline.persistence.uow import SqlUnitOfWork

    markers: set[str] = set()
    outcome = ""
    with SqlUnitOfWork(app.engine, read_only=True) as uow:
        for entry in uow.audit.entries(session_id):
            if entry.kind == "decision.made":
                payload = entry.payload
                outcome = str(payload["outcome"])
                markers.update(str(code) for code in payload.get("fraud_rules_fired") or [])  # type: ignore[attr-defined]
                if outcome != "approve":
                    markers.update(str(name) for name in payload.get("fraud_reasons") or [])  # type: ignore[attr-defined]
        markers.update(item.alert.code for item in uow.alerts.for_session(session_id))
        record = uow.sessions.get(session_id)
    if record is not None:
        flags = record.state.get("flags", [])
        markers.update(flag for flag in flags if flag.endswith("_cue"))
    return frozenset(markers), outcome


#: Session endings that mean the risk engine stopped the loan.
_STOPPED = frozenset({"handed_off", "referred", "declined", "callback", "locked"})


def judge(app: Any, scenario: FraudScenario, state: Any) -> ScenarioResult:
    """Read what the engine made of a scenario call from the database."""
    markers, outcome = session_markers(app, state.session_id)
    stepped_up = any(action for action in getattr(state, "step_ups", []))
    flagged = (
        state.status.value in _STOPPED
        or outcome in ("step_up", "refer", "decline")
        or stepped_up
        or bool(markers)
    )
    return ScenarioResult(scenario, state.session_id, state.status.value, outcome, markers, flagged)


async def run_scenario(app: Any, scenario: FraudScenario) -> ScenarioResult:
    """Place the scenario's call through the real voice pipeline and judge it.

    Earlier applications (loan stacking) are made first over chat by the same person, each
    declining the offer, as someone shopping one identity around would.
    """
    import asyncio

    from lendline.demo.drive import call_by_voice, chat_as

    for index in range(scenario.earlier_applications):
        earlier = scenario.persona.with_answers(
            f"{scenario.name}-earlier-{index}", offer=["No, thank you."]
        )
        await asyncio.to_thread(chat_as, app, earlier)
    report = await call_by_voice(app, scenario.persona)
    return judge(app, scenario, report.state)


@dataclass(frozen=True, slots=True)
class ScenarioRates:
    """True- and false-positive rates over a scenario set.

    Parameters:
        positives: fraud scenarios run.
        detected: fraud scenarios flagged for one of their own markers.
        negatives: honest scenarios run.
        false_alarms: honest scenarios flagged.
    """

    positives: int
    detected: int
    negatives: int
    false_alarms: int

    @property
    def tpr(self) -> float:
        """Share of fraud scenarios detected for the right reason."""
        return self.detected / self.positives if self.positives else 0.0

    @property
    def fpr(self) -> float:
        """Share of honest scenarios flagged."""
        return self.false_alarms / self.negatives if self.negatives else 0.0


def rates(results: list[ScenarioResult]) -> ScenarioRates:
    """TPR and FPR of a run."""
    fraud = [result for result in results if result.scenario.is_fraud]
    honest = [result for result in results if not result.scenario.is_fraud]
    return ScenarioRates(
        positives=len(fraud),
        detected=sum(result.detected for result in fraud),
        negatives=len(honest),
        false_alarms=sum(result.flagged for result in honest),
    )
