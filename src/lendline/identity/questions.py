"""Knowledge-based security questions drawn at random from the lender's registry data.

Kinds are drawn at random for each session, so a caller cannot rehearse a fixed set. The
birth date is never asked: the caller has just read it out as part of the ID number.
Answers are compared forgivingly (spacing, case, width, common suffixes, spoken digits),
since they arrive through speech recognition.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from lendline.identity.registry import CustomerRecord


class QuestionKind(StrEnum):
    """What a security question asks about."""

    CITY = "city"
    EMPLOYER = "employer"
    BANK_NAME = "bank_name"
    ACCOUNT_LAST4 = "account_last4"
    CUSTOMER_SINCE_YEAR = "customer_since_year"


@dataclass(frozen=True, slots=True)
class SecurityQuestion:
    """A question and the answer the registry holds (never shown to the caller)."""

    kind: QuestionKind
    expected: str


#: Kinds answered with digits rather than words.
_NUMERIC = frozenset({QuestionKind.ACCOUNT_LAST4, QuestionKind.CUSTOMER_SINCE_YEAR})
_DIGIT_WORDS = {
    "零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
    "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_EN_YEAR = re.compile(r"\b(twenty|nineteen)\s+(\w+)(?:\s+(\w+))?")
_TENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
         "thirty": 30}  # fmt: skip
_SUFFIXES = ("有限责任公司", "有限公司", "股份有限公司", "集团", "公司", "银行", "市", "省",
             "co ltd", "company", "ltd", "inc", "bank", "city")  # fmt: skip


def question_for(record: CustomerRecord, kind: QuestionKind) -> SecurityQuestion:
    """Build the question of ``kind`` from ``record``."""
    expected = {
        QuestionKind.CITY: record.city,
        QuestionKind.EMPLOYER: record.employer,
        QuestionKind.BANK_NAME: record.bank_name,
        QuestionKind.ACCOUNT_LAST4: record.account_number[-4:],
        QuestionKind.CUSTOMER_SINCE_YEAR: str(record.customer_since.year),
    }[kind]
    return SecurityQuestion(kind, expected)


def draw_questions(
    record: CustomerRecord,
    rng: random.Random,
    count: int = 2,
    exclude: frozenset[QuestionKind] = frozenset(),
) -> tuple[SecurityQuestion, ...]:
    """Draw ``count`` questions of distinct random kinds the record can answer."""
    kinds = [kind for kind in QuestionKind if kind not in exclude]
    kinds = [kind for kind in kinds if question_for(record, kind).expected.strip()]
    if count > len(kinds):
        raise ValueError(f"only {len(kinds)} question kinds available, {count} asked")
    return tuple(question_for(record, kind) for kind in rng.sample(kinds, count))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\W_]+", " ", text).strip()


def _digits(text: str) -> str:
    folded = _fold(text)
    # "twenty nineteen" / "nineteen ninety eight" style years.
    match = _EN_YEAR.search(folded)
    if match and not any(ch.isdigit() for ch in folded):
        head = {"twenty": "20", "nineteen": "19"}[match.group(1)]
        rest = [w for w in match.groups()[1:] if w]
        value = sum(_TENS.get(w, 0) or int(_DIGIT_WORDS.get(w, "0")) for w in rest)
        if value or rest:
            return f"{head}{value:02d}"
    out = []
    for token in re.findall(r"[a-z]+|\d|[^\sa-z\d]", folded):
        if token.isdigit():
            out.append(token)
        elif token in _DIGIT_WORDS:
            out.append(_DIGIT_WORDS[token])
    return "".join(out)


def _strip_suffix(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def answer_matches(question: SecurityQuestion, answer: str) -> bool:
    """Whether a caller's answer matches the registry's."""
    if question.kind in _NUMERIC:
        given = _digits(answer)
        return bool(given) and given.endswith(question.expected)
    expected = _strip_suffix(_fold(question.expected)).replace(" ", "")
    given = _fold(answer).replace(" ", "")
    if not expected or not given:
        return False
    return expected in given or _strip_suffix(given) == expected
