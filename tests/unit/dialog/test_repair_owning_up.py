"""Questions said with an answer, cancellations with a slot in them, and purposes owned up to.

Over chat against the real desk and database: only what a turn states outside its questions
answers; a turn that cancels and names the loan changes nothing; a forbidden purpose owned up
to at a later step ends the application there and then; a change that cannot be read uses a
retry, so a caller who keeps saying it reaches a person instead of an endless loop.
"""

from __future__ import annotations

import pytest

from chat_turns import dialog_at, owned_up, prompt_ids, say
from lendline.dialog.state import SessionStatus, Step


def test_a_yes_word_inside_a_question_agrees_to_nothing(make_app) -> None:
    dialog = dialog_at(make_app(), Step.SENSITIVE_CONSENT, "zh")
    reply = say(dialog, "为什么这个还要单独同意？")
    assert dialog.state.step is Step.SENSITIVE_CONSENT
    assert dialog.state.status is SessionStatus.ACTIVE
    assert "sensitive" not in dialog.state.slots.get("consents", "")
    assert prompt_ids(reply)[-1] == "sensitive_consent"


def test_a_no_said_after_a_question_refuses(make_app) -> None:
    dialog = dialog_at(make_app(), Step.SENSITIVE_CONSENT, "zh")
    say(dialog, "银行账户也要？那我不同意，我就是打来问问的。")
    assert dialog.state.status is SessionStatus.REFUSED


def test_a_question_that_names_a_workplace_is_no_answer(make_app) -> None:
    dialog = dialog_at(make_app(), Step.EMPLOYMENT, "zh")
    reply = say(dialog, "工作也要问？你们会不会打电话到我单位？")
    assert "employment" not in dialog.state.slots
    assert prompt_ids(reply) == ["digress_unknown", "ask_employment"]
    say(dialog, "那还是算了，我不想让单位知道。")
    assert dialog.state.slots.get("confirm_slot") == "cancel"


def test_an_answer_after_a_question_echoed_back_is_taken(make_app) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, "en")
    say(dialog, "My own income? None. My husband earns the money.")
    assert dialog.state.slots["income"] == "0" and dialog.state.step is Step.EMPLOYMENT


@pytest.mark.parametrize(
    ("step", "language", "said"),
    [
        (Step.TERM, "en", "Let me think about it and call you back, okay?"),
        (Step.TERM, "en", "Hmm, honestly, I'm not sure I even want this loan. Let's stop."),
        (Step.INCOME, "zh", "哎等一下，我刚收到工资到账短信了，暂时不用借了，算了算了。"),
    ],
)
def test_a_cancellation_with_a_tag_question_or_a_slot_in_it_cancels(
    make_app, step: Step, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    amount = dialog.state.slots["amount"]
    reply = say(dialog, said)
    assert prompt_ids(reply) == ["confirm_cancel"]
    assert dialog.state.slots["amount"] == amount and dialog.state.retries == 0


def test_putting_off_the_signature_for_a_few_days_declines_it(make_app) -> None:
    dialog = dialog_at(make_app(), Step.SIGN_CONSENT, "zh")
    say(dialog, "先不签了，我想再考虑几天。")
    assert dialog.state.status is SessionStatus.CANCELLED


@pytest.mark.parametrize(
    ("step", "language", "said"),
    [
        (Step.INCOME, "zh", "跟你说实话吧，不是装修，股票套住了，想借点钱补仓。"),
        (Step.EMPLOYMENT, "zh", "哎，用途我改一下，其实是想去澳门玩两把，手痒了。"),
        (Step.INCOME, "en", "Actually, to be honest, it's not for that. I want to buy Bitcoin."),
        (
            Step.EMPLOYMENT,
            "en",
            "Wait, I should be honest about the purpose. My company has an employee share plan "
            "and I want to buy the shares.",
        ),
    ],
)
def test_a_forbidden_purpose_owned_up_to_later_is_declined_at_once(
    make_app, step: Step, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    reply = owned_up(dialog, said, language)
    assert dialog.state.status is SessionStatus.DECLINED
    assert "decline_banned_purpose" in prompt_ids(reply)


def test_an_income_said_before_it_is_asked_changes_no_amount(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "en")
    amount = dialog.state.slots["amount"]
    say(
        dialog,
        "New stock for my coffee shop. And before you ask, I make ten to twenty grand a month, "
        "it varies.",
    )
    assert dialog.state.slots["amount"] == amount
    assert dialog.state.slots["purpose"] == "business_working_capital"
    assert dialog.state.step is Step.INCOME


def test_a_change_that_cannot_be_read_uses_a_retry_and_cannot_loop(make_app) -> None:
    app = make_app()
    dialog = dialog_at(app, Step.TERM, "en")
    replies = [say(dialog, "Can I change the amount to three million?") for _ in range(3)]
    assert [prompt_ids(r)[0] for r in replies[:2]] == ["amount_out_of_range"] * 2
    assert replies[-1].hand_off and dialog.state.status is SessionStatus.HANDED_OFF


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "What's the difference in total interest between 12 and 24 months?"),
        ("zh", "十二期和二十四期利息差多少？"),
    ],
)
def test_a_question_weighing_two_terms_chooses_neither(make_app, language: str, said: str) -> None:
    dialog = dialog_at(make_app(), Step.TERM, language)
    reply = say(dialog, said)
    assert "term" not in dialog.state.slots and dialog.state.step is Step.TERM
    assert prompt_ids(reply) == ["digress_rate", "ask_term"]


@pytest.mark.parametrize(
    ("step", "said"),
    [
        # A fear put as a question refuses nothing.
        (Step.CONSENT, "你们是正规的吗？不会是骗子吧"),
        # Beside a question, a no about something else ("not received") declines nothing.
        (Step.SIGN_CONSENT, "合同发哪了？我没收到短信"),
    ],
)
def test_a_question_with_a_negation_beside_it_answers_nothing(
    make_app, step: Step, said: str
) -> None:
    dialog = dialog_at(make_app(), step, "zh")
    say(dialog, said)
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is step


@pytest.mark.parametrize(
    ("language", "said", "months"),
    [
        ("en", "A year and a half, or if you don't do that, two years.", "18"),
        ("zh", "十个月，不行的话就十二个月", "12"),
    ],
)
def test_a_term_with_a_fallback_takes_the_first_the_product_offers(
    make_app, language: str, said: str, months: str
) -> None:
    dialog = dialog_at(make_app(), Step.TERM, language)
    say(dialog, said)
    assert dialog.state.slots["term"] == months and dialog.state.step is Step.PURPOSE
