"""Digit strings in recognised speech: ID numbers, mobiles, one-time codes, cards.

Each digit is one symbol, spoken one by one, in groups, with the dialects of reading digits
aloud (幺 = 1, 两 = 2, 洞 = 0, "oh" = 0, "double five", 叉 or 艾克斯 for the ID check
character X). The recogniser mixes scripts freely ("138 零零一三 8000"), so Arabic digits,
Chinese numerals and English number words are accepted in any mixture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto
from typing import Final

from lendline.dialog.nlu.numerals import CN_DIGITS, EN_TEENS, EN_TENS, EN_UNITS, without_idioms
from lendline.dialog.nlu.quantities import parse_number
from lendline.dialog.nlu.quantity_tokens import tokenize
from lendline.dialog.nlu.text import normalize

#: Characters the recogniser writes for a misheard digit (same or near syllable). They
#: are common words too, so they count as digits only between two digits.
_CN_HOMOPHONES: Final[dict[str, int]] = {
    "灵": 0,
    "铃": 0,
    "玲": 0,
    "龄": 0,
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

#: Characters the recogniser writes for 幺 (yāo), the way 1 is said in phone numbers and
#: codes. People start and end numbers with it ("幺三八…", "…四幺幺"), so these count as 1
#: also at the edge of a run of digits, and a run of them ("又又八八…") counts as a whole.
#: Measured on the tuning utterances (voices through a phone line): 要, 腰, 有, 又, 悠, 优,
#: 搖 and 雅 were written for 幺; the rest are the same syllable.
_YAO_HOMOPHONES: Final = frozenset("要腰妖邀有又优悠摇搖遥尧雅")

#: Counts about the number rather than digits of it: 前三位, 后四位, 第二个, 两个.
_DIGIT_COUNTS: Final = re.compile(
    r"第[一二两三四五六七八九十]+|(?:前|后)[一二两三四五六七八九十]+(?=位)"
    r"|[一二两三四五六七八九十]+(?=位|个|次|遍)"
)

#: Spoken forms of the ID check character X, folded to 叉 before scanning.
_X_WORDS: Final = ("艾克斯", "爱克斯", "埃克斯", "挨克斯", "艾克思", "爱克思")
#: Homophones of 叉 (chā): accepted as X only right after a digit.
_X_HOMOPHONES: Final = frozenset("差插查茶")
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
    YAO = auto()  # a homophone of 幺: 1 in, or at either edge of, a run of digits
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
        if not any(ch in CN_DIGITS for ch in run):
            return [_Item(_D.BREAK)]
        number = parse_number(tokenize(run), 0, allow_currency=False)
        if number is None or number.ambiguous or number.value != number.value.to_integral():
            return [_Item(_D.BREAK)]
        return [_Item(_D.DIGITS, str(int(number.value)))]
    return [_Item(_D.DIGITS, str(CN_DIGITS[ch])) for ch in run]


def _scan_digits(text: str) -> list[_Item]:
    text = _DIGIT_COUNTS.sub(" ", without_idioms(text))
    for word in _X_WORDS:
        text = text.replace(word, "叉")
    items: list[_Item] = []
    cjk_run = ""
    for match in _DIGIT_TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "cjk" and (token in CN_DIGITS or token in _CN_QUANTITY_UNITS):
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
            elif token in _YAO_HOMOPHONES:
                items.append(_Item(_D.YAO, "1"))
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
    if word in EN_UNITS:
        return [_Item(_D.DIGITS, str(EN_UNITS[word]))]
    if word in EN_TEENS:
        return [_Item(_D.DIGITS, str(EN_TEENS[word]))]
    if word in EN_TENS:
        return [_Item(_D.TENS, str(EN_TENS[word] // 10))]
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


def _yao_run_touches_digits(items: list[_Item], index: int) -> bool:
    """Whether the run of 幺 homophones around ``index`` touches a digit on either side."""
    for step in (-1, 1):
        at = index + step
        while 0 <= at < len(items) and items[at].kind is _D.YAO:
            at += step
        if 0 <= at < len(items) and items[at].kind is _D.DIGITS:
            return True
    return False


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
    if kind is _D.YAO:
        return item.value if _yao_run_touches_digits(items, index) else None
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
    between two digits; those heard for 幺 (要, 有, 腰 …) also at either end of the digits.

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
