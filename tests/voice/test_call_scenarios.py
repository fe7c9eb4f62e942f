"""The acceptance scenarios as phone calls: synthesized borrower audio, 8 kHz G.711, through
pipecat's VAD and Smart Turn, Whisper, the dialog and the voices. No speech is mocked."""

from __future__ import annotations

import asyncio

import pytest

from lendline.demo.borrowers import happy_borrower, scenario
from lendline.demo.drive import call_by_voice
from scenarios import CHECKS, check_hangup_then_resume

pytestmark = [pytest.mark.slow, pytest.mark.voice]
LANGUAGES = ("zh", "en")


def _call(app, persona):  # type: ignore[no-untyped-def]
    return asyncio.run(call_by_voice(app, persona))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_voice_scenario_ends_as_the_script_requires(make_app, name: str, language: str) -> None:
    app = make_app(with_speech=True)
    report = _call(app, scenario(name, language))
    CHECKS[name](app, report.state, language)
    assert report.caller is not None and len(report.caller.agent_audio) > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_voice_hang_up_at_application_then_call_back_resumes_there(make_app, language: str) -> None:
    app = make_app(with_speech=True)
    first = _call(app, scenario("hangup_at_application", language))
    second = _call(app, happy_borrower(language))
    check_hangup_then_resume(app, first.state, second.state, language)
