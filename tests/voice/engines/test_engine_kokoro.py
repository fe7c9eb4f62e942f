"""The product's Mandarin voice, Kokoro-82M, heard by Whisper through a G.711 phone line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lendline.voice.engines.audio import rms_dbfs
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.kokoro_voice import (
    AGENT_STYLE,
    BORROWER_STYLE,
    SPEAKERS,
    KokoroMandarinVoice,
    borrower_style,
    parse_style,
    split_for_model,
)
from voice.engines.mandarin_speech import (
    AMOUNTS,
    amounts_right,
    digit_error_rate,
    sentence_error_rate,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def voice() -> Iterator[KokoroMandarinVoice]:
    yield KokoroMandarinVoice()


def test_a_style_is_one_speaker_or_a_blend_whose_weights_sum_to_one() -> None:
    assert parse_style("jm_kumo") == {"jm_kumo": 1.0}
    assert parse_style("jm_kumo:3, jf_alpha:1") == {"jm_kumo": 0.75, "jf_alpha": 0.25}
    with pytest.raises(ValueError, match="unknown Kokoro speaker 'zf_xiaobei'"):
        parse_style("zf_xiaobei")
    with pytest.raises(ValueError, match="must be positive"):
        parse_style("jm_kumo:0")
    with pytest.raises(ValueError, match="not a number"):
        parse_style("jm_kumo:loud")
    with pytest.raises(ValueError, match="speed"):
        KokoroMandarinVoice(speed=3.0)


def test_every_style_and_speed_is_a_voice_of_its_own_in_the_prompt_cache() -> None:
    names = {KokoroMandarinVoice(speaker).name for speaker in SPEAKERS}
    names |= {
        KokoroMandarinVoice(AGENT_STYLE, 0.9).name,
        KokoroMandarinVoice("jm_kumo:1,jf_alpha:1").name,
    }
    assert len(names) == len(SPEAKERS) + 2


def test_long_text_is_cut_at_sentences_and_overlong_sentences_at_commas() -> None:
    assert split_for_model("您好。请说出您的身份证号码！") == ["您好。", "请说出您的身份证号码！"]
    clause = "这是一个很长的句子里面的一段话，"
    pieces = split_for_model(clause * 8)
    assert len(pieces) == 8 and all(piece == clause for piece in pieces)


def test_the_voice_speaks_mandarin_at_24_khz_the_same_way_every_time(
    voice: KokoroMandarinVoice,
) -> None:
    text = "您的借款金额是两万五千元，请确认。"
    first = voice.synthesize(text, "zh")
    other = voice.synthesize("我需要转人工服务。", "zh")
    assert first.sample_rate == 24000 and 1.5 < first.seconds < 6.0
    assert rms_dbfs(first.pcm16) > -35
    assert other.pcm16 != first.pcm16
    assert KokoroMandarinVoice().synthesize(text, "zh").pcm16 == first.pcm16
    with pytest.raises(ValueError, match="'en'"):
        voice.synthesize("Hello.", "en")


def test_whisper_understands_the_voice_over_a_phone_line(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    assert sentence_error_rate(speech_engines.stt, voice) < 0.30


def test_digit_strings_survive_a_mulaw_line_with_the_digits_hint(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    assert digit_error_rate(speech_engines.stt, voice) < 0.20


def test_amounts_survive_a_mulaw_line_with_the_amount_hint(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    assert amounts_right(speech_engines.stt, voice) >= len(AMOUNTS) - 1


def test_the_scripted_mandarin_borrower_speaks_with_another_kokoro_speaker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lendline.demo import drive

    monkeypatch.setattr(drive, "_steady_voices", {})  # no voice left over from other tests
    agent = CachedTextToSpeech(KokoroMandarinVoice(), tmp_path / "cache")
    borrower = drive.default_borrower_voice({"zh": agent}, "zh")
    assert isinstance(borrower, CachedTextToSpeech) and borrower.directory == agent.directory
    assert isinstance(borrower.inner, KokoroMandarinVoice)
    assert borrower.inner.weights == {BORROWER_STYLE: 1.0} and borrower.name != agent.name
    # An agent that already speaks with the borrower's speaker leaves the borrower another.
    assert borrower_style(KokoroMandarinVoice(BORROWER_STYLE)) == AGENT_STYLE


def test_english_words_in_a_mandarin_prompt_are_read_in_english(
    voice: KokoroMandarinVoice,
) -> None:
    phonemes = voice.phonemes("普通话服务请说“中文”或按1。For English, say English or press 2.")
    english = phonemes[phonemes.index("f") :]
    # espeak-ng's English, in Kokoro's symbols: "English" and "two", no letters read as sounds.
    assert "ɪŋɡlɪʃ" in english and "tˈu" in english and "E" not in english
    assert phonemes.startswith("pʰu↓")  # the Mandarin before it is Mandarin
