"""A change of an earlier answer, said at a later question.

"顺便说一下，刚才的期限改成十八个月", "哦不是，我要分二十四期" (at the purpose question),
"Sorry, can I change the amount to fifteen thousand?" (at the income question). A change
needs both a changing phrase (改成, 不是, actually, change, instead, ...) and words that
name the slot or a value only that slot takes (二十四期 is a term), so an ordinary answer
to the current question is never read as a change.
"""

from __future__ import annotations

import re
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.purpose import classify_purpose
from lendline.dialog.nlu.text import normalize
from lendline.lending.purpose import is_banned

_CHANGE: Final = re.compile(
    r"改成|改为|改到|换成|改一下|改下|改(?!善|革|变)|调成|调到|调整|变成|更改|修改|不对|不是|说错|其实|还是|重新|"
    r"哦不|刚才|刚刚|之前说|前面说|顺便|说多了|说少了|弄错|搞错|说岔"
    r"|\b(?:change|changed|make it|make that|instead|actually|sorry|correct|correction|update|"
    r"switch|rather|meant|can i|could i|i'd like|i would like|let's|lets|go with|scratch|"
    r"earlier|before|wait|oh no|no no|wrong|mistake|become|said it wrong|one moment|hold on|"
    r"went up|gone up|went down|gone down|i should (?:say|mention|add|tell you)|to be honest"
    r"|come to think of it|the other half)\b|涨了|涨到|降了|降到|说实话|老实说|实话跟你说|另一半"
)
#: Words naming a slot, in the order they are checked (the most specific first).
_SLOT_WORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("term", ("期限", "期数", "分期", "还款期", "分几期", "term", "repayment period", "tenor")),
    (
        "purpose",
        (
            "用途",
            "用来",
            "用于",
            "钱是用来",
            "purpose",
            "use it for",
            "use the money",
            "spend it",
            "what the money is for",
            "the money is for",
        ),
    ),
    (
        "amount",
        (
            "金额",
            "额度",
            "借款",
            "借的",
            "借多少",
            "借个",
            "借",
            "贷款",
            "amount",
            "borrow",
            "loan",
            "money",
            "钱数",
            "钱改",
        ),
    ),
    (
        "income",
        (
            "收入",
            "月薪",
            "工资",
            "薪水",
            "年薪",
            "税后",
            "到手",
            "income",
            "salary",
            "earn",
            "wage",
            "pay is",
            "take-home",
            "take home",
            "after tax",
            "i make",
            "we make",
            "i earn",
            "月入",
        ),
    ),
    ("employment", ("工作情况", "职业", "job", "occupation", "work situation")),
)
#: A count of months or installments is a term whatever else is said ("分二十四期").
#: A sum of money (a bare small number is not one: "before Double 11" changes no amount).
_MONEY: Final = re.compile(
    # "4K 显示器" is a screen, not four thousand.
    r"\d{3,}|\d[\d,.]*\s*(?:k(?!\s*(?:显示|屏|电视|高清|monitor|screen|tv|display|video))"
    r"|w|万|千|元|块|yuan|grand|thousand)|[一二两三四五六七八九十][万千]"
    r"|thousand|\bk\b|grand"
)
_TERM_VALUE: Final = re.compile(
    r"(?:\d+|[二两三四五六七八九十][一二三四五六七八九十]*)\s*(?:期|个月)|\d+\s*(?:months?|installments?|instalments?)"
    r"|\b(?:twelve|eighteen|twenty[- ]four|thirty[- ]six|six|nine|three)\s+months?\b"
    # Years only in English: "一年二十万" is an income.
    r"|\b(?:\d|one|two|three|a)\s+years?\b|\ba year and a half\b"
)


_VALUE_AFTER: Final = re.compile(
    r"改成|改为|改到|换成|调成|调到|变成|改(?!一下|下|成|为|到)|还是"
    r"|\b(?:change|changed|switch)\b.*?\bto\b|\bmake\b|\b(?:can|could) (?:we|i) (?:do|have|get)\b"
    r"|\bhow about\b|\blet's do\b|\bi meant\b"
)


def new_value_part(text: str) -> str:
    """The part of a change that says the new value ("…改成三万吧，两万怕不够" -> "三万吧，…")."""
    said = normalize(text)
    matches = list(_VALUE_AFTER.finditer(said))
    return said[matches[-1].end() :] if matches else said


def _slot_named(said: str) -> str | None:
    """The slot normalised ``said`` names by a term's value or a slot word, if any."""
    if _TERM_VALUE.search(said):
        return "term"
    for slot, words in _SLOT_WORDS:
        if _match.contains_any(said, words):
            return slot
    return None


def names_a_slot(text: str) -> bool:
    """Whether ``text`` names a slot ("期限", "the amount") rather than only saying a value."""
    return _slot_named(normalize(text)) is not None


#: Words that name the work situation only when the caller is saying which answer is wrong
#: (too common in answers to be a slot name elsewhere: "我工作五年了").
_EMPLOYMENT_NAMED: Final = ("工作", "上班", "职业", "job", "work", "employment", "employed")


def named_slot(text: str) -> str | None:
    """The slot an utterance names ("收入不对", "the purpose is wrong"), with or without a value.

    Args:
        text: Recogniser output or typed text, said when asked which answer to change.

    Returns:
        "amount", "term", "purpose", "income" or "employment", or None.
    """
    said = normalize(text)
    named = _slot_named(said)
    if named is None and _match.contains_any(said, _EMPLOYMENT_NAMED):
        return "employment"
    return named


#: "工作情况不对", "the job is wrong": a part said to be wrong, which says no new value.
_COMPLAINT: Final = re.compile(
    r"(?:借款金额|金额|期限|用途|月收入|收入|工作情况|工作|职业)\s*(?:说)?(?:不对|错了|有误|不正确)"
    r"|\b(?:the |my )?(?:amount|term|purpose|income|work situation|job|occupation|employment)"
    r"\s+(?:is|was|'s)\s+(?:wrong|not right|incorrect)\b"
)


def drop_complaint(text: str) -> str:
    """``text`` without "…不对" / "… is wrong" said of a part (what is left may say the value)."""
    return _COMPLAINT.sub(" ", normalize(text))


def _banned_purpose(said: str) -> bool:
    purpose = classify_purpose(said)
    return purpose is not None and is_banned(purpose)


def find_slot_change(text: str, lang: str = "zh", current: str | None = None) -> str | None:
    """Name the slot an utterance changes, or None when it changes nothing.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.
        current: the slot of the question being asked, if any: a bare sum of money said
            at the income question is the income, elsewhere it changes the amount.

    Returns:
        "amount", "term", "income", "purpose" or "employment", or None.
    """
    del lang  # both languages are always recognised
    said = normalize(text)
    if not _CHANGE.search(said):
        return None
    if current != "purpose" and _banned_purpose(said):
        # "不是装修，股票套住了，想借点钱补仓": a forbidden purpose owned up to is a change of
        # purpose, whatever else the turn names ("借" would make it the amount).
        return "purpose"
    named = _slot_named(said)
    if named is not None:
        return named
    # No slot named: the kind of value says which ("刚才那个三万能不能改成三万五").
    if current not in ("income", "amount") and _MONEY.search(said):
        return "amount"
    if current != "purpose" and classify_purpose(said) is not None:
        return "purpose"
    return None
