"""The bridge between the voice pipeline and the call script.

It gathers what the caller said in one turn (transcripts between pipecat's user-turn start
and stop, or DTMF keys), hands the turn to the dialog off the event loop (the dialog's loan
desk does database work), and speaks the reply. It also watches for silence: caller audio
that arrives while nobody speaks counts toward the silence timeout, in audio time, so a
silent line re-prompts after the same number of seconds on a real-time SIP call and on an
accelerated test call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from hashlib import sha256

from loguru import logger
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    EndFrame,
    EndTaskFrame,
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    StartFrame,
    TTSSpeakFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from lendline.dialog.flow import CallerInput, Dialog, Reply
from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.nlu.intents import only_a_lead_in
from lendline.dialog.verbalize import say_digits
from lendline.identity.questions import sounds_unfinished
from lendline.shared.sensitive_values import SENSITIVE
from lendline.voice.call_context import CallContext, TurnMetrics
from lendline.voice.engines.base import RecognitionHint
from lendline.voice.frames import AgentTurnEndFrame, AgentTurnPlayedFrame, CallerTurnFrame

#: DTMF entry lengths per expected answer; other entries end with '#'.
_DTMF_LENGTHS = {"yes_no": 1, "free": 1}
_DTMF_STEP_LENGTHS = {"id_number": 18, "mobile": 11, "otp": 6, "sign_otp": 6}
_HINTS = {
    "digits": RecognitionHint.DIGITS,
    "yes_no": RecognitionHint.YES_NO,
    "amount": RecognitionHint.AMOUNT,
    "name": RecognitionHint.NAME,
}

#: Steps where the caller is reading a code off their phone.
_CODE_STEPS = frozenset({"otp", "sign_otp"})
#: Steps whose answer is personal data or a code: whatever the caller says or keys there is
#: masked in log lines from the moment it arrives (a name has no shape ``redact`` knows).
_PERSONAL_STEPS = frozenset({"name", "id_number", "mobile", "security_question", "otp", "sign_otp"})
#: Slots holding personal values; they are masked as written and as the agent reads them out.
_PERSONAL_SLOTS = ("name", "id_number", "verified_id_number", "mobile")
#: Silence after part of a number (or a half-said answer) before the part is taken as the
#: whole answer.
PARTIAL_NUMBER_WAIT_SECS = 2.5

TranscriptListener = Callable[[str, str], None]


class DialogBridge(FrameProcessor):
    """Runs the dialog on caller turns and speaks its replies.

    Args:
        dialog: the call script for this session.
        context: the per-call settings shared with the speech services.
        silence_timeout: seconds of caller silence (audio time) before a re-prompt.
        on_transcript: called with ("caller" | "agent", text) for live display.
    """

    def __init__(
        self,
        dialog: Dialog,
        context: CallContext,
        *,
        silence_timeout: float = 6.0,
        on_transcript: TranscriptListener | None = None,
    ) -> None:
        super().__init__()
        self.dialog = dialog
        self._context = context
        self._silence_timeout = silence_timeout
        self._on_transcript = on_transcript
        self._awaiting_transcript = False
        # A number read in groups, kept until it is complete (see _on_caller_turn).
        self._partial = ""
        self._partial_hashes: list[str] = []
        self._partial_silence = 0.0
        self._vad_speaking = False
        self._digits = ""
        self._dtmf_deadline: asyncio.TimerHandle | None = None
        self._user_speaking = False
        self._bot_speaking = False
        self._busy = False
        # From the moment a reply is pushed until the line has played it, the caller is
        # listening, not silent.
        self._reply_pending = False
        self._last_reply_at: float | None = None
        self._ended = False
        self._silent_audio = 0.0
        self._speech_end_at: float | None = None
        self.current_turn: TurnMetrics | None = None
        # What the last agent turn asked for ("yes_no", "digits", ...), for keypad entries.
        self._expects = "free"

    # ------------------------------------------------------------------ frames

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Route caller turns to the dialog; pass everything else on."""
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            await self._run(None)
            return
        if isinstance(frame, CallerTurnFrame):
            await self._on_caller_turn(frame)
            return
        if isinstance(frame, InputDTMFFrame):
            await self._on_dtmf(str(frame.button.value))
            return
        if isinstance(frame, VADUserStartedSpeakingFrame):
            self._silent_audio = 0.0
            self._partial_silence = 0.0
            self._vad_speaking = True
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._vad_speaking = False
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._user_speaking = True
            self._awaiting_transcript = True
        elif isinstance(frame, UserStoppedSpeakingFrame):
            self._user_speaking = False
        elif isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
            self._silent_audio = 0.0
        elif isinstance(frame, AgentTurnPlayedFrame):
            self._reply_pending = False
            self._silent_audio = 0.0
            return
        elif isinstance(frame, InputAudioRawFrame):
            await self._count_silence(frame)
        elif isinstance(frame, EndFrame) and not self._ended:
            # The caller went away (hang-up or end of stream) before the script ended.
            self._ended = True
            await asyncio.to_thread(self.dialog.hang_up)
        await self.push_frame(frame, direction)

    # ------------------------------------------------------------------ caller turns

    async def _on_caller_turn(self, frame: CallerTurnFrame) -> None:
        self._awaiting_transcript = False
        self._silent_audio = 0.0
        if not frame.text:
            return  # noise without words: keep listening
        started = frame.speech_start_at
        if (
            started is not None
            and self._last_reply_at is not None
            and started < self._last_reply_at
        ):
            # The caller began this before the agent answered their last turn: it is the
            # tail of an answer already taken (a pause split it), not a new answer.
            logger.info(f"{self}: dropping the tail of an answered turn ({len(frame.text)} chars)")
            return
        self._speech_end_at = frame.speech_end_at
        text = f"{self._partial} {frame.text}".strip() if self._partial else frame.text
        self._partial_hashes.append(frame.audio_sha256)
        step = self.dialog.state.step.value
        wanted = _DTMF_STEP_LENGTHS.get(step)
        digits = (parse_digit_string(text, self._context.language) or "") if wanted else ""
        # The end-of-turn model may take a pause for the end of the turn. Keep listening
        # (until the caller stays quiet, then take what was said) when the turn stops short:
        # a long number read in groups, "I work for … China Mobile" (the pause was recall),
        # or "Sorry, | can I change the amount" (the breath after an apology).
        if (
            (wanted and 0 < len(digits) < wanted)
            or (step == "security_question" and sounds_unfinished(text))
            or only_a_lead_in(text)
        ):
            self._partial = text
            self._partial_silence = 0.0
            return
        await self._flush_partial(text)

    async def _flush_partial(self, text: str | None = None) -> None:
        text = text if text is not None else self._partial
        hashes, self._partial_hashes = self._partial_hashes, []
        self._partial = ""
        if not text:
            return
        audio_sha256 = (
            hashes[0] if len(hashes) == 1 else sha256("".join(hashes).encode()).hexdigest()
        )
        await self._run(CallerInput(text=text, audio_sha256=audio_sha256))

    async def _on_dtmf(self, key: str) -> None:
        if key == "#":
            await self._flush_digits()
            return
        self._digits += key
        wanted = _DTMF_STEP_LENGTHS.get(self.dialog.state.step.value) or _DTMF_LENGTHS.get(
            self._expects, 0
        )
        if wanted and len(self._digits) >= wanted:
            await self._flush_digits()

    async def _flush_digits(self) -> None:
        digits, self._digits = self._digits, ""
        if digits:
            await self._run(CallerInput(digits=digits))

    async def _count_silence(self, frame: InputAudioRawFrame) -> None:
        if self._partial and not (
            self._vad_speaking or self._user_speaking or self._awaiting_transcript
        ):
            self._partial_silence += len(frame.audio) / (2 * frame.sample_rate)
            if self._partial_silence >= PARTIAL_NUMBER_WAIT_SECS:
                await self._flush_partial()
            return
        if (
            self._busy
            or self._reply_pending
            or self._user_speaking
            or self._bot_speaking
            or self._ended
        ):
            return
        self._silent_audio += len(frame.audio) / (2 * frame.sample_rate)
        timeout = self._silence_timeout
        if self.dialog.state.step.value in _CODE_STEPS:
            # Finding the code in a text message takes longer than answering a question.
            timeout *= 2
        if self._silent_audio >= timeout:
            self._silent_audio = 0.0
            await self._run(CallerInput(silence=True))

    # ------------------------------------------------------------------ agent turns

    async def _run(self, caller: CallerInput | None) -> None:
        if self._ended:
            return
        self._busy = True
        try:
            self._remember_personal(caller)
            if caller is not None and self._on_transcript and (caller.text or caller.digits):
                self._on_transcript("caller", caller.text or f"[keys {caller.digits}]")
            if caller is not None and caller.text:
                self.current_turn = TurnMetrics(
                    speech_end_at=self._speech_end_at,
                    language=self.dialog.state.language or "zh",
                    text=caller.text,
                )
                self._context.turn_metrics.append(self.current_turn)
            else:
                self.current_turn = None
            if caller is None:
                reply = await asyncio.to_thread(self.dialog.start)
            else:
                reply = await asyncio.to_thread(self.dialog.handle, caller)
        except Exception:
            logger.exception(f"{self}: the dialog failed; handing the call off")
            reply = Reply(end_call=True, hand_off=True)
        finally:
            self._busy = False
            self._silent_audio = 0.0
        # Before the reply is spoken: the agent reads the ID and the mobile back.
        self._remember_personal(None)
        await self._speak(reply)

    def _remember_personal(self, caller: CallerInput | None) -> None:
        """Register this call's personal values for log masking (see ``SensitiveValues``).

        The caller's answer at a personal step is registered before it is shown or handled,
        so no line about this turn carries it; the slots the dialog filled are registered
        with the ways the agent reads them out, before the agent speaks.
        """
        state = self.dialog.state
        values: list[str | None] = [state.caller_number]
        if caller is not None and state.step.value in _PERSONAL_STEPS:
            values += [caller.text, caller.digits]
            if caller.text:
                values.append(parse_digit_string(caller.text, self._context.language))
        for slot in _PERSONAL_SLOTS:
            value = state.slots.get(slot)
            if not value:
                continue
            values.append(value)
            if slot != "name":
                for language in ("zh", "en"):
                    values.append(say_digits(value, language))
                values.append(say_digits(value, "zh", phone_style=True))
        SENSITIVE.remember(state.session_id, *values)

    async def cleanup(self) -> None:
        """Forget this call's personal values once the pipeline is torn down."""
        await super().cleanup()  # type: ignore[no-untyped-call]
        SENSITIVE.forget(self.dialog.state.session_id)

    async def _speak(self, reply: Reply) -> None:
        state = self.dialog.state
        if state.language:
            self._context.language = state.language
        self._expects = reply.expects
        self._context.hint = _HINTS.get(reply.expects, RecognitionHint.FREE)
        self._context.slow_speech = state.slow_speech
        self._reply_pending = True
        self._last_reply_at = time.monotonic()
        for _prompt_id, text in reply.prompts:
            if self._on_transcript:
                self._on_transcript("agent", text)
            await self.push_frame(TTSSpeakFrame(text))
        await self.push_frame(AgentTurnEndFrame(end_call=reply.end_call or reply.hand_off))
        if reply.end_call or reply.hand_off:
            self._ended = True
            # Ask the pipeline to end: the end frame then follows the prompts through the
            # voice, so the goodbye is heard in full before the line hangs up.
            await self.push_frame(
                EndTaskFrame(reason="agent ended the call"), FrameDirection.UPSTREAM
            )

    def mark_agent_audio(self) -> None:
        """Note when the reply's first audio reached the line (for voice-to-voice latency)."""
        turn = self.current_turn
        if turn is not None and turn.first_audio_at is None:
            turn.first_audio_at = time.monotonic()
