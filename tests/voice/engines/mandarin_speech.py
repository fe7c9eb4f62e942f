"""Mandarin sentences, digit strings and amounts every Mandarin voice test plays to Whisper."""

from __future__ import annotations

import re

from lendline.voice.engines.audio import to_telephone_band
from lendline.voice.engines.base import RecognitionHint, SpeechToText, TextToSpeech
from speech_measures import edit_distance

SENTENCES = [
    "您好，我想申请一笔贷款。",
    "是的，我同意。",
    "我每个月的收入是八千元。",
    "我需要转人工服务。",
    "我在一家公司上班，工作三年了。",
    "每月还款金额是多少？",
    "我没有其他贷款。",
    "请把合同发到我的手机上。",
]
DIGITS = ["一三零八二四六二八一九", "八三零一六六", "一八二一九九三五一八一", "九八七九七三"]
AMOUNTS = {"五万元": 50000, "两万五千元": 25000, "八千五百元": 8500, "十五万元": 150000}

# Whisper sometimes answers in Traditional characters; the NLU converts them. This test
# only needs the few that appear in these sentences.
_T2S = str.maketrans("萬謝證號碼驗塊還額確認無個貸請說轉務們單資兩與開發機實數筆閒間",
                     "万谢证号码验块还额确认无个贷请说转务们单资两与开发机实数笔闲间")  # fmt: skip
NUMERALS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")


def plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.translate(_T2S))


def amount(text: str) -> int | None:
    """Read "5万元", "两万五千元" or "8500元" as yuan (enough for these answers)."""
    text = plain(text).replace("两", "二").rstrip("元块")
    if text.isdigit():
        return int(text)
    total = section = 0
    number: int | None = None
    for char in re.findall(r"\d+|.", text):
        if char.isdigit() or char in "零一二三四五六七八九":
            number = int(char) if char.isdigit() else int(char.translate(NUMERALS))
        elif char in "十百千":
            section += (1 if number is None else number) * {"十": 10, "百": 100, "千": 1000}[char]
            number = None
        elif char == "万":
            total += (section + (number or 0)) * 10000
            section, number = 0, None
        else:
            return None
    return total + section + (number or 0)


def heard(stt: SpeechToText, voice: TextToSpeech, text: str, hint: RecognitionHint) -> str:
    """What Whisper hears of ``text`` said by ``voice`` over a G.711 phone line."""
    synthesis = voice.synthesize(text, "zh")
    line = to_telephone_band(synthesis.pcm16, synthesis.sample_rate)
    return stt.transcribe(line, 8000, "zh", hint).text


def sentence_error_rate(stt: SpeechToText, voice: TextToSpeech) -> float:
    """Character error rate over :data:`SENTENCES`."""
    errors = chars = 0
    for text in SENTENCES:
        said = heard(stt, voice, text, RecognitionHint.FREE)
        errors += edit_distance(plain(text).translate(NUMERALS), plain(said).translate(NUMERALS))
        chars += len(plain(text))
    return errors / chars


def digit_error_rate(stt: SpeechToText, voice: TextToSpeech) -> float:
    """Digit error rate over :data:`DIGITS`, said with the dialog's digits hint."""
    errors = digits = 0
    for text in DIGITS:
        said = heard(stt, voice, text, RecognitionHint.DIGITS)
        errors += edit_distance(text.translate(NUMERALS), plain(said).translate(NUMERALS))
        digits += len(text)
    return errors / digits


def amounts_right(stt: SpeechToText, voice: TextToSpeech) -> int:
    """How many of :data:`AMOUNTS` are heard as the right amount, with the amount hint."""
    return sum(
        amount(heard(stt, voice, text, RecognitionHint.AMOUNT)) == value
        for text, value in AMOUNTS.items()
    )
