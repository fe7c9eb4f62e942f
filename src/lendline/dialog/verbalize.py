"""Numbers as the text-to-speech should say them, in Mandarin or English.

A voice engine reads "50000" unpredictably (五零零零零? fifty thousand? five zero…), so the
script hands it words: amounts as quantities with their currency (五万元, fifty thousand
yuan), identifiers digit by digit in groups with a pause between groups, rates, dates and
terms spelled out. The Chinese readings follow the standard rules: 十 rather than 一十 at
the start, one 零 for each gap (10050 → 一万零五十), 二 rather than 两 in quantities
(二百万), but 两 before the measure word 个 (两个月).

Every function takes ``lang`` "zh" or "en" and raises ValueError for anything else.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

_ZH_DIGITS: Final = "零一二三四五六七八九"
_EN_DIGITS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_BELOW_20: Final = (
    *_EN_DIGITS,
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
)
_EN_TENS: Final = (
    "",
    "",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)
_EN_SCALES: Final = ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_EN_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_EN_ORDINAL_WORDS: Final = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_FEN: Final = Decimal("0.01")
#: Pause marks between digit groups: the voices both pause on a comma.
_PAUSE: Final = {"zh": "，", "en": ", "}


def _check(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"unsupported language {lang!r}; expected 'zh' or 'en'")


# ----------------------------------------------------------------------------------------
# Integers
# ----------------------------------------------------------------------------------------


def _zh_section(n: int, leading: bool) -> str:
    """1..9999 in Chinese; ``leading`` drops the 一 of 一十 (十二, but 一百一十)."""
    out = ""
    gap = False
    for place, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // place % 10
        if digit == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out += "零"
            gap = False
        if not (leading and not out and digit == 1 and place == 10):
            out += _ZH_DIGITS[digit]
        out += unit
    return out


def _zh_positive(n: int, leading: bool) -> str:
    for size, unit, gap_below in ((10**8, "亿", 10**7), (10**4, "万", 1000)):
        if n >= size:
            high, rest = divmod(n, size)
            words = _zh_positive(high, leading) + unit
            if rest:
                # A missing 千 (or 千万) below the unit is read as one 零: 一万零五十.
                words += ("零" if rest < gap_below else "") + _zh_positive(rest, False)
            return words
    return _zh_section(n, leading)


def _zh_integer(n: int) -> str:
    if n < 0:
        return "负" + _zh_integer(-n)
    return "零" if n == 0 else _zh_positive(n, True)


def _en_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds:
        words.append(f"{_EN_DIGITS[hundreds]} hundred")
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_DIGITS[unit]}" if unit else ""))
    elif rest or not words:
        words.append(_EN_BELOW_20[rest])
    return " ".join(words)


def _en_integer(n: int) -> str:
    if n < 0:
        return "minus " + _en_integer(-n)
    if n < 1000:
        return _en_below_1000(n)
    words: list[str] = []
    for size, name in _EN_SCALES:
        if n >= size:
            high, n = divmod(n, size)
            words.append(f"{_en_integer(high)} {name}")
    if n:
        words.append(_en_below_1000(n))
    return " ".join(words)


def say_integer(n: int, lang: str) -> str:
    """Spell out a whole number.

    Args:
        n: Any integer (negative numbers get 负 / "minus").
        lang: "zh" or "en".

    Returns:
        The words, e.g. 12 → "十二" / "twelve", 10050 → "一万零五十" /
        "ten thousand fifty".

    Raises:
        ValueError: If ``lang`` is not supported.
    """
    _check(lang)
    return _zh_integer(n) if lang == "zh" else _en_integer(n)


# ----------------------------------------------------------------------------------------
# Digit strings
# ----------------------------------------------------------------------------------------


def _group_sizes(length: int) -> list[int]:
    """How a run of digits is chunked for reading out.

    An 18-character ID reads as address code, year, month-day and the rest (6-4-4-4); a
    mobile as 3-4-4. Other lengths get groups of four, with threes at the front so that no
    group is shorter than three.
    """
    if length == 18:
        return [6, 4, 4, 4]
    if length <= 5:
        return [length] if length else []
    threes = -length % 4
    return [3] * threes + [4] * ((length - 3 * threes) // 4)


def say_digits(digits: str, lang: str, phone_style: bool = False) -> str:
    """Read an identifier digit by digit, in groups with a pause between them.

    Args:
        digits: The digits, optionally ending in the ID check character X (either case);
            other characters (spaces, dashes) are dropped.
        lang: "zh" or "en".
        phone_style: Mandarin only: say 幺 for 1, as people do for phone numbers (一 and
            七 are easy to confuse on a phone line).

    Returns:
        For example "一一零一零五，一九四九，一二三一，零零二叉" or
        "one three eight, zero zero one three, eight zero zero zero".

    Raises:
        ValueError: If ``lang`` is not supported.
    """
    _check(lang)
    symbols = [ch.upper() for ch in digits if ch.isdigit() or ch in "xX"]
    words: list[str] = []
    for ch in symbols:
        if lang == "zh":
            words.append(
                "叉" if ch == "X" else "幺" if ch == "1" and phone_style else _ZH_DIGITS[int(ch)]
            )
        else:
            words.append("X" if ch == "X" else _EN_DIGITS[int(ch)])
    groups: list[str] = []
    start = 0
    joiner = "" if lang == "zh" else " "
    for size in _group_sizes(len(words)):
        groups.append(joiner.join(words[start : start + size]))
        start += size
    return _PAUSE[lang].join(groups)


# ----------------------------------------------------------------------------------------
# Amounts, rates, dates, terms
# ----------------------------------------------------------------------------------------


def _split_fen(amount: Decimal) -> tuple[int, int, int]:
    """(yuan, jiao, fen) of a non-negative amount rounded half-up to the fen."""
    fen_total = int(amount.quantize(_FEN, rounding=ROUND_HALF_UP) * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    return yuan, jiao, fen


def say_amount(amount: Decimal, lang: str, currency_word: bool = True) -> str:
    """Spell out an amount of money in yuan.

    Args:
        amount: The amount; more than two decimals are rounded half-up to the fen.
        lang: "zh" or "en".
        currency_word: Say the currency (元角分 / yuan and fen). Without it a fraction is
            read as decimals ("一点五" / "one point five").

    Returns:
        For example "三万五千元", "四千四百四十二元四角四分", "十元零五分",
        "fifty thousand yuan", "forty-two yuan and forty-four fen".

    Raises:
        ValueError: If ``lang`` is not supported.
    """
    _check(lang)
    if amount < 0:
        return ("负" if lang == "zh" else "minus ") + say_amount(-amount, lang, currency_word)
    yuan, jiao, fen = _split_fen(amount)
    if not currency_word:
        whole = say_integer(yuan, lang)
        if not jiao and not fen:
            return whole
        decimals = f"{jiao}{fen}".rstrip("0")
        if lang == "zh":
            return whole + "点" + "".join(_ZH_DIGITS[int(d)] for d in decimals)
        return whole + " point " + " ".join(_EN_DIGITS[int(d)] for d in decimals)
    if lang == "zh":
        words = _zh_integer(yuan) + "元" if yuan or not (jiao or fen) else ""
        if jiao:
            words += _ZH_DIGITS[jiao] + "角"
        if fen:
            # 十元零五分: the missing 角 between yuan and fen is read as 零.
            words += ("零" if yuan and not jiao else "") + _ZH_DIGITS[fen] + "分"
        return words
    cents = jiao * 10 + fen
    parts: list[str] = []
    if yuan or not cents:
        parts.append(f"{_en_integer(yuan)} yuan")
    if cents:
        parts.append(f"{_en_integer(cents)} fen")
    return " and ".join(parts)


def say_percent(rate: Decimal, lang: str, places: int = 2) -> str:
    """Spell out a rate given as a fraction, as a percentage with fixed decimals.

    Args:
        rate: The rate as a fraction: Decimal("0.108") is 10.8 %.
        lang: "zh" or "en".
        places: Decimals to read (rounded half-up); trailing zeros are read, because a
            rate is disclosed with its precision ("十点八零").

    Returns:
        For example "百分之十点八零" or "ten point eight zero percent".

    Raises:
        ValueError: If ``lang`` is not supported or ``places`` is negative.
    """
    _check(lang)
    if places < 0:
        raise ValueError("places must not be negative")
    percent = (rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    negative = percent < 0
    whole_text, _, decimals = f"{abs(percent):f}".partition(".")
    whole = int(whole_text)
    if lang == "zh":
        words = "百分之" + _zh_integer(whole)
        if decimals:
            words += "点" + "".join(_ZH_DIGITS[int(d)] for d in decimals)
        return ("负" if negative else "") + words
    words = _en_integer(whole)
    if decimals:
        words += " point " + " ".join(_EN_DIGITS[int(d)] for d in decimals)
    return ("minus " if negative else "") + words + " percent"


def _en_ordinal(n: int) -> str:
    words = _en_integer(n)
    head, sep, last = words.rpartition("-") if "-" in words else words.rpartition(" ")
    if last in _EN_ORDINAL_WORDS:
        last = _EN_ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def _en_year(year: int) -> str:
    """Years as people say them: twenty twenty-six, two thousand five, nineteen hundred."""
    high, low = divmod(year, 100)
    if year % 1000 == 0 or 2000 <= year <= 2009 or not 1000 <= year <= 9999:
        return _en_integer(year)
    if low == 0:
        return f"{_en_integer(high)} hundred"
    if low < 10:
        return f"{_en_integer(high)} oh {_EN_DIGITS[low]}"
    return f"{_en_integer(high)} {_en_integer(low)}"


def say_date(d: date, lang: str) -> str:
    """Spell out a calendar date.

    Args:
        d: The date.
        lang: "zh" or "en".

    Returns:
        For 2026-11-28: "二零二六年十一月二十八日" or "November twenty-eighth, twenty
        twenty-six".

    Raises:
        ValueError: If ``lang`` is not supported.
    """
    _check(lang)
    if lang == "zh":
        year = "".join(_ZH_DIGITS[int(ch)] for ch in str(d.year))
        return f"{year}年{_zh_integer(d.month)}月{_zh_integer(d.day)}日"
    return f"{_EN_MONTHS[d.month - 1]} {_en_ordinal(d.day)}, {_en_year(d.year)}"


def say_months(n: int, lang: str) -> str:
    """Spell out a loan term in months.

    Args:
        n: The number of months.
        lang: "zh" or "en".

    Returns:
        For example "十二个月", "两个月", "twelve months", "one month".

    Raises:
        ValueError: If ``lang`` is not supported.
    """
    _check(lang)
    if lang == "zh":
        # Before the measure word 个 two is 两 (两个月); 二个月 is not Mandarin.
        return ("两" if n == 2 else _zh_integer(n)) + "个月"
    return f"{_en_integer(n)} month" + ("" if n == 1 else "s")
