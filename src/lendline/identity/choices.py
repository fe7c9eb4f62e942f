"""Security questions asked as a choice: the registry's answer among plausible distractors.

"您在以下哪家银行开户：招商银行、工商银行还是建设银行？" A caller who knows their own data
picks it at once; a caller who does not faces a one-in-three (or four) guess instead of an
open question they might research. Distractors come from a built-in list per kind (cities,
banks, employers, in the script the registry holds), optionally widened with values other
customers share (bank names held by several customers; never an employer, which could point
at a person), and for numbers from nearby values (the last four digits with one digit
changed, years a few either side, never in the future). A distractor that the forgiving
matcher of :mod:`lendline.identity.questions` would confuse with the answer, or with another
choice, is never offered, so every choice is told apart by the matcher.

A caller answers by naming the choice or by its place ("第二个", "the second one", or the
key 2). An answer naming more than one choice is not accepted.

Sets are never repeated for one customer: each drawn set (its kinds and choices, order
ignored) is fingerprinted with a keyed hash (HMAC; the key stays outside the database, so the
stored fingerprint gives neither the choices nor the answer away) and a set whose fingerprint
was drawn before is drawn again. When the sets a customer's data allows run out,
:class:`QuestionSetsExhausted` is raised. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from lendline.identity.questions import (
    QuestionKind,
    SecurityQuestion,
    answer_matches,
    names_agree,
    question_for,
)
from lendline.identity.registry import CustomerRecord

__all__ = [
    "BUILT_IN_DISTRACTORS",
    "ChoicePolicy",
    "ChoiceQuestion",
    "QuestionSet",
    "QuestionSetsExhausted",
    "choice_answer_matches",
    "distractor_pool",
    "draw_question_set",
    "ordinal_choice",
]

#: Built-in distractors per kind and script ("zh": Chinese characters, "en": Latin).
BUILT_IN_DISTRACTORS: Final[Mapping[QuestionKind, Mapping[str, tuple[str, ...]]]] = {
    QuestionKind.CITY: {
        "zh": ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "重庆", "天津",
               "西安", "苏州", "长沙", "郑州", "青岛", "厦门"),
        "en": ("Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Hangzhou", "Chengdu", "Wuhan",
               "Nanjing", "Chongqing", "Tianjin", "Xi'an", "Suzhou", "Changsha", "Zhengzhou",
               "Qingdao", "Xiamen"),
    },
    QuestionKind.BANK_NAME: {
        "zh": ("工商银行", "建设银行", "农业银行", "中国银行", "交通银行", "招商银行", "邮储银行",
               "浦发银行", "兴业银行", "民生银行", "中信银行", "平安银行", "光大银行"),
        "en": ("ICBC", "China Construction Bank", "Agricultural Bank of China", "Bank of China",
               "Bank of Communications", "China Merchants Bank", "Ping An Bank",
               "China CITIC Bank", "Industrial Bank", "China Minsheng Bank",
               "China Everbright Bank", "Shanghai Pudong Development Bank"),
    },
    QuestionKind.EMPLOYER: {
        "zh": ("中国移动", "华为", "腾讯", "阿里巴巴", "中国石油", "国家电网", "比亚迪", "京东",
               "美团", "中国平安", "中国电信", "顺丰速运", "小米", "海尔", "万科"),
        "en": ("China Mobile", "Huawei", "Tencent", "Alibaba", "PetroChina", "State Grid",
               "BYD", "JD.com", "Meituan", "Ping An Insurance", "China Telecom", "SF Express",
               "Xiaomi", "Haier", "Lenovo"),
    },
}  # fmt: skip

#: Kinds answered with digits; their distractors are nearby numbers.
_NUMERIC: Final = frozenset({QuestionKind.ACCOUNT_LAST4, QuestionKind.CUSTOMER_SINCE_YEAR})
#: The enumeration of every set is used only when the space is at most this large.
_ENUMERATION_CAP: Final = 20_000


class QuestionSetsExhausted(LookupError):
    """Raised when every question set the customer's data allows has been drawn before."""


