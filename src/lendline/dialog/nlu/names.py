"""A caller's full name, as said when asked for it.

People wrap their name in words ("我叫王小明", "王小明，三横王的王", "It's Li Hua, L-I H-U-A",
"my name is Li Hua, thanks") and sometimes answer with a question ("你们要名字干嘛？", "who
is this?"). A name spelt out after it (L-I H-U-A, L.I. H.U.A.) is dropped. Only the name
is kept, and a question is never taken for a name.
"""

from __future__ import annotations

import re
from typing import Final

from lendline.dialog.nlu.text import normalize

_PREFIXES: Final = (
    "叫我",
    "they call me",
    "you can put",
    "put",
    "write",
    "我的全名是",
    "我的名字叫",
    "我的名字是",
    "名字叫",
    "名字是",
    "本人叫",
    "本人是",
    "那我叫",
    "那我是",
    "那就叫",
    "我叫",
    "我是",
    "叫",
    "my full name is",
    "my name is",
    "my name's",
    "the name is",
    "the name's",
    "name is",
    "name's",
    "this is",
    "it is",
    "it's",
    "i am",
    "i'm",
    "call me",
    "sure",
    "ok",
    "okay",
    "yes",
    "yeah",
    "hi",
    "hello",
    "好的",
    "嗯",
    "哦",
    "噢",
)
_QUESTION: Final = re.compile(
    r"[?？]|吗|什么|干嘛|干吗|为什么|为啥|谁|怎么|^(?:what|why|who|how|do|does|is|are|can|could)\b"
)
_SURNAME_THEN_NAME: Final = re.compile(
    r"姓.{1,2}[,，\s]*(?:叫|名叫|全名)(?P<name>[\u4e00-\u9fff]{2,4})"
)
_SEPARATORS: Final = re.compile(r"[,，。.!！;；、?？—–]|\s-\s")
_SPELLING: Final = re.compile(r"\b(?:[a-z]-)+[a-z]\b")
#: "L.I. H.U.A." as a recogniser writes letters spelt out: dropped before the full stops split
#: the answer into parts.
_DOTTED_SPELLING: Final = re.compile(r"\b(?:[a-z]\.\s?){2,}(?:[a-z]\b)?")
#: A Chinese name of two to five characters, or a name written in Chinese characters with
#: the middle dot between its parts, as the resident ID writes Uyghur, Kazakh and foreign
#: names ("买买提·艾力", "伊万诺娃·安娜").
_CJK_NAME: Final = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,5}|[\u4e00-\u9fff]{1,8}(?:·[\u4e00-\u9fff]{1,8}){1,3})$"
)
#: The middle dot as keyboards and recognisers write it.
_MIDDLE_DOTS: Final = re.compile(r"(?<=[\u4e00-\u9fff])\s*[・•‧･∙⋅.．]\s*(?=[\u4e00-\u9fff])")
#: Latin letters with their accents ("gómez", "françois", "nguyễn", "müller").
_LATIN_LETTER: Final = "a-zß-öø-ÿ\u0100-\u024f\u1e00-\u1eff"
_LATIN_NAME: Final = re.compile(
    rf"^[{_LATIN_LETTER}][{_LATIN_LETTER}'\-]*(?: [{_LATIN_LETTER}][{_LATIN_LETTER}'\-]*){{0,3}}$"
)
_TRAILING: Final = (
    " please",
    " thanks",
    " thank you",
    " is my name",
    " is my full name",
    " okay",
    "就是我",
    " ok",
    "就行",
    "就可以",
    "就好",
    "的",
    "呀",
    "啊",
    "哈",
    "嘛",
    "呢",
)
_SYMBOLS: Final = re.compile(r"[:;=][-']?[()dp]|[^\w\s·'\-,，。.!！;；、?？—–]")
_CJK_ANY: Final = re.compile(r"[\u4e00-\u9fff]")
_ASIDE: Final = re.compile(r"[(（][^)）]*[)）]")
#: 王 小 明 / 王、小、明: one character at a time.
_SPACED_CJK: Final = re.compile(r"(?<=[\u4e00-\u9fff])[\s、]+(?=[\u4e00-\u9fff](?:[\s、]|$))")
_LETTERS: Final = re.compile(r"\b(?:[a-z]\s+){2,}[a-z]\b")


def read_name(text: str) -> str | None:
    """Read a full name; None for a question or when no name-like words remain.

    Args:
        text: Recogniser output or typed text.

    Returns:
        The name, normalised (Simplified characters, lower-case Latin letters).
    """
    said = _MIDDLE_DOTS.sub("·", normalize(text))
    said = _SYMBOLS.sub(" ", _ASIDE.sub(" ", said))
    said = _SPACED_CJK.sub("", said)
    if match := _SURNAME_THEN_NAME.search(said):
        return match.group("name")
    said = _LETTERS.sub(" ", _SPELLING.sub(" ", _DOTTED_SPELLING.sub(" ", said)))
    parts = [part.strip() for part in _SEPARATORS.split(said) if part.strip()]
    # "Li Hua, okay?" is a name with a tag; "你们要名字干嘛？" asks instead of answering.
    if not parts or _QUESTION.search(parts[0]):
        return None
    for part in parts:
        if _QUESTION.search(part):
            continue
        name = part
        stripped = True
        while stripped:
            stripped = False
            for prefix in _PREFIXES:
                if name.startswith(prefix) and len(name) > len(prefix):
                    name = name[len(prefix) :].strip(" ,，")
                    stripped = True
        for tail in _TRAILING:
            name = name.removesuffix(tail).strip()
        if _CJK_ANY.search(name):
            # "王小明 wang xiao ming": the characters are the name, the pinyin spells it.
            name = re.sub(r"[a-z\s]+", "", name)
        if _CJK_NAME.match(name) or _LATIN_NAME.match(name):
            return name
    return None
