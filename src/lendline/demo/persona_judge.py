"""The judge of a simulated conversation, and the written personas it judges against.

A *written persona* (JSON, see ``tests/fixtures/dialog/``) says, per step, what a borrower
says each time the agent asks that step's question, the kind of each line, and what the
borrower meant: the outcome and the values. The judge compares how a conversation ended, and
what it stored, with what the persona meant.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lendline.bootstrap import App
from lendline.dialog.state import DialogState, SessionStatus
from lendline.persistence.uow import SqlUnitOfWork


@dataclass(frozen=True, slots=True)
class WrittenPersona:
    """One written persona: its lines per step and what it meant.

    Parameters:
        id: the persona's id ("zh-h-001").
        lang: "zh" or "en".
        style: one line on who the borrower is.
        turns: step name -> (line, kind) pairs in the order they are said.
        expected: the intended outcome and values (see tests/fixtures/dialog/README.md).
    """

    id: str
    lang: str
    style: str
    turns: dict[str, tuple[tuple[str, str], ...]]
    expected: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WrittenPersona:
        """Read one persona object of a persona file."""
        turns = {
            step: tuple((str(line["say"]), str(line.get("kind", "answer"))) for line in lines)
            for step, lines in (data.get("turns") or {}).items()
        }
        return cls(
            id=str(data["id"]),
            lang=str(data["lang"]),
            style=str(data.get("style", "")),
            turns=turns,
            expected=dict(data["expected"]),
        )


def load_personas(path: Path) -> list[WrittenPersona]:
    """Read a persona file (a JSON array)."""
    return [WrittenPersona.from_json(item) for item in json.loads(path.read_text("utf-8"))]


@dataclass
class Verdict:
    """How one conversation went against what the persona meant.

    Parameters:
        persona: the persona's id.
        passed: ended as intended with every value right and no question counted as failed.
        outcome: the outcome reached ("applied", "declined_purpose", ...).
        wrong_values: slot -> (stored, meant) for values stored that were not meant.
        questions_failed: question-back lines answered as a failed answer.
        transcript: ("caller" | "agent", text) in order.
        corrected_at_review: slots the borrower corrected when the application was read
            back whole (misunderstood first, put right before the decision).
    """

    persona: str
    passed: bool
    outcome: str
    wrong_values: dict[str, tuple[str, str]] = field(default_factory=dict)
    questions_failed: list[str] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)
    corrected_at_review: list[str] = field(default_factory=list)


def _outcome(app: App, state: DialogState) -> str:
    said = _prompts_said(app, state.session_id)
    status = state.status
    if status is SessionStatus.DECLINED and "decline_banned_purpose" in said:
        return "declined_purpose"
    if status is SessionStatus.HANDED_OFF:
        return "handed_off"
    if status is SessionStatus.REFUSED:
        return "refused_consent"
    if status is SessionStatus.CANCELLED:
        return "cancelled"
    if state.reference and status in (
        SessionStatus.COMPLETED,
        SessionStatus.DECLINED,
        SessionStatus.REFERRED,
    ):
        return "applied"
    return f"ended_{status.value}_at_{state.step.value}"


def _prompts_said(app: App, session_id: str) -> list[str]:
    said: list[str] = []
    with SqlUnitOfWork(app.engine) as uow:
        for entry in uow.audit.entries(session_id):
            if entry.kind == "call.turn":
                prompt_ids = entry.payload["prompt_ids"]
                assert isinstance(prompt_ids, list)
                said.extend(str(prompt) for prompt in prompt_ids)
    return said


def wrong_values(persona: WrittenPersona, slots: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The slots stored with a value the persona did not mean: slot -> (stored, meant)."""
    expected = persona.expected
    wrong: dict[str, tuple[str, str]] = {}

    def check(slot: str, ok: bool, meant: object) -> None:
        if slot in slots and not ok:
            wrong[slot] = (slots[slot], str(meant))

    if expected.get("amount") is not None and "amount" in slots:
        check(
            "amount",
            Decimal(slots["amount"]) == Decimal(str(expected["amount"])),
            expected["amount"],
        )
    if expected.get("term") is not None and "term" in slots:
        check("term", slots["term"] == str(expected["term"]), expected["term"])
    purposes = expected.get("purpose")
    if purposes and "purpose" in slots:
        check("purpose", _purpose_ok(slots["purpose"], purposes), purposes)
    income = expected.get("monthly_income")
    if income and "income" in slots:
        low, high = (Decimal(str(v)) for v in income)
        stored = Decimal(slots["income"])
        check("income", low - 1 <= stored <= high + 1, income)
    employment = expected.get("employment")
    if employment and "employment" in slots:
        check("employment", slots["employment"] in employment, employment)
    return wrong


_BANNED = {
    "housing_purchase",
    "mortgage_repayment",
    "securities_investment",
    "futures_derivatives",
    "asset_management",
    "equity_or_fixed_asset_investment",
    "gambling",
    "other_unlawful",
}


def _purpose_ok(stored: str, meant: Iterable[str]) -> bool:
    meant = list(meant)
    if stored in meant:
        return True
    # Every banned purpose has the same effect (the application is declined).
    return stored in _BANNED and any(purpose in _BANNED for purpose in meant)


def judge(
    app: App,
    persona: WrittenPersona,
    state: DialogState,
    questions_failed: list[str],
    transcript: list[tuple[str, str]],
) -> Verdict:
    """Compare the conversation's end with what the persona meant."""
    outcome = _outcome(app, state)
    wrong = wrong_values(persona, state.slots)
    if outcome not in ("applied", "declined_purpose"):
        # Values stored before a hand-off or a cancellation still count when wrong, but
        # only those the persona gave.
        wrong = {slot: pair for slot, pair in wrong.items() if slot in persona.turns}
    passed = outcome == persona.expected.get("outcome") and not wrong and not questions_failed
    return Verdict(
        persona=persona.id,
        passed=passed,
        outcome=outcome,
        wrong_values=wrong,
        questions_failed=questions_failed,
        transcript=transcript,
    )
