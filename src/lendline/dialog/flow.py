"""The call script: a deterministic state machine over the loan steps, in Mandarin or English.

Each caller turn (recognised speech, typed text, DTMF keys, or a silent timeout) goes in;
the agent's turn (prompt ids and texts, whether to hang up or hand off) comes out. The
steps live in ``dialog.steps`` (one module per group, each step a :class:`StepSpec`: what
it asks, what it accepts); every turn first passes the shared repair layer
(``dialog.repair``: confirmations, requests, digressions, cancellation, corrections of any
earlier answer). State is saved through the loan desk after every turn, so a caller who
hangs up can call back and resume after re-verification.
"""

from __future__ import annotations

from lendline.dialog import repair
from lendline.dialog.context import DialogContext
from lendline.dialog.cues import after_cues, note_cues
from lendline.dialog.nlu.text import normalize
from lendline.dialog.ports import LoanDesk
from lendline.dialog.state import RESUMABLE_STEPS, DialogState, SessionStatus, Step
from lendline.dialog.steps import SPECS
from lendline.dialog.steps.decision import decide
from lendline.dialog.turn import CallerInput, Reply
from lendline.shared.clock import Clock

__all__ = ["EXPECTS", "CallerInput", "Dialog", "Reply"]

#: Turns at one step before a person takes over, however the turns were answered.
MAX_TURNS_AT_STEP = 10
#: Kinds of answer the script expects, passed to the recogniser as a hint.
EXPECTS: dict[Step, str] = {step: spec.expects for step, spec in SPECS.items()}


class Dialog(DialogContext):
    """Runs the script for one session over one channel.

    Args:
        desk: the loan desk the script sends its requests to.
        state: the session's state (new, or loaded for a call-back).
        clock: tells today's date for the age check.
        spoken: True on voice lines (numbers spelled out), False in chat.
        lender: placeholder values for the greeting (name and licence in both languages).
        max_retries: failed attempts at one step before handing off.
        max_silences: silent timeouts in a row before ending the call.
    """

    def __init__(
        self,
        desk: LoanDesk,
        state: DialogState,
        clock: Clock,
        *,
        spoken: bool,
        lender: dict[str, str],
        max_retries: int = 3,
        max_silences: int = 3,
    ) -> None:
        super().__init__(
            desk,
            state,
            clock,
            spoken=spoken,
            lender=lender,
            specs=SPECS,
            resumes={"decision": decide},
            max_retries=max_retries,
            max_silences=max_silences,
        )

    def start(self) -> Reply:
        """Open the call: choose a language, or welcome a caller back to their session."""
        state = self.state
        if state.step in RESUMABLE_STEPS and state.language:
            # A call-back: re-verify (ID, mobile, one-time code), then return to the step.
            state.resume_step = state.step
            state.verified = False
            state.retries = 0
            state.slots.pop("confirm_slot", None)
            reply = self.go(Step.ID_NUMBER, self.say("welcome_back"))
        else:
            reply = self.go(Step.LANGUAGE)
        self._finish_turn(None, reply, "call_started")
        return reply

    def handle(self, caller: CallerInput) -> Reply:
        """Take one caller turn and return the agent's answer."""
        state = self.state
        state.turn += 1
        if caller.silence:
            reply = repair.on_silence(self)
        else:
            state.silences = 0
            text = normalize(caller.text or "")
            step = state.step
            reply = repair.run(self, self.specs[step], text, caller.digits or "")
            reply = self._within_turn_budget(step, reply)
            # Word cues of fraud: the first scam cue of a call is answered with the scam
            # warning; one the caller states is a critical alert (a person takes over), one
            # only asked about goes to the review queue, as does the first coaching cue.
            reply = after_cues(self, reply, note_cues(self, caller.text or ""))
        self._finish_turn(caller, reply, "turn")
        return reply

    def _within_turn_budget(self, step: Step, reply: Reply) -> Reply:
        """Hand the call to a person after too many turns at one step, whatever they were.

        Each repair pattern bounds itself, but a turn that is answered without moving on
        (a question back, a change, a cancellation not confirmed) said again and again must
        not keep a caller at the same question for ever.
        """
        state = self.state
        if state.step is not step or state.status is not SessionStatus.ACTIVE:
            state.turns_at_step = 0
            return reply
        state.turns_at_step += 1
        if state.turns_at_step >= MAX_TURNS_AT_STEP:
            return self.hand_off(self.say("too_many_retries"))
        return reply

    def hang_up(self) -> None:
        """The caller hung up: keep the session resumable unless it had already ended."""
        if self.state.status is SessionStatus.ACTIVE:
            self.state.status = SessionStatus.DROPPED
        self.desk.record_turn(self.state, None, None, [], self.book.version, "caller_hung_up")
        self.desk.close(self.state)

    def _finish_turn(self, caller: CallerInput | None, reply: Reply, event: str) -> None:
        state = self.state
        reply.expects = "yes_no" if state.slots.get("confirm_slot") else EXPECTS[state.step]
        if reply.prompts:
            state.last_prompts = list(reply.prompts)
        text = caller.text if caller else None
        if caller and caller.digits:
            text = f"{text or ''} [DTMF {caller.digits}]".strip()
        self.desk.record_turn(
            state,
            text,
            caller.audio_sha256 if caller else None,
            reply.prompts,
            self.book.version,
            event,
        )
        if reply.end_call or reply.hand_off:
            self.desk.close(state)
        else:
            self.desk.checkpoint(state)
