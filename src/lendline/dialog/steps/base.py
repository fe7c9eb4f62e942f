"""The specification of one step: what it asks, what it accepts, what it may correct."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lendline.dialog.state import Step
from lendline.dialog.turn import Prompt, Reply

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

Ask = Callable[["DialogContext"], list[Prompt]]
Accept = Callable[["DialogContext", str, str], Reply]


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step of the script.

    Parameters:
        step: the step.
        expects: the kind of answer, passed to the recogniser as a hint ("digits",
            "yes_no", "amount", "name", "free").
        ask: the step's question (with the read-back of the previous answer).
        accept: takes (text, keyed digits) and returns the agent's turn.
        corrects: the step whose answer this step's question reads back, which "不对，是…"
            / "no, it's…" said here corrects.
        keypad_offer: the prompt offering the keypad after failed spoken attempts.
        slot: the application slot the step fills, which a correction at any later step
            may change ("amount", "term", "purpose", "income", "employment").
    """

    step: Step
    expects: str
    ask: Ask
    accept: Accept
    corrects: Step | None = None
    keypad_offer: str | None = None
    slot: str | None = None
