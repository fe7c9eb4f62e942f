"""Word cues of fraud in what the caller says: coaching, urgency, scam fees, guarantor confusion.

The phrases live in versioned data files (``lexicons/zh.toml``, ``lexicons/en.toml``) so a
reviewer can read and change them without reading code, and every count can be traced to
the lexicon version that produced it. Matching works on recogniser output: the text is
folded to one form first (NFKC turns full-width letters, digits and punctuation into
half-width, letters are lower-cased); Mandarin is matched with all spaces and punctuation
removed, because Whisper spaces Chinese irregularly; English is matched on whole words,
and a phrase ending in ``*`` takes any word ending. Traditional→Simplified conversion is
done upstream by the dialog's text clean-up, which this core module does not import.

A cue is evidence for a human reviewer or a step-up check, never a reason to decline.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Final

#: Languages with a lexicon.
LANGUAGES: Final = ("zh", "en")

_ZH_DROP = re.compile(r"[\W_]+")
_EN_DROP = re.compile(r"[^\w']+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "`": "'"})


class CueKind(StrEnum):
    """What a phrase is evidence of."""

    FILLER = "filler"
    COACHING = "coaching"
    URGENCY = "urgency"
    SCAM = "scam"
    GUARANTOR = "guarantor"


@dataclass(frozen=True, slots=True)
class Cue:
    """One phrase heard in a caller turn.

    Parameters:
        kind: what the phrase is evidence of.
        phrase: the lexicon entry that matched (not the caller's words around it).
        lexicon: version of the lexicon that holds the phrase.
    """

    kind: CueKind
    phrase: str
    lexicon: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """One language's cue phrases.

    Parameters:
        language: "zh" or "en".
        version: the data file's version, recorded with every count.
        phrases: the phrases of each kind, as written in the data file.
        scam_with_the_loan: fee and deposit words that also name ordinary payments ("保证金"
            of a franchise, an apartment's "security deposit"): scam cues only in a turn
            that also says one of ``loan_context`` (the payout, the lender, a question
            about its charges).
        loan_context: what ties a fee to the loan or the lender.
    """

    language: str
    version: str
    phrases: dict[CueKind, tuple[str, ...]]
    scam_with_the_loan: tuple[str, ...] = ()
    loan_context: tuple[str, ...] = ()

    def scan(self, text: str) -> tuple[Cue, ...]:
        """Return the cues in ``text``, in order, longest phrase first where two overlap."""
        folded = fold(text, self.language)
        if not folded:
            return ()
        found: list[tuple[int, int, CueKind, str]] = []
        for kind, phrase, pattern in _patterns(self):
            found.extend((m.start(), m.end(), kind, phrase) for m in pattern.finditer(folded))
        if any(pattern.search(folded) for pattern in _context(self)):
            for phrase, pattern in _loan_fees(self):
                hits = pattern.finditer(folded)
                found.extend((m.start(), m.end(), CueKind.SCAM, phrase) for m in hits)
        # "解冻费" and "解冻" at the same place are one cue: keep the longest match.
        found.sort(key=lambda hit: (hit[0] - hit[1], hit[0]))
        kept: list[tuple[int, int, CueKind, str]] = []
        for hit in found:
            if all(hit[1] <= other[0] or hit[0] >= other[1] for other in kept):
                kept.append(hit)
        kept.sort()
        return tuple(Cue(kind, phrase, self.version) for _, _, kind, phrase in kept)


def fold(text: str, language: str) -> str:
    """Bring recogniser output to the form the phrases are matched in.

    Mandarin loses every space and punctuation mark ("解 冻 费" → "解冻费"); English keeps
    single spaces between words, with a space at each end so whole words can be found.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    if language == "zh":
        return _ZH_DROP.sub("", text)
    words = _EN_DROP.sub(" ", text).strip()
    return f" {words} " if words else ""


def _compile(phrase: str, language: str) -> re.Pattern[str]:
    prefix = phrase.endswith("*")
    body = phrase.rstrip("*")
    if language == "zh":
        return re.compile(re.escape(fold(body, "zh")))
    words = fold(body, "en").split()
    ending = r"[\w']*" if prefix else ""
    return re.compile(r"(?<=\s)" + r"\s".join(map(re.escape, words)) + ending + r"(?=\s)")


@cache
def _patterns(lexicon: Lexicon) -> tuple[tuple[CueKind, str, re.Pattern[str]], ...]:
    return tuple(
        (kind, phrase, _compile(phrase, lexicon.language))
        for kind, phrases in lexicon.phrases.items()
        for phrase in phrases
    )


@cache
def _loan_fees(lexicon: Lexicon) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((p, _compile(p, lexicon.language)) for p in lexicon.scam_with_the_loan)


@cache
def _context(lexicon: Lexicon) -> tuple[re.Pattern[str], ...]:
    return tuple(_compile(p, lexicon.language) for p in lexicon.loan_context)


@cache
def load_lexicon(language: str) -> Lexicon:
    """Return the packaged lexicon for ``language`` ("zh" or "en")."""
    if language not in LANGUAGES:
        raise ValueError(f"no cue lexicon for language {language!r}")
    raw = files("lendline.risk.fraud.lexicons").joinpath(f"{language}.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    cues = data["cues"]
    phrases = {kind: tuple(str(p) for p in cues.get(kind.value, ())) for kind in CueKind}
    loan_fees = data.get("scam_with_the_loan", {})
    return Lexicon(
        language=language,
        version=str(data["meta"]["version"]),
        phrases=phrases,
        scam_with_the_loan=tuple(str(p) for p in loan_fees.get("phrases", ())),
        loan_context=tuple(str(p) for p in loan_fees.get("context", ())),
    )


def lexicon_version(language: str) -> str:
    """Return the version of the packaged lexicon for ``language``."""
    return load_lexicon(language).version


def scan(text: str, language: str | None) -> tuple[Cue, ...]:
    """Return the cues heard in one caller turn.

    Args:
        text: what the recogniser heard, or what the caller typed.
        language: the call's language; None (not chosen yet) scans with every lexicon.
    """
    if language in LANGUAGES:
        return load_lexicon(language).scan(text)
    return tuple(cue for lang in LANGUAGES for cue in load_lexicon(lang).scan(text))


def count(cues: tuple[Cue, ...], kind: CueKind) -> int:
    """Return how many of ``cues`` are of ``kind``."""
    return sum(1 for cue in cues if cue.kind is kind)
