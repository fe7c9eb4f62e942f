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
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.colloquial import colloquial
from lendline.dialog.nlu.numbers import parse_amount, parse_integer
from lendline.dialog.nlu.text import clauses, normalize


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
        "last year",
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
_ZH_PAIR: Final = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])([十百千万])(万?)")
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


def _period_of_figure(said: str, holds_figure: Callable[[str], bool]) -> Period:
    """The period of the clause that holds the figure, else of the whole answer.

    "一小时四十，一天跑三四家，一个月挣个五六千": the day is the visits', the month the figure's.
    """
    for part in clauses(said):
        if holds_figure(part):
            own = period_of(part)
            if own is not Period.UNSAID:
                return own
            break
    return period_of(said)


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
    # "四五十万" (400,000 to 500,000): a pair of tens before 万 counts ten-thousands.
    unit = _CN_UNIT[match.group(3)] * (10_000 if match.group(4) and match.group(3) != "万" else 1)
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


def read_money(text: str) -> MoneyReading | None:
    """Read an amount of money with its period, range and approximation.

    Args:
        text: Recogniser output or typed text, already free of a self-correction.

    Returns:
        The reading, or None if no amount was said.
    """
    said = colloquial(normalize(text))
    hedged = _match.contains_any(said, _APPROX_WORDS)
    span = _zh_pair(said) or _range(said)
    if span is not None:
        low, high = span
        middle = ((low + high) / 2).quantize(Decimal(1), ROUND_HALF_UP)
        period = _period_of_figure(said, lambda part: (_zh_pair(part) or _range(part)) == span)
        return MoneyReading(middle, period, True, low, high)
    value = parse_amount(said)
    if value is None:
        return None
    period = _period_of_figure(said, lambda part: parse_amount(part) == value)
    counts = [parse_integer(m.group(1)) for m in _DAYS_A_MONTH.finditer(said)]
    count = next((c for c in reversed(counts) if c and 4 <= c <= 31), None)
    if period is Period.DAY and count:
        # "一天三百，一个月干二十六天": the caller's own days a month, not the average.
        return MoneyReading(value * count, Period.MONTH, hedged, value * count, value * count)
    if _match.contains_any(said, _OVER):
        bump = min(value / 10, Decimal(2000)).quantize(Decimal(1), ROUND_HALF_UP)
        return MoneyReading(value + bump // 2, period, True, value, value + bump)
    return MoneyReading(value, period, hedged, value, value)


#: A second income added to the first ("…another fifteen hundred on top", "另外兼职再挣两千").
_ON_TOP: Final = re.compile(
    r"\banother\b|\bon top\b|\bextra\b|\bplus\b|\bbesides\b|\bas well\b"
    r"|另外|再加|外加|额外|还能(?:多)?挣|又挣"
)


def income_on_top(parts: list[str]) -> MoneyReading | None:
    """Two incomes said one after the other, the second added on top, as their sum.

    "My pension's about six thousand two hundred a month, and … perhaps another fifteen
    hundred on top" is 7,700 a month. The second takes the first's period unless it names
    its own; the sum is approximate (read back, so the caller can put it right).
    """
    said = [(part, reading) for part in parts if (reading := read_money(part)) is not None]
    if len(said) != 2 or not _ON_TOP.search(said[1][0]) or _ON_TOP.search(said[0][0]):
        return None
    (_, first), (_, second) = said
    if second.period is Period.UNSAID or second.period is first.period:
        total = first.value + second.value
        return MoneyReading(total, first.period, True, total, total)
    total = first.monthly + second.monthly
    return MoneyReading(total, Period.MONTH, True, total, total)
