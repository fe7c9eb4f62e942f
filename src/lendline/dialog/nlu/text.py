"""Text clean-up shared by every parser: one canonical form for recogniser output.

Whisper may answer in Traditional characters, full-width digits and letters, mixed case,
typographic quotes and irregular spacing. :func:`normalize` maps all of that onto one form
so the lexicons only need to list Simplified, half-width, lower-case spellings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

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
