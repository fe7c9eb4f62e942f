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
from enum import StrEnum
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import normalize, strip_punct


class Digression(StrEnum):
    """A question or request the script answers before asking its question again."""

    RATE = "rate"
    FEES = "fees"
    ROBOT = "robot"
    WHY = "why"
    SCAM = "scam"
    LIMITS = "limits"
    EARLY_REPAYMENT = "early_repayment"
    PAYOUT_TIME = "payout_time"
    SLOWER = "slower"
    WAIT = "wait"


#: Topic phrases; a topic counts when the utterance is also a question (see module doc).
_TOPICS: Final[dict[Digression, tuple[str, ...]]] = {
    Digression.RATE: (
        "利率",
        "利息",
        "年化",
        "息是多少",
        "几厘",
        "几分息",
        "多少息",
        "月息",
        "总共要还",
        "一共要还",
        "要还多少",
        "interest",
        "apr",
        "the rate",
        "your rate",
        "rates",
        "rate of",
        "how much will i pay back",
        "how much do i pay back",
        "how much would i pay back",
        "total cost",
        "how much will it cost",
        "how much does it cost",
        "便宜点",
        "便宜一点",
        "低一点",
        "lower",
        "cheaper",
        "discount",
    ),
    Digression.LIMITS: (
        "最多能借",
        "能分",
        "可以分",
        "最多借",
        "最多可以借",
        "能借多少",
        "可以借多少",
        "额度多少",
        "最长",
        "最短",
        "最少",
        "有没有",
        "most i can borrow",
        "maximum",
        "how much can i borrow",
        "the limit",
        "longest",
        "shortest",
        "can i do",
        "do you have",
        "is there a",
    ),
    Digression.FEES: (
        "手续费",
        "服务费",
        "收费",
        "管理费",
        "有没有费用",
        "什么费用",
        "要交钱",
        "交费",
        "先交",
        "fees",
        "fee",
        "charges",
        "hidden cost",
        "hidden costs",
    ),
    Digression.ROBOT: (
        "机器人",
        "是真人",
        "真人吗",
        "人工智能吗",
        "是ai",
        "ai吗",
        "是不是人",
        "是人吗",
        "录音吗",
        "robot",
        "a bot",
        "a machine",
        "a computer",
        "real person",
        "a human",
        "an ai",
        "automated",
        "recording",
    ),
    Digression.WHY: (
        "为什么要",
        "为啥要",
        "干嘛要",
        "干吗要",
        "为什么需要",
        "要这个干",
        "要这些干",
        "有什么用",
        "做什么用",
        "为啥",
        "干嘛",
        "干吗",
        "拿去",
        "征信",
        "credit report",
        "credit check",
        "credit score",
        "why do you need",
        "why do you want",
        "why do you ask",
        "why are you asking",
        "why is that needed",
        "why does it matter",
        "what do you need",
        "what's it for",
        "what is it for",
        "what for",
        "why",
    ),
    Digression.SCAM: (
        "骗子",
        "骗人",
        "诈骗",
        "骗局",
        "是不是骗",
        "靠谱吗",
        "靠不靠谱",
        "正规吗",
        "正不正规",
        "合法吗",
        "真的假的",
        "怎么证明",
        "怎么知道你们",
        "怎么核实",
        "查到你们",
        "在哪能查",
        "怎么查",
        "怎么确认你们",
        "有牌照吗",
        "scam",
        "fraud",
        "legit",
        "legitimate",
        "genuine",
        "trust you",
        "how do i know",
        "how can i know",
        "how can i check",
        "how do i check",
        "how can i verify",
        "how do i verify",
        "are you real",
        "really a bank",
        "licensed",
        "licence",
        "license",
    ),
    Digression.EARLY_REPAYMENT: (
        "提前还",
        "提前结清",
        "提前还款",
        "早点还",
        "违约金",
        "repay early",
        "pay it off early",
        "pay off early",
        "pay back early",
        "early repayment",
        "pay it back early",
        "early settlement",
        "prepayment",
        "prepay",
    ),
    Digression.PAYOUT_TIME: (
        "多久到账",
        "什么时候到账",
        "几天到账",
        "多长时间到账",
        "什么时候放款",
        "多久放款",
        "多快",
        "到账",
        "放款",
        "the money arrive",
        "get the money",
        "when will i get",
        "when do i get",
        "when does the money",
        "when will the money",
        "how soon",
        "how long until",
        "how long does it take",
        "how fast",
    ),
}
#: Requests about pace: said as requests, not questions.
_PACE: Final[dict[Digression, tuple[str, ...]]] = {
    Digression.SLOWER: (
        "慢一点",
        "慢点",
        "慢些",
        "说慢",
        "讲慢",
        "太快了",
        "说得太快",
        "slower",
        "slow down",
        "too fast",
        "more slowly",
    ),
    Digression.WAIT: (
        "等一下",
        "等一等",
        "等等",
        "稍等",
        "等会",
        "等我一下",
        "我找一下",
        "我查一下",
        "我看一下",
        "让我想想",
        "hold on",
        "wait a",
        "just a moment",
        "one moment",
        "a moment",
        "one sec",
        "just a sec",
        "one second",
        "just a second",
        "wait a second",
        "give me a sec",
        "give me a minute",
        "give me a moment",
        "let me check",
        "let me find",
        "let me look",
        "hang on",
    ),
}
_ZH_QUESTION: Final = re.compile(
    r"吗|么|呢|多少|怎么|什么|啥|几[分厘个天]|哪|是不是|有没有|能不能|可不可以|靠不靠谱|正不正规|[?？]"
)
_EN_QUESTION: Final = re.compile(
    r"\?|^(?:so\s+|and\s+|but\s+|um\s+|uh\s+|sorry\s+|wait\s+|hang on\s+|first\s+|ok\s+|okay\s+)*"
    r"(?:what|what's|whats|how|why|is|are|am|do|does|did|can|could|will|would|should|who|when|"
    r"where|which|tell me)\b|\b(?:tell me|i want to know|wondering|curious)\b"
)
_ORDER: Final = (
    Digression.SCAM,
    Digression.ROBOT,
    Digression.WHY,
    Digression.EARLY_REPAYMENT,
    Digression.PAYOUT_TIME,
    Digression.RATE,
    Digression.FEES,
    Digression.LIMITS,
)
#: Phrases shaped like a question that are answers ("sure, why not").
_NOT_QUESTIONS: Final = ("why not", "为什么不", "what else", "how about", "不然咋", "不然怎么")
#: A topic said with this few other words counts without a question form ("利率？" typed).
_SHORT: Final = 3


