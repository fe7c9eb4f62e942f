"""The script's conversational behaviour: corrections, repeats, silence, retries, hand-off.

Driven with text in place of recognised speech, against the real loan desk and database.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import resolve_answer
from lendline.dialog.flow import CallerInput, Dialog, Reply
from lendline.dialog.state import SessionStatus, Step


def _open(app, language: str = "zh", channel: str = "voice") -> Dialog:  # type: ignore[no-untyped-def]
    persona = happy_borrower(language)
    dialog = app.open_call(persona.caller_number, channel)
    dialog.start()
    return dialog


def _advance_to(app, dialog: Dialog, step: Step, language: str = "zh") -> Reply:  # type: ignore[no-untyped-def]
    persona = happy_borrower(language)
    reply = Reply()
    while dialog.state.step is not step:
        prompt = dialog.state.last_prompts[-1][0]
        answer = persona.answer(prompt)
        assert answer is not None, f"persona has no answer to {prompt}"
        reply = dialog.handle(CallerInput(text=resolve_answer(app, persona, answer, spoken=False)))
        assert not reply.end_call, reply.prompts
    return reply


def _ids(reply: Reply) -> list[str]:
    return [prompt_id for prompt_id, _ in reply.prompts]


def test_the_first_question_offers_both_languages_and_keys(make_app) -> None:
    app = make_app()
    dialog = app.open_call("13800000000", "voice")
    reply = dialog.start()
    assert _ids(reply) == ["choose_language"]
    assert "按1" in reply.text and "press 2" in reply.text


def test_keying_2_chooses_english_and_the_greeting_carries_the_mandatory_notices(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    reply = dialog.handle(CallerInput(digits="2"))
    assert dialog.state.language == "en"
    greeting = reply.prompts[0][1]
    for notice in ("recorded", "automated agent", "never charge any fee", "verification code"):
        assert notice in greeting


def test_a_caller_who_just_speaks_mandarin_gets_mandarin(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    dialog.handle(CallerInput(text="你好，我想贷款"))
    assert dialog.state.language == "zh"


def test_a_wrong_read_back_is_corrected_in_the_same_breath(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.CONFIRM_MOBILE)
    reply = dialog.handle(CallerInput(text="不对，是13987654321"))
    assert dialog.state.slots["mobile"] == "13987654321"
    assert _ids(reply) == ["confirm_mobile"]


def test_an_amount_is_corrected_at_the_next_question(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.TERM)
    assert dialog.state.slots["amount"] == "50000"
    reply = dialog.handle(CallerInput(text="不对，是三万"))
    assert Decimal(dialog.state.slots["amount"]) == Decimal(30000)
    assert dialog.state.step is Step.TERM and _ids(reply) == ["ask_term"]
    assert "三万" in reply.text


def test_english_no_its_corrects_the_previous_answer(make_app) -> None:
    app = make_app()
    dialog = _open(app, "en")
    dialog.handle(CallerInput(text="English"))
    _advance_to(app, dialog, Step.PURPOSE, "en")
    dialog.handle(CallerInput(text="no, it's twenty four months"))
    assert dialog.state.slots["term"] == "24"
    assert dialog.state.step is Step.PURPOSE


def test_repeat_says_the_last_turn_again(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    before = _advance_to(app, dialog, Step.AMOUNT)
    again = dialog.handle(CallerInput(text="请再说一遍"))
    assert again.prompts == before.prompts


def test_silence_reprompts_then_ends_and_keeps_the_session(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.AMOUNT)
    first = dialog.handle(CallerInput(silence=True))
    assert _ids(first)[0] == "silence" and _ids(first)[-1] == "ask_amount"
    dialog.handle(CallerInput(silence=True))
    last = dialog.handle(CallerInput(silence=True))
    assert last.end_call and _ids(last) == ["silence_end"]
    assert dialog.state.status is SessionStatus.DROPPED and dialog.state.step is Step.AMOUNT


@pytest.mark.parametrize(("channel", "ends"), [("voice", False), ("chat", True)])
def test_bye_bye_while_a_code_is_awaited_ends_only_a_chat(
    make_app, channel: str, ends: bool
) -> None:
    # On a line, the "八八" of a spoken code is heard as "拜拜": it must not end the call one
    # step before the signature (a caller who means it hangs up, which ends the call anyway).
    app = make_app()
    dialog = _open(app, channel=channel)
    _advance_to(app, dialog, Step.SIGN_OTP)
    reply = dialog.handle(CallerInput(text="拜拜"))
    assert reply.end_call is ends
    if ends:
        assert _ids(reply) == ["goodbye_plain"] and dialog.state.status is SessionStatus.DROPPED
    else:
        # Asked again (with the keypad offered: it was a failed spoken attempt at the code).
        assert "sign_otp" in _ids(reply) and dialog.state.status is SessionStatus.ACTIVE


def test_three_failed_attempts_hand_the_call_to_a_person(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.ID_NUMBER)
    first = dialog.handle(CallerInput(text="嗯嗯嗯"))
    second = dialog.handle(CallerInput(text="不知道"))
    assert "dtmf_offer_id" in _ids(first), "the keypad is offered with the first re-ask"
    assert "dtmf_offer_id" not in _ids(second), "and only once"
    third = dialog.handle(CallerInput(text="啊"))
    assert third.hand_off and _ids(third)[-1] == "hand_off"
    assert dialog.state.status is SessionStatus.HANDED_OFF


def test_an_id_keyed_with_star_for_x_is_accepted(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.ID_NUMBER)
    dialog.handle(CallerInput(digits="11010519491231002*"))
    assert dialog.state.slots["id_number"] == "11010519491231002X"
    assert dialog.state.step is Step.CONFIRM_ID


def test_an_under_age_caller_is_told_politely_and_the_call_ends(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.ID_NUMBER)
    dialog.handle(CallerInput(text="110108200901011232"))  # born 2009
    reply = dialog.handle(CallerInput(text="对"))
    assert reply.end_call and _ids(reply) == ["under_age"]
    assert dialog.state.status is SessionStatus.DECLINED


def test_a_number_not_in_the_registry_is_handed_off(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.ID_NUMBER)
    dialog.handle(CallerInput(text="11010519491231002X"))
    dialog.handle(CallerInput(text="对"))
    dialog.handle(CallerInput(text="13812345678"))
    reply = dialog.handle(CallerInput(text="对"))
    assert reply.hand_off and "not_found" in _ids(reply)
    assert "registry_mismatch" in dialog.state.flags


def test_the_offer_says_the_apr_before_any_other_rate(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    reply = _advance_to(app, dialog, Step.OFFER)
    offer = dict(reply.prompts)["offer"]
    assert offer.index("年化利率") < offer.index("实际年利率") < offer.index("月利率")
    assert "等额本息" in offer and "没有其他费用" in offer and "不扣除任何费用" in offer


def test_an_equal_principal_offer_with_a_fee_says_so_with_falling_payments(make_app) -> None:
    from dataclasses import replace as replaced
    from decimal import Decimal as D

    from lendline.lending.schedule import RepaymentMethod
    from lendline.shared.money import Money

    app = make_app()
    app.desk.product = replaced(
        app.desk.product, method=RepaymentMethod.EQUAL_PRINCIPAL, monthly_fee=Money.of(20)
    )
    dialog = _open(app)
    reply = _advance_to(app, dialog, Step.OFFER)
    offer = dict(reply.prompts)["offer"]
    assert "等额本金" in offer and "逐月递减" in offer and "服务费" in offer
    slots = dialog.state.slots
    assert D(slots["offer_apr"]) > app.desk.product.annual_rate  # the fee is in the APR
    assert D(slots["offer_effective"]) > D(slots["offer_apr"])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_state_survives_a_round_trip_through_storage(make_app, language: str) -> None:
    app = make_app()
    dialog = _open(app, language)
    if language == "en":
        dialog.handle(CallerInput(text="English"))
    _advance_to(app, dialog, Step.TERM, language)
    stored = app.desk.load_session(dialog.state.session_id)
    assert stored == dialog.state


def test_a_correction_that_fits_only_the_current_question_answers_it(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.TERM)
    dialog.handle(CallerInput(text="不是十二个月，是二十四个月"))
    assert dialog.state.slots["amount"] == "50000"
    assert dialog.state.slots["term"] == "24" and dialog.state.step is Step.PURPOSE


def test_a_grace_product_says_the_interest_only_months_and_the_regular_payment_after(
    make_app,
) -> None:
    from lendline.lending.catalog import load_products

    app = make_app()
    app.desk.product = load_products().get("PL-GRACE")
    dialog = _open(app)
    reply = _advance_to(app, dialog, Step.OFFER)
    offer = dict(reply.prompts)["offer"]
    assert "只还利息" in offer
    slots = dialog.state.slots
    assert int(slots["offer_grace_months"]) == app.desk.product.grace_months > 0
    assert slots["offer_regular_payment"] != slots["offer_payment"]


def test_the_disclosures_describe_the_payments_of_the_product_offered(make_app) -> None:
    from dataclasses import replace as replaced

    from lendline.lending.schedule import RepaymentMethod

    app = make_app()
    app.desk.product = replaced(app.desk.product, method=RepaymentMethod.EQUAL_PRINCIPAL)
    dialog = _open(app)
    _advance_to(app, dialog, Step.OFFER)
    reply = dialog.handle(CallerInput(text="接受"))
    disclosures = dict(reply.prompts)["disclosures"]
    assert "逐月递减" in disclosures and "合计还款" in disclosures


@pytest.mark.parametrize(
    ("language", "said"), [("zh", "您说慢一点好吗"), ("en", "Slow down a bit, please.")]
)
def test_asked_to_speak_slower_the_rest_of_the_call_is_slower(
    make_app, language: str, said: str
) -> None:
    from lendline.dialog.state import DialogState

    app = make_app()
    dialog = _open(app, language)
    before = _advance_to(app, dialog, Step.AMOUNT, language)
    assert not dialog.state.slow_speech
    reply = dialog.handle(CallerInput(text=said))
    assert _ids(reply) == ["digress_slower", *_ids(before)]
    assert dialog.state.slow_speech and dialog.state.retries == 0
    # It is kept with the session, so a call-back is slow from the start too.
    assert DialogState.from_dict(dialog.state.to_dict()).slow_speech
