"""The tokens of a spoken quantity: numerals, units, currency, periods and measure words.

A quantity (an amount, an income, a term) is read from these tokens by ``quantities``; a
measure word (三个孩子) or a period (两年) next to a number says what it counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, auto
from typing import Final

from lendline.dialog.nlu.numerals import CN_DIGITS, EN_TEENS, EN_TENS, EN_UNITS, without_idioms


class TokenKind(Enum):
    """Kinds of token in a quantity."""

    DIGIT = auto()  # one Chinese digit character
    ARABIC = auto()  # an Arabic number, possibly with thousands commas and a decimal point
    WORD = auto()  # an English number word below 100
    SMALL = auto()  # 十 百 千, "hundred": multiply the digit before them
    BIG = auto()  # 万 亿, thousand, million, billion, k: multiply everything below them
    POINT = auto()  # 点, "point"
    HALF = auto()  # 半, "half"
    AND = auto()  # "and"
    A = auto()  # "a"/"an" standing for one ("a hundred", "a year")
    YUAN = auto()
    JIAO = auto()
    FEN = auto()
    MONTH = auto()
    YEAR = auto()
    PERCENT = auto()
    COUNTER = auto()  # a measure word: 三个孩子, 两套房 count things, not yuan
    SOFT = auto()  # spaces and hyphens inside a number
    OTHER = auto()


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a quantity: its kind, its value (for numerals and units) and its text."""

    kind: TokenKind
    value: Decimal = Decimal(0)
    text: str = ""
    #: True for tokens written in Chinese characters (units there allow 三万五 = 35000).
    cjk: bool = False


_CN_TOKENS: Final[dict[str, tuple[TokenKind, int]]] = {
    "十": (TokenKind.SMALL, 10),
    "拾": (TokenKind.SMALL, 10),
    "百": (TokenKind.SMALL, 100),
    "佰": (TokenKind.SMALL, 100),
    "千": (TokenKind.SMALL, 1000),
    "仟": (TokenKind.SMALL, 1000),
    "万": (TokenKind.BIG, 10_000),
    "亿": (TokenKind.BIG, 100_000_000),
    "点": (TokenKind.POINT, 0),
    "半": (TokenKind.HALF, 0),
    "元": (TokenKind.YUAN, 0),
    "块": (TokenKind.YUAN, 0),
    "圆": (TokenKind.YUAN, 0),
    "角": (TokenKind.JIAO, 0),
    "毛": (TokenKind.JIAO, 0),
    "分": (TokenKind.FEN, 0),
    "月": (TokenKind.MONTH, 0),
    "期": (TokenKind.MONTH, 0),
    "年": (TokenKind.YEAR, 0),
    "岁": (TokenKind.COUNTER, 0),
    "个": (TokenKind.COUNTER, 0),
    "位": (TokenKind.COUNTER, 0),
    "次": (TokenKind.COUNTER, 0),
    "口": (TokenKind.COUNTER, 0),
    "人": (TokenKind.COUNTER, 0),
    "套": (TokenKind.COUNTER, 0),
    "辆": (TokenKind.COUNTER, 0),
    "张": (TokenKind.COUNTER, 0),
    "家": (TokenKind.COUNTER, 0),
    "天": (TokenKind.COUNTER, 0),
    "周": (TokenKind.COUNTER, 0),
    "号": (TokenKind.COUNTER, 0),
    "日": (TokenKind.COUNTER, 0),
}

