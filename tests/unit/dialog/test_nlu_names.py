"""Reading a caller's name out of what they said (or what the recogniser wrote)."""

from __future__ import annotations

import pytest

from lendline.dialog.nlu.names import read_name


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("我叫王小明", "王小明"),
        ("王小明，三横王的王", "王小明"),
        ("姓王，叫王小明", "王小明"),
        ("王 小 明", "王小明"),
        ("Li Hua.", "li hua"),
        ("My name is Li Hua, thanks", "li hua"),
        # Spelt out after the name, as people do on the phone and as recognisers write it.
        ("It's Li Hua, L-I H-U-A", "li hua"),
        ("My name is Li Hua, L I, H U A.", "li hua"),
        ("My name is Lihua L.I. H.U.A.", "lihua"),
        ("Li Hua L.I.H.U.A", "li hua"),
        ("Alejandra Gómez.", "alejandra gómez"),
        ("My name is Nguyễn Thị Lan", "nguyễn thị lan"),
        ("François Müller", "françois müller"),
        # Names with the middle dot, as the resident ID writes them, however the dot is typed.
        ("买买提·艾力", "买买提·艾力"),
        ("我叫阿依古丽・买买提", "阿依古丽·买买提"),
        ("我的名字是伊万诺娃•安娜，中文名字安娜。", "伊万诺娃·安娜"),
        # After a question back was answered: "oh, then my name is …".
        ("哦，那我叫李华。", "李华"),
        ("那英", "那英"),
    ],
)
def test_the_name_is_kept_and_the_words_around_it_are_not(said: str, name: str) -> None:
    assert read_name(said) == name


@pytest.mark.parametrize("said", ["你们要名字干嘛？", "who is this?", "Why HUF?", "", "。"])
def test_a_question_or_nothing_is_never_a_name(said: str) -> None:
    assert read_name(said) is None
