"""Phrase matching shared by the lexicon-based parsers (internal).

Chinese has no spaces, so a Chinese phrase matches as a substring; an English phrase
matches on word boundaries ("agree" must not match inside "disagree"), with any run of
spaces or hyphens between its words. Both kinds of phrase are looked up in every text,
because callers and the recogniser mix the two languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

_CJK: Final = re.compile(r"[\u3400-\u9fff]")
#: Marks that end the reach of a negation: "不光装修，还想炒股" is not negated.
_CLAUSE_MARKS: Final = frozenset(',.!?;:、。！？；：…"()，')
_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

#: Chinese negators looked for just before a keyword ("不是用来炒股", "没有工作").
_ZH_NEGATORS: Final = ("不", "没", "非", "无", "别")
#: "not only" is no negation: 不光装修还想炒股 still means stocks.
_ZH_NOT_NEGATIONS: Final = ("不光", "不仅", "不只", "不但", "不止", "无论")
_NOT_ONLY: Final = re.compile(r"\bnot (?:only|just)\b")
_EN_NEGATORS: Final = frozenset({"not", "no", "never", "nor", "without"})
#: "不是用来付房款的": a use ruled out reaches to the end of its clause, past the window.
_NOT_FOR: Final = re.compile(r"不是(?:用来|拿来|为了|要)|并不是|不用来|不拿来")
_ZH_WINDOW: Final = 4
_EN_WINDOW: Final = 4


def is_cjk(phrase: str) -> bool:
    """Whether ``phrase`` contains a Chinese character (and so matches as a substring)."""
    return bool(_CJK.search(phrase))


@lru_cache(maxsize=2048)
def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<![a-z0-9'])" + r"[\s\-]+".join(words) + r"(?![a-z0-9])")


def find(text: str, phrase: str) -> int:
    """Position of the first match of ``phrase`` in normalised ``text``, or -1."""
    if is_cjk(phrase):
        return text.find(phrase)
    match = _pattern(phrase).search(text)
    return match.start() if match else -1


def find_all(text: str, phrase: str) -> list[int]:
    """Positions of every match of ``phrase`` in normalised ``text``."""
    if is_cjk(phrase):
        return [m.start() for m in re.finditer(re.escape(phrase), text)]
    return [m.start() for m in _pattern(phrase).finditer(text)]


def contains(text: str, phrase: str) -> bool:
    """Whether normalised ``text`` contains ``phrase``."""
    return find(text, phrase) >= 0


def contains_any(text: str, phrases: Iterable[str]) -> bool:
    """Whether normalised ``text`` contains any of ``phrases``."""
    return any(find(text, phrase) >= 0 for phrase in phrases)


def remove(text: str, phrases: Iterable[str]) -> str:
    """``text`` with every match of ``phrases`` replaced by a space."""
    for phrase in phrases:
        text = text.replace(phrase, " ") if is_cjk(phrase) else _pattern(phrase).sub(" ", text)
    return text


def words(text: str) -> list[str]:
    """The Latin words and numbers of normalised ``text`` (apostrophes kept)."""
    return _WORD.findall(text)


def negated_at(text: str, position: int) -> bool:
    """Whether a negation comes just before ``position``, within the same clause.

    Looks back four Chinese characters or four English words, stopping at punctuation:
    "不是用来炒股" and "not for stocks" are negated, "装修完再炒股" and "不光装修，还想炒股"
    are not.
    """
    start = position
    while start > 0 and text[start - 1] not in _CLAUSE_MARKS:
        start -= 1
    before = text[start:position]
    zh_window = before[-_ZH_WINDOW:]
    for harmless in _ZH_NOT_NEGATIONS:
        zh_window = zh_window.replace(harmless, " ")
    if any(neg in zh_window for neg in _ZH_NEGATORS) or _NOT_FOR.search(before):
        return True
    recent = words(_NOT_ONLY.sub(" ", before))[-_EN_WINDOW:]
    return any(word in _EN_NEGATORS or word.endswith("n't") for word in recent)