def _is_question(said: str) -> bool:
    return bool(_ZH_QUESTION.search(said) or _EN_QUESTION.search(said))


def _short(said: str) -> bool:
    zh = re.sub(r"[a-z0-9'\s]+", "", said)
    return len(_match.words(said)) + len(zh) // 2 <= _SHORT


def detect_digression(text: str) -> Digression | None:
    """Recognise a question back or a request about pace.

    Args:
        text: Recogniser output or typed text.

    Returns:
        The digression, or None if the utterance is not one.
    """
    said = _match.remove(normalize(text), _NOT_QUESTIONS)
    plain = strip_punct(said)
    if not plain:
        return None
    for digression, phrases in _PACE.items():
        if _match.contains_any(plain, phrases):
            return digression
    # A topic counts only in a clause that is itself a question: "利息太高了，想一次还掉"
    # is an answer that mentions interest, "利息多少？" asks about it.
    clauses = re.split(r"(?<!\d)[,.]|[,.](?!\d)|[!;:，。！；：…]+|\s+(?:but|and|so)\s+", said)
    for digression in _ORDER:
        for clause in clauses:
            part = strip_punct(clause)
            if (
                part
                and _match.contains_any(part, _TOPICS[digression])
                and (_is_question(clause) or _short(plain))
            ):
                return digression
    return None
