"""One voice call: the pipecat pipeline from a :class:`CallLine` to the dialog and back.

line in -> Silero VAD -> caller turn (barge-in start, Smart Turn v3 end) -> speech-to-text
        -> fraud-signal tap -> dialog bridge -> text-to-speech -> line out
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.turns.user_stop.turn_analyzer_user_turn_stop_strategy import (
    TurnAnalyzerUserTurnStopStrategy,
)
from pipecat.turns.user_turn_processor import UserTurnProcessor
from pipecat.turns.user_turn_strategies import UserTurnStrategies
from pipecat.workers.runner import WorkerRunner

from lendline.dialog.flow import Dialog
from lendline.voice.call_context import CallContext
from lendline.voice.engines.base import SpeechToText, TextToSpeech
from lendline.voice.processors.barge_in import BargeInTurnStartStrategy
from lendline.voice.processors.dialog_bridge import DialogBridge, TranscriptListener
from lendline.voice.processors.signal_tap import SignalTap
from lendline.voice.processors.transcriber import TurnTranscriber
from lendline.voice.processors.tts import EngineTTSService
from lendline.voice.transports.line import PHONE_RATE, CallLine, LineTransport

#: VAD silence window. pipecat's Smart Turn strategy is tuned for 0.2 s; Smart Turn then
#: decides whether a pause ends the turn or the caller is only thinking.
VAD_STOP_SECS = 0.2
#: A turn with no end-of-turn decision for this long is ended anyway.
TURN_STOP_TIMEOUT_SECS = 8.0


@dataclass(frozen=True)
class SpeechEngines:
    """The engines a call uses: one recogniser, one voice per language."""

    stt: SpeechToText
    voices: Mapping[str, TextToSpeech]


@dataclass
class CallOutcome:
    """What a finished call leaves behind for the caller of :func:`run_voice_call`."""

    context: CallContext
    bridge: DialogBridge
    tap: SignalTap | None = None


async def run_voice_call(
    line: CallLine,
    dialog: Dialog,
    engines: SpeechEngines,
    *,
    silence_timeout: float = 6.0,
    on_transcript: TranscriptListener | None = None,
) -> CallOutcome:
    """Run the call on ``line`` until either side hangs up."""
    context = CallContext(language=dialog.state.language or "zh")
    bridge = DialogBridge(
        dialog, context, silence_timeout=silence_timeout, on_transcript=on_transcript
    )
    tap = SignalTap(dialog)
    transport = LineTransport(line, on_audio=bridge.mark_agent_audio)
    tts = EngineTTSService(engines.voices, context)
    # Smart Turn decides when the caller has finished; the transcriber then recognises the
    # whole turn at once, so the turn's end does not wait for a transcript.
    turns = UserTurnProcessor(
        user_turn_strategies=UserTurnStrategies(
            # Speaking over the agent holds the prompt; only sustained speech takes the turn.
            start=[BargeInTurnStartStrategy()],
            stop=[
                TurnAnalyzerUserTurnStopStrategy(
                    turn_analyzer=LocalSmartTurnAnalyzerV3(), wait_for_transcript=False
                )
            ],
        ),
        user_turn_stop_timeout=TURN_STOP_TIMEOUT_SECS,
    )
    pipeline = Pipeline(
        [
            transport.input(),
            VADProcessor(
                vad_analyzer=SileroVADAnalyzer(
                    sample_rate=PHONE_RATE, params=VADParams(stop_secs=VAD_STOP_SECS)
                )
            ),
            turns,
            TurnTranscriber(engines.stt, context, vad_stop_secs=VAD_STOP_SECS),
            tap,
            bridge,
            tap.played_watcher(),
            tts,
            transport.output(),
        ]
    )
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=PHONE_RATE, audio_out_sample_rate=PHONE_RATE),
        idle_timeout_secs=None,
        enable_rtvi=False,
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    await runner.run()
    return CallOutcome(context=context, bridge=bridge, tap=tap)
