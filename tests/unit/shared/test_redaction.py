"""Log masking: IDs, mobiles, cards, codes and known names never reach a log line."""

from __future__ import annotations

import pytest

from lendline.shared.redaction import luhn_ok, redact


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证号11010519491231002X，核验通过", "身份证号[ID:…002X]，核验通过"),
        ("id=110105194912310021 ok", "id=[ID:…0021] ok"),
        ("calling +86 13812345678 now", "calling [MOBILE:…5678] now"),
        ("手机13812345678", "手机[MOBILE:…5678]"),
        ("card 6222020200112233446 paid", "card [CARD:…3446] paid"),
        ("您的验证码是123456，请勿告诉他人", "您的验证码是[CODE]，请勿告诉他人"),
        ("OTP: 9876 sent", "OTP: [CODE] sent"),
        ("your one-time code is 482913.", "your one-time code is [CODE]."),
    ],
)
def test_personal_numbers_and_codes_are_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "amount 30000.00 CNY over 12 months",
        "reference LL-20261129-63Z1E",
        "order 1234567890123",  # 13 digits failing Luhn: not a card
        "seq 12345678901234567",  # 17 digits: not an ID
    ],
)
def test_ordinary_figures_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_known_values_such_as_names_are_masked_longest_first() -> None:
    assert (
        redact("借款人李晓华（李晓）已签署", known=["李晓", "李晓华"])
        == "借款人[REDACTED]（[REDACTED]）已签署"
    )
    assert redact("nothing to hide", known=["", "  "]) == "nothing to hide"


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("6222020200112233446")
    assert not luhn_ok("4111111111111112")