_EN_TOKENS: Final[dict[str, tuple[TokenKind, int]]] = {
    "hundred": (TokenKind.SMALL, 100),
    "thousand": (TokenKind.BIG, 1000),
    "k": (TokenKind.BIG, 1000),
    "grand": (TokenKind.BIG, 1000),
    "million": (TokenKind.BIG, 1_000_000),
    "billion": (TokenKind.BIG, 1_000_000_000),
    "w": (TokenKind.BIG, 10_000),  # "5w": chat shorthand for 万
    "wan": (TokenKind.BIG, 10_000),
    "point": (TokenKind.POINT, 0),
    "half": (TokenKind.HALF, 0),
    "and": (TokenKind.AND, 0),
    "a": (TokenKind.A, 1),
    "an": (TokenKind.A, 1),
    "yuan": (TokenKind.YUAN, 0),
    "rmb": (TokenKind.YUAN, 0),
    "cny": (TokenKind.YUAN, 0),
    "kuai": (TokenKind.YUAN, 0),
    "renminbi": (TokenKind.YUAN, 0),
    "jiao": (TokenKind.JIAO, 0),
    "mao": (TokenKind.JIAO, 0),
    "fen": (TokenKind.FEN, 0),
    "cent": (TokenKind.FEN, 0),
    "cents": (TokenKind.FEN, 0),
    "month": (TokenKind.MONTH, 0),
    "months": (TokenKind.MONTH, 0),
    "mo": (TokenKind.MONTH, 0),
    "mos": (TokenKind.MONTH, 0),
    "installment": (TokenKind.MONTH, 0),
    "installments": (TokenKind.MONTH, 0),
    "instalment": (TokenKind.MONTH, 0),
    "instalments": (TokenKind.MONTH, 0),
    "year": (TokenKind.YEAR, 0),
    "years": (TokenKind.YEAR, 0),
    "yr": (TokenKind.YEAR, 0),
    "yrs": (TokenKind.YEAR, 0),
    "percent": (TokenKind.PERCENT, 0),
}

_QUANTITY_TOKEN = re.compile(
    r"(?P<arabic>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"|(?P<percent>百分之|%|\bper\s?cent\b)"
    r"|(?P<word>[a-z]+)"
    r"|(?P<month>个月|個月)"
    r"|(?P<cjk>[\u3007\u3400-\u9fff])"
    r"|(?P<soft>[\s\-]+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


def tokenize(text: str) -> list[Token]:
    """The quantity tokens of normalised ``text`` (idioms with a numeral blanked out)."""
    out: list[Token] = []
    for match in _QUANTITY_TOKEN.finditer(without_idioms(text)):
        kind = match.lastgroup
        token = match.group()
        if kind == "arabic":
            out.append(Token(TokenKind.ARABIC, Decimal(token.replace(",", "")), token))
        elif kind == "word":
            out.append(_word_token(token))
        elif kind == "month":
            out.append(Token(TokenKind.MONTH, text=token, cjk=True))
        elif kind == "percent":
            out.append(Token(TokenKind.PERCENT, text=token))
        elif kind == "cjk":
            if token in CN_DIGITS and token != "洞":
                out.append(Token(TokenKind.DIGIT, Decimal(CN_DIGITS[token]), token, cjk=True))
            elif token in _CN_TOKENS:
                tok_kind, value = _CN_TOKENS[token]
                out.append(Token(tok_kind, Decimal(value), token, cjk=True))
            else:
                out.append(Token(TokenKind.OTHER, text=token, cjk=True))
        elif kind == "soft":
            out.append(Token(TokenKind.SOFT, text=token))
        else:
            out.append(Token(TokenKind.OTHER, text=token))
    return out


def _word_token(word: str) -> Token:
    for table in (EN_UNITS, EN_TEENS, EN_TENS):
        if word in table:
            return Token(TokenKind.WORD, Decimal(table[word]), word)
    if word in _EN_TOKENS:
        kind, value = _EN_TOKENS[word]
        return Token(kind, Decimal(value), word)
    return Token(TokenKind.OTHER, text=word)


def skip_soft(tokens: list[Token], index: int) -> int:
    """The first index from ``index`` on that is not a space or hyphen inside a number."""
    while index < len(tokens) and tokens[index].kind is TokenKind.SOFT:
        index += 1
    return index


def peek(tokens: list[Token], index: int) -> Token | None:
    """The next token from ``index`` on that is not soft, or None at the end."""
    index = skip_soft(tokens, index)
    return tokens[index] if index < len(tokens) else None