@dataclass(frozen=True, slots=True)
class ChoicePolicy:
    """How choice questions are built.

    Parameters:
        min_distractors: fewest wrong choices per question (2: a one-in-three guess).
        max_distractors: most wrong choices per question (3: a one-in-four guess; more is too
            long to hold in mind on the phone).
        year_spread: distractor years lie at most this many years either side.
        use_built_in: draw names from :data:`BUILT_IN_DISTRACTORS` (off only in tests that
            need a small space).
        attempts: random draws tried before the space is enumerated to find an unused set.
    """

    min_distractors: int = 2
    max_distractors: int = 3
    year_spread: int = 4
    use_built_in: bool = True
    attempts: int = 64

    def __post_init__(self) -> None:
        if not 1 <= self.min_distractors <= self.max_distractors:
            raise ValueError("distractors: need 1 <= min <= max")
        if self.year_spread < 1 or self.attempts < 1:
            raise ValueError("year_spread and attempts must be positive")


@dataclass(frozen=True, slots=True)
class ChoiceQuestion:
    """A question asked as a choice, with the choices in the order they are read out.

    Parameters:
        kind: what is asked.
        choices: the choices as read out; exactly one is the registry's answer.
        answer_index: where the registry's answer is among ``choices`` (never shown).
    """

    kind: QuestionKind
    choices: tuple[str, ...]
    answer_index: int

    def __post_init__(self) -> None:
        if not 0 <= self.answer_index < len(self.choices):
            raise ValueError("the answer must be one of the choices")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must differ")

    def __repr__(self) -> str:
        # The answer is a secret of sorts: keep it (and its place) out of logs.
        return f"ChoiceQuestion({self.kind.value}, {len(self.choices)} choices)"

    @property
    def expected(self) -> str:
        """The registry's answer."""
        return self.choices[self.answer_index]

    def canonical(self) -> str:
        """The question's identity for fingerprints: kind and choices, order ignored."""
        return self.kind.value + "=" + "\x1e".join(sorted(self.choices))


@dataclass(frozen=True, slots=True)
class QuestionSet:
    """The questions drawn for one session, in the order they are asked.

    Parameters:
        questions: the choice questions.
    """

    questions: tuple[ChoiceQuestion, ...]

    @property
    def kinds(self) -> tuple[QuestionKind, ...]:
        """The kinds asked, in order."""
        return tuple(question.kind for question in self.questions)

    def fingerprint(self, key: bytes, customer_id: str) -> str:
        """A keyed hash of the set's kinds and choices (question and choice order ignored).

        Args:
            key: the server-side HMAC key (kept outside the database).
            customer_id: the customer the set was drawn for.

        Returns:
            64 hex digits; equal for the same customer and the same set, whatever the order.
        """
        canonical = "\x1d".join(sorted(question.canonical() for question in self.questions))
        message = f"question-set\x1f{customer_id}\x1f{canonical}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()


def _script(text: str) -> str:
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def _confusable(kind: QuestionKind, left: str, right: str) -> bool:
    """Whether the matcher could take one value for the other (so both cannot be offered)."""
    if kind in _NUMERIC:
        return _digits(left) == _digits(right)
    return names_agree(left, right) or names_agree(right, left)


def distractor_pool(
    record: CustomerRecord,
    kind: QuestionKind,
    *,
    peers: Sequence[str] = (),
    today: date | None = None,
    policy: ChoicePolicy | None = None,
) -> tuple[str, ...]:
    """Every value that may be offered as a wrong choice for ``kind``.

    Args:
        record: the customer's registry record.
        kind: the kind of question.
        peers: values other customers share for this kind (names only).
        today: the current date; distractor years never lie after its year.
        policy: the construction rules (the defaults if None).

    Returns:
        Distinct candidates, none confusable with the registry's answer, in a fixed order.
    """
    policy = policy or ChoicePolicy()
    expected = question_for(record, kind).expected
    if not expected:
        return ()
    candidates: list[str] = []
    if kind is QuestionKind.ACCOUNT_LAST4:
        # Nearby: the same four digits with one of them changed.
        for position, digit in itertools.product(range(len(expected)), "0123456789"):
            if expected[position] != digit:
                candidates.append(expected[:position] + digit + expected[position + 1 :])
    elif kind is QuestionKind.CUSTOMER_SINCE_YEAR:
        year = int(expected)
        latest = today.year if today is not None else year + policy.year_spread
        for offset in range(1, policy.year_spread + 1):
            candidates += [str(y) for y in (year - offset, year + offset) if y <= latest]
    else:
        script = _script(expected)
        built_in = BUILT_IN_DISTRACTORS.get(kind, {}).get(script, ())
        same_script = [peer.strip() for peer in peers if peer.strip() and _script(peer) == script]
        candidates = [*(built_in if policy.use_built_in else ()), *same_script]
    pool: list[str] = []
    for candidate in candidates:
        if _confusable(kind, expected, candidate):
            continue
        if any(_confusable(kind, kept, candidate) for kept in pool):
            continue
        pool.append(candidate)
    return tuple(pool)


