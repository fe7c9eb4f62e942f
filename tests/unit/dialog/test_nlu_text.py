"""Cutting a turn into clauses and sentences: the one definition every reader shares."""

from __future__ import annotations

import pytest

from lendline.dialog.nlu.text import DASHES, clause_spans, clauses, sentences


@pytest.mark.parametrize(
    ("said", "parts"),
    [
        ("一万五，不对，两万", ["一万五", "不对", "两万"]),
        ("about 26,000, well, 1.5 wan", ["about 26,000", "well", "1.5 wan"]),
        ("装修、买家具；还有旅游", ["装修", "买家具", "还有旅游"]),
        ("  ", []),
    ],
)
def test_clauses_end_at_punctuation_but_not_inside_a_number(said: str, parts: list[str]) -> None:
    assert clauses(said) == parts


def test_joiners_split_clauses_only_when_asked() -> None:
    said = "yes but not the second one"
    assert clauses(said) == [said]
    assert clauses(said, joiners=("but",)) == ["yes", "not the second one"]


def test_dashes_split_clauses_only_when_asked() -> None:
    assert clauses("separate consent — no") == ["separate consent — no"]
    assert clauses("twelve months — one year.", joiners=DASHES) == ["twelve months", "one year"]
    assert clauses("一年——十二个月吧", joiners=DASHES) == ["一年", "十二个月吧"]


def test_clause_spans_point_into_the_text() -> None:
    said = "房子去年买的， 首付早付完了，现在要买家具"
    assert [said[a:b] for a, b in clause_spans(said)] == clauses(said)


def test_sentences_end_at_stops_but_not_at_a_decimal_point() -> None:
    assert sentences("It's 1.5 wan. Agent! 好吗？行") == ["It's 1.5 wan", "Agent", "好吗", "行"]
