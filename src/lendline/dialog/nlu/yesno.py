"""Yes or no: consent, confirmations of read-back values, accepting an offer.

The answer decides whether consent is recorded, so the parser errs towards "not sure":
a negation anywhere in a clause makes that clause a no ("我不是很同意", "I don't agree"),
clauses that disagree ("no, I agree") give None, and hedges ("不知道", "maybe") give None
so the script asks again rather than guess.
"""

from __future__ import annotations

import re
from enum import Enum, auto
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import clauses, normalize


class _Verdict(Enum):
    YES = auto()
    NO = auto()
    WEAK_YES = auto()  # 嗯: a yes when it is all the caller said, a filler otherwise
    UNSURE = auto()
    NONE = auto()


#: Hedges and questions: the caller has not decided, whatever else they said.
_UNSURE: Final = (
    "不知道",
    "不清楚",
    "不确定",
    "不一定",
    "说不好",
    "不好说",
    "考虑一下",
    "考虑考虑",
    "想一想",
    "想一下",
    "想想",
    "还没想好",
    "可能",
    "也许",
    "或许",
    "是不是",
    "对不对",
    "好不好",
    "行不行",
    "好唔好",
    "要不要",
    "可不可以",
    "能不能",
    "有没有",
    "是否",
    "吗",
    "not sure",
    "unsure",
    "don't know",
    "do not know",
    "dunno",
    "no idea",
    "maybe",
    "perhaps",
    "i guess not",
    "let me think",
    "think about it",
)
#: Yes said with a negative word in it.
_YES_DESPITE_NEGATION: Final = (
    "没问题",
    "没有问题",
    "没啥问题",
    "没什么问题",
    "没意见",
    "没有的话",
    "if not",
    "if there aren't",
    "if there are none",
    "没麻达",
    "冇得问题",
    "冇问题",
    "no wahala",
    "没毛病",
    "不然咋",
    "不然怎么",
    "没错",
    "不错",
    "可不是",
    "不反对",
    "不介意",
    "no problem",
    "not a problem",
    "no worries",
    "why not",
    "i don't mind",
    "don't mind",
    "do not mind",
    "not wrong",
)
#: Politeness that carries a negative word but no answer, and words that hide a yes word.
_NEUTRAL: Final = (
    "对不起",
    "唔该",
    "不好意思",
    "不客气",
    "没关系",
    "没事",
    "你好",
    "您好",
    "谢谢",
    # 行 is "OK" on its own but part of these words.
    "银行",
    "旅行",
    "进行",
    "行业",
    # "我就是打来问问的": "just", not "yes".
    "我就是",
    "就是想",
    # "不用抵押就好，那我接受": a remark on what the loan does not need.
    "不用抵押",
    "不需要抵押",
    "不用担保",
    "不需要担保",
    "thank you",
    "thanks",
    "sorry",
    "excuse me",
    "hello",
)
#: 唔 is the Cantonese 不 ("唔同意", "唔得").
_ZH_NO: Final = ("不", "没", "拒绝", "否", "错", "算了", "唔")
_EN_NO: Final = (
    "no",
    "nope",
    "nah",
    "not",
    "never",
    "disagree",
    "refuse",
    "decline",
    "reject",
    "wrong",
    "incorrect",
    "negative",
)
_ZH_YES: Final = (
    "要得",
    "整吧",
    "整呗",
    "那整",
    "得嘞",
    "妥了",
    "都行",
    "好呀",
    "嗯呐",
    "中中",
    "中啊",
    "中吧",
    "是",
    "对",
    "好",
    "可以",
    "同意",
    "行",
    "确认",
    "确定",
    "愿意",
    "接受",
    "当然",
    "没问题",
    "签",
    "就这个方案",
    "就这么办",
    "就这么定",
    "就按这个",
    "ok",
    "okay",
)
_EN_YES: Final = (
    "yes",
    "yeah",
    "yea",
    "yep",
    "yup",
    "ya",
    "yah",
    "yes please",
    "correct",
    "right",
    "that's right",
    "sure",
    "ok",
    "okay",
    "o k",
    "agree",
    "agreed",
    "okie",
    "all good",
    "that's okay",
    "fine by me",
    "sure thing",
    "absolutely",
    "of course",
    "go ahead",
    "alright",
    "all right",
    "definitely",
    "certainly",
    "sounds good",
    "i agree",
    "i do",
    "accept",
    "i accept",
    "consent",
    "confirm",
    "confirmed",
    "absolutely",
    "definitely",
    "certainly",
    "of course",
    "affirmative",
    "go ahead",
    "fine",
    "alright",
    "all right",
    "uh huh",
    "mhm",
    "mm hmm",
    "exactly",
    "true",
    "sounds good",
    "let's do it",
    "let's do this",
    "let's go",
    "go for it",
    "i guess so",
    "i suppose so",
    "guess so",
    "suppose so",
)
_WEAK_YES: Final = ("嗯", "恩")
#: A refusal said in so many words: it stands against a yes to something else in the same
#: turn ("The first part okay, but ID number and bank, no. I don't agree to this.").
_EXPLICIT_REFUSALS: Final = (
    "不同意",
    "不愿意",
    "唔同意",
    "don't agree",
    "do not agree",
    "disagree",
    "refuse",
    "don't consent",
    "do not consent",
    "won't consent",
)


