"""Knowledge-based security questions drawn at random from the lender's registry data.

Kinds are drawn at random for each session, so a caller cannot rehearse a fixed set. The
birth date is never asked: the caller has just read it out as part of the ID number.
Answers arrive through speech recognition, so they are compared forgivingly: case, width,
spacing and punctuation are ignored, the usual suffixes (市, 银行, 有限公司, "Bank", "Ltd")
and a little filler ("是", "在", "it's") are optional, and numbers may be spoken in
Chinese or English words. Forgiving never means partial: "中国银行" and "中国建设银行"
stay different banks.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from lendline.identity.registry import CustomerRecord


class QuestionKind(StrEnum):
    """What a security question asks about (never the birth date; see the module docs)."""

    CITY = "city"
    EMPLOYER = "employer"
    BANK_NAME = "bank_name"
    ACCOUNT_LAST4 = "account_last4"
    CUSTOMER_SINCE_YEAR = "customer_since_year"


@dataclass(frozen=True, slots=True)
class SecurityQuestion:
    """A question and the answer the registry holds (never read out to the caller).

    Parameters:
        kind: what is asked.
        expected: the registry's answer, as stored.
    """

    kind: QuestionKind
    expected: str

    def __repr__(self) -> str:
        # The expected answer is a secret of sorts: keep it out of logs.
        return f"SecurityQuestion({self.kind.value})"


def question_for(record: CustomerRecord, kind: QuestionKind) -> SecurityQuestion:
    """Build the question of ``kind`` from ``record``.

    Args:
        record: the customer's registry record.
        kind: the kind of question.

    Returns:
        The question with the registry's answer.
    """
    expected = {
        QuestionKind.CITY: record.city,
        QuestionKind.EMPLOYER: record.employer,
        QuestionKind.BANK_NAME: record.bank_name,
        QuestionKind.ACCOUNT_LAST4: re.sub(r"\D", "", record.account_number)[-4:],
        QuestionKind.CUSTOMER_SINCE_YEAR: str(record.customer_since.year),
    }[kind]
    return SecurityQuestion(kind, expected.strip())


def draw_questions(
    record: CustomerRecord,
    rng: random.Random,
    count: int = 2,
    exclude: frozenset[QuestionKind] = frozenset(),
) -> tuple[SecurityQuestion, ...]:
    """Draw ``count`` questions of distinct random kinds the record can answer.

    Args:
        record: the customer's registry record.
        rng: the source of randomness (``random.SystemRandom()`` in production).
        count: how many questions.
        exclude: kinds not to ask (for example, ones already asked on this call).

    Returns:
        The questions, in the order to ask them.

    Raises:
        ValueError: if fewer than ``count`` kinds are left to ask.
    """
    if count < 0:
        raise ValueError("the number of questions cannot be negative")
    available = [
        question
        for kind in QuestionKind
        if kind not in exclude and (question := question_for(record, kind)).expected
    ]
    if count > len(available):
        raise ValueError(f"only {len(available)} question kinds available, {count} asked")
    return tuple(rng.sample(available, count))


def answer_matches(question: SecurityQuestion, answer: str) -> bool:
    """Whether a caller's answer matches the registry's.

    Args:
        question: the question asked.
        answer: what the caller said or keyed, as recognised.

    Returns:
        True if the answer is the registry's, allowing for the variations in the
        module docs.
    """
    if not question.expected:
        return False
    if question.kind in _NUMERIC:
        expected_digits = _fold(question.expected).replace(" ", "")
        return expected_digits.isdigit() and expected_digits in _number_readings(answer)
    return _words_match(question.expected, answer)


def sounds_unfinished(answer: str) -> bool:
    """Whether a recognised answer stops before the answer itself ("I work for", "我住在").

    Callers pause while recalling a name, and an end-of-turn model may take the pause for
    the end; the answer so far is then only filler or ends on a word no answer ends on. The
    voice line keeps listening rather than marking a half-said answer wrong.

    Args:
        answer: what the caller said so far, as recognised.

    Returns:
        True if nothing but lead-in has been said.
    """
    folded = _fold(answer)
    if not folded:
        return True
    words = folded.split()
    if words[-1] in _EN_DANGLING_END:
        return True
    squashed = folded.replace(" ", "")
    if squashed.endswith(_ZH_DANGLING_END):
        return True
    return (
        folded in _EN_FILLER_START
        or folded in _EN_LEAD_INS
        or squashed in _ZH_FILLER_START
        or squashed in _ZH_LEAD_INS
    )


def number_readings(answer: str) -> set[str]:
    """Every number a spoken or typed answer could be stating, as digit strings.

    "五六七八", "five six seven eight", "5 6 7 8" and "two thousand and five" all read as
    digits; separate numbers are given separately and also joined.

    Args:
        answer: what the caller said, as recognised.

    Returns:
        The candidate digit strings (empty when the answer holds no number).
    """
    return _number_readings(answer)


def names_agree(expected: str, answer: str) -> bool:
    """Whether ``answer`` names ``expected``, forgiving as :func:`answer_matches` is for words.

    Args:
        expected: a name as stored (a city, an employer, a bank).
        answer: what the caller said, or another stored name to compare with.

    Returns:
        True if the answer is, or states, the expected name.
    """
    return _words_match(expected, answer)


# --------------------------------------------------------------------------- numbers

#: Kinds answered with digits rather than words.
_NUMERIC: Final = frozenset({QuestionKind.ACCOUNT_LAST4, QuestionKind.CUSTOMER_SINCE_YEAR})

_ZH_DIGITS: Final = {
    "零": 0, "〇": 0, "洞": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_ZH_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMERAL: Final = re.compile(f"[{''.join(_ZH_DIGITS)}{''.join(_ZH_UNITS)}万]+")
_EN_UNITS: Final = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_EN_TEENS: Final = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_EN_TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_EN_SCALES: Final = {"hundred": 100, "thousand": 1000}
_EN_WORDS: Final = frozenset({*_EN_UNITS, *_EN_TEENS, *_EN_TENS, *_EN_SCALES, "and"})
_TOKEN: Final = re.compile(rf"[0-9]+|[a-z]+|{_ZH_NUMERAL.pattern}|\s+|.")


def _fold(text: str) -> str:
    """Width, case and punctuation folded away; words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _zh_value(numeral: str) -> int:
    """The value of a positional Chinese numeral: 两千零一十八 → 2018, 十二 → 12."""
    total, section, digit = 0, 0, None
    for char in numeral:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
        else:
            # A bare unit counts once: 十二 is twelve.
            section += (1 if digit is None else digit) * _ZH_UNITS[char]
            digit = None
    return total + section + (digit or 0)


