"""Masking personal data and codes out of log text (PIPL; logs must never carry them).

``redact`` replaces, in any text:

* resident ID numbers (17 digits and a check digit or X) -> ``[ID:…last 4]``;
* mainland mobile numbers (1[3-9] and 9 digits, with or without +86) -> ``[MOBILE:…last 4]``;
* bank card numbers (13 to 19 digits passing the Luhn check) -> ``[CARD:…last 4]``;
* one-time codes: 4 to 8 digits right after a word for code (验证码, 动态码, OTP, code) ->
  ``[CODE]``, never any digit of them;
* any value given in ``known`` (a caller's name, say, which no pattern can recognise) ->
  ``[REDACTED]``.

Digits are matched as whole runs (not inside longer numbers), so amounts and references are
left alone unless they look exactly like one of the above. A logging adapter applies it to
every message and field; it is also what the leak test's scanner looks for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

_ID: Final = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE: Final = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_DIGIT_RUN: Final = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
_CODE: Final = re.compile(
    r"(验证码|动态码|校验码|OTP|one-time code|code)(\s*(?:is|为|是|:|：)?\s*)(\d{4,8})(?!\d)",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check (bank card numbers do)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _last4(match: re.Match[str], label: str) -> str:
    return f"[{label}:…{match.group(0)[-4:]}]"


def redact(text: str, known: Iterable[str] = ()) -> str:
    """Return ``text`` with ID numbers, mobiles, card numbers, codes and ``known`` values masked."""
    for value in sorted((v for v in known if v and v.strip()), key=len, reverse=True):
        text = text.replace(value, "[REDACTED]")
    text = _CODE.sub(lambda m: f"{m.group(1)}{m.group(2)}[CODE]", text)
    text = _ID.sub(lambda m: _last4(m, "ID"), text)
    text = _MOBILE.sub(lambda m: _last4(m, "MOBILE"), text)
    return _DIGIT_RUN.sub(lambda m: _last4(m, "CARD") if luhn_ok(m.group(0)) else m.group(0), text)
