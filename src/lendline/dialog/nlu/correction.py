"""Corrections in the same breath: "不对，是…", "no, it's …", "actually …".

The script reads values back and lets the caller correct them at once. A correction is
recognised only when a correcting phrase *and* a new value follow each other, so that a
plain "不对" or "no" stays a no for the yes/no parser, and "不，我不同意" is no correction.
"""

from __future__ import annotations

import re
from typing import Final

from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.nlu.numbers import parse_amount
from lendline.dialog.nlu.text import normalize

_SEP: Final = r"[\s,.!?;:、。！？；：…]*"
#: Filler before the correction: 嗯，不对，… / oh no, it's …
_LEAD: Final = re.compile(rf"^(?:(?:嗯|啊|呃|哦|唉|额|诶|um|uh|er|oh|oops|sorry|well){_SEP})*")
#: Phrases that on their own announce a correction; they may repeat (不对不对).
_ZH_MARKERS: Final = re.compile(
    rf"^(?:(?:不对|错了|说错了|搞错了|弄错了|记错了|听错了|我说错了|更正一下|更正|纠正一下|纠正|改一下){_SEP})+"
)
#: What introduces the new value after the marker: 是, 应该是, 我说的是…
_ZH_INTRO: Final = re.compile(
    rf"^(?:应该是|其实是|我说的是|我是说|我的意思是|正确的是|改成|换成|而是|是){_SEP}"
)
_ZH_RESTATE: Final = re.compile(rf"^(?:应该是|我是说|我说的是|我的意思是|正确的是){_SEP}")
#: 不是，是… / 不是五万，是十万 / 不是五万是十万: the part after the second 是 is the value.
_ZH_NOT_BUT: Final = re.compile(rf"^不是(?P<old>[^不没]*?){_SEP}(?:而是|是)(?P<new>.+)$")
_EN_MARKERS: Final = re.compile(
    r"^(?:(?:no|nope|nah)\b" + _SEP + r")?"
    r"(?:(?:that's|that is|that was|it's|it is|this is)\s+"
    r"(?:wrong|not right|not correct|incorrect|a mistake)"
    r"|actually|correction|i meant|i mean|i said|my mistake|let me correct that"
    r"|it should be|should be|make that|make it|change (?:it|that) to)\b" + _SEP
)
#: After "no": "it's …" / "it is …" / "it was …" restate the value.
_EN_NO_THEN_VALUE: Final = re.compile(
    r"^(?:no|nope|nah)\b" + _SEP + r"(?:it's|it is|it was|it should be|i said|i meant|make it)\b"
)
_EN_INTRO: Final = re.compile(
    r"^(?:it's|it is|it was|it should be|should be|it ought to be|i said|i meant|to)\b" + _SEP
)
#: A bare "不" / "no" followed by a value ("不，五万", "no, fifty thousand").
#: "No salary right now" is no correction: after the no comes a pause or the figure itself.
_BARE_NO: Final = re.compile(
    r"^(?:不|no|nope|nah)(?![a-z])(?:\s*[,.!?;:、。！？；：…][\s,.!?;:、。！？；：…]*"
    r"|\s+(?=[\d一二两三四五六七八九十]|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred)\b))"
)
_NO_WORD: Final = re.compile(r"^(?:no|nope|nah)\b")
_NEGATION: Final = re.compile(r"不|没|\bnot\b|n't\b|\bno\b|\bdon't\b")
_TRIM: Final = " ,.!?;:、。！？；：…"


def _remainder(rest: str) -> str:
    """Drop what introduces the new value ("是", "it's") and the punctuation around it."""
    rest = rest.strip(_TRIM)
    # 不对，不是五万，是三万: the value is the one after the second 是.
    if match := _ZH_NOT_BUT.match(rest):
        rest = match.group("new").strip(_TRIM)
    for intro in (_ZH_INTRO, _EN_INTRO):
        rest = intro.sub("", rest, count=1).strip(_TRIM)
    return rest


def _says_a_value(rest: str) -> bool:
    return parse_digit_string(rest) is not None or parse_amount(rest) is not None


def split_correction(text: str, lang: str = "zh") -> tuple[bool, str]:
    """Detect a correction and return the corrected value's text.

    Recognised: "不对，是…", "不是，是…", "不是五万，是十万", "错了，应该是…", "应该是…",
    "no, it's …", "no, it is …", "that's wrong, it's …", "actually …", "I meant …", and a
    bare "不，…" / "no, …" when a number follows.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        ``(True, remainder)`` with the normalised text of the new value, for the caller to
        parse as the answer; otherwise ``(False, text)`` with ``text`` unchanged.
    """
    del lang  # both languages are always recognised
    said = normalize(text)
    body = _LEAD.sub("", said, count=1)
    rest: str | None = None
    if match := _ZH_MARKERS.match(body):
        rest = body[match.end() :]
    elif match := _ZH_NOT_BUT.match(body):
        rest = match.group("new")
    elif match := _ZH_RESTATE.match(body):
        rest = body[match.end() :]
    elif _EN_NO_THEN_VALUE.match(body):
        rest = _NO_WORD.sub("", body, count=1)
    elif match := _EN_MARKERS.match(body):
        rest = body[match.end() :]
    elif match := _BARE_NO.match(body):
        candidate = body[match.end() :]
        # "不，我不同意" and "no, I don't agree" are refusals, not corrections.
        if _says_a_value(candidate) and not _NEGATION.search(candidate):
            rest = candidate
    if rest is None:
        return False, text
    remainder = _remainder(rest)
    if not remainder:
        return False, text
    return True, remainder