def _zh_to_digits(numeral: str) -> str:
    """Digit-by-digit readings (二零一八) stay digits; positional ones become values."""
    if any(char in _ZH_UNITS or char == "万" for char in numeral):
        return str(_zh_value(numeral))
    return "".join(str(_ZH_DIGITS[char]) for char in numeral)


def _en_run_to_digits(words: list[str]) -> str:
    """Turn a run of English number words into digits.

    With "hundred" or "thousand" the run is a value ("two thousand and five" → 2005);
    otherwise each word or tens-unit pair is a group of digits, which covers digit strings
    ("five six seven eight") and years ("nineteen ninety eight", "twenty oh five").
    """
    words = [word for word in words if word != "and"]
    if any(word in _EN_SCALES for word in words):
        total, current = 0, 0
        for word in words:
            if word == "thousand":
                total += max(current, 1) * 1000
                current = 0
            elif word == "hundred":
                current = max(current, 1) * 100
            else:
                current += _EN_UNITS.get(word) or _EN_TEENS.get(word) or _EN_TENS.get(word, 0)
        return str(total + current)
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in _EN_TENS:
            following = words[index + 1] if index + 1 < len(words) else ""
            if _EN_UNITS.get(following, 0) > 0:
                out.append(str(_EN_TENS[word] + _EN_UNITS[following]))
                index += 2
                continue
            out.append(str(_EN_TENS[word]))
        elif word in _EN_TEENS:
            out.append(str(_EN_TEENS[word]))
        else:
            out.append(str(_EN_UNITS[word]))
        index += 1
    return "".join(out)


def _number_groups(answer: str) -> Iterator[str]:
    """Yield each number in the answer as digits; digits split only by spaces stay one number.

    "1 2 3 4" is one number (recognisers space out digit strings), while "2018年，六年前"
    holds two.
    """
    text = unicodedata.normalize("NFKC", answer).casefold()
    # Hyphenated English numbers ("twenty-one") and digit groups ("5678-1234") join up.
    text = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", " ", text)
    group: list[str] = []
    english: list[str] = []
    for token in _TOKEN.findall(text):
        if token.isspace():
            continue
        if token in _EN_WORDS and not (token == "and" and not english):
            english.append(token)
            continue
        if english:
            group.append(_en_run_to_digits(english))
            english = []
        if token.isascii() and token.isdigit():
            group.append(token)
        elif _ZH_NUMERAL.fullmatch(token):
            group.append(_zh_to_digits(token))
        elif group:
            yield "".join(group)
            group = []
    if english:
        group.append(_en_run_to_digits(english))
    if group:
        yield "".join(group)


def _number_readings(answer: str) -> set[str]:
    """Every number the answer could be stating (separate numbers, and all digits joined)."""
    groups = list(_number_groups(answer))
    return {*groups, "".join(groups)} if groups else set()


# --------------------------------------------------------------------------- words

