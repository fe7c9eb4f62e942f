"""The acceptance scenarios over text chat: same script, same state, real database."""

from __future__ import annotations

import pytest

from lendline.demo.borrowers import happy_borrower, scenario
from lendline.demo.drive import chat_as, resolve_answer
from lendline.dialog.flow import CallerInput
from scenarios import CHECKS, check_hangup_then_resume

LANGUAGES = ("zh", "en")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_chat_scenario_ends_as_the_script_requires(make_app, name: str, language: str) -> None:
    app = make_app()
    report = chat_as(app, scenario(name, language))
    CHECKS[name](app, report.state, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_chat_hang_up_at_application_then_call_back_resumes_there(make_app, language: str) -> None:
    app = make_app()
    first = chat_as(app, scenario("hangup_at_application", language))
    second = chat_as(app, happy_borrower(language))
    check_hangup_then_resume(app, first.state, second.state, language)


@pytest.mark.postgres
@pytest.mark.parametrize("language", LANGUAGES)
def test_chat_happy_path_on_postgresql(make_app, language: str) -> None:
    app = make_app("postgresql")
    report = chat_as(app, happy_borrower(language))
    CHECKS["happy"](app, report.state, language)


def test_a_noisy_voice_call_can_move_to_chat_and_keep_its_session(make_app) -> None:
    app = make_app()
    persona = happy_borrower("zh")
    # The voice leg, driven with the words the recogniser would hand the script.
    dialog = app.open_call(persona.caller_number, "voice")
    dialog.start()
    while dialog.state.step.value != "amount":
        answer = resolve_answer(app, persona, persona.answer(dialog.state.last_prompts[-1][0]))
        dialog.handle(CallerInput(text=answer))
    reply = dialog.handle(CallerInput(text="这里太吵了，我想改用文字聊天"))
    assert reply.end_call and dialog.state.status.value == "moved_to_chat"
    # The chat continues the same session and, after re-verification, the same step.
    second = chat_as(app, happy_borrower("zh"))
    assert second.state.session_id == dialog.state.session_id
    CHECKS["happy"](app, second.state, "zh")
