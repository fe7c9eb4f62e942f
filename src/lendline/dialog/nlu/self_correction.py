"""Self-corrections inside one answer: "六个月吧……不对，九个月", "twenty, no, twenty-five thousand".

The caller's last version is what they mean. Taking the whole utterance would combine the
two values (6 + 9 months read as 15) or keep the first; so the text after the last
correcting phrase is used, provided a value of the expected kind follows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from lendline.dialog.nlu.text import normalize

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
            return tail
    return said
