"""Text clean-up shared by every parser: one canonical form for recogniser output.

Whisper may answer in Traditional characters, full-width digits and letters, mixed case,
typographic quotes and irregular spacing. :func:`normalize` maps all of that onto one form
so the lexicons only need to list Simplified, half-width, lower-case spellings.
:func:`clauses` and :func:`sentences` are the one place a turn is cut into parts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Final

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
# NFKC leaves typographic quotes alone; the lexicons spell "that's" with a plain apostrophe.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@lru_cache(maxsize=1)
def _traditional_to_simplified() -> Callable[[str], str]:
    """Return a Traditional→Simplified converter, or the identity if none is installed.

    The converter is imported here, lazily, because it loads its dictionaries on first
    use (a fraction of a second) and because the NLU must keep working, only less well,
    where the optional converter package is absent.
    """
    try:
        from opencc_purepy import OpenCC
    except ImportError:
        return _identity
    converter = OpenCC("t2s")

    def convert(text: str) -> str:
        result = converter.convert(text)
        return result if isinstance(result, str) else text

    return convert


def _identity(text: str) -> str:
    return text


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters in ``text`` to Simplified ones.

    Args:
        text: Any text; text without Chinese characters is returned unchanged.

    Returns:
        The Simplified text, or ``text`` itself when no converter is installed.
    """
    if not _CJK.search(text):
        # Skips loading the dictionaries for English calls.
        return text
    return _traditional_to_simplified()(text)


def normalize(text: str) -> str:
    """Bring recogniser output to the one form every parser expects.

    NFKC folds full-width digits, letters and punctuation to their ASCII forms (so
    "１３８" becomes "138" and "，" becomes ","), Traditional characters become Simplified,
    Latin letters become lower case and runs of whitespace become one space.

    Args:
        text: Raw recogniser output or typed chat text.

    Returns:
        The normalised text, stripped at both ends. Normalising twice changes nothing.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    simplified = to_simplified(folded)
    return _SPACES.sub(" ", simplified.lower()).strip()


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P") or ch in "~`^|"


def strip_punct(text: str) -> str:
    """Replace punctuation with spaces and collapse whitespace.

    Apostrophes between letters ("don't") and dots or commas between digits ("1.5",
    "15,000") are kept, because they belong to the word or number.

    Args:
        text: Any text, normally already passed through :func:`normalize`.

    Returns:
        The text without punctuation, single-spaced and stripped.
    """
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if _is_punct(ch):
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i < last else ""
            if ch == "'" and before.isalpha() and after.isalpha() and before.isascii():
                out.append("'")
                continue
            if ch in ".," and before.isdigit() and after.isdigit():
                out.append(ch)
                continue
            out.append(" ")
        else:
            out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip()


def word_length(text: str) -> int:
    """How long an utterance is in words: Latin words plus Chinese characters halved.

    A rough measure for "said little else" ("利率？", "二十四期吧？", "No."), where Chinese
    has no spaces to count.
    """
    latin = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())
    chinese = re.findall(r"[\u3400-\u9fff]", text)
    return len(latin) + len(chinese) // 2


#: Where clauses end. A comma or point between digits belongs to the number ("26,000",
#: "1.5万"); 、 lists parts of one thing but still ends the part a negation reaches.
_CLAUSE_PUNCT: Final = r"(?<!\d)[,.]|[,.](?!\d)|[!?;:、，。！？；：…\"()]"
#: Dashes, for readers that take what follows one as a clause of its own: "twelve months —
#: one year" restates a term, while "separate consent — no" is one answer to a yes/no.
DASHES: Final = ("—", "–")
#: Where sentences end (a point between digits is a decimal point).
_SENTENCE_END: Final = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[!?。！？…])+")


@lru_cache(maxsize=16)
def _clause_breaks(joiners: tuple[str, ...]) -> re.Pattern[str]:
    # Words join clauses between spaces ("but"); marks (dashes) with or without them.
    words = "".join(
        rf"|\s+{re.escape(word)}\s+" if word.isalpha() else rf"|\s*(?:{re.escape(word)})+\s*"
        for word in joiners
    )
    return re.compile(rf"(?:{_CLAUSE_PUNCT})+{words}")


def clause_spans(text: str, joiners: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """Where the clauses of ``text`` are: (start, end) of each, stripped, in order.

    Split at punctuation, and at ``joiners`` ("but", or :data:`DASHES`) if given. The one
    definition every reader of parts of a turn shares, so that "一万五，不对，两万" and
    "twenty-six thousand, well, 26,000" are cut at the same places everywhere.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for brk in [*_clause_breaks(joiners).finditer(text), None]:
        end = brk.start() if brk else len(text)
        part = text[start:end]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            spans.append((start + lead, start + len(part.rstrip())))
        start = brk.end() if brk else end
    return spans


def clauses(text: str, joiners: tuple[str, ...] = ()) -> list[str]:
    """The clauses of ``text`` (see :func:`clause_spans`), stripped, in order."""
    return [text[start:end] for start, end in clause_spans(text, joiners)]


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (split at . ! ? and their Chinese forms), stripped."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