#: A no that refuses what was asked, in so many words (wider than the refusals above, which
#: outweigh a yes in the same turn): "合同发哪了？我没收到短信" has a no word and refuses nothing.
_REFUSES_IN_WORDS: Final = re.compile(
    r"不同意|不签|不要|不借|不接受|不愿意|不办|不弄|不做|算了|不用了|拒绝|不行"
    r"|\b(?:no|nope|nah|refuse|decline|won't|wouldn't|not (?:sign|accept|agree|consent|do))\b"
    r"|\b(?:don't|do not) (?:agree|accept|want|consent|sign)\b"
)


def refuses_in_words(text: str) -> bool:
    """Whether ``text`` refuses what was asked in words of refusal, not just a negation."""
    return bool(_REFUSES_IN_WORDS.search(normalize(text)))


#: A clause about an earlier question, not the one being answered.
_EARLIER: Final = (
    "前面那个",
    "前面的",
    "刚才那个",
    "上一个",
    "第一个",
    "the first one",
    "the earlier one",
    "the previous one",
    "the other one",
    "the first part",
)


def _verdict(clause: str) -> _Verdict:
    if _match.contains_any(clause, _UNSURE):
        return _Verdict.UNSURE
    despite = _match.contains_any(clause, _YES_DESPITE_NEGATION)
    rest = _match.remove(_match.remove(clause, _YES_DESPITE_NEGATION), _NEUTRAL)
    negative = any(neg in rest for neg in _ZH_NO) or any(
        _match.contains(rest, neg) for neg in _EN_NO
    )
    negative = negative or any(word.endswith("n't") for word in _match.words(rest))
    if negative:
        return _Verdict.NO
    if despite or _match.contains_any(rest, _ZH_YES) or _match.contains_any(rest, _EN_YES):
        return _Verdict.YES
    if any(weak in rest for weak in _WEAK_YES):
        return _Verdict.WEAK_YES
    return _Verdict.NONE


def parse_yes_no(text: str, lang: str = "zh") -> bool | None:
    """Decide whether the caller said yes or no.

    Yes: 是/是的/对/好的/可以/同意/没问题/嗯/行/确认/愿意, yes/yeah/correct/that's right/
    I agree/sure/OK/I do. No: 不/不是/不对/不同意/不要/不行/不用/拒绝/没有, no/nope/not/
    don't/I disagree/I refuse/wrong/incorrect. A negation wins within a clause
    ("不同意", "我不是很同意", "that's not right"); clauses that disagree ("no, I agree")
    and hedges ("不知道", "maybe", "是不是…") give None.

    Args:
        text: Recogniser output or typed text, punctuation and all ("是的。", "Yes.").
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        True for yes, False for no, None if the answer is unclear.
    """
    del lang  # both languages are always recognised
    # 中 on its own is "OK" in Henan speech; inside a word (中国, 中间) it is not.
    parts = [
        "行" if clause in ("中", "中中中") else clause
        for clause in clauses(normalize(text), joiners=("but", "however"))
    ]
    about_this = [clause for clause in parts if not _match.contains_any(clause, _EARLIER)]
    if about_this and len(about_this) < len(parts):
        # "前面那个可以，这个单独的不行": the yes is the earlier question's, the no this one's.
        parts = about_this
    verdicts = {_verdict(clause) for clause in parts}
    if _Verdict.UNSURE in verdicts:
        return None
    strong = verdicts & {_Verdict.YES, _Verdict.NO}
    if len(strong) == 2 and _match.contains_any(" ".join(parts), _EXPLICIT_REFUSALS):
        return False
    if strong == {_Verdict.YES}:
        return True
    if strong == {_Verdict.NO}:
        return False
    if not strong and _Verdict.WEAK_YES in verdicts:
        return True
    return None
