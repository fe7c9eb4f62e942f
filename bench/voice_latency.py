"""Voice-to-voice latency and speech-recognition real-time factor, zh and en.

Runs whole happy-path calls through the real pipeline (synthesized borrower audio at 8 kHz
G.711 -> VAD -> Smart Turn -> Whisper -> dialog -> voice) and prints, per language:

* per-turn voice-to-voice latency (end of the caller's speech -> first audio of the reply),
  p50 / p95 / max;
* recognition real-time factor (recognition seconds per second of caller speech).

Baseline, in the same run: the same calls with every caller turn padded to Whisper's 30-second
window (the pipeline before turn-sized windows); and, to show what the prompt cache is worth,
the product's set-up with the cache off (every agent prompt synthesised while the caller
waits). Usage: ``python bench/voice_latency.py [--calls N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def build_engines() -> dict:
    """Load the recogniser set-ups once; voices with and without the prompt cache."""
    from lendline.voice.call import SpeechEngines
    from lendline.voice.engines.factory import default_stt, default_tts
    from lendline.voice.engines.models import whisper_base_dir
    from lendline.voice.engines.whisper import WhisperSpeechToText
    from suite_settings import MODEL_CACHE, PROMPT_CACHE

    product = default_stt(MODEL_CACHE)
    padded = WhisperSpeechToText(whisper_base_dir(MODEL_CACHE), window=None)
    for stt in (product, padded):
        stt.warm_up()
    cached = {"zh": default_tts("zh", PROMPT_CACHE), "en": default_tts("en", PROMPT_CACHE)}
    fresh = {"zh": default_tts("zh", None), "en": default_tts("en", None)}
    return {
        "baseline: every turn padded to 30 s": SpeechEngines(stt=padded, voices=cached),
        f"LendLine ({product.name})": SpeechEngines(stt=product, voices=cached),
        "LendLine without the prompt cache": SpeechEngines(stt=product, voices=fresh),
        "borrower": cached,
    }


def run(language: str, calls: int, setup: str, engines: dict) -> dict[str, float]:
    from lendline.bootstrap import bootstrap
    from lendline.demo.borrowers import happy_borrower
    from lendline.demo.drive import call_by_voice
    from suite_settings import DEMO_QUESTION_SEED, _settings

    latencies: list[float] = []
    speech = spent = 0.0
    completed = 0
    for _ in range(calls):
        with tempfile.TemporaryDirectory() as tmp:
            app = bootstrap(_settings(Path(tmp), f"sqlite:///{tmp}/lendline.db"))
            app.load_demo_customers()
            app.speech_engines = engines[setup]
            # The same question draw in both settings, as in the voice tests.
            app.desk.rng = random.Random(DEMO_QUESTION_SEED)
            # The borrower's own voice is always cached: only the agent's side is measured.
            report = asyncio.run(
                call_by_voice(
                    app, happy_borrower(language), borrower_voice=engines["borrower"][language]
                )
            )
            completed += report.state.status.value == "completed"
            assert report.context is not None
            latencies += [
                t.voice_to_voice
                for t in report.context.turn_metrics
                if t.voice_to_voice is not None
            ]
            speech += sum(s for _, s, _ in report.context.asr_samples)
            spent += sum(c for _, _, c in report.context.asr_samples)
    return {
        "turns": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies) if latencies else float("nan"),
        "rtf": spent / speech if speech else float("nan"),
        "completed": completed,
        "calls": calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1, help="calls per language and setting")
    args = parser.parse_args()
    console = Console(width=160)
    engines = build_engines()
    table = Table(title="Voice-to-voice latency and ASR real-time factor (2 CPU cores)")
    for column in (
        "language",
        "setting",
        "calls ok",
        "turns",
        "p50 s",
        "p95 s",
        "max s",
        "ASR RTF",
    ):
        table.add_column(column, justify="right")
    for language in ("zh", "en"):
        for setup in (name for name in engines if name != "borrower"):
            figures = run(language, args.calls, setup, engines)
            table.add_row(
                language,
                setup,
                f"{figures['completed']}/{figures['calls']}",
                str(figures["turns"]),
                f"{figures['p50']:.2f}",
                f"{figures['p95']:.2f}",
                f"{figures['max']:.2f}",
                f"{figures['rtf']:.2f}",
            )
    console.print(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(
        f"Peak memory of this process: {peak:.0f} MiB (the Mandarin voice worker runs apart)"
    )


if __name__ == "__main__":
    main()
