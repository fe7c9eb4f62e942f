"""Positional numbers read from quantity tokens: 三万五千, 一万零五十, 1.5万, 三块五, 50k.

Chinese (三万五 = 35,000, 一万零五 = 10,005, 两三万 a range, not a number) and English
("thirty-five thousand five hundred", "a hundred", "2.5 thousand") alike, with yuan, jiao
and fen when the number is money.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from lendline.dialog.nlu.numerals import EN_TENS
from lendline.dialog.nlu.quantity_tokens import Token, TokenKind, peek, skip_soft, tokenize
from lendline.dialog.nlu.text import normalize


@dataclass(frozen=True, slots=True)
class Number:
    """One number read from the tokens ``[start, end)``."""

    value: Decimal
    end: int
    currency: bool = False
    #: Digits run together next to units ("两三万": two or three ten-thousands).
    ambiguous: bool = False


_STARTS: Final = frozenset({TokenKind.DIGIT, TokenKind.ARABIC, TokenKind.WORD})


def starts_number(tokens: list[Token], index: int) -> bool:
    """Whether a number can start at ``index`` (a numeral, 十, or "a" before a unit)."""
    tok = tokens[index]
    if tok.kind in _STARTS:
        return True
    if tok.kind is TokenKind.SMALL and tok.cjk and tok.value == 10:
        return True  # 十, 十二, 十万: the leading 一 of 一十 is never said
    if tok.kind is TokenKind.A:
        following = peek(tokens, index + 1)
        return following is not None and following.kind in (
            TokenKind.SMALL,
            TokenKind.BIG,
            TokenKind.YEAR,
            TokenKind.MONTH,
        )
    return False


def parse_integer_part(tokens: list[Token], start: int) -> tuple[Decimal, int, bool] | None:
    """Read a number without currency units starting at ``start``.

    Returns:
        (value, index after the number, ambiguous), or None if no number starts there.
    """
    if start >= len(tokens) or not starts_number(tokens, start):
        return None
    parts: list[Decimal] = []  # finished chunks, largest first
    pending: Decimal | None = None  # the number said since the last unit
    pending_digit = False  # pending is one digit said right after a Chinese unit
    last_unit = Decimal(0)  # the last Chinese unit, for 三万五 = 三万五千
    zero_seen = False  # 零 since that unit: 一万零五 is 10005, not 15000
    prev: TokenKind | None = None
    tens_word = False  # pending is an English tens word that may take a unit ("twenty five")
    concatenated = False
    ranged = False
    units = False
    index = start
    end = start
    while index < len(tokens):
        tok = tokens[index]
        kind = tok.kind
        if kind is TokenKind.SOFT:
            index += 1
            continue
        if kind is TokenKind.AND:
            following = peek(tokens, index + 1)
            if (
                (parts or pending is not None)
                and following is not None
                and following.kind in (TokenKind.WORD, TokenKind.ARABIC, TokenKind.A)
            ):
                index += 1
                continue
            break
        if kind is TokenKind.DIGIT:
            digit = tok.value
            if prev is TokenKind.DIGIT and pending is not None:
                # Digits run together (一五零零零) are read positionally, but 两三 / 五六
                # (and 三万五六) say a range, "two or three": that is no single number.
                ranged = not concatenated and 0 < pending < 9 and digit == pending + 1
                pending = pending * 10 + digit
                pending_digit = False
                concatenated = True
            elif digit == 0 and (parts or pending is not None):
                zero_seen = True
            elif pending is not None:
                break
            else:
                pending = digit
                pending_digit = (
                    prev in (TokenKind.SMALL, TokenKind.BIG) and not zero_seen and last_unit >= 100
                )
        elif kind is TokenKind.ARABIC:
            if pending is None:
                pending = tok.value
                pending_digit = (
                    len(tok.text) == 1
                    and prev in (TokenKind.SMALL, TokenKind.BIG)
                    and not zero_seen
                    and last_unit >= 100
                )
            elif (
                prev is TokenKind.ARABIC
                and tokens[index - 1].kind is TokenKind.SOFT
                and len(tok.text) == 3
                and tok.text.isdigit()
            ):
                pending = pending * 1000 + tok.value  # "15 000"
            else:
                break
        elif kind is TokenKind.WORD:
            if pending is None:
                pending = tok.value
                tens_word = tok.text in EN_TENS
            elif tens_word and prev is TokenKind.WORD and 0 < tok.value < 10:
                pending += tok.value
                tens_word = False
            else:
                break
        elif kind is TokenKind.A:
            if pending is not None or prev is not None:
                break
            pending = Decimal(1)
        elif kind is TokenKind.SMALL:
            if pending is None and not (tok.cjk and tok.value == 10):
                break
            multiplier = Decimal(1) if pending is None else pending
            parts.append(multiplier * tok.value)
            pending, pending_digit, tens_word = None, False, False
            last_unit = tok.value if tok.cjk else Decimal(0)
            zero_seen, units = False, True
        elif kind is TokenKind.BIG:
            keep = len(parts)
            while keep > 0 and parts[keep - 1] < tok.value:
                keep -= 1
            below = sum(parts[keep:], Decimal(0)) + (pending or Decimal(0))
            if pending is None and keep == len(parts):
                break
            parts[keep:] = [below * tok.value]
            pending, pending_digit, tens_word = None, False, False
            last_unit = tok.value if tok.cjk else Decimal(0)
            zero_seen, units = False, True
        elif kind is TokenKind.POINT:
            fraction, after = _read_fraction_digits(tokens, index + 1)
            if not fraction or (pending is None and not parts):
                break
            whole = sum(parts, Decimal(0)) + (pending or Decimal(0))
            parts = []
            pending = whole + Decimal("0." + fraction)
            pending_digit, tens_word = False, False
            prev = TokenKind.POINT
            index = end = after
            continue
        else:
            break
        prev = kind
        index += 1
        end = index
    if pending is None and not parts:
        return None
    if pending is not None and pending_digit:
        pending *= last_unit / 10
    value = sum(parts, Decimal(0)) + (pending or Decimal(0))
    return value, end, ranged or (concatenated and units)


def _read_fraction_digits(tokens: list[Token], index: int) -> tuple[str, int]:
    """The digits after a decimal point (点五, point four four), and where they end."""
    digits = ""
    end = index
    while index < len(tokens):
        tok = tokens[index]
        if tok.kind is TokenKind.SOFT:
            index += 1
            continue
        if tok.kind is TokenKind.DIGIT or (tok.kind is TokenKind.WORD and tok.value < 10):
            digits += str(int(tok.value))
        elif tok.kind is TokenKind.ARABIC and tok.text.isdigit():
            digits += tok.text
        else:
            break
        index += 1
        end = index
    return digits, end


_JIAO = Decimal("0.1")
_FEN = Decimal("0.01")


def parse_number(tokens: list[Token], start: int, allow_currency: bool = True) -> Number | None:
    """Read a number, with yuan/jiao/fen when ``allow_currency``, starting at ``start``."""
    head = parse_integer_part(tokens, start)
    if head is None:
        return None
    value, end, ambiguous = head
    if not allow_currency:
        return Number(value, end, ambiguous=ambiguous)
    following = peek(tokens, end)
    if following is None or following.kind not in (TokenKind.YUAN, TokenKind.JIAO, TokenKind.FEN):
        return Number(value, end, ambiguous=ambiguous)
    # Money: 四千四百四十二元四角四分, 三块五, 十元零五分, 42 yuan and 44 fen, 五角.
    total = Decimal(0)
    stage = 0  # 0 before 元, 1 after 元 (a bare digit is jiao), 2 after 角 (bare is fen)
    amount: Decimal | None = value
    bare = False
    index = end
    while amount is not None:
        unit_index = skip_soft(tokens, index)
        unit = tokens[unit_index].kind if unit_index < len(tokens) else None
        if unit is TokenKind.YUAN and stage == 0:
            total += amount
            stage, index = 1, unit_index + 1
        elif unit is TokenKind.JIAO and stage <= 1:
            total += amount * _JIAO
            stage, index = 2, unit_index + 1
        elif unit is TokenKind.FEN and stage <= 2:
            total += amount * _FEN
            index = unit_index + 1
            break
        elif bare and stage in (1, 2):
            # 三块五 / 三块五毛五: the unit after the last digit goes unsaid.
            total += amount * (_JIAO if stage == 1 else _FEN)
            break
        else:
            break
        # The next chunk: skip 零 and "and", then read the jiao or fen amount.
        probe = index
        while probe < len(tokens) and (
            tokens[probe].kind in (TokenKind.AND, TokenKind.SOFT)
            or (tokens[probe].kind is TokenKind.DIGIT and tokens[probe].value == 0)
        ):
            probe += 1
        chunk = parse_integer_part(tokens, probe)
        if chunk is None:
            break
        chunk_value, chunk_end, _ = chunk
        after = peek(tokens, chunk_end)
        bare = (
            tokens[chunk_end - 1].cjk
            and chunk_value < 10
            and chunk_value == chunk_value.to_integral_value()
        )
        if (after is not None and after.kind in (TokenKind.JIAO, TokenKind.FEN)) or bare:
            amount, index = chunk_value, chunk_end
        else:
            amount = None
    return Number(total, index, currency=True, ambiguous=ambiguous)


def numbers_in(text: str, allow_currency: bool = True) -> list[tuple[Number, list[Token], int]]:
    """Every number in ``text`` with the tokens and the index where it starts."""
    tokens = tokenize(normalize(text))
    found: list[tuple[Number, list[Token], int]] = []
    index = 0
    while index < len(tokens):
        if starts_number(tokens, index):
            number = parse_number(tokens, index, allow_currency)
            if number is not None and number.end > index:
                found.append((number, tokens, index))
                index = number.end
                continue
        index += 1
    return found


def whole_yuan_or_fen(value: Decimal) -> Decimal:
    """Whole yuan without a fraction part; anything else to the fen."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.quantize(_FEN, rounding=ROUND_HALF_UP)
