"""Numbers in recognised speech: digit strings, amounts, small integers and loan terms.

Two different things are read out as numbers on a loan call, and they are parsed apart:

* **Digit strings** (ID number, mobile, one-time code, card): each digit is one symbol,
  spoken one by one, in groups, with the dialects of reading digits aloud (幺 = 1, 两 = 2,
  洞 = 0, "oh" = 0, "double five", 叉 or 艾克斯 for the ID check character X).
* **Quantities** (amounts, incomes, terms): positional numerals with units, in Chinese
  (三万五千, 一万零五十, 两千五, 1.5万) or English (thirty-five thousand five hundred, 50k).

The recogniser mixes scripts freely ("3万5", "138 零零一三 8000"), so both parsers accept
Arabic digits, Chinese numerals and English number words in any mixture, whatever ``lang``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, auto
from typing import Final

from lendline.dialog.nlu.text import normalize

# ----------------------------------------------------------------------------------------
# Shared vocabularies
# ----------------------------------------------------------------------------------------

#: Chinese characters that are always a single digit. 幺 and 洞 are the radio/phone
#: readings of 1 and 0; 两 is 2 before a measure word; 壹贰… are the financial forms.
_CN_DIGITS: Final[dict[str, int]] = {
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

#: Characters the recogniser writes for a misheard digit (same or near syllable). They
#: are common words too, so they count as digits only between two digits.
_CN_HOMOPHONES: Final[dict[str, int]] = {
    "灵": 0,
    "铃": 0,
    "玲": 0,
    "龄": 0,
    "腰": 1,
    "妖": 1,
    "要": 1,
    "衣": 1,
    "依": 1,
    "医": 1,
    "伊": 1,
    "儿": 2,
    "而": 2,
    "尔": 2,
    "山": 3,
    "伞": 3,
    "散": 3,
    "死": 4,
    "寺": 4,
    "似": 4,
    "午": 5,
    "舞": 5,
    "无": 5,
    "吴": 5,
    "武": 5,
    "溜": 6,
    "流": 6,
    "留": 6,
    "期": 7,
    "妻": 7,
    "漆": 7,
    "齐": 7,
    "吧": 8,
    "巴": 8,
    "爸": 8,
    "扒": 8,
    "久": 9,
    "酒": 9,
    "救": 9,
}

_EN_UNITS: Final[dict[str, int]] = {
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
_EN_TEENS: Final[dict[str, int]] = {
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
_EN_TENS: Final[dict[str, int]] = {
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
EN_COUNT_WORDS: Final = frozenset({*_EN_UNITS, *_EN_TEENS, *_EN_TENS} - {"zero", "fourty"})

#: Everyday words that contain a numeral but say no number (说一下, 一起, 万一): blanked
#: out before parsing so that 一 does not become a digit or an amount of one yuan.
#: Not after a numeral: in 五十七万一千, 万一 is part of the number.
_IDIOMS: Final = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万亿拾佰仟\d])(?:"
    r"一下|一些|一样|一起|一直|一般|一定|一会儿?|一点儿|统一|唯一|万一|一遍|一次|一共|一旦|一切"
    r"|一块儿|一家|一天到晚|说一说|想一想|看一看)"
)


def _without_idioms(text: str) -> str:
    return _IDIOMS.sub(" ", text)


# ----------------------------------------------------------------------------------------
# Digit strings
# ----------------------------------------------------------------------------------------

#: Counts about the number rather than digits of it: 前三位, 后四位, 第二个, 两个.
_DIGIT_COUNTS: Final = re.compile(
    r"第[一二两三四五六七八九十]+|(?:前|后)[一二两三四五六七八九十]+(?=位)"
    r"|[一二两三四五六七八九十]+(?=位|个|次|遍)"
)

#: Spoken forms of the ID check character X, folded to 叉 before scanning.
_X_WORDS: Final = ("艾克斯", "爱克斯", "埃克斯", "挨克斯", "艾克思", "爱克思")
#: Homophones of 叉 (chā): accepted as X only right after a digit.
_X_HOMOPHONES: Final = frozenset("差插")
#: English words heard for a digit: digits only between two digits ("one to three").
_EN_DIGIT_HOMOPHONES: Final[dict[str, int]] = {
    "to": 2,
    "too": 2,
    "for": 4,
    "won": 1,
    "ate": 8,
}
#: "oh"/"o" is zero when it touches another digit ("five oh five"), not as an interjection.
_EN_OH: Final = frozenset({"oh", "o"})
_REPEATS: Final[dict[str, int]] = {"double": 2, "triple": 3, "treble": 3}
_CN_QUANTITY_UNITS: Final = frozenset("十百千万亿拾佰仟")

_DIGIT_TOKEN = re.compile(
    r"(?P<num>\d+)|(?P<word>[a-z]+(?:'[a-z]+)?)|(?P<cjk>[\u3007\u3400-\u9fff])"
    r"|(?P<space>\s+)|(?P<other>.)",
    re.DOTALL,
)


class _D(Enum):
    """Kinds of item in a digit-string scan."""

    DIGITS = auto()  # definite digits (value holds them)
    TENS = auto()  # an English tens word (value holds its first digit)
    HUNDRED = auto()  # "hundred" after a digit
    X = auto()  # the check character
    MAYBE = auto()  # a Chinese homophone: a digit only right between digits (value holds it)
    MAYBE_WORD = auto()  # an English homophone ("to"): a digit only between digit words
    OH = auto()  # "oh"/"o": a zero only next to a digit
    X_MAYBE = auto()  # a homophone of 叉: X only right after a digit
    REPEAT = auto()  # double/triple (value holds the count as text)
    SPACE = auto()  # whitespace, hyphens, dots, commas: pauses between digit groups
    BREAK = auto()  # any other word or mark


@dataclass(frozen=True, slots=True)
class _Item:
    kind: _D
    value: str = ""


_PAUSES: Final = frozenset(" ,.-_/、。·:;，：；")


def _scan_cjk_run(run: str) -> list[_Item]:
    """Digit items for a run of Chinese numeral characters.

    A run with a unit character (二十, 八千) was read as a quantity, not digit by digit:
    it becomes the decimal digits of that quantity (二十 → "20").
    """
    if any(ch in _CN_QUANTITY_UNITS for ch in run):
        if not any(ch in _CN_DIGITS for ch in run):
            return [_Item(_D.BREAK)]
        number = _parse_number(_tokens(run), 0, allow_currency=False)
        if number is None or number.ambiguous or number.value != number.value.to_integral():
            return [_Item(_D.BREAK)]
        return [_Item(_D.DIGITS, str(int(number.value)))]
    return [_Item(_D.DIGITS, str(_CN_DIGITS[ch])) for ch in run]


def _scan_digits(text: str) -> list[_Item]:
    text = _DIGIT_COUNTS.sub(" ", _without_idioms(text))
    for word in _X_WORDS:
        text = text.replace(word, "叉")
    items: list[_Item] = []
    cjk_run = ""
    for match in _DIGIT_TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "cjk" and (token in _CN_DIGITS or token in _CN_QUANTITY_UNITS):
            cjk_run += token
            continue
        if cjk_run:
            items.extend(_scan_cjk_run(cjk_run))
            cjk_run = ""
        if kind == "num":
            items.append(_Item(_D.DIGITS, token))
        elif kind == "word":
            items.extend(_scan_word(token))
        elif kind == "cjk":
            if token == "叉":
                items.append(_Item(_D.X))
            elif token in _X_HOMOPHONES:
                items.append(_Item(_D.X_MAYBE))
            elif token in _CN_HOMOPHONES:
                items.append(_Item(_D.MAYBE, str(_CN_HOMOPHONES[token])))
            else:
                items.append(_Item(_D.BREAK))
        elif kind == "space" or token in _PAUSES:
            items.append(_Item(_D.SPACE))
        else:
            items.append(_Item(_D.BREAK))
    if cjk_run:
        items.extend(_scan_cjk_run(cjk_run))
    return items


def _scan_word(word: str) -> list[_Item]:
    if word in _EN_UNITS:
        return [_Item(_D.DIGITS, str(_EN_UNITS[word]))]
    if word in _EN_TEENS:
        return [_Item(_D.DIGITS, str(_EN_TEENS[word]))]
    if word in _EN_TENS:
        return [_Item(_D.TENS, str(_EN_TENS[word] // 10))]
    if word == "hundred":
        return [_Item(_D.HUNDRED)]
    if word in ("x", "ex"):
        return [_Item(_D.X)]
    if word in _EN_OH:
        return [_Item(_D.OH)]
    if word in _EN_DIGIT_HOMOPHONES:
        return [_Item(_D.MAYBE_WORD, str(_EN_DIGIT_HOMOPHONES[word]))]
    if word in _REPEATS:
        return [_Item(_D.REPEAT, str(_REPEATS[word]))]
    return [_Item(_D.BREAK)]


def _neighbour(items: list[_Item], index: int, step: int, skip_space: bool) -> int | None:
    """Index of the next item before or after ``index``, optionally skipping pauses."""
    index += step
    while 0 <= index < len(items):
        if items[index].kind is _D.SPACE and skip_space:
            index += step
            continue
        return index
    return None


def _kind_at(items: list[_Item], index: int | None) -> _D | None:
    return None if index is None else items[index].kind


def _single_digit_at(items: list[_Item], index: int | None) -> bool:
    return index is not None and items[index].kind is _D.DIGITS and len(items[index].value) == 1


def _symbol(items: list[_Item], index: int, used: set[int]) -> str | None:
    """The digits (or X) that item ``index`` stands for in context, or None."""
    item = items[index]
    kind = item.kind
    if kind is _D.DIGITS:
        return item.value
    if kind is _D.X:
        return "X"
    if kind is _D.TENS:
        # "twenty five" is 25; "twenty" alone is 20.
        after = _neighbour(items, index, 1, skip_space=True)
        if _single_digit_at(items, after) and after is not None and items[after].value != "0":
            used.add(after)
            return item.value + items[after].value
        return item.value + "0"
    if kind is _D.HUNDRED:
        # "five hundred" is 500, "five hundred twelve" 512, "one hundred five" 105.
        if _kind_at(items, _neighbour(items, index, -1, skip_space=True)) is not _D.DIGITS:
            return None
        after = _neighbour(items, index, 1, skip_space=True)
        if _kind_at(items, after) is _D.TENS or (
            after is not None and items[after].kind is _D.DIGITS and len(items[after].value) == 2
        ):
            return ""
        return "0" if _single_digit_at(items, after) else "00"
    if kind in (_D.MAYBE, _D.MAYBE_WORD):
        # Chinese characters touch their neighbours; English words have spaces between.
        spaced = kind is _D.MAYBE_WORD
        left = _kind_at(items, _neighbour(items, index, -1, skip_space=spaced))
        right = _kind_at(items, _neighbour(items, index, 1, skip_space=spaced))
        return item.value if left is _D.DIGITS and right is _D.DIGITS else None
    if kind is _D.OH:
        near = (
            _kind_at(items, _neighbour(items, index, -1, skip_space=True)),
            _kind_at(items, _neighbour(items, index, 1, skip_space=True)),
        )
        digitish = (_D.DIGITS, _D.OH, _D.TENS, _D.REPEAT)
        return "0" if any(k in digitish for k in near) else None
    if kind is _D.X_MAYBE:
        before = _kind_at(items, _neighbour(items, index, -1, skip_space=False))
        return "X" if before is _D.DIGITS else None
    return None


def parse_digit_string(text: str, lang: str = "zh") -> str | None:
    """Read a string of single digits (ID, mobile, one-time code, card) from speech.

    Digits may be Arabic, Chinese (零〇洞一幺二两三…九) or English words, in any mix and with
    any pauses or punctuation between groups. "double five" is 55 and "triple 3" is 333;
    "oh" next to a digit is 0; "twenty five" is 25. The ID check character is X, 叉 or
    艾克斯 (or "ex"), kept only as the last symbol. Filler ("我的身份证号是", "my number is",
    "嗯", "uh") is ignored. Characters that sound like a digit (酒 for 九) count only
    between two digits.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The digits (and a final "X"), or None if the text holds no digit.
    """
    del lang  # both languages are always recognised
    items = _scan_digits(normalize(text))
    symbols: list[str] = []
    used: set[int] = set()
    repeat = 1
    for index, item in enumerate(items):
        if index in used:
            continue
        if item.kind is _D.REPEAT:
            after = _neighbour(items, index, 1, skip_space=True)
            if _single_digit_at(items, after) or _kind_at(items, after) is _D.OH:
                repeat = int(item.value)
            continue
        value = _symbol(items, index, used)
        if value is None:
            continue
        symbols.append(value * repeat if len(value) == 1 else value)
        repeat = 1
    digits = "".join(symbols)
    # X is the check character, the last of the 18: anywhere else it is noise.
    core = digits.replace("X", "")
    if digits.endswith("X") and core:
        return core + "X"
    return core or None


# ----------------------------------------------------------------------------------------
# Quantities
# ----------------------------------------------------------------------------------------


class _K(Enum):
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
class _Tok:
    kind: _K
    value: Decimal = Decimal(0)
    text: str = ""
    #: True for tokens written in Chinese characters (units there allow 三万五 = 35000).
    cjk: bool = False


_CN_TOKENS: Final[dict[str, tuple[_K, int]]] = {
    "十": (_K.SMALL, 10),
    "拾": (_K.SMALL, 10),
    "百": (_K.SMALL, 100),
    "佰": (_K.SMALL, 100),
    "千": (_K.SMALL, 1000),
    "仟": (_K.SMALL, 1000),
    "万": (_K.BIG, 10_000),
    "亿": (_K.BIG, 100_000_000),
    "点": (_K.POINT, 0),
    "半": (_K.HALF, 0),
    "元": (_K.YUAN, 0),
    "块": (_K.YUAN, 0),
    "圆": (_K.YUAN, 0),
    "角": (_K.JIAO, 0),
    "毛": (_K.JIAO, 0),
    "分": (_K.FEN, 0),
    "月": (_K.MONTH, 0),
    "期": (_K.MONTH, 0),
    "年": (_K.YEAR, 0),
    "岁": (_K.COUNTER, 0),
    "个": (_K.COUNTER, 0),
    "位": (_K.COUNTER, 0),
    "次": (_K.COUNTER, 0),
    "口": (_K.COUNTER, 0),
    "人": (_K.COUNTER, 0),
    "套": (_K.COUNTER, 0),
    "辆": (_K.COUNTER, 0),
    "张": (_K.COUNTER, 0),
    "家": (_K.COUNTER, 0),
    "天": (_K.COUNTER, 0),
    "周": (_K.COUNTER, 0),
    "号": (_K.COUNTER, 0),
    "日": (_K.COUNTER, 0),
}

_EN_TOKENS: Final[dict[str, tuple[_K, int]]] = {
    "hundred": (_K.SMALL, 100),
    "thousand": (_K.BIG, 1000),
    "k": (_K.BIG, 1000),
    "grand": (_K.BIG, 1000),
    "million": (_K.BIG, 1_000_000),
    "billion": (_K.BIG, 1_000_000_000),
    "w": (_K.BIG, 10_000),  # "5w": chat shorthand for 万
    "wan": (_K.BIG, 10_000),
    "point": (_K.POINT, 0),
    "half": (_K.HALF, 0),
    "and": (_K.AND, 0),
    "a": (_K.A, 1),
    "an": (_K.A, 1),
    "yuan": (_K.YUAN, 0),
    "rmb": (_K.YUAN, 0),
    "cny": (_K.YUAN, 0),
    "kuai": (_K.YUAN, 0),
    "renminbi": (_K.YUAN, 0),
    "jiao": (_K.JIAO, 0),
    "mao": (_K.JIAO, 0),
    "fen": (_K.FEN, 0),
    "cent": (_K.FEN, 0),
    "cents": (_K.FEN, 0),
    "month": (_K.MONTH, 0),
    "months": (_K.MONTH, 0),
    "mo": (_K.MONTH, 0),
    "mos": (_K.MONTH, 0),
    "installment": (_K.MONTH, 0),
    "installments": (_K.MONTH, 0),
    "instalment": (_K.MONTH, 0),
    "instalments": (_K.MONTH, 0),
    "year": (_K.YEAR, 0),
    "years": (_K.YEAR, 0),
    "yr": (_K.YEAR, 0),
    "yrs": (_K.YEAR, 0),
    "percent": (_K.PERCENT, 0),
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


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for match in _QUANTITY_TOKEN.finditer(_without_idioms(text)):
        kind = match.lastgroup
        token = match.group()
        if kind == "arabic":
            out.append(_Tok(_K.ARABIC, Decimal(token.replace(",", "")), token))
        elif kind == "word":
            out.append(_word_token(token))
        elif kind == "month":
            out.append(_Tok(_K.MONTH, text=token, cjk=True))
        elif kind == "percent":
            out.append(_Tok(_K.PERCENT, text=token))
        elif kind == "cjk":
            if token in _CN_DIGITS and token != "洞":
                out.append(_Tok(_K.DIGIT, Decimal(_CN_DIGITS[token]), token, cjk=True))
            elif token in _CN_TOKENS:
                tok_kind, value = _CN_TOKENS[token]
                out.append(_Tok(tok_kind, Decimal(value), token, cjk=True))
            else:
                out.append(_Tok(_K.OTHER, text=token, cjk=True))
        elif kind == "soft":
            out.append(_Tok(_K.SOFT, text=token))
        else:
            out.append(_Tok(_K.OTHER, text=token))
    return out


def _word_token(word: str) -> _Tok:
    for table in (_EN_UNITS, _EN_TEENS, _EN_TENS):
        if word in table:
            return _Tok(_K.WORD, Decimal(table[word]), word)
    if word in _EN_TOKENS:
        kind, value = _EN_TOKENS[word]
        return _Tok(kind, Decimal(value), word)
    return _Tok(_K.OTHER, text=word)


@dataclass(frozen=True, slots=True)
class _Number:
    """One number read from the tokens ``[start, end)``."""

    value: Decimal
    end: int
    currency: bool = False
    #: Digits run together next to units ("两三万": two or three ten-thousands).
    ambiguous: bool = False


def _skip_soft(tokens: list[_Tok], index: int) -> int:
    while index < len(tokens) and tokens[index].kind is _K.SOFT:
        index += 1
    return index


def _peek(tokens: list[_Tok], index: int) -> _Tok | None:
    index = _skip_soft(tokens, index)
    return tokens[index] if index < len(tokens) else None


_STARTS: Final = frozenset({_K.DIGIT, _K.ARABIC, _K.WORD})


def _starts_number(tokens: list[_Tok], index: int) -> bool:
    tok = tokens[index]
    if tok.kind in _STARTS:
        return True
    if tok.kind is _K.SMALL and tok.cjk and tok.value == 10:
        return True  # 十, 十二, 十万: the leading 一 of 一十 is never said
    if tok.kind is _K.A:
        following = _peek(tokens, index + 1)
        return following is not None and following.kind in (_K.SMALL, _K.BIG, _K.YEAR, _K.MONTH)
    return False


def _parse_integer_part(tokens: list[_Tok], start: int) -> tuple[Decimal, int, bool] | None:
    """Read a number without currency units starting at ``start``.

    Returns:
        (value, index after the number, ambiguous), or None if no number starts there.
    """
    if start >= len(tokens) or not _starts_number(tokens, start):
        return None
    parts: list[Decimal] = []  # finished chunks, largest first
    pending: Decimal | None = None  # the number said since the last unit
    pending_digit = False  # pending is one digit said right after a Chinese unit
    last_unit = Decimal(0)  # the last Chinese unit, for 三万五 = 三万五千
    zero_seen = False  # 零 since that unit: 一万零五 is 10005, not 15000
    prev: _K | None = None
    tens_word = False  # pending is an English tens word that may take a unit ("twenty five")
    concatenated = False
    ranged = False
    units = False
    index = start
    end = start
    while index < len(tokens):
        tok = tokens[index]
        kind = tok.kind
        if kind is _K.SOFT:
            index += 1
            continue
        if kind is _K.AND:
            following = _peek(tokens, index + 1)
            if (
                (parts or pending is not None)
                and following is not None
                and following.kind in (_K.WORD, _K.ARABIC, _K.A)
            ):
                index += 1
                continue
            break
        if kind is _K.DIGIT:
            digit = tok.value
            if prev is _K.DIGIT and pending is not None:
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
                pending_digit = prev in (_K.SMALL, _K.BIG) and not zero_seen and last_unit >= 100
        elif kind is _K.ARABIC:
            if pending is None:
                pending = tok.value
                pending_digit = (
                    len(tok.text) == 1
                    and prev in (_K.SMALL, _K.BIG)
                    and not zero_seen
                    and last_unit >= 100
                )
            elif (
                prev is _K.ARABIC
                and tokens[index - 1].kind is _K.SOFT
                and len(tok.text) == 3
                and tok.text.isdigit()
            ):
                pending = pending * 1000 + tok.value  # "15 000"
            else:
                break
        elif kind is _K.WORD:
            if pending is None:
                pending = tok.value
                tens_word = tok.text in _EN_TENS
            elif tens_word and prev is _K.WORD and 0 < tok.value < 10:
                pending += tok.value
                tens_word = False
            else:
                break
        elif kind is _K.A:
            if pending is not None or prev is not None:
                break
            pending = Decimal(1)
        elif kind is _K.SMALL:
            if pending is None and not (tok.cjk and tok.value == 10):
                break
            multiplier = Decimal(1) if pending is None else pending
            parts.append(multiplier * tok.value)
            pending, pending_digit, tens_word = None, False, False
            last_unit = tok.value if tok.cjk else Decimal(0)
            zero_seen, units = False, True
        elif kind is _K.BIG:
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
        elif kind is _K.POINT:
            fraction, after = _read_fraction_digits(tokens, index + 1)
            if not fraction or (pending is None and not parts):
                break
            whole = sum(parts, Decimal(0)) + (pending or Decimal(0))
            parts = []
            pending = whole + Decimal("0." + fraction)
            pending_digit, tens_word = False, False
            prev = _K.POINT
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


def _read_fraction_digits(tokens: list[_Tok], index: int) -> tuple[str, int]:
    """The digits after a decimal point (点五, point four four), and where they end."""
    digits = ""
    end = index
    while index < len(tokens):
        tok = tokens[index]
        if tok.kind is _K.SOFT:
            index += 1
            continue
        if tok.kind is _K.DIGIT or (tok.kind is _K.WORD and tok.value < 10):
            digits += str(int(tok.value))
        elif tok.kind is _K.ARABIC and tok.text.isdigit():
            digits += tok.text
        else:
            break
        index += 1
        end = index
    return digits, end


_JIAO = Decimal("0.1")
_FEN = Decimal("0.01")


def _parse_number(tokens: list[_Tok], start: int, allow_currency: bool = True) -> _Number | None:
    """Read a number, with yuan/jiao/fen when ``allow_currency``, starting at ``start``."""
    head = _parse_integer_part(tokens, start)
    if head is None:
        return None
    value, end, ambiguous = head
    if not allow_currency:
        return _Number(value, end, ambiguous=ambiguous)
    following = _peek(tokens, end)
    if following is None or following.kind not in (_K.YUAN, _K.JIAO, _K.FEN):
        return _Number(value, end, ambiguous=ambiguous)
    # Money: 四千四百四十二元四角四分, 三块五, 十元零五分, 42 yuan and 44 fen, 五角.
    total = Decimal(0)
    stage = 0  # 0 before 元, 1 after 元 (a bare digit is jiao), 2 after 角 (bare is fen)
    amount: Decimal | None = value
    bare = False
    index = end
    while amount is not None:
        unit_index = _skip_soft(tokens, index)
        unit = tokens[unit_index].kind if unit_index < len(tokens) else None
        if unit is _K.YUAN and stage == 0:
            total += amount
            stage, index = 1, unit_index + 1
        elif unit is _K.JIAO and stage <= 1:
            total += amount * _JIAO
            stage, index = 2, unit_index + 1
        elif unit is _K.FEN and stage <= 2:
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
            tokens[probe].kind in (_K.AND, _K.SOFT)
            or (tokens[probe].kind is _K.DIGIT and tokens[probe].value == 0)
        ):
            probe += 1
        chunk = _parse_integer_part(tokens, probe)
        if chunk is None:
            break
        chunk_value, chunk_end, _ = chunk
        after = _peek(tokens, chunk_end)
        bare = (
            tokens[chunk_end - 1].cjk
            and chunk_value < 10
            and chunk_value == chunk_value.to_integral_value()
        )
        if (after is not None and after.kind in (_K.JIAO, _K.FEN)) or bare:
            amount, index = chunk_value, chunk_end
        else:
            amount = None
    return _Number(total, index, currency=True, ambiguous=ambiguous)


def _numbers(text: str, allow_currency: bool = True) -> list[tuple[_Number, list[_Tok], int]]:
    """Every number in ``text`` with the tokens and the index where it starts."""
    tokens = _tokens(normalize(text))
    found: list[tuple[_Number, list[_Tok], int]] = []
    index = 0
    while index < len(tokens):
        if _starts_number(tokens, index):
            number = _parse_number(tokens, index, allow_currency)
            if number is not None and number.end > index:
                found.append((number, tokens, index))
                index = number.end
                continue
        index += 1
    return found


def _tidy(value: Decimal) -> Decimal:
    """Whole yuan without a fraction part; anything else to the fen."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.quantize(_FEN, rounding=ROUND_HALF_UP)


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
    for number, tokens, start in _numbers(text):
        if number.ambiguous:
            continue
        before = tokens[start - 1] if start > 0 else None
        if before is not None and before.kind is _K.PERCENT:
            continue
        following = _peek(tokens, number.end)
        if (
            not number.currency
            and following is not None
            and following.kind in (_K.MONTH, _K.YEAR, _K.PERCENT, _K.COUNTER)
        ):
            continue  # 十二个月, 两年, 10%, 三个孩子: a term, a rate or a count, not money
        return _tidy(number.value)
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
    for number, _, _ in _numbers(text, allow_currency=False):
        if number.ambiguous or number.value != number.value.to_integral_value():
            continue
        return int(number.value)
    return None


