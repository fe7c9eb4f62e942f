"""Requests about the call itself: repeat, help, a person, switch to chat, goodbye.

These are checked on every turn before the answer to the current question is parsed, so
they must not fire on ordinary answers: "我在人工智能公司上班", "I'm a travel agent",
"what is it for" and "the money will help my mother" are answers, not requests. Single
words ("客服", "agent", "what?") count only when they are nearly all the caller said;
longer utterances need an unmistakable phrase ("转人工", "speak to an agent"). The phrases
are data (``vocabulary/requests.toml``, versioned); the patterns with a verb and an object
are here.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import clauses, normalize, sentences, strip_punct


class MetaIntent(StrEnum):
    """A request about the conversation rather than an answer to the question."""

    REPEAT = "repeat"
    HELP = "help"
    AGENT = "agent"
    CHAT = "chat"
    GOODBYE = "goodbye"
    CANCEL = "cancel"


@cache
def _vocabulary() -> tuple[
    dict[MetaIntent, tuple[str, ...]], dict[MetaIntent, frozenset[str]], tuple[str, ...]
]:
    """(phrases, short words, compounds that are no request) from the vocabulary file."""
    raw = files("lendline.dialog.nlu.vocabulary").joinpath("requests.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    phrases = {MetaIntent(k): tuple(v) for k, v in data["phrases"].items()}
    short = {MetaIntent(k): frozenset(v) for k, v in data["short_words"].items()}
    return phrases, short, tuple(data["not_requests"]["phrases"])


#: Regular expressions for the English requests with a verb and an object.
_PATTERNS: Final[dict[MetaIntent, re.Pattern[str]]] = {
    MetaIntent.AGENT: re.compile(
        r"\b(?:speak|talk|transfer|connect|put me through|get me|give me"
        r"|discuss (?:this|it|that))\s+"
        r"(?:me\s+)?(?:to|with)?\s*"
        r"(?:one of\s+)?(?:a|an|one|the|your|some)?\s*"
        r"(?:(?:real|live|human|loan|actual)\s+){0,2}"
        r"(?:agent|human|person|operator|representative|rep|someone|somebody|staff|manager|"
        r"supervisor|advisor|adviser|officer|colleague|counsellor|counselor|consultant|"
        r"customer service|customer support)\b"
        r"|\b(?:human|person|someone|somebody|agent|operator|officer|staff|manager|advisor)\s+"
        r"(?:i|we)\s+(?:can|could)\s+(?:\w+\s+)?(?:talk|speak)\b"
        r"|\b(?:person|human|someone|somebody|staff)\s+(?:who|that)\s+(?:can|could)\s+"
        r"(?:explain|help)\b"
        r"|\bis there (?:a|an|any)\s+(?:real\s+)?"
        r"(?:manager|person|human|supervisor|officer|staff)\b"
        r"|\b(?:tell|explain|say|ask)\s+(?:this|it)\s+to\s+(?:a\s+|some\s+|the\s+|your\s+)?"
        r"(?:real\s+)?(?:person|human|staff)\b"
        r"|(?:跟|和|找)(?:你们)?(?:的)?(?:工作人员|人工|客服|经理|真人)"
        # 人工 asked for, not inside a word ("付工人工钱", "人工关节"): after a request
        # verb, before a service word, or standing as a clause of its own.
        r"|(?:转|找|要|接|换|叫|请|让|给我|帮我)(?:个|一个|一下|下)?(?:你们)?(?:的)?"
        r"\s*(?:人工|真人|human\b|agent\b)"
        r"|人工(?:服务|客服|坐席|台|接听|来|跟我|和我|给我|吗|在吗)|有(?:没有)?人工"
        r"|(?:^|\s)人工(?:吧|啊|呀|呢)?(?:\s|$)"
        r"|(?:让|叫|请|换|转|转接|转给)(?:个|一个|一下)?(?:你们)?(?:的)?"
        r"(?:客服|业务员|工作人员|经理|领导|负责人|专员|客户经理)"
        r"|(?:客服|业务员|工作人员|经理|专员)来?(?:跟|和|给)我(?:讲|说|聊|打|解释|联系|回)"
        r"|(?:找|叫|换)(?:个|一个)(?:懂行的|专业的|明白的|真)?人(?:来|过来|跟我|和我)"
        r"|(?<!不)(?:要|想|得|还是)(?:跟|和)(?:个)?(?:真|活)?人(?:说|讲|谈|聊|解释)"
        r"|\b(?:go(?:ing)? through|do(?:ing)?|discuss(?:ing)?) (?:this|it|that)(?: \w+)? with "
        r"(?:someone|somebody|a (?:real |live )?(?:person|human))\b"
        r"|\bput (?:someone|somebody|(?:a|an|some) (?:real |live )?(?:human|person|agent|operator))"
        r"(?: \w+)? on\b"
        r"|\b(?:can|could) (?:a|some) (?:real |live )?(?:human|person|someone) "
        r"(?:explain|help|call|take)"
        r"|\bplease connect me\b|\bconnect me (?:now|please)\b"
        r"|\bget (?:a|an|some|one of your)\s+(?:real\s+|live\s+)?(?:person|human|staff member"
        r"|agent|manager|supervisor|representative)\b"
        r"|\b(?:i|we)\s+(?:want|need|would like|'d like)\s+(?:a|an|some)\s+"
        r"(?:real\s+|live\s+|actual\s+)?(?:human|person|agent)\b(?!'s)"
    ),
    MetaIntent.REPEAT: re.compile(
        r"\b(?:didn't|did not|couldn't|could not|can't|cannot)\s+(?:quite\s+|really\s+|fully\s+)?"
        r"(?:catch|hear)\b"
        r"|\b(?:say|read|tell me|go over)\s+(?:the|that|it|this|those)\b(?:\s+\w+){0,4}\s+again\b"
        r"|没(?:太|怎么|大)听(?:清|到|见)|没听太清|再(?:念|读)一(?:遍|次|下)"
    ),
    MetaIntent.CHAT: re.compile(
        r"\b(?:switch|move|go|change|continue)\s+(?:over\s+)?to\s+(?:a\s+|the\s+)?"
        r"(?:chat|text|texting|typing|messages?|messaging)\b"
        r"|\bcan i (?:type|text|chat)\b|\bprefer (?:to )?(?:type|text|chat)\b"
    ),
}
#: Politeness and request verbs stripped before judging whether a word stood alone.
_FILLER_ZH: Final = (
    "我要",
    "我想",
    "请",
    "帮我",
    "给我",
    "麻烦",
    "一下",
    "可以",
    "能不能",
    "你",
    "您",
    "吧",
    "啊",
    "呀",
    "呢",
    "嗯",
    "转",
    "找",
    "接",
    "要",
    "用",
    "说",
)
_FILLER_EN: Final = frozenset(
    {
        "please",
        "i",
        "want",
        "need",
        "a",
        "an",
        "the",
        "can",
        "could",
        "get",
        "me",
        "to",
        "would",
        "like",
        "let",
        "just",
        "uh",
        "um",
        "oh",
        "some",
        "was",
        "that",
        "say",
        "you",
        "did",
        "excuse",
        "again",
    }
)
_ORDER: Final = (
    MetaIntent.AGENT,
    MetaIntent.CHAT,
    MetaIntent.CANCEL,
    MetaIntent.GOODBYE,
    MetaIntent.REPEAT,
    MetaIntent.HELP,
)


def _core(text: str) -> tuple[str, list[str]]:
    """What is left of a short utterance once politeness is removed: (Chinese, words)."""
    zh = re.sub(r"[a-z0-9'\s]+", "", text)
    for filler in _FILLER_ZH:
        zh = zh.replace(filler, "")
    english = [word for word in _match.words(text) if word not in _FILLER_EN]
    return zh, english


def detect_meta_intent(text: str, lang: str = "zh") -> MetaIntent | None:
    """Recognise a request about the call rather than an answer.

    Mandarin: 再说一遍/没听清/重复 (repeat), 帮助/怎么说/不明白 (help), 转人工/客服 (agent),
    打字/文字聊天 (chat), 再见/挂了 (goodbye). English: repeat/say that again/pardon/what?,
    help/I don't understand, agent/human/operator/representative, chat/text/type,
    bye/goodbye. Bare words count only in a short utterance.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The request, or None if the utterance is an ordinary answer.
    """
    del lang  # both languages are always recognised
    phrases, short_words, not_requests = _vocabulary()
    said = _match.remove(strip_punct(normalize(text)), not_requests)
    if not said.strip():
        return None
    zh, english = _core(said)
    for intent in _ORDER:
        if _match.contains_any(said, phrases.get(intent, ())):
            return intent
        pattern = _PATTERNS.get(intent)
        if pattern is not None and pattern.search(said):
            return intent
        short = short_words.get(intent, frozenset())
        if zh and not english and zh in short:
            return intent
        if english and not zh and len(english) <= 2 and set(english) <= short:
            return intent
    if _GIVES_UP_AT_THE_END.search(normalize(text)):
        return MetaIntent.CANCEL
    for part in sentences(normalize(text)):
        for intent, words in _LONE_WORDS.items():
            if _stands_alone(part, words):
                return intent
    for clause in clauses(normalize(text)):
        # "Sorry, stop." and "Hmm, I'd rather not." stop; "the agent, he said…" asks no one.
        if _RATHER_NOT.fullmatch(clause) or _stands_alone(clause, _LONE_WORDS[MetaIntent.CANCEL]):
            return MetaIntent.CANCEL
    return None


#: Words that ask for a person, or stop, even as one sentence of a longer turn ("…this?
#: Agent. Agent.", "I just remembered a client owes me. Cancel."); stopping words even as a
#: clause.
_LONE_WORDS: Final = {
    MetaIntent.AGENT: frozenset({"agent", "human", "operator", "representative", "人工"}),
    MetaIntent.CANCEL: frozenset({"cancel", "stop", "取消"}),
}
#: "Hmm, I'd rather not." stops; "I'd rather not drag it out" says how, and stops nothing.
_RATHER_NOT: Final = re.compile(
    r"\s*(?:(?:hmm|um|well|no|sorry)\s+)*(?:i'?d|i would) rather not\s*"
)
#: "那每个月还得太多了，算了。": 算了 closing the turn gives up (inside it, "三万，算了，两万"
#: corrects a figure).
_GIVES_UP_AT_THE_END: Final = re.compile(
    r"(?:^|[，,;；]\s*)(?:那就|那|还是|唉|哎|哎呀)?算了(?:吧|啦|呗)?[\s。！!.…]*$"
)


def _stands_alone(sentence: str, words: frozenset[str]) -> bool:
    zh, english = _core(strip_punct(sentence))
    if zh:
        return not english and zh in words
    return 0 < len(english) <= 2 and set(english) <= words


#: Words that open a turn and say nothing yet. A turn of only these ("Sorry, | can I change
#: the amount…") was cut at a breath by the end-of-turn model, and the caller goes on.
#: 嗯, 哦, 啊 and "oh" are not among them: alone, they answer ("嗯" is yes).
_LEAD_INS: Final = frozenset(
    {"sorry", "oh sorry", "so sorry", "excuse me", "um", "uh", "erm", "well", "so", "actually",
     "不好意思", "对不起", "抱歉", "那个", "呃", "这个", "就是"}
)  # fmt: skip


def only_a_lead_in(text: str) -> bool:
    """Whether a recognised turn is only words that open a turn, said as no question.

    "Sorry?" asks to hear it again and is a turn of its own; "Sorry," or "不好意思。" is the
    start of one.
    """
    said = normalize(text).strip()
    if not said or said.endswith(("?", "？")):
        return False
    return strip_punct(said) in _LEAD_INS
