"""Scripted borrower personas: what a borrower answers to each of the agent's questions.

A persona maps the id of the agent's last prompt (the question just asked) to the answers
the borrower gives, in order; the last answer repeats. Special answers:

* ``OTP``: the one-time code just sent to the borrower's phone (read from the SMS outbox);
* ``WRONG_OTP``: a six-digit code that is not the one sent;
* ``PHRASE``: the phrase the agent just asked to be repeated (a liveness step-up);
* ``HANGUP``: put the phone down; ``SILENT``: say nothing this turn;
* ``KEYS`` + digits (or + ``OTP``): key the answer in on the phone keypad.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

OTP = "<OTP>"
WRONG_OTP = "<WRONG_OTP>"
PHRASE = "<PHRASE>"
HANGUP = "<HANGUP>"
SILENT = "<SILENT>"
#: Prefix: key the rest in on the keypad (digits, ``OTP`` or ``WRONG_OTP``) instead of speaking.
KEYS = "<KEYS>"


#: Prompts that ask a question again after an answer that was not understood -> the question.
ASKED_AGAIN: Mapping[str, str] = {
    "mobile_invalid": "ask_mobile",
    "amount_invalid": "ask_amount",
    "amount_out_of_range": "ask_amount",
    "revise_amount": "ask_amount",
    "term_invalid": "ask_term",
    "revise_term": "ask_term",
    "purpose_unclear": "ask_purpose",
    "revise_purpose": "ask_purpose",
    "income_invalid": "ask_income",
    "revise_income": "ask_income",
    "employment_unclear": "ask_employment",
    "revise_employment": "ask_employment",
    "ask_accept_offer": "offer",
}


@dataclass
class Persona:
    """A borrower's script.

    Parameters:
        name: short label for logs and reports.
        language: "zh" or "en".
        mobile: the registered mobile the one-time codes go to.
        caller_number: the number the call comes from.
        answers: prompt id -> answers in order (the last repeats).
        think_secs: prompt id -> seconds of quiet before answering it (the caller's default
            when absent): someone recalling their own data pauses; someone reading from
            notes answers at once.
        coach: prompt id -> what a second person whispers next to the borrower just before
            the answer (mixed into the borrower's line at ``coach_gain_db``).
        coach_gain_db: level of the coach's voice relative to the borrower's.
        speaking_rate: 1.0 is the voice's natural pace; above 1 speaks faster (English).
    """

    name: str
    language: str
    mobile: str
    caller_number: str
    answers: dict[str, list[str]]
    think_secs: dict[str, float] = field(default_factory=dict)
    coach: dict[str, str] = field(default_factory=dict)
    coach_gain_db: float = -10.0
    speaking_rate: float = 1.0
    _asked: dict[str, int] = field(default_factory=dict)

    def answer(self, prompt_id: str) -> str | None:
        """Return the next answer to ``prompt_id``, or None if the persona has none.

        A question asked again in other words (the term heard was not one offered, the
        purpose was unclear) is answered as the question itself, as a caller repeats
        themselves, unless the script says otherwise.
        """
        if prompt_id not in self.answers:
            prompt_id = ASKED_AGAIN.get(prompt_id, prompt_id)
        options = self.answers.get(prompt_id)
        if not options:
            return None
        index = self._asked.get(prompt_id, 0)
        self._asked[prompt_id] = index + 1
        return options[min(index, len(options) - 1)]

    def with_answers(self, name: str, **changes: list[str]) -> Persona:
        """Return a copy of this persona with some answers replaced."""
        answers = {**self.answers, **changes}
        return replace(
            self,
            name=name,
            answers=answers,
            think_secs=dict(self.think_secs),
            coach=dict(self.coach),
            _asked={},
        )

    def think_time(self, prompt_id: str) -> float | None:
        """Seconds of quiet before answering ``prompt_id`` (None: the caller's default)."""
        return self.think_secs.get(prompt_id)


def _zh_base() -> dict[str, list[str]]:
    return {
        "choose_language": ["中文"],
        "consent": ["好的，我同意"],
        "sensitive_consent": ["好的，我同意"],
        "ask_name": ["王小明"],
        "ask_id": ["三三零一零六，一九八八，零三一五，一二零五"],
        "ask_id_again": ["三三零一零六，一九八八，零三一五，一二零五"],
        "confirm_id": ["对的没错"],
        "ask_mobile": ["一三八一二三四五六七八"],
        "confirm_mobile": ["对的没错"],
        "q_city": ["我住在北京"],
        "q_employer": ["我在中国建设银行上班"],
        "q_bank_name": ["工商银行"],
        "q_account_last4": ["五六七八"],
        "q_customer_since_year": ["二零一八年"],
        "otp_sent": [OTP],
        "otp_wrong": [OTP],
        "otp_expired": [OTP],
        "liveness_repeat": [PHRASE],
        "liveness_retry": [PHRASE],
        "dtmf_offer_id": [KEYS + "330106198803151205"],
        "dtmf_offer_mobile": [KEYS + "13812345678"],
        "dtmf_offer_code": [KEYS + OTP],
        "ask_amount": ["我想借五万元"],
        "ask_term": ["我想分十二个月还"],
        "ask_purpose": ["我要用来装修房子"],
        "ask_income": ["每个月一万五千元"],
        "ask_employment": ["我在公司上班"],
        "review_application": ["对的没错"],
        "offer": ["好的，我接受"],
        "ask_sign": ["好的，我同意"],
        "sign_otp": [OTP],
        "yes_no_help": ["好的"],
    }


_EN_ID_WORDS = (
    "three one zero one zero four, one nine nine zero, zero five two one, two three zero seven"
)


def _en_base() -> dict[str, list[str]]:
    return {
        "choose_language": ["English, please."],
        "consent": ["Yes, I agree."],
        "sensitive_consent": ["Yes, I agree."],
        "ask_name": ["My name is Li Hua, L I, H U A."],
        "ask_id": [_EN_ID_WORDS],
        "ask_id_again": [_EN_ID_WORDS],
        "confirm_id": ["Yes, that's correct."],
        "ask_mobile": ["one three nine, eight seven six five, four three two one"],
        "confirm_mobile": ["Yes, that's right."],
        "q_city": ["I live in Shanghai."],
        "q_employer": ["I work for China Mobile."],
        "q_bank_name": ["Bank of China."],
        "q_account_last4": ["two four six eight"],
        "q_customer_since_year": ["twenty nineteen"],
        "otp_sent": [OTP],
        "otp_wrong": [OTP],
        "otp_expired": [OTP],
        "liveness_repeat": [PHRASE],
        "liveness_retry": [PHRASE],
        "dtmf_offer_id": [KEYS + "310104199005212307"],
        "dtmf_offer_mobile": [KEYS + "13987654321"],
        "dtmf_offer_code": [KEYS + OTP],
        "ask_amount": ["I would like to borrow thirty thousand yuan."],
        "ask_term": ["Twelve months."],
        "ask_purpose": ["Tuition for my master's degree."],
        "ask_income": ["About twenty thousand yuan a month."],
        "ask_employment": ["I am employed full time."],
        "review_application": ["Yes, that's right."],
        "offer": ["Yes, I accept."],
        "ask_sign": ["Yes, I agree to sign."],
        "sign_otp": [OTP],
        "yes_no_help": ["Yes."],
    }


#: The Mandarin borrower's ID number with its last digit mistyped.
_ZH_BAD_ID = "330106198803151206"
_EN_BAD_ID = "310104199005212309"

#: Registered mobiles and caller numbers of the demo customers (see the demo registry).
_ZH_MOBILE = "13812345678"
_EN_MOBILE = "13987654321"


#: A genuine customer takes a moment to recall their own data before answering a
#: security question (someone reading from notes answers at once).
_RECALL_SECS = 1.0
_SECURITY_PROMPTS = ("q_city", "q_employer", "q_bank_name", "q_account_last4",
                     "q_customer_since_year")  # fmt: skip


def happy_borrower(language: str) -> Persona:
    """A verified customer who completes a loan (Mandarin: 50,000 CNY; English: 30,000)."""
    think = dict.fromkeys(_SECURITY_PROMPTS, _RECALL_SECS)
    if language == "zh":
        return Persona("happy-zh", "zh", _ZH_MOBILE, _ZH_MOBILE, _zh_base(), think_secs=think)
    return Persona("happy-en", "en", _EN_MOBILE, _EN_MOBILE, _en_base(), think_secs=think)


def scenario(name: str, language: str) -> Persona:
    """One of the named scenarios of the acceptance tests, in ``language``."""
    base = happy_borrower(language)
    zh = language == "zh"
    good_id = base.answers["ask_id"][0]
    changes: Mapping[str, dict[str, list[str]]] = {
        "happy": {},
        # Spoken digit strings are often misheard (a dropped digit is a length error, not a
        # check-digit error), so the borrower keys the mistyped number: the check-digit rule
        # is what is under test.
        "wrong_id_check_digit": {
            "ask_id": [KEYS + (_ZH_BAD_ID if zh else _EN_BAD_ID), good_id],
        },
        "banned_purpose": {
            "ask_purpose": ["我想拿去炒股票"] if zh else ["I want to buy stocks with it."],
            # The forbidden use is read back before the decline, and owned up to.
            "confirm_banned_purpose": ["是的，炒股"] if zh else ["Yes, stocks."],
        },
        "otp_locked": {
            "otp_sent": [WRONG_OTP],
            "otp_wrong": [WRONG_OTP],
            "dtmf_offer_code": [KEYS + WRONG_OTP],
        },
        "hangup_at_application": {"ask_amount": [HANGUP]},
        "consent_refused": {"consent": ["不同意"] if zh else ["No, I do not agree."]},
    }
    return base.with_answers(f"{name}-{language}", **changes[name])


SCENARIOS = (
    "happy",
    "wrong_id_check_digit",
    "banned_purpose",
    "otp_locked",
    "hangup_at_application",
    "consent_refused",
)
