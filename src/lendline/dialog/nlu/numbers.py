"""Quantities in recognised speech: amounts of money, small whole numbers and loan terms.

The public readers of the slots that hold a quantity. Chinese (三万五千, 一万零五十, 两千五,
1.5万) and English (thirty-five thousand five hundred, 50k) in any mixture, whatever
``lang``: the recogniser mixes scripts freely ("3万5"). Digit strings (ID, mobile, codes)
are read apart, by ``digit_strings``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from lendline.dialog.nlu.quantities import (
    numbers_in,
    parse_integer_part,
    starts_number,
    whole_yuan_or_fen,
)
from lendline.dialog.nlu.quantity_tokens import Token, TokenKind, peek, skip_soft, tokenize
from lendline.dialog.nlu.text import normalize


def parse_amount(text: str, lang: str = "zh") -> Decimal | None:
    """Read an amount of money in yuan.

    Chinese: 五万, 5万, 三万五 (35,000), 三万五千, 两千五百, 一万二 (12,000), 十万, 1.5万,
    15000, 15,000, 一万五千元, 四千四百四十二元四角四分, 三块五. English: fifty thousand,
    twenty five thousand yuan, 50k, 50,000, thirty-five thousand five hundred, 2.5 thousand,
    forty-two yuan and forty-four fen. The first number that is not a term, an age or a
    percentage is taken; digits run together with units ("两三万", a range) are refused.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The amount in yuan (whole yuan, or to the fen), or None if no amount was said.
    """
    del lang  # both languages are always recognised
    for number, tokens, start in numbers_in(text):
        if number.ambiguous:
            continue
        before = tokens[start - 1] if start > 0 else None
        if before is not None and before.kind is TokenKind.PERCENT:
            continue
        following = peek(tokens, number.end)
        if (
            not number.currency
            and following is not None
            and following.kind
            in (TokenKind.MONTH, TokenKind.YEAR, TokenKind.PERCENT, TokenKind.COUNTER)
        ):
            continue  # 十二个月, 两年, 10%, 三个孩子: a term, a rate or a count, not money
        return whole_yuan_or_fen(number.value)
    return None


def parse_integer(text: str, lang: str = "zh") -> int | None:
    """Read a whole number ("十二", "二十四", "两", "twelve", "24", "twenty-four").

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The first whole number said, or None.
    """
    del lang
    for number, _, _ in numbers_in(text, allow_currency=False):
        if number.ambiguous or number.value != number.value.to_integral_value():
            continue
        return int(number.value)
    return None


_HALF_YEAR = Decimal(6)
#: "一整年", "整整一年", "一年整", "两整年": a whole year is a year.
_WHOLE: Final = re.compile(
    r"(?<=[一二两三四五六七八九十\d])整(?=年|个月)|整整(?=[一二两三四五六七八九十\d])|(?<=年)整"
)
#: "Year and a half, thanks.": the "a" before "year" goes unsaid at the start of a turn.
_BARE_YEAR_AND_A_HALF: Final = re.compile(r"(^|[^a-z0-9\s]\s*)year and a half")


def parse_term_months(text: str, lang: str = "zh") -> int | None:
    """Read a loan term in months.

    "12个月", "十二个月", "十二期", "一年" (12), "两年" (24), "半年" (6), "一年半" (18),
    "一年零六个月" (18), "twelve months", "1 year", "two years", "a year and a half",
    "18 months"; a bare number ("12", "十二") is taken as months.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The term in whole months, or None.
    """
    del lang
    said = _BARE_YEAR_AND_A_HALF.sub(r"\1a year and a half", _WHOLE.sub("", normalize(text)))
    tokens = tokenize(said)
    months = Decimal(0)
    found = False
    bare: Decimal | None = None
    index = 0
    while index < len(tokens):
        tok = tokens[index]
        if tok.kind is TokenKind.HALF:
            # 半年 / half a year / half year
            probe = skip_soft(tokens, index + 1)
            if probe < len(tokens) and tokens[probe].kind is TokenKind.A:
                probe = skip_soft(tokens, probe + 1)
            if probe < len(tokens) and tokens[probe].kind is TokenKind.YEAR:
                months += _HALF_YEAR
                found = True
                index = probe + 1
                continue
        if not starts_number(tokens, index):
            index += 1
            continue
        head = parse_integer_part(tokens, index)
        if head is None or head[1] <= index:
            index += 1
            continue
        value, end, ambiguous = head
        probe = skip_soft(tokens, end)
        # "one and a half years"
        probe, extra = _and_a_half(tokens, probe)
        value += extra
        probe = skip_soft(tokens, probe)
        unit = tokens[probe] if probe < len(tokens) else None
        if unit is not None and unit.kind is TokenKind.YEAR and not ambiguous:
            months += value * 12
            found = True
            probe = skip_soft(tokens, probe + 1)
            # 一年半 / "a year and a half"
            if probe < len(tokens) and tokens[probe].kind is TokenKind.HALF:
                months += _HALF_YEAR
                probe += 1
            else:
                probe, extra = _and_a_half(tokens, probe)
                months += extra * 12
            index = probe
            continue
        if unit is not None and unit.kind is TokenKind.MONTH and not ambiguous:
            months += value
            found = True
            index = probe + 1
            continue
        if bare is None and not ambiguous:
            bare = value
        index = end
    result = months if found else bare
    if result is None or result <= 0 or result != result.to_integral_value():
        return None
    return int(result)


def _and_a_half(tokens: list[Token], index: int) -> tuple[int, Decimal]:
    """Skip "and a half" at ``index`` if it is there; return where it ends and 0.5 or 0."""
    kinds = (TokenKind.AND, TokenKind.A, TokenKind.HALF)
    probe = index
    for kind in kinds:
        probe = skip_soft(tokens, probe)
        if probe >= len(tokens) or tokens[probe].kind is not kind:
            return index, Decimal(0)
        probe += 1
    return probe, Decimal("0.5")
