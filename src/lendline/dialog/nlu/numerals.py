"""The words and characters that say numbers, shared by the digit-string and quantity readers.

Chinese digits (with the radio readings 幺 and 洞 and the financial forms), the English
number words, and the everyday idioms that contain a numeral but say no number.
"""

from __future__ import annotations

import re
from typing import Final

#: Chinese characters that are always a single digit. 幺 and 洞 are the radio/phone
#: readings of 1 and 0; 两 is 2 before a measure word; 壹贰… are the financial forms.
CN_DIGITS: Final[dict[str, int]] = {
    "零": 0,
    "〇": 0,
    "洞": 0,
    "一": 1,
    "幺": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}


EN_UNITS: Final[dict[str, int]] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
EN_TEENS: Final[dict[str, int]] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
EN_TENS: Final[dict[str, int]] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,  # a common misspelling in typed chat
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: The English words that count, one to nineteen and the tens (not "zero", nor the typed
#: misspelling "fourty"): what may stand before "hundred", or alone as a bare figure.
EN_COUNT_WORDS: Final = frozenset({*EN_UNITS, *EN_TEENS, *EN_TENS} - {"zero", "fourty"})

#: Everyday words that contain a numeral but say no number (说一下, 一起, 万一): blanked
#: out before parsing so that 一 does not become a digit or an amount of one yuan.
#: Not after a numeral: in 五十七万一千, 万一 is part of the number.
_IDIOMS: Final = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万亿拾佰仟\d])(?:"
    r"一下|一些|一样|一起|一直|一般|一定|一会儿?|一点儿|统一|唯一|万一|一遍|一次|一共|一旦|一切"
    r"|一块儿|一家|一天到晚|说一说|想一想|看一看)"
)


def without_idioms(text: str) -> str:
    """``text`` with the idioms that contain a numeral blanked out."""
    return _IDIOMS.sub(" ", text)