def _ask(
    kind: QuestionKind, expected: str, distractors: Sequence[str], rng: random.Random
) -> ChoiceQuestion:
    choices = [expected, *distractors]
    rng.shuffle(choices)
    return ChoiceQuestion(kind, tuple(choices), choices.index(expected))


def _space_size(
    pools: Mapping[QuestionKind, Sequence[str]], count: int, policy: ChoicePolicy
) -> int:
    per_kind = {
        kind: sum(
            math.comb(len(pool), size)
            for size in range(policy.min_distractors, policy.max_distractors + 1)
        )
        for kind, pool in pools.items()
    }
    return sum(
        math.prod(per_kind[kind] for kind in combination)
        for combination in itertools.combinations(pools, count)
    )


def _every_set(
    record: CustomerRecord,
    pools: Mapping[QuestionKind, Sequence[str]],
    count: int,
    policy: ChoicePolicy,
) -> Iterator[tuple[tuple[QuestionKind, str, tuple[str, ...]], ...]]:
    """Every set as (kind, answer, distractors) triples, kinds in a fixed order."""
    for combination in itertools.combinations(pools, count):
        options = [
            [
                (kind, question_for(record, kind).expected, subset)
                for size in range(policy.min_distractors, policy.max_distractors + 1)
                for subset in itertools.combinations(pools[kind], size)
            ]
            for kind in combination
        ]
        yield from itertools.product(*options)


def draw_question_set(
    record: CustomerRecord,
    rng: random.Random,
    count: int,
    *,
    fingerprint: Callable[[QuestionSet], str],
    seen: frozenset[str] = frozenset(),
    peers: Mapping[QuestionKind, Sequence[str]] | None = None,
    today: date | None = None,
    exclude: frozenset[QuestionKind] = frozenset(),
    policy: ChoicePolicy | None = None,
) -> QuestionSet:
    """Draw ``count`` choice questions of distinct random kinds, as a set not drawn before.

    The kinds are drawn first, exactly as :func:`lendline.identity.questions.draw_questions`
    draws them (the same ``rng`` gives the same kinds), then the distractors and the order of
    the choices.

    Args:
        record: the customer's registry record.
        rng: the source of randomness (``random.SystemRandom()`` in production).
        count: how many questions.
        fingerprint: the keyed fingerprint of a set (``QuestionSet.fingerprint`` bound to
            the key and customer).
        seen: fingerprints of the sets drawn for this customer before.
        peers: values other customers share, by kind, to widen the name lists.
        today: the current date (no distractor year after it).
        exclude: kinds not to ask.
        policy: the construction rules (the defaults if None).

    Returns:
        The questions, in the order to ask them.

    Raises:
        ValueError: if fewer than ``count`` kinds can be asked as a choice.
        QuestionSetsExhausted: if every possible set was drawn before.
    """
    policy = policy or ChoicePolicy()
    if count < 1:
        raise ValueError("at least one question is drawn")
    available = [
        kind for kind in QuestionKind if kind not in exclude and question_for(record, kind).expected
    ]
    pools = {
        kind: pool
        for kind in available
        if len(
            pool := distractor_pool(
                record, kind, peers=(peers or {}).get(kind, ()), today=today, policy=policy
            )
        )
        >= policy.min_distractors
    }
    # Same draw of kinds as the open questions had, for repeatable seeded runs.
    kinds = rng.sample(available, min(count, len(available))) if available else []
    askable = [kind for kind in available if kind in pools]
    if count > len(askable):
        raise ValueError(f"only {len(askable)} question kinds available, {count} asked")
    for attempt in range(policy.attempts):
        if attempt or any(kind not in pools for kind in kinds):
            kinds = rng.sample(askable, count)
        drawn = QuestionSet(
            tuple(
                _ask(
                    kind,
                    question_for(record, kind).expected,
                    rng.sample(
                        pools[kind],
                        rng.randint(
                            policy.min_distractors,
                            min(policy.max_distractors, len(pools[kind])),
                        ),
                    ),
                    rng,
                )
                for kind in kinds
            )
        )
        if fingerprint(drawn) not in seen:
            return drawn
    if _space_size(pools, count, policy) > _ENUMERATION_CAP:
        raise QuestionSetsExhausted("no unused question set found among random draws")
    unused = [
        triples
        for triples in _every_set(record, pools, count, policy)
        if fingerprint(QuestionSet(tuple(_ask(k, e, d, random.Random(0)) for k, e, d in triples)))
        not in seen
    ]
    if not unused:
        raise QuestionSetsExhausted("every question set was drawn before")
    chosen = list(rng.choice(unused))
    rng.shuffle(chosen)
    return QuestionSet(tuple(_ask(kind, expected, d, rng) for kind, expected, d in chosen))


