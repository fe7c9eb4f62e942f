"""Driving a chat dialog turn by turn in the dialog's unit tests.

The demo's registered borrower answers every question up to the step a test starts at, so
each test says only the turns it is about.
"""

from __future__ import annotations

from typing import Any

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import resolve_answer
from lendline.dialog.flow import CallerInput, Dialog, Reply
from lendline.dialog.state import Step


def dialog_at(app: Any, step: Step, language: str) -> Dialog:
    """A new chat call from the happy borrower, answered up to ``step``."""
    persona = happy_borrower(language)
    dialog = app.open_call(persona.caller_number, "chat")
    dialog.start()
    while dialog.state.step is not step:
        answer = persona.answer(dialog.state.last_prompts[-1][0])
        assert answer is not None
        reply = dialog.handle(CallerInput(text=resolve_answer(app, persona, answer, spoken=False)))
        assert not reply.end_call, reply.prompts
    return dialog


def say(dialog: Dialog, text: str) -> Reply:
    """One typed turn."""
    return dialog.handle(CallerInput(text=text))


def prompt_ids(reply: Reply) -> list[str]:
    """The ids of the prompts of a reply, in order."""
    return [prompt_id for prompt_id, _ in reply.prompts]


_YES = {"zh": "对", "en": "Yes."}


def owned_up(dialog: Dialog, text: str, language: str) -> Reply:
    """Say a forbidden use, hear it read back, and say yes: the reply to the yes."""
    read_back = say(dialog, text)
    assert prompt_ids(read_back) == ["confirm_banned_purpose"], prompt_ids(read_back)
    return say(dialog, _YES[language])
