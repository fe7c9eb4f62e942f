"""What every step of the script shares: the session, the prompts and the moves.

A step module only says what it asks, what it accepts and where it goes next; it does so
through a :class:`DialogContext`: ``go`` to another step, ``retry`` the current one (a
failed answer), ``end`` the call, ``hand_off`` to a person, and ``question`` to ask the
current step's question again (after a digression, a correction or a repeat).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from lendline.dialog.nlu.yesno import parse_yes_no
from lendline.dialog.ports import LoanDesk
from lendline.dialog.prompt_book import PromptBook, load_prompts
from lendline.dialog.render import Renderer
from lendline.dialog.state import DialogState, SessionStatus, Step
from lendline.dialog.turn import Prompt, Reply
from lendline.dialog.verbalize import say_integer
from lendline.shared.clock import Clock

if TYPE_CHECKING:
    from lendline.dialog.steps.base import StepSpec

#: Failed spoken attempts at a number before the keypad is offered. One: Whisper base gets
#: a spoken Mandarin ID, mobile number or code exactly right about one time in three (10 of
#: 32 held-out utterances, clean phone band; ``bench/recognition_window.py``), and a second
#: spoken attempt fails for the same reason as the first (a repeated digit collapses in every
#: hypothesis), so the keypad is offered with the first re-ask rather than the third.
DTMF_AFTER_FAILURES = 1


class DialogContext:
    """The session, its language and channel, and the moves every step uses.

    Args:
        desk: the loan desk the script sends its requests to.
        state: the session's state (new, or loaded for a call-back).
        clock: tells today's date for the age check.
        spoken: True on voice lines (numbers spelled out), False in chat.
        lender: placeholder values for the greeting (name and licence in both languages).
        specs: every step's specification, by step.
        resumes: where a finished step-up returns to, by the ``step_up_for`` slot's value
            (CALM's return to the calling flow; it breaks the step-up/decision cycle).
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
        specs: Mapping[Step, StepSpec],
        resumes: Mapping[str, Callable[[DialogContext, Prompt], Reply]],
        max_retries: int = 3,
        max_silences: int = 3,
    ) -> None:
        self.desk = desk
        self.state = state
        self.clock = clock
        self.spoken = spoken
        self.lender = lender
        self.specs = specs
        self.resumes = resumes
        self.max_retries = max_retries
        self.max_silences = max_silences
        # The scam warning is played once per call (a call-back hears it again).
        self.scam_warned = False

    # ------------------------------------------------------------------ language

    @property
    def lang(self) -> str:
        """The call's language (Mandarin until one is chosen)."""
        return self.state.language or "zh"

    @property
    def book(self) -> PromptBook:
        """The prompt book of the call's language."""
        return load_prompts(self.lang)

    @property
    def render(self) -> Renderer:
        """Value formatting for this call's language and channel."""
        return Renderer(self.lang, self.spoken)

    def say(self, prompt_id: str, **values: str) -> Prompt:
        """The prompt ``prompt_id`` filled with ``values`` and the lender's names."""
        merged = {**self.lender, **values}
        return prompt_id, self.book.text(prompt_id, **merged)

    def count_words(self, count: int) -> str:
        """A count as said on this channel."""
        return say_integer(count, self.lang) if self.spoken else str(count)

    def yes_no(self, text: str, digits: str) -> bool | None:
        """A yes or no, spoken or keyed (1 yes, 2 no); None when neither."""
        if digits:
            return {"1": True, "2": False}.get(digits[:1])
        return parse_yes_no(text, self.lang) if text else None

    def goodbye(self) -> Prompt:
        """The farewell, with the application reference when there is one."""
        if self.state.reference:
            return self.say("goodbye", reference=self.reference_words())
        return self.say("goodbye_plain")

    def reference_words(self) -> str:
        """The application reference as read out (symbol by symbol on a voice line)."""
        reference = self.state.reference or ""
        if not self.spoken:
            return reference
        return " ".join(reference.replace("-", " "))

    # ------------------------------------------------------------------ moves

    def question(self) -> list[Prompt]:
        """The current step's question, with the implicit read-back of the last answer."""
        ask: Callable[[DialogContext], list[Prompt]] = self.specs[self.state.step].ask
        return ask(self)

    def go(self, step: Step, *prompts: Prompt) -> Reply:
        """Move to ``step`` and ask its question after ``prompts``."""
        self.state.step = step
        self.state.retries = 0
        return Reply([*prompts, *self.question()])

    def ask_again(self, *prompts: Prompt) -> Reply:
        """Stay at the step and ask its question again after ``prompts`` (no retry used)."""
        return Reply([*prompts, *self.question()])

    def retry(self, *why: Prompt) -> Reply:
        """A failed answer: say why, ask again, offer the keypad, hand off at the limit."""
        state = self.state
        state.retries += 1
        if state.retries >= self.max_retries:
            return self.hand_off(self.say("too_many_retries"))
        reply = Reply([*(why or (self.say("not_understood"),)), *self.question()])
        offer = self.specs[state.step].keypad_offer
        if offer and self.spoken and state.retries == DTMF_AFTER_FAILURES:
            # A failed spoken attempt at a number: offer the keypad with the re-ask.
            reply.prompts.append(self.say(offer))
        return reply

    def try_answer(self, spec: StepSpec, text: str, digits: str = "") -> Reply | None:
        """Read ``text`` as the answer to ``spec``'s step; keep it only if it took.

        The repair patterns use it when an utterance does something else as well (a question,
        a change of an earlier answer) and may also answer the question. It took when the
        script moved on, asks a confirmation or ended; otherwise the state is put back as it
        was (the failed attempt uses no retry) and None is returned. Only for steps whose
        reading has no effect outside the session (never a code, a security answer or a
        phrase, which the desk checks and counts).
        """
        state = self.state
        step, retries, slots, status = state.step, state.retries, dict(state.slots), state.status
        answered = spec.accept(self, text, digits)
        if state.step is not step or state.slots.get("confirm_slot") or state.status is not status:
            return answered
        state.step, state.retries, state.slots, state.status = step, retries, slots, status
        return None

    def end(self, status: SessionStatus, *prompts: Prompt) -> Reply:
        """End the call with ``status`` after ``prompts``."""
        self.state.status = status
        self.state.step = Step.DONE
        return Reply(list(prompts), end_call=True)

    def hand_off(self, *before: Prompt) -> Reply:
        """Transfer the caller to a person after ``before``."""
        self.state.status = SessionStatus.HANDED_OFF
        return Reply([*before, self.say("hand_off")], hand_off=True, end_call=True)