# --------------------------------------------------------------------------- answers

_ZH_ORDINALS: Final = {"一": 1, "1": 1, "二": 2, "两": 2, "2": 2, "三": 3, "3": 3, "四": 4, "4": 4}
_EN_ORDINALS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4,
    "one": 1, "two": 2, "three": 3, "four": 4, "1": 1, "2": 2, "3": 3, "4": 4,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip
_ZH_ORDINAL: Final = re.compile(
    r"(?:是|选|应该是|我选)?第([一二两三四1-4])(?:个|家|项|座|种)?(?:吧|啊|呀)?"
)
_ZH_LAST: Final = re.compile(r"(?:是|选)?最后(?:一)?(?:个|家|项|座)?(?:吧|啊)?")
_EN_ORDINAL: Final = re.compile(
    r"(?:(?:it s|it is|i think|i choose|i pick) )?(?:the )?"
    r"(first|second|third|fourth|1st|2nd|3rd|4th)(?: one| option)?"
)
_EN_NUMBERED: Final = re.compile(
    r"(?:(?:it s|it is) )?(?:number|option|choice) (one|two|three|four|[1-4])"
)
_EN_LAST: Final = re.compile(r"(?:(?:it s|it is) )?(?:the )?last(?: one| option)?")


def ordinal_choice(answer: str, choices: int) -> int | None:
    """The choice an answer picks by its place ("第二个", "the second one", key 2), 0-based.

    Only answers that are nothing but a place count: "second" inside a name does not.

    Args:
        answer: what the caller said or keyed.
        choices: how many choices were offered.

    Returns:
        The 0-based index picked, or None when the answer does not pick by place.
    """
    text = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", answer).casefold()).strip()
    squashed = text.replace(" ", "")
    place: int | None = None
    if re.fullmatch(r"[1-4]", squashed):
        place = int(squashed)
    elif match := _ZH_ORDINAL.fullmatch(squashed):
        place = _ZH_ORDINALS[match.group(1)]
    elif _ZH_LAST.fullmatch(squashed) or _EN_LAST.fullmatch(text):
        place = choices
    elif (match := _EN_ORDINAL.fullmatch(text)) or (match := _EN_NUMBERED.fullmatch(text)):
        place = _EN_ORDINALS[match.group(1)]
    if place is None or not 1 <= place <= choices:
        return None
    return place - 1


def choice_answer_matches(question: ChoiceQuestion, answer: str) -> bool:
    """Whether the caller picked the registry's answer, by name or by place.

    Args:
        question: the question as asked.
        answer: what the caller said or keyed, as recognised.

    Returns:
        True if the answer picks the registry's choice and no other.
    """
    place = ordinal_choice(answer, len(question.choices))
    if place is not None:
        return place == question.answer_index
    named = [
        index
        for index, choice in enumerate(question.choices)
        if answer_matches(SecurityQuestion(question.kind, choice), answer)
    ]
    return named == [question.answer_index]
