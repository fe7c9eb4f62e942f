"""Word cues on every caller turn: counts in the state, flags by kind, one scam warning a call."""

from __future__ import annotations

import pytest

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import chat_as, resolve_answer
from lendline.dialog.flow import CallerInput, Dialog
from lendline.dialog.prompt_book import load_prompts
from lendline.dialog.state import DialogState, Step

SCAM = {"zh": "他们说要先交解冻费", "en": "They said I must pay an unfreezing fee first."}
PURPOSE = {"zh": "我要用来装修房子", "en": "Tuition for my master's degree."}


def _at_purpose(app, language: str) -> Dialog:  # type: ignore[no-untyped-def]
    persona = happy_borrower(language)
    dialog = app.open_call(persona.caller_number, "chat")
    dialog.start()
    while dialog.state.step is not Step.PURPOSE:
        answer = persona.answer(dialog.state.last_prompts[-1][0])
        assert answer is not None
        dialog.handle(CallerInput(text=resolve_answer(app, persona, answer, spoken=False)))
    return dialog


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_first_scam_cue_is_answered_with_a_warning_then_the_script_goes_on(
    make_app, language: str
) -> None:
    app = make_app()
    dialog = _at_purpose(app, language)
    reply = dialog.handle(CallerInput(text=SCAM[language]))
    ids = [prompt_id for prompt_id, _ in reply.prompts]
    assert ids[0] == "scam_warning"
    assert ids[-1] == "ask_purpose"  # the question is asked again, last
    assert "96110" not in reply.text and ("九六一一零" in reply.text or "nine six" in reply.text)
    assert "scam_cue" in dialog.state.flags
    first = dialog.state.signals["scam_cues"]
    assert first >= 1.0  # "unfreezing" and "fee first" are two cues
    # The flag names the kind only; the caller's words stay in the transcript.
    assert not any(SCAM[language][:4] in flag for flag in dialog.state.flags)

    again = dialog.handle(CallerInput(text=SCAM[language]))
    assert "scam_warning" not in [prompt_id for prompt_id, _ in again.prompts]
    assert dialog.state.signals["scam_cues"] == 2 * first
    assert dialog.state.flags.count("scam_cue") == 1

    dialog.handle(CallerInput(text=PURPOSE[language]))
    assert dialog.state.step is Step.INCOME


def test_coaching_and_guarantor_cues_are_counted_and_flagged(make_app) -> None:
    app = make_app()
    dialog = _at_purpose(app, "zh")
    dialog.handle(CallerInput(text="中介说这个只是担保吗，我急用"))
    signals = dialog.state.signals
    assert (signals["coaching_cues"], signals["guarantor_cues"], signals["urgency_cues"]) == (
        1.0,
        1.0,
        1.0,
    )
    assert {"coaching_cue", "guarantor_cue"} <= set(dialog.state.flags)
    assert "urgency_cue" not in dialog.state.flags


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_happy_borrower_hears_no_scam_warning(make_app, language: str) -> None:
    app = make_app()
    report = chat_as(app, happy_borrower(language))
    warning = load_prompts(language).text("scam_warning")
    assert all(text != warning for _, text in report.transcript)
    assert "scam_cue" not in report.state.flags
    assert report.state.signals.get("scam_cues", 0.0) == 0.0


def test_signals_survive_storage_and_old_states_load_without_them() -> None:
    state = DialogState(session_id="s", caller_number="1", signals={"scam_cues": 1.0})
    assert DialogState.from_dict(state.to_dict()).signals == {"scam_cues": 1.0}
    old = state.to_dict()
    del old["signals"]
    assert DialogState.from_dict(old).signals == {}
