"""The state of one call's dialog: plain data, saved after every turn so a call can resume."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    """Where the script is: each step asks one question and waits for the answer."""

    LANGUAGE = "language"
    CONSENT = "consent"
    SENSITIVE_CONSENT = "sensitive_consent"
    NAME = "name"
    ID_NUMBER = "id_number"
    CONFIRM_ID = "confirm_id"
    MOBILE = "mobile"
    CONFIRM_MOBILE = "confirm_mobile"
    SECURITY_QUESTION = "security_question"
    LIVENESS = "liveness"
    OTP = "otp"
    AMOUNT = "amount"
    TERM = "term"
    PURPOSE = "purpose"
    INCOME = "income"
    EMPLOYMENT = "employment"
    REVIEW = "review"
    OFFER = "offer"
    SIGN_CONSENT = "sign_consent"
    SIGN_OTP = "sign_otp"
    DONE = "done"


#: Steps that belong to the application proper: a call-back resumes at these after
#: re-verification. Earlier steps are simply asked again.
RESUMABLE_STEPS = (
    Step.AMOUNT,
    Step.TERM,
    Step.PURPOSE,
    Step.INCOME,
    Step.EMPLOYMENT,
    Step.REVIEW,
    Step.OFFER,
    Step.SIGN_CONSENT,
    Step.SIGN_OTP,
)


class SessionStatus(StrEnum):
    """How a call session stands; only ACTIVE and DROPPED sessions can be resumed."""

    ACTIVE = "active"
    DROPPED = "dropped"
    COMPLETED = "completed"
    REFUSED = "refused"
    DECLINED = "declined"
    REFERRED = "referred"
    CANCELLED = "cancelled"
    HANDED_OFF = "handed_off"
    LOCKED = "locked"
    MOVED_TO_CHAT = "moved_to_chat"
    #: Ended so the customer can be called back on their registered number (a step-up).
    CALLBACK = "callback"

    @property
    def resumable(self) -> bool:
        """Return whether a call-back may pick this session up again."""
        return self in (SessionStatus.ACTIVE, SessionStatus.DROPPED, SessionStatus.MOVED_TO_CHAT)


@dataclass
class DialogState:
    """Everything the script needs to carry on from any turn.

    Parameters:
        session_id: the call session (one per application attempt, kept across call-backs).
        caller_number: the number the network presented.
        channel: "voice" or "chat"; a session can move from voice to chat.
        language: "zh" or "en" once chosen.
        step: the question being asked.
        status: how the session stands.
        resume_step: on a call-back, the step to return to once re-verified.
        slots: the answers so far (strings, so the state stays plain JSON).
        customer_id: the registry customer once identified.
        question_kinds: security question kinds drawn for this session (never the answers).
        question_choices: the choices read out with each question (which is right is never
            kept here).
        question_asked_at: when the current question was last read out (UTC, ISO 8601).
        question_index: which question is being asked.
        questions_failed: wrong answers so far.
        step_ups: step-ups taken in this session ("more_questions", "phrase_repeat", ...).
        step_up_result: "passed" or "failed" once a step-up is over, else None; it travels
            with the verification outcome.
        external_risk: the risk level fed in from outside ("low", "medium", "high"), if any.
        retries: failed attempts at the current step.
        silences: consecutive silent timeouts.
        turns_at_step: caller turns answered at the current step without moving on.
        last_prompts: the last agent turn, as (prompt id, text) pairs, for "repeat".
        reference: the application reference once one exists.
        verified: identity verified in this call (re-verification resets it).
        turn: caller turns so far.
        flags: notes for reviewers (name mismatch, caller id differs, ...).
        slow_speech: the caller asked the agent to speak more slowly (for the rest of the call).
        signals: the call signals so far, by name (``CallSignals.as_features``): word-cue
            counts from the dialog, audio measures from the voice pipeline; kept across
            call-backs.
    """

    session_id: str
    caller_number: str
    channel: str = "voice"
    language: str | None = None
    step: Step = Step.LANGUAGE
    status: SessionStatus = SessionStatus.ACTIVE
    resume_step: Step | None = None
    slots: dict[str, str] = field(default_factory=dict)
    customer_id: str | None = None
    question_kinds: list[str] = field(default_factory=list)
    question_choices: list[list[str]] = field(default_factory=list)
    question_asked_at: str | None = None
    question_index: int = 0
    questions_failed: int = 0
    step_ups: list[str] = field(default_factory=list)
    step_up_result: str | None = None
    external_risk: str | None = None
    retries: int = 0
    silences: int = 0
    turns_at_step: int = 0
    last_prompts: list[tuple[str, str]] = field(default_factory=list)
    reference: str | None = None
    verified: bool = False
    turn: int = 0
    flags: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)
    slow_speech: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-ready data."""
        data = asdict(self)
        data["step"] = self.step.value
        data["status"] = self.status.value
        data["resume_step"] = self.resume_step.value if self.resume_step else None
        data["last_prompts"] = [list(pair) for pair in self.last_prompts]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DialogState:
        """Rebuild a state saved with :meth:`to_dict`."""
        values = dict(data)
        values["step"] = Step(values["step"])
        values["status"] = SessionStatus(values["status"])
        values["resume_step"] = Step(values["resume_step"]) if values.get("resume_step") else None
        values["last_prompts"] = [(str(a), str(b)) for a, b in values.get("last_prompts", [])]
        # States saved before signals were kept have none.
        values["signals"] = {str(k): float(v) for k, v in (values.get("signals") or {}).items()}
        return cls(**values)
