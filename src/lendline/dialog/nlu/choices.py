"""Closed choices: the call's language; purposes and jobs are re-exported from their modules.

What the loan is for lives in ``nlu.purpose`` and how the caller earns in
``nlu.employment``, each with a versioned vocabulary file.
"""

from __future__ import annotations

from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.employment import classify_employment
from lendline.dialog.nlu.purpose import classify_purpose
from lendline.dialog.nlu.text import normalize, strip_punct

__all__ = ["classify_employment", "classify_purpose", "parse_language_choice"]

# ----------------------------------------------------------------------------------------
# Language
# ----------------------------------------------------------------------------------------

_LANGUAGE_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "zh": ("中文", "普通话", "汉语", "国语", "华语", "中国话", "chinese", "mandarin", "putonghua"),
    # "英俊": how Whisper base, listening for Mandarin, writes "English (please)" said over
    # a phone line (measured on the SIP line tests, clean and lossy); nobody choosing a
    # language says "handsome".
    "en": ("英文", "英语", "english", "英俊"),
}
_LANGUAGE_NUMBERS: Final[dict[str, frozenset[str]]] = {
    "zh": frozenset({"1", "一", "幺", "one", "第一", "第一个"}),
    "en": frozenset({"2", "二", "两", "two", "第二", "第二个"}),
}
_CHOICE_FILLER: Final = (
    "我选",
    "选",
    "按",
    "请",
    "吧",
    "号",
    "please",
    "press",
    "option",
    "number",
    "i choose",
    "i'll take",
    "choose",
)


def parse_language_choice(text: str) -> str | None:
    """Read the caller's choice of language.

    Args:
        text: Recogniser output or typed text: a language name (中文, 普通话, 汉语, 国语,
            Chinese, Mandarin / English, 英文, 英语) or the menu number (1/一/one for
            Mandarin, 2/二/two for English, said on its own).

    Returns:
        "zh", "en", or None if no single language was chosen.
    """
    said = strip_punct(normalize(text))
    named = {lang for lang, names in _LANGUAGE_NAMES.items() if _match.contains_any(said, names)}
    if len(named) == 1:
        return named.pop()
    if named:
        return None
    core = _match.remove(said, _CHOICE_FILLER).replace(" ", "")
    for lang, numbers in _LANGUAGE_NUMBERS.items():
        if core in numbers:
            return lang
    return None