#: Optional endings, longest first so "有限公司" goes before "公司".
_SUFFIXES: Final = (
    "股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "银行", "市",
    "co ltd", "company limited", "limited", "company", "corporation", "corp", "ltd", "inc",
    "group", "bank", "city",
)  # fmt: skip
_PREFIXES: Final = ("bank of", "the")
#: Shortest registry name (in CJK characters) looked for inside a longer answer.
_MIN_CJK_CONTAINED: Final = 2
#: Filler a recogniser passes through around the answer itself.
_ZH_FILLER_START: Final = (
    "我的是", "我用的是", "用的是", "应该是", "大概是", "就是", "我在", "在", "是", "嗯", "呃",
    "那个",
)  # fmt: skip
_ZH_FILLER_END: Final = ("吧", "啊", "呀", "呢", "了", "的")
_EN_FILLER_START: Final = (
    "i think", "it is", "it s", "its", "i work at", "i work for", "i live in", "in",
)  # fmt: skip
#: Words an answer cannot end on: a pause after them is the caller thinking, not finishing.
_EN_DANGLING_END: Final = frozenset(
    {"for", "at", "in", "of", "the", "a", "an", "and", "with", "is", "my", "um", "uh", "er"}
)
_ZH_DANGLING_END: Final = ("在", "是", "叫", "那个", "嗯", "呃", "就是")
#: Lead-ins said while recalling, before the answer itself.
_EN_LEAD_INS: Final = frozenset(
    {"let me see", "let me think", "let me check", "well", "hmm", "um", "uh", "so", "ok", "okay"}
)
_ZH_LEAD_INS: Final = frozenset({"让我想想", "我想想", "我想一下", "等一下", "这个", "嗯", "呃"})
#: Colloquial short names of the largest banks, by the name with "银行" removed.
_BANK_ALIASES: Final = {
    "中国工商": ("工商", "工行", "icbc"),
    "中国建设": ("建设", "建行", "ccb"),
    "中国农业": ("农业", "农行"),
    "中国": ("中行", "boc", "china"),
    "交通": ("交行",),
    "招商": ("招行", "cmb"),
    "中国邮政储蓄": ("邮政储蓄", "邮储", "邮政", "psbc"),
    "上海浦东发展": ("浦发", "浦东发展"),
}


def _strip_parentheses(text: str) -> str:
    # "阿里巴巴（中国）有限公司": the bracketed place is routinely left out when spoken.
    return re.sub(r"[(（][^)）]*[)）]", " ", unicodedata.normalize("NFKC", text))


def _core(text: str) -> str:
    """The name with case, spacing, brackets, optional prefixes and suffixes removed."""
    folded = _fold(_strip_parentheses(text))
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if folded.startswith(prefix + " "):
                folded, changed = folded[len(prefix) :].strip(), True
        for suffix in _SUFFIXES:
            # Latin suffixes must be whole words ("Eurobank" keeps its "bank").
            ending = " " + suffix if suffix.isascii() else suffix
            if folded.endswith(ending) and len(folded) > len(ending):
                folded, changed = folded[: -len(suffix)].strip(), True
                break
    return folded.replace(" ", "")


def _without_filler(folded: str) -> str:
    """The answer without the filler words a recogniser passes through around it."""
    changed = True
    while changed and folded:
        changed = False
        for filler in _EN_FILLER_START:
            if folded.startswith(filler + " "):
                folded, changed = folded[len(filler) :].strip(), True
        squashed = folded.replace(" ", "")
        for filler in _ZH_FILLER_START:
            if squashed.startswith(filler) and len(squashed) > len(filler):
                folded, changed = squashed[len(filler) :], True
                break
        for filler in _ZH_FILLER_END:
            if folded.endswith(filler) and len(folded) > len(filler):
                folded, changed = folded[: -len(filler)].strip(), True
                break
    return folded


def _variants(core: str) -> set[str]:
    """Names the core is also known by (bank short names)."""
    names = {core}
    for full, aliases in _BANK_ALIASES.items():
        if core == full or core in aliases:
            names.update({full, *aliases})
    return names


def _words_match(expected: str, answer: str) -> bool:
    expected_core = _core(expected)
    answer_core = _core(_without_filler(_fold(_strip_parentheses(answer))))
    if not expected_core or not answer_core:
        return False
    if answer_core in _variants(expected_core):
        return True
    # The full registry name said inside a longer sentence ("我现在在杭州工作"); Latin
    # names must stand as whole words, so "Ford" is not found in "Oxford".
    expected_full = _fold(_strip_parentheses(expected))
    said = _fold(_strip_parentheses(answer))
    if expected_full.isascii():
        return f" {expected_full} " in f" {said} "
    squashed = expected_full.replace(" ", "")
    return len(squashed) >= _MIN_CJK_CONTAINED and squashed in said.replace(" ", "")
