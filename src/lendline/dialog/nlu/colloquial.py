"""Colloquial amounts spelled out before they are read: "万把块", "七千五", "nine-ten thousand".

People round, abbreviate and borrow words when they say a sum ("大几千", "万零蚊" in
Cantonese, "two lakhs", "twenty-odd thousand", "a hundred"). These rewrites turn such
sayings into the plain number words the parser reads; nothing here decides what the sum is
for (``money_meaning`` does).
"""

from __future__ import annotations

import re
from typing import Final

from lendline.dialog.nlu.numbers import parse_integer
from lendline.dialog.nlu.numerals import EN_COUNT_WORDS

_EN_DIGIT_WORDS: Final = "one|two|three|four|five|six|seven|eight|nine"
#: "seven thousand five" is 7,500 the way "三万五" is 35,000.
_THOUSAND_AND_DIGIT: Final = re.compile(
    rf"\bthousand\s+({_EN_DIGIT_WORDS})\b(?!\s*(?:hundred|thousand|-|[a-z]+ty))"
)


def colloquial(text: str) -> str:
    """Spell out colloquial amounts: "seven thousand five" (7,500), "万把块" (about 10,000)."""
    # 万把块 is about ten thousand; 七千把块 about seven thousand (把 after the figure).
    text = re.sub(r"(?<=[一二两三四五六七八九十\d])([万千百])把", r"\1", text)
    text = text.replace("万把", "一万").replace("千把", "一千").replace("百把", "一百")
    text = text.replace("仨", "三").replace("俩", "两")
    # 零活, 零工, 零售: odd jobs and retail, not a zero in the figure.
    text = _ZERO_IN_A_WORD.sub("散", text)
    # Cantonese: 蚊 is 块; "万零蚊" is a little over ten thousand.
    text = re.sub(r"(?<![一二两三四五六七八九十\d])万零", "一万出头", text).replace("蚊", "块")
    text = text.replace("大几千", "八千").replace("小几千", "三千").replace("过万", "一万")
    # "几百块" is a few hundred: read as five hundred, approximate (it is read back).
    text = re.sub(r"(?<![一二两三四五六七八九十千万\d])几百", "五百左右", text)
    # "十几万" is ten-odd ten-thousands (about 150,000), "二十几万" twenty-odd: read as the
    # middle, approximate (it is read back).
    text = _TENS_ODD.sub(r"\1十五\2左右", text)
    text = _COUNTED_UNIT.sub(r"\1", text)
    # "nine-ten thousand" is nine to ten thousand; "twenty-odd thousand" twenty thousand odd.
    text = _WORD_PAIR.sub(_spelled_range, text)
    text = _ODD_UNIT.sub(r"\1 \2 odd", text)
    # "四千五一个月": the 一 of 一个月 is not a digit of the figure.
    text = _PER_MONTH_AFTER.sub(" 每月", text)
    text = _AND_A_HALF_THOUSAND.sub(r"\1 point five thousand", text)
    # "three thousand one month": the "one" is the period's, not a digit of the figure.
    text = _ONE_PERIOD.sub(r"a \1", text)
    # Indian English: a lakh is a hundred thousand; "hundred thousand" alone is one.
    text = _AND_A_HALF_LAKH.sub(r"\1 point five hundred thousand", text)
    text = _LAKH.sub(" hundred thousand", text)
    text = _BARE_HUNDRED.sub(_one_hundred, text)
    return _THOUSAND_AND_DIGIT.sub(r"thousand \1 hundred", text)


_TENS_ODD: Final = re.compile(r"(?<![一二两三四五六七八九十\d])([二三四五六七八九]?)十几([万千])")
_COUNTED_UNIT: Final = re.compile(r"个\s*(w|万|k)")
_WORD_PAIR: Final = re.compile(r"\b([a-z]+)-([a-z]+)\s+(thousand|grand|hundred)\b")
_ODD_UNIT: Final = re.compile(r"\b([a-z]+)[- ]odd\s+(thousand|grand|hundred)\b")


def _spelled_range(match: re.Match[str]) -> str:
    first, second, unit = match.groups()
    low, high = parse_integer(first), parse_integer(second)
    if low is None or high is None or not low < high or (low % 10 == 0 and high < 10):
        return match.group(0)  # "twenty-five thousand" is one number
    return f"{first} {unit} to {second} {unit}"


_ZERO_IN_A_WORD: Final = re.compile(r"零(?=[活工售件碎散星])")
_PER_MONTH_AFTER: Final = re.compile(r"(?<=[\d一二三四五六七八九十百千万])(一个月|一月|每个月)")
_AND_A_HALF_THOUSAND: Final = re.compile(r"\b([a-z]+) and a half thousand\b")
_ONE_PERIOD: Final = re.compile(r"\bone (month|week|year|day)\b")
_AND_A_HALF_LAKH: Final = re.compile(r"\b([a-z]+) and a half lakhs?\b")
_LAKH: Final = re.compile(r"\s*\blakhs?\b")
_BARE_HUNDRED: Final = re.compile(r"\b(?:([a-z]+|[\d.]+)\s+)?hundred\b")
#: Words that can stand before "hundred" as its count ("a hundred", "two hundred").
_COUNTS_HUNDREDS: Final = frozenset({"a", *EN_COUNT_WORDS})


def _one_hundred(match: re.Match[str]) -> str:
    before = match.group(1)
    if before in _COUNTS_HUNDREDS or (before and before[0].isdigit()):
        return match.group(0)
    return f"{before} one hundred" if before else "one hundred"
