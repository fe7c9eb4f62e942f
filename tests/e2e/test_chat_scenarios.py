"""The acceptance scenarios over text chat: same script, same state, real database."""

from __future__ import annotations

import pytest
from scenarios import CHECKS, check_hangup_then_resume

from lendline.demo.borrowers import happy_borrower, scenario
from lendline.demo.drive import chat_as

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


def test_a_voice_call_can_move_to_chat_and_keep_its_session(make_app) -> None:
    app = make_app()
    persona = happy_borrower("zh").with_answers("noisy-zh", ask_amount=["太吵了，我想用文字聊天"])
    first = chat_as(app, persona)  # the switch request ends this conversation
    assert first.state.status.value == "moved_to_chat"
    second = chat_as(app, happy_borrower("zh"))
    assert second.state.session_id == first.state.session_id
    CHECKS["happy"](app, second.state, "zh")
