"""Understanding measured on written personas: the judge itself, and a held-out sample.

The simulated borrower plays personas written by people who had not read the NLU rules
(``tests/fixtures/dialog``) over chat against a real LendLine. The judge must fail a
conversation that stored a value the borrower did not mean or answered a question back with
a retry; the held-out sample must keep ending as meant (docs/dialog.md has the full figures).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lendline.bootstrap import bootstrap
from lendline.demo.persona_judge import WrittenPersona, judge, load_personas
from lendline.demo.simulated_borrower import converse
from suite_settings import _settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dialog"
#: Every n-th held-out persona runs in the suite (the bench runs them all).
_SAMPLE_EVERY = 4
#: The suite's floor on the sample of the second held-out set (measured 100 % zh, 97.5 %
#: en); the rates on the whole sets are in docs/dialog.md.
_SAMPLE_FLOOR = 0.85


def _persona(turns: dict[str, list[tuple[str, str]]], **expected: object) -> WrittenPersona:
    return WrittenPersona.from_json(
        {
            "id": "judge",
            "lang": "zh",
            "turns": {
                step: [{"say": say, "kind": kind} for say, kind in lines]
                for step, lines in turns.items()
            },
            "expected": {
                "outcome": "applied",
                "amount": 30000,
                "term": 12,
                "purpose": ["home_renovation"],
                "monthly_income": [15000, 15000],
                "employment": ["employed"],
                **expected,
            },
        }
    )


_PLAIN = {
    "amount": [("借三万", "answer")],
    "term": [("一年", "answer")],
    "purpose": [("装修", "answer")],
    "income": [("一万五", "answer")],
    "employment": [("在公司上班", "answer")],
}


def test_the_judge_passes_a_conversation_that_ends_as_meant(make_app) -> None:
    _, verdict = converse(make_app(), _persona(_PLAIN))
    assert verdict.passed and verdict.outcome == "applied", verdict


def test_the_judge_fails_a_value_stored_that_was_not_meant(make_app) -> None:
    app = make_app()
    state, _ = converse(app, _persona(_PLAIN))
    verdict = judge(app, _persona(_PLAIN, amount=50000), state, [], [])
    assert not verdict.passed and verdict.wrong_values["amount"] == ("30000", "50000")


def test_a_value_misunderstood_is_put_right_at_the_summary_before_the_decision(
    make_app,
) -> None:
    # The borrower meant 50,000 but the script heard 30,000: the summary read back before
    # the decision is answered truthfully ("不对，借款金额是50000元") and the offer is made
    # on what was meant.
    state, verdict = converse(make_app(), _persona(_PLAIN, amount=50000))
    assert verdict.passed and verdict.corrected_at_review == ["amount"], verdict
    assert state.slots["amount"] == state.slots["offer_amount"] == "50000"


def test_the_judge_fails_a_question_back_answered_with_a_retry(make_app) -> None:
    turns = {**_PLAIN, "amount": [("嗯嗯嗯", "question"), ("借三万", "answer")]}
    _, verdict = converse(make_app(), _persona(turns))
    assert not verdict.passed and verdict.questions_failed == ["嗯嗯嗯"]


@pytest.mark.parametrize("language", ("zh", "en"))
def test_a_sample_of_the_held_out_personas_ends_as_meant(
    tmp_path_factory: pytest.TempPathFactory, language: str
) -> None:
    personas = load_personas(FIXTURES / f"heldout2-{language}.json")[::_SAMPLE_EVERY]
    failed = []
    for persona in personas:
        # Each persona applies on a database of its own, as a new borrower would.
        tmp = tmp_path_factory.mktemp(persona.id)
        app = bootstrap(_settings(tmp, f"sqlite:///{tmp / 'lendline.db'}"))
        try:
            app.load_demo_customers()
            _, verdict = converse(app, persona)
        finally:
            app.close()
        if not verdict.passed:
            failed.append(persona.id)
    assert 1 - len(failed) / len(personas) >= _SAMPLE_FLOOR, failed
