"""What an amount of money said on a call means: per what period, a range, an approximation.

Borrowers rarely say one exact monthly figure: "年薪二十万", "about 240k a year", "一周两千",
"七八千", "一万到一万二之间", "between 8 and 10 grand", "一万出头", "税后一万二". The script
needs a monthly income, so a reading keeps what was said apart (the figure, its period,
whether it was a range or approximate) and converts it once, in :func:`monthly`.

Nothing here guesses silently: a range becomes its middle, marked approximate, and the
script reads the monthly figure back in the next question (or asks explicitly when the
figure is implausible for the slot), so the caller can correct it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.numbers import parse_amount, parse_integer
from lendline.dialog.nlu.text import normalize


class Period(StrEnum):
    """The period an income figure is for."""

    MONTH = "month"
    YEAR = "year"
    WEEK = "week"
    DAY = "day"
    FORTNIGHT = "fortnight"
    UNSAID = "unsaid"


#: Words that name the period, Chinese and English (checked on normalised text).
_PERIOD_WORDS: Final[dict[Period, tuple[str, ...]]] = {
    Period.YEAR: (
        "年薪",
        "年收入",
        "一年",
        "每年",
        "年入",
        "全年",
        "年终",
        "去年",
        "一年下来",
        "a year",
        "per year",
        "per annum",
        "annual",
        "annually",
        "yearly",
        "each year",
        "every year",
        "a yr",
        "per yr",
        "/year",
        "/yr",
    ),
    Period.WEEK: (
        "周薪",
        "一周",
        "每周",
        "一个礼拜",
        "每个礼拜",
        "一礼拜",
        "一星期",
        "每星期",
        "a week",
        "per week",
        "weekly",
        "each week",
        "every week",
        "/week",
        "/wk",
    ),
    Period.FORTNIGHT: (
        "每两周",
        "两周一结",
        "every fortnight",
        "a fortnight",
        "biweekly",
        "every two weeks",
    ),
    Period.DAY: (
        "日薪",
        "一天",
        "每天",
        "天天",
        "a day",
        "per day",
        "daily",
        "each day",
        "every day",
        "/day",
    ),
    Period.MONTH: (
        "月薪",
        "月收入",
        "每月",
        "一个月",
        "每个月",
        "月入",
        "一月",
        "a month",
        "per month",
        "monthly",
        "each month",
        "every month",
        "/month",
        "/mo",
        "a mo",
    ),
}
#: Monthly equivalents: 52 weeks and, for day rates, 21.75 paid days a month (the
#: statutory average of monthly paid days used for Chinese wage conversion).
_PER_MONTH: Final[dict[Period, Decimal]] = {
    Period.MONTH: Decimal(1),
    Period.UNSAID: Decimal(1),
    Period.YEAR: Decimal(1) / Decimal(12),
    Period.WEEK: Decimal(52) / Decimal(12),
    Period.DAY: Decimal("21.75"),
    Period.FORTNIGHT: Decimal(26) / Decimal(12),
}
_APPROX_WORDS: Final = (
    "左右",
    "大概",
    "大约",
    "差不多",
    "估计",
    "上下",
    "出头",
    "多一点",
    "多点",
    "不到",
    "about",
    "around",
    "roughly",
    "approximately",
    "approx",
    "more or less",
    "give or take",
    "or so",
    "ish",
    "just over",
    "a bit over",
    "a little over",
    "under",
    "almost",
    "nearly",
)
#: "一万出头", "just over 10k": a little above the figure (a tenth, at most 2,000).
_OVER: Final = ("出头", "多一点", "多点", "just over", "a bit over", "a little over", "over")
#: "七八千", "一两万": two neighbouring digits before one unit.
_ZH_PAIR: Final = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])([十百千万])")
_CN_DIGIT: Final[dict[str, int]] = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT: Final[dict[str, int]] = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
#: "一万到一万二", "8000-10000", "between 8 and 10k", "8 to 10 grand".
_RANGE: Final = re.compile(
    r"(?:between\s+)?(?P<low>[\w.,]+?(?:\s+\w+)??)\s*"
    r"(?:到|至|~|～|—|-|\bto\b|\band\b|\bor\b)\s*(?P<high>[\w.,]+(?:\s+\w+)*)"
)
#: Days worked a month, said beside a day rate ("干二十六天", "26 days a month").
_DAYS_A_MONTH: Final = re.compile(r"([一二三四五六七八九十两]{1,3}|\d{1,2})\s*(?:天|days?\b)")
_MONEY_UNITS: Final = re.compile(r"(k|grand|thousand|w|万|千)\b|万|千")


@dataclass(frozen=True, slots=True)
class MoneyReading:
    """One amount of money as the caller said it.

    Parameters:
        value: the figure said (the middle of a range), in yuan.
        period: the period it is for (UNSAID when none was named).
        approximate: a range or a hedge ("左右", "about", "出头").
        low: the range's lower end when a range was said, else ``value``.
        high: the range's upper end when a range was said, else ``value``.
    """

    value: Decimal
    period: Period
    approximate: bool
    low: Decimal
    high: Decimal

    @property
    def monthly(self) -> Decimal:
        """The monthly equivalent, to the whole yuan."""
        return (self.value * _PER_MONTH[self.period]).quantize(Decimal(1), ROUND_HALF_UP)


def period_of(text: str) -> Period:
    """The period named in ``text`` (years before weeks before days before months)."""
    said = normalize(text)
    for period in (Period.YEAR, Period.FORTNIGHT, Period.WEEK, Period.DAY, Period.MONTH):
        if _match.contains_any(said, _PERIOD_WORDS[period]):
            return period
    return Period.UNSAID


_ZH_TAIL_PAIR: Final = re.compile(
    r"([一二两三四五六七八九])([千万])([一二三四五六七八九])([二三四五六七八九])"
)


_ZH_TEENS_PAIR: Final = re.compile(r"十([一二三四五六七八])([二三四五六七八九])万")


def _zh_pair(said: str) -> tuple[Decimal, Decimal] | None:
    if teens := _ZH_TEENS_PAIR.search(said):
        # 十二三万 (120,000 to 130,000).
        low, high = _CN_DIGIT[teens.group(1)], _CN_DIGIT[teens.group(2)]
        if high == low + 1:
            return Decimal((10 + low) * 10_000), Decimal((10 + high) * 10_000)
    if tail := _ZH_TAIL_PAIR.search(said):
        # 四千七八 (4,700 to 4,800), 一万二三 (12,000 to 13,000).
        head, unit = _CN_DIGIT[tail.group(1)], 1000 if tail.group(2) == "千" else 10_000
        low, high = _CN_DIGIT[tail.group(3)], _CN_DIGIT[tail.group(4)]
        if high == low + 1:
            step = unit // 10
            return Decimal(head * unit + low * step), Decimal(head * unit + high * step)
    match = _ZH_PAIR.search(said)
    if match is None:
        return None
    first, second = _CN_DIGIT[match.group(1)], _CN_DIGIT[match.group(2)]
    if second != first + 1:
        return None
    unit = _CN_UNIT[match.group(3)]
    # "七八千块" ends the unit there; "一两万五" is not a pair reading worth guessing.
    return Decimal(first * unit), Decimal(second * unit)


def _range(said: str) -> tuple[Decimal, Decimal] | None:
    match = _RANGE.search(said)
    if match is None:
        return None
    low_text, high_text = match.group("low"), match.group("high")
    high = parse_amount(high_text)
    low = parse_amount(low_text)
    if low is None or high is None:
        return None
    if low < high / 100 and _MONEY_UNITS.search(high_text) and not _MONEY_UNITS.search(low_text):
        # "8 to 10k", "between 8 and 10 grand": the unit of the second figure is shared.
        scale = high / parse_amount(_MONEY_UNITS.sub("", high_text).strip() or "1")  # type: ignore[operator]
        low = low * scale
    if not low < high <= low * 3:
        return None
    return low, high


_EN_DIGIT_WORDS: Final = "one|two|three|four|five|six|seven|eight|nine"
#: "seven thousand five" is 7,500 the way "三万五" is 35,000.
_THOUSAND_AND_DIGIT: Final = re.compile(
    rf"\bthousand\s+({_EN_DIGIT_WORDS})\b(?!\s*(?:hundred|thousand|-|[a-z]+ty))"
)


def colloquial(text: str) -> str:
    """Spell out colloquial amounts: "seven thousand five" (7,500), "万把块" (about 10,000)."""
    text = text.replace("万把", "一万").replace("千把", "一千").replace("百把", "一百")
    text = text.replace("仨", "三").replace("俩", "两")
    # Cantonese: 蚊 is 块; "万零蚊" is a little over ten thousand.
    text = re.sub(r"(?<![一二两三四五六七八九十\d])万零", "一万出头", text).replace("蚊", "块")
    text = text.replace("大几千", "八千").replace("小几千", "三千").replace("过万", "一万")
    text = _COUNTED_UNIT.sub(r"\1", text)
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


_COUNTED_UNIT: Final = re.compile(r"个\s*(w|万|k)")
_PER_MONTH_AFTER: Final = re.compile(r"(?<=[\d一二三四五六七八九十百千万])(一个月|一月|每个月)")
_AND_A_HALF_THOUSAND: Final = re.compile(r"\b([a-z]+) and a half thousand\b")
_ONE_PERIOD: Final = re.compile(r"\bone (month|week|year|day)\b")
_AND_A_HALF_LAKH: Final = re.compile(r"\b([a-z]+) and a half lakhs?\b")
_LAKH: Final = re.compile(r"\s*\blakhs?\b")
_BARE_HUNDRED: Final = re.compile(r"\b(?:([a-z]+|[\d.]+)\s+)?hundred\b")
#: Words that can stand before "hundred" as its count ("a hundred", "two hundred").
_COUNTS_HUNDREDS: Final = frozenset(
    [
        "a",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
    ]
)


def _one_hundred(match: re.Match[str]) -> str:
    before = match.group(1)
    if before in _COUNTS_HUNDREDS or (before and before[0].isdigit()):
        return match.group(0)
    return f"{before} one hundred" if before else "one hundred"


def read_money(text: str) -> MoneyReading | None:
    """Read an amount of money with its period, range and approximation.

    Args:
        text: Recogniser output or typed text, already free of a self-correction.

    Returns:
        The reading, or None if no amount was said.
    """
    said = colloquial(normalize(text))
    period = period_of(said)
    hedged = _match.contains_any(said, _APPROX_WORDS)
    span = _zh_pair(said) or _range(said)
    if span is not None:
        low, high = span
        middle = ((low + high) / 2).quantize(Decimal(1), ROUND_HALF_UP)
        return MoneyReading(middle, period, True, low, high)
    value = parse_amount(said)
    if value is None:
        return None
    counts = [parse_integer(m.group(1)) for m in _DAYS_A_MONTH.finditer(said)]
    count = next((c for c in reversed(counts) if c and 4 <= c <= 31), None)
    if period is Period.DAY and count:
        # "一天三百，一个月干二十六天": the caller's own days a month, not the average.
        return MoneyReading(value * count, Period.MONTH, hedged, value * count, value * count)
    if _match.contains_any(said, _OVER):
        bump = min(value / 10, Decimal(2000)).quantize(Decimal(1), ROUND_HALF_UP)
        return MoneyReading(value + bump // 2, period, True, value, value + bump)
    return MoneyReading(value, period, hedged, value, value)