_HALF_YEAR = Decimal(6)


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
    tokens = _tokens(normalize(text))
    months = Decimal(0)
    found = False
    bare: Decimal | None = None
    index = 0
    while index < len(tokens):
        tok = tokens[index]
        if tok.kind is _K.HALF:
            # 半年 / half a year / half year
            probe = _skip_soft(tokens, index + 1)
            if probe < len(tokens) and tokens[probe].kind is _K.A:
                probe = _skip_soft(tokens, probe + 1)
            if probe < len(tokens) and tokens[probe].kind is _K.YEAR:
                months += _HALF_YEAR
                found = True
                index = probe + 1
                continue
        if not _starts_number(tokens, index):
            index += 1
            continue
        head = _parse_integer_part(tokens, index)
        if head is None or head[1] <= index:
            index += 1
            continue
        value, end, ambiguous = head
        probe = _skip_soft(tokens, end)
        # "one and a half years"
        probe, extra = _and_a_half(tokens, probe)
        value += extra
        probe = _skip_soft(tokens, probe)
        unit = tokens[probe] if probe < len(tokens) else None
        if unit is not None and unit.kind is _K.YEAR and not ambiguous:
            months += value * 12
            found = True
            probe = _skip_soft(tokens, probe + 1)
            # 一年半 / "a year and a half"
            if probe < len(tokens) and tokens[probe].kind is _K.HALF:
                months += _HALF_YEAR
                probe += 1
            else:
                probe, extra = _and_a_half(tokens, probe)
                months += extra * 12
            index = probe
            continue
        if unit is not None and unit.kind is _K.MONTH and not ambiguous:
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


def _and_a_half(tokens: list[_Tok], index: int) -> tuple[int, Decimal]:
    """Skip "and a half" at ``index`` if it is there; return where it ends and 0.5 or 0."""
    kinds = (_K.AND, _K.A, _K.HALF)
    probe = index
    for kind in kinds:
        probe = _skip_soft(tokens, probe)
        if probe >= len(tokens) or tokens[probe].kind is not kind:
            return index, Decimal(0)
        probe += 1
    return probe, Decimal("0.5")
