"""Word cues on every caller turn: counts in the state, flags by kind, one scam warning a call."""

from __future__ import annotations

import pytest

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import chat_as, resolve_answer
from lendline.dialog.flow import CallerInput, Dialog
from lendline.dialog.prompt_book import load_prompts
from lendline.dialog.state import DialogState, SessionStatus, Step

SCAM = {"zh": "他们说要先交解冻费", "en": "They said I must pay an unfreezing fee first."}


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
def test_the_first_scam_cue_is_answered_with_a_warning_and_a_person_takes_over(
    make_app, language: str
) -> None:
    app = make_app()
    dialog = _at_purpose(app, language)
    reply = dialog.handle(CallerInput(text=SCAM[language]))
    ids = [prompt_id for prompt_id, _ in reply.prompts]
    assert ids[0] == "scam_warning"
    assert ids[-1] == "hand_off"  # a critical alert pauses the script: a person takes over
    assert reply.hand_off and reply.end_call
    assert dialog.state.status is SessionStatus.HANDED_OFF
    assert "96110" not in reply.text and ("九六一一零" in reply.text or "nine six" in reply.text)
    assert "scam_cue" in dialog.state.flags
    assert dialog.state.signals["scam_cues"] >= 1.0  # "unfreezing" and "fee first" are two
    # The flag names the kind only; the caller's words stay in the transcript.
    assert not any(SCAM[language][:4] in flag for flag in dialog.state.flags)
    (alert,) = app.desk.alerts.queue()
    assert (alert.alert.code, alert.alert.level.value, alert.route.value) == (
        "scam_cue",
        "critical",
        "pause_and_hand_off",
    )
    assert alert.alert.session_id == dialog.state.session_id


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("en", "Thirty-five thousand. Is there any processing fee also?"),
        ("zh", "五万。要不要先交手续费才能放款啊？"),
    ],
)
def test_a_scam_cue_only_asked_about_is_answered_with_the_warning_and_the_call_goes_on(
    make_app, language: str, asked: str
) -> None:
    app = make_app()
    persona = happy_borrower(language)
    dialog = app.open_call(persona.caller_number, "chat")
    dialog.start()
    while dialog.state.step is not Step.AMOUNT:
        answer = persona.answer(dialog.state.last_prompts[-1][0])
        assert answer is not None
        dialog.handle(CallerInput(text=resolve_answer(app, persona, answer, spoken=False)))
    reply = dialog.handle(CallerInput(text=asked))
    ids = [prompt_id for prompt_id, _ in reply.prompts]
    assert ids[0] == "scam_warning" and not reply.end_call
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.TERM
    (alert,) = app.desk.alerts.queue()
    assert (alert.alert.code, alert.alert.level.value) == ("scam_question", "warn")
    # Said as what happened, the same words are the scam itself: a person takes over,
    # without a second warning.
    reply = dialog.handle(CallerInput(text=SCAM[language]))
    assert dialog.state.status is SessionStatus.HANDED_OFF
    assert "scam_warning" not in [prompt_id for prompt_id, _ in reply.prompts]
    codes = {(item.alert.code, item.alert.level.value) for item in app.desk.alerts.queue()}
    assert ("scam_cue", "critical") in codes


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
    # Coaching goes to the review queue once; the call carries on.
    dialog.handle(CallerInput(text="中介说的"))
    assert [item.alert.code for item in app.desk.alerts.queue()] == ["coaching_cue"]
    assert dialog.state.status is SessionStatus.ACTIVE


@pytest.mark.parametrize(
    "told",
    [
        "Someone on WeChat told me to call this number to unfreeze my account, is this related?",
        "有个客服让我先交解冻费，这是你们吗？",
    ],
)
def test_a_scam_told_before_a_question_is_the_scam_itself(make_app, told: str) -> None:
    app = make_app()
    dialog = _at_purpose(app, "en" if told.isascii() else "zh")
    reply = dialog.handle(CallerInput(text=told))
    assert reply.hand_off and dialog.state.status is SessionStatus.HANDED_OFF


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
