"""Requests about the call itself: repeat, help, a person, switch to chat, goodbye.

These are checked on every turn before the answer to the current question is parsed, so
they must not fire on ordinary answers: "我在人工智能公司上班", "I'm a travel agent",
"what is it for" and "the money will help my mother" are answers, not requests. Single
words ("客服", "agent", "what?") count only when they are nearly all the caller said;
longer utterances need an unmistakable phrase ("转人工", "speak to an agent").
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import normalize, strip_punct


class MetaIntent(StrEnum):
    """A request about the conversation rather than an answer to the question."""

    REPEAT = "repeat"
    HELP = "help"
    AGENT = "agent"
    CHAT = "chat"
    GOODBYE = "goodbye"
    CANCEL = "cancel"


# Phrases that mean the request wherever they appear in the utterance.
_PHRASES: Final[dict[MetaIntent, tuple[str, ...]]] = {
    MetaIntent.AGENT: (
        "转人工",
        "人工服务",
        "人工客服",
        "找人工",
        "要人工",
        "接人工",
        "转接人工",
        "人工坐席",
        "转客服",
        "找客服",
        "接客服",
        "真人",
        "活人",
        "real person",
        "live person",
        "live agent",
        "human agent",
        "human being",
        "工作人员",
        "人工",
        "你们经理",
        "找经理",
        "找个人",
        "换个人",
        "your manager",
        "a real human",
        "actual person",
        "actual human",
        "someone real",
        "one of your people",
        "someone from your team",
        "someone who speaks",
        "a person please",
        "a person, please",
        "回个电话",
        "给我回电话",
        "回电话给我",
        "call me back",
        "领导",
        "transfer me",
        "put me through",
        "接个客服",
        "转个客服",
        "找个客服",
        "staff member",
        "a staff",
    ),
    MetaIntent.CHAT: (
        "转文字",
        "文字聊天",
        "发文字",
        "用文字",
        "打字",
        "文字交流",
        "在线聊天",
        "转到聊天",
        "改成聊天",
        "text chat",
        "let me type",
        "i'd rather type",
        "i would rather type",
        "by text",
        "via chat",
        "over chat",
        "chat instead",
        "text instead",
        "type instead",
        "typing instead",
    ),
    MetaIntent.GOODBYE: (
        "再见",
        "拜拜",
        "挂了",
        "挂电话",
        "不聊了",
        "bye",
        "goodbye",
        "good bye",
        "bye bye",
        "hang up",
        "hanging up",
        "see you",
    ),
    MetaIntent.CANCEL: (
        "不借了",
        "不贷了",
        "不想借了",
        "不想贷了",
        "不办了",
        "不要了",
        "再考虑",
        "考虑考虑",
        "考虑一下",
        "想一想再",
        "改天再",
        "以后再说",
        "先不借",
        "先不用",
        "先不办",
        "不申请了",
        "商量一下再",
        "再说吧",
        "还是算了",
        "不弄了",
        "不搞了",
        "不放心",
        "先不签",
        "不签了",
        "今天先不",
        "rather not",
        "won't sign",
        "not sign today",
        "have a think",
        "come back another time",
        "取消申请",
        "think about it",
        "think it over",
        "not today",
        "never mind",
        "nevermind",
        "forget it",
        "changed my mind",
        "change my mind",
        "don't want the loan",
        "don't want to borrow",
        "do not want the loan",
        "not interested",
        "cancel the application",
        "cancel my application",
        "stop the application",
        "i'll pass",
        "i will pass",
        "maybe later",
        "another time",
        "not right now",
        "stop here",
        "discuss with my",
        "i'll call back",
        "don't want to sign",
        "pass on this",
        "hold off",
        "talk to my wife first",
        "talk to my husband first",
        "talk to my family first",
        "talk it over with",
        "check with my wife",
        "check with my husband",
        "跟老婆商量",
        "跟老公商量",
        "和家里人商量",
        "跟家里人商量",
        "回去商量",
    ),
    MetaIntent.REPEAT: (
        "再说一遍",
        "再说一次",
        "再说一下",
        "再讲一遍",
        "再讲一次",
        "再来一遍",
        "没听清",
        "没听到",
        "没听见",
        "听不清",
        "重复一下",
        "重复一遍",
        "请重复",
        "请再说",
        "你说什么",
        "说的什么",
        "repeat",
        "say that again",
        "say it again",
        "come again",
        "pardon",
        "one more time",
        "didn't catch",
        "did not catch",
        "didn't hear you",
        "did not hear you",
        "didn't hear that",
        "can't hear you",
        "cannot hear you",
        "couldn't hear you",
        "can't hear what",
    ),
    MetaIntent.HELP: (
        "帮助",
        "怎么说",
        "不明白",
        "没明白",
        "不懂",
        "听不懂",
        "没听懂",
        "什么意思",
        "怎么回答",
        "该说什么",
        "说什么好",
        "i don't understand",
        "don't understand",
        "do not understand",
        "what do you mean",
        "what should i say",
        "what do i say",
        "i'm confused",
        "i need help",
        "can you help",
        "could you help",
        "please help",
    ),
}
#: Regular expressions for the English requests with a verb and an object.
_PATTERNS: Final[dict[MetaIntent, re.Pattern[str]]] = {
    MetaIntent.AGENT: re.compile(
        r"\b(?:speak|talk|transfer|connect|put me through|get me)\s+(?:me\s+)?(?:to|with)?\s*"
        r"(?:a|an|the|your|some)?\s*(?:real\s+|live\s+|human\s+)?"
        r"(?:agent|human|person|operator|representative|rep|someone|somebody|staff|manager|"
        r"supervisor|advisor|adviser|officer|colleague|customer service|customer support)\b"
        r"|\b(?:human|person|someone|somebody|agent|operator)\s+(?:i|we)\s+(?:can|could)\s+"
        r"(?:\w+\s+)?(?:talk|speak)\b|(?:跟|和|找)(?:你们)?(?:的)?(?:工作人员|人工|客服|经理|真人)"
    ),
    MetaIntent.CHAT: re.compile(
        r"\b(?:switch|move|go|change|continue)\s+(?:over\s+)?to\s+(?:a\s+|the\s+)?"
        r"(?:chat|text|texting|typing|messages?|messaging)\b"
        r"|\bcan i (?:type|text|chat)\b|\bprefer (?:to )?(?:type|text|chat)\b"
    ),
}
#: Words that are the request only when the caller said little else.
_SHORT_WORDS: Final[dict[MetaIntent, frozenset[str]]] = {
    MetaIntent.AGENT: frozenset(
        {
            "人工",
            "客服",
            "坐席",
            "agent",
            "human",
            "operator",
            "representative",
            "customer",
            "service",
            "support",
        }
    ),
    MetaIntent.CHAT: frozenset({"文字", "聊天", "chat", "text", "type", "typing", "texting"}),
    MetaIntent.REPEAT: frozenset({"重复", "什么", "啥", "what", "huh", "sorry", "eh"}),
    MetaIntent.HELP: frozenset({"help", "帮忙"}),
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
#: Compounds that contain a request word but are ordinary answers.
_NOT_REQUESTS: Final = ("人工智能", "人工费", "聊天记录", "人工装修", "人工成本")
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
    said = _match.remove(strip_punct(normalize(text)), _NOT_REQUESTS)
    if not said.strip():
        return None
    zh, english = _core(said)
    for intent in _ORDER:
        if _match.contains_any(said, _PHRASES.get(intent, ())):
            return intent
        pattern = _PATTERNS.get(intent)
        if pattern is not None and pattern.search(said):
            return intent
        short = _SHORT_WORDS.get(intent, frozenset())
        if zh and not english and zh in short:
            return intent
        if english and not zh and len(english) <= 2 and set(english) <= short:
            return intent
    return None
