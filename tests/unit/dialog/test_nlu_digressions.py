"""Questions back told from answers that mention the same topic."""

from __future__ import annotations

import pytest

from lendline.dialog.nlu.digressions import Digression, detect_digression


@pytest.mark.parametrize(
    ("said", "digression"),
    [
        ("利率", Digression.RATE),
        ("那个利率", Digression.RATE),
        ("利息多少", Digression.RATE),
        ("The fees?", Digression.FEES),
        ("fees", Digression.FEES),
        ("手续费", Digression.FEES),
    ],
)
def test_a_topic_asked_about_or_said_alone_is_a_question(said: str, digression: Digression) -> None:
    assert detect_digression(said) is digression


@pytest.mark.parametrize(
    "said", ["Hostel fees.", "School fees", "交学费", "利息太高了，想一次还掉", "还信用卡的利息"]
)
def test_a_topic_named_in_an_answer_asks_nothing(said: str) -> None:
    assert detect_digression(said) is None
