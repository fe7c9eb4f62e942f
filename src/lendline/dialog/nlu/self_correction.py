"""Self-corrections inside one answer: "六个月吧……不对，九个月", "twenty, no, twenty-five thousand".

The caller's last version is what they mean. Taking the whole utterance would combine the
two values (6 + 9 months read as 15) or keep the first; so the text after the last
correcting phrase is used, provided a value of the expected kind follows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from lendline.dialog.nlu.text import clause_spans, normalize

_MARKERS: Final = re.compile(
    r"不对|不是|不算|其实是|说错了|错了|哦不|噢不|呃不|不不|应该是|我是说|我的意思是|还是|改成|算了"
    r"|准确地说|严格来说|确切地说|strictly speaking|to be precise|to be exact|more precisely"
    r"|(?:^|[\s,.!?;:，。！？…])(?:no(?! more\b| longer\b)|nope|sorry|wait|actually|rather|"
    r"i mean|i meant|but it's|but it is|it's really|"
    r"make (?:that|it)|scratch that|or rather|correction|change (?:that|it) to)\b"
)


def latest_version(text: str, says_value: Callable[[str], bool]) -> str:
    """The part of ``text`` after its last correcting phrase that still says a value.

    Args:
        text: Recogniser output or typed text.
        says_value: whether a piece of text holds a value of the kind expected.

    Returns:
        The caller's last version of the value, or ``text`` when there is no correction.
    """
    said = normalize(text)
    for match in reversed(list(_MARKERS.finditer(said))):
        tail = said[match.end() :].strip(" ,.!?;:，。！？…")
        head = said[: match.start()]
        if tail and says_value(tail) and says_value(head):
            return _with_unit_of(head, tail)
    return said


#: A sum's unit after its figure ("thirteen thousand", "三万"), and a figure said bare.
_UNIT: Final = re.compile(r"\b(thousand|grand|k)\b|(?<=[一二两三四五六七八九十])(万|千)")
_FIGURE_AFTER: Final = re.compile(
    r"\d|[一二两三四五六七八九十百]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b"
)
_BARE_FIGURE: Final = re.compile(
    r"\s*(?:[a-z]+(?:[- ][a-z]+)?|\d{1,3}|[一二两三四五六七八九十]{1,3})(?:吧|啊)?\s*",
    re.IGNORECASE,
)


def _with_unit_of(head: str, tail: str) -> str:
    """The new figure with the unit of the one it replaces ("thirteen thousand, sorry, eleven").

    Only a figure said bare as the first clause of the new version takes the unit.
    """
    units = list(_UNIT.finditer(head))
    if not units or _FIGURE_AFTER.search(head[units[-1].end() :]):
        return tail
    unit = units[-1].group(1) or units[-1].group(2)
    spans = clause_spans(tail)
    first, rest = (tail[: spans[0][1]], tail[spans[0][1] :]) if spans else (tail, "")
    if not _BARE_FIGURE.fullmatch(first):
        return tail
    joined = f"{first.rstrip()} {unit}" if units[-1].group(1) else first.rstrip() + unit
    return joined + rest
