"""Questions borrowers ask back in the middle of a step, and small requests about pace.

Any step can receive "利息多少？", "Am I talking to a robot?", "Why do you need that?", "是不是
骗子啊", "when does the money arrive?", "慢一点", "hold on a sec". The script answers them and
asks its question again; none of them is an answer, so none may be stored or counted as a
failed attempt (Rasa CALM's *digression* and *chitchat* patterns).

A question must look like a question about the topic: "利率" alone inside an answer
("我看利率挺低的所以想借五万") is not asked, so a topic word counts only with a question form
(吗, 多少, 怎么, 什么, ?, what/how/why/is/are/do/can ... ) or when it is nearly all that was
said.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import normalize, strip_punct, word_length


class Digression(StrEnum):
    """A question or request the script answers before asking its question again."""

    RATE = "rate"
    FEES = "fees"
    ROBOT = "robot"
    WHY = "why"
    SCAM = "scam"
    LIMITS = "limits"
    COLLATERAL = "collateral"
    CONTRACT = "contract"
    REPAYMENT = "repayment"
    EARLY_REPAYMENT = "early_repayment"
    PAYOUT_TIME = "payout_time"
    SLOWER = "slower"
    WAIT = "wait"


@cache
def _phrases() -> tuple[
    dict[Digression, tuple[str, ...]], dict[Digression, tuple[str, ...]], tuple[str, ...]
]:
    """(topics, pace requests, answers shaped like questions) from the vocabulary file."""
    raw = files("lendline.dialog.nlu.vocabulary").joinpath("digressions.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    topics = {Digression(k): tuple(v) for k, v in data["topics"].items()}
    pace = {Digression(k): tuple(v) for k, v in data["pace"].items()}
    return topics, pace, tuple(data["not_questions"]["phrases"])


_ZH_QUESTION: Final = re.compile(
    # "没什么收入", "没多少", "不怎么样", "这么高" state; "什么", "多少", "怎么" ask.
    r"吗|(?<![这那什怎多要])么|呢|(?<!没)多少|(?<![不没])怎么|(?<!没)什么|(?<![没不])啥"
    r"|几[分厘个天]|哪|是不是|有没有|能不能|可不可以|靠不靠谱|正不正规|[?？]"
)
_EN_QUESTION: Final = re.compile(
    r"\?|\br u\b|\bare u\b"
    r"|^(?:so\s+|and\s+|but\s+|um\s+|uh\s+|sorry\s+|wait\s+|hang on\s+|first\s+|ok\s+|okay\s+)*"
    r"(?:what|what's|whats|how|why|is|are|am|do|does|did|can|could|will|would|should|who|when|"
    r"where|which|tell me)\b|\b(?:tell me|i want to know|wondering|curious)\b"
)
_ORDER: Final = (
    Digression.SCAM,
    Digression.ROBOT,
    Digression.WHY,
    Digression.EARLY_REPAYMENT,
    Digression.PAYOUT_TIME,
    Digression.COLLATERAL,
    Digression.CONTRACT,
    Digression.REPAYMENT,
    Digression.RATE,
    Digression.FEES,
    Digression.LIMITS,
)
#: A topic said with this few other words counts without a question form ("利率？" typed).
_SHORT: Final = 3


def is_question(said: str) -> bool:
    """Whether ``said`` is shaped like a question (吗, 多少, ?, what/how/is/can ...)."""
    return _is_question(said)


def _is_question(said: str) -> bool:
    return bool(_ZH_QUESTION.search(said) or _EN_QUESTION.search(said))


#: A sentence: up to its closing punctuation (a point inside a number does not close it).
_SENTENCE: Final = re.compile(r"(?:[^?？!！。；;.]|(?<=\d)\.(?=\d))+(?:[?？!！。；;.…]+|$)")
#: A question tagged onto a statement ("…and call you back, okay?", "我先不借了，好吗？"): it
#: asks for agreement with the statement, not about something else.
_TAG_QUESTION: Final = re.compile(
    r"[,，\s]*(?:ok(?:ay)?|alright|all right|right|yeah"
    r"|好吗|好不好|行吗|行不行|可以吗|成吗|对吧|好吧)\s*[?？]+\s*$",
    re.IGNORECASE,
)
_EN_ASKS: Final = re.compile(
    r"^\W*(?:so\s+|and\s+|but\s+|um\s+|uh\s+|wait\s+|ok(?:ay)?\s+)*"
    r"(?:what|what's|how|why|is|are|am|do|does|did|can|could|will|would|should|who|when|where|"
    r"which)\b",
    re.IGNORECASE,
)
#: Question words that ask whatever the punctuation ("我怎么知道不是诈骗"); looser forms
#: ("几", "么") also occur in statements ("前几天", "这么高的利息啊，那不要了").
#: "不会是骗子吧": a fear put as a question ("surely it is not…?"), not a refusal.
_SURELY_NOT: Final = re.compile(r"^(?:你们|这)?(?:该|应该|总)?不会(?:是|又是)?\S*吧$")
_ZH_ASKS: Final = re.compile(
    r"为什么|为啥|怎么知道|怎么回事|是不是|有没有|能不能|可不可以|会不会|什么时候|啥时候|多久"
)
#: Questions that put a value forward ("装修可以吗？", "is twelve months okay?"): they answer.
_PROPOSAL: Final = re.compile(
    r"(?:可以吗|行吗|行不行|可不可以|可以不|算不算|能借吗|好使吗|"
    r"\b(?:ok(?:ay)?|alright|all right|fine|acceptable|allowed|possible|enough)\s*)[?？]?\s*$",
    re.IGNORECASE,
)


def without_tag_question(text: str) -> str:
    """``text`` without a question tagged onto its end ("…, okay?" -> "…")."""
    return _TAG_QUESTION.sub("", text)


def asks(sentence: str) -> bool:
    """Whether one sentence asks: it ends in a question mark or 吗/呢, or opens like a question.

    A sentence left without closing punctuation (typed, or the end of a recognised turn) is
    judged by its words: "我怎么知道不是诈骗" asks.
    """
    said = sentence.strip()
    core = said.rstrip("!！。.…;； ")
    if core.endswith(("?", "？", "吗", "呢")) or _EN_ASKS.match(core) or _SURELY_NOT.search(core):
        return True
    return core == said and bool(_ZH_ASKS.search(core))


def sentences(text: str) -> list[str]:
    """The sentences of a turn, each with its closing punctuation."""
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def statement_part(text: str) -> str:
    """What a turn states, its questions left out ("My own income? None." -> "None.")."""
    return " ".join(s for s in sentences(without_tag_question(text)) if not asks(s))


def proposes(text: str) -> bool:
    """Whether a question puts a value forward.

    "装修可以吗？", "is 12 months okay?" and "shall we say fifteen thousand, to be on the safe
    side?" do.
    """
    return bool(_PROPOSAL.search(text.strip()) or _PROPOSING.search(normalize(text)))


_PROPOSING: Final = re.compile(
    r"\b(?:shall|should|can|could) we (?:say|make it|go with|do)\b|\blet'?s (?:say|make it)\b"
)


def _short(said: str) -> bool:
    return word_length(said) <= _SHORT


def detect_digression(text: str) -> Digression | None:
    """Recognise a question back or a request about pace.

    Args:
        text: Recogniser output or typed text.

    Returns:
        The digression, or None if the utterance is not one.
    """
    topics, pace, not_questions = _phrases()
    said = _match.remove(normalize(text), not_questions)
    plain = strip_punct(said)
    if not plain:
        return None
    for digression, phrases in pace.items():
        if _match.contains_any(plain, phrases):
            return digression
    # A topic counts only in a clause that is itself a question: "利息太高了，想一次还掉"
    # is an answer that mentions interest, "利息多少？" asks about it.
    clauses = re.split(r"(?<!\d)[,.]|[,.](?!\d)|[!;:，。！；：…]+|\s+(?:but|and|so)\s+", said)
    # A question mark at the end asks about the last clauses too ("…fraud calls, right?").
    tail_question = said.rstrip().endswith(("?", "？", "吗"))
    last = len(clauses) - 2
    for digression in _ORDER:
        for index, clause in enumerate(clauses):
            part = strip_punct(clause)
            asked = _is_question(clause) or (tail_question and index >= last)
            if not part or not _match.contains_any(part, topics[digression]):
                continue
            if asked or _topic_alone(plain, topics[digression]):
                return digression
    return None


#: Words that leave a topic said on its own ("那个利率", "and the fees").
_BARE_WORDS: Final = re.compile(
    r"那个|这个|你们的?|请问|那|\b(?:the|and|what about|how about|your|so|um|uh|ok|okay)\b"
)


def _topic_alone(plain: str, topics: tuple[str, ...]) -> bool:
    """A topic said nearly alone asks about it ("利率", "the fees"); "hostel fees" names fees."""
    if not _short(plain):
        return False
    rest = _BARE_WORDS.sub(" ", _match.remove(plain, topics))
    return word_length(rest) == 0 and not re.search(r"[\u3400-\u9fff]", rest)
