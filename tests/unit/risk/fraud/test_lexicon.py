"""The cue lexicons: both languages, robust to recogniser output, versioned."""

from __future__ import annotations

import pytest

from lendline.risk.fraud.lexicon import CueKind, count, fold, lexicon_version, load_lexicon, scan


def kinds(text: str, language: str | None) -> list[str]:
    return [cue.kind.value for cue in scan(text, language)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("中介说这样填收入能批", "coaching"),
        ("他让我这么说的", "coaching"),
        ("他们帮我包装了一下", "coaching"),
        ("我急用，能马上放款吗", "urgency"),
        ("他们说要先交解冻费", "scam"),
        ("要交保证金才能放款", "scam"),
        ("他让我刷流水", "scam"),
        ("我要注销校园贷", "scam"),
        ("这个只是担保吗", "guarantor"),
        ("嗯，我在公司上班", "filler"),
    ],
)
def test_mandarin_phrases_are_heard(text: str, kind: str) -> None:
    assert kind in kinds(text, "zh")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("My agent told me to say I earn more.", "coaching"),
        ("The guy helping me filled it in.", "coaching"),
        ("Someone told me to call this number.", "urgency"),
        ("They told me to do it right now.", "urgency"),
        ("They said I must pay an unfreezing fee first.", "scam"),
        # As the recogniser heard it on a busy machine: "fee first" still tells it.
        ("They said I must pay an infreasing fee first.", "scam"),
        ("There is a processing fee, and a deposit to release the money.", "scam"),
        ("I need to cancel my student loan account.", "scam"),
        ("Is this just a guarantee?", "guarantor"),
        ("Um, I work at a school.", "filler"),
    ],
)
def test_english_phrases_are_heard(text: str, kind: str) -> None:
    assert kind in kinds(text, "en")


def test_recogniser_spacing_and_full_width_forms_do_not_hide_a_cue() -> None:
    assert kinds("解 冻 费", "zh") == ["scam"]
    assert kinds("保证金，才能 放 款", "zh") == ["scam"]
    assert kinds("ＵＮＦＲＥＥＺＥ  my   account", "en") == ["scam"]
    assert kinds("Is there a PROCESSING-FEE?", "en") == ["scam"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("交摊位的保证金，还有进货", "zh"),
        ("加盟一个奶茶店，要交保证金", "zh"),
        ("房东让先交押金和一个月房租", "zh"),
        ("The security deposit and first month's rent for my new apartment.", "en"),
        ("I need to pay the fee for my driving course.", "en"),
        ("My car insurance fee is due.", "en"),
    ],
)
def test_a_deposit_or_fee_for_an_ordinary_payment_is_no_scam(text: str, language: str) -> None:
    assert scan(text, language) == ()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("他们说要交保证金才能放款", "zh"),
        ("你们是不是要先交押金", "zh"),
        ("They said I have to pay a fee first before you release the money.", "en"),
        ("Do I have to pay a security deposit for the loan?", "en"),
    ],
)
def test_the_same_words_tied_to_the_loan_or_the_lender_are_a_scam_cue(
    text: str, language: str
) -> None:
    assert "scam" in kinds(text, language)


def test_english_matches_whole_words_only() -> None:
    # "um" inside "umbrella", "er" inside "her", "asap" inside nothing.
    assert scan("Her umbrella business sells summer goods.", "en") == ()
    # A "*" phrase takes word endings.
    assert kinds("the funds were unfreezing", "en") == ["scam"]


def test_overlapping_phrases_count_once_as_the_longest() -> None:
    cues = scan("先交解冻费", "zh")
    assert [cue.phrase for cue in cues if cue.kind is CueKind.SCAM] == ["解冻费"] or count(
        cues, CueKind.SCAM
    ) == len(cues)
    assert [c.phrase for c in scan("解冻费", "zh")] == ["解冻费"]


def test_ordinary_answers_carry_no_cues() -> None:
    for text in ("我要用来装修房子", "我在一家公司上班，工作三年了", "我每个月的收入是八千元"):
        assert scan(text, "zh") == ()
    for text in ("Tuition for my master's degree.", "I work as a nurse.", "Yes, I agree."):
        assert scan(text, "en") == ()


def test_amount_words_are_not_fillers() -> None:
    # 额 is a hesitation sound and also half of 金额 and 额度.
    assert scan("贷款金额五万，额度够吗", "zh") == ()


def test_no_language_yet_scans_with_both_lexicons() -> None:
    assert kinds("解冻费 and an unfreeze fee", None) == ["scam", "scam"]


def test_each_cue_names_the_lexicon_version_that_found_it() -> None:
    for language in ("zh", "en"):
        version = lexicon_version(language)
        assert version.startswith(f"{language}-cues-")
        assert load_lexicon(language).version == version
    (cue,) = scan("解冻", "zh")
    assert cue.lexicon == lexicon_version("zh")


def test_both_lexicons_list_every_kind() -> None:
    for language in ("zh", "en"):
        lexicon = load_lexicon(language)
        assert all(lexicon.phrases[kind] for kind in CueKind)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        load_lexicon("fr")


def test_fold_gives_one_form() -> None:
    assert fold("Ｕｍ, ＯＫ！", "en") == " um ok "
    assert fold("嗯 ， 好的。", "zh") == "嗯好的"
