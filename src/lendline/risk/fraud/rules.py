"""Real-time fraud rules: thresholds over :class:`FraudFacts`, each hit with a stable code.

Every rule has a code that is never reused for another meaning, a severity and a threshold
in :class:`FraudRulesConfig`; any threshold change is a new ``version``, and the version is
recorded with every decision (``FraudHit.version``, ``risk_decisions.fraud_rules_version``).

Severities map onto the credit policy's outcomes (``lendline.risk.policy``):
``decline`` declines (R14), ``refer`` sends the application to a person (R23), ``step_up``
asks for more identity assurance first (R40). Only hard evidence declines: a blacklisted
identifier, or a bank account used by several identities (the "两卡" mule pattern).

=====  =========================================================  =========  ==============
Code   Rule (default threshold; counts include this application)  Severity   Pattern (§3.6)
=====  =========================================================  =========  ==============
F01    applications with this ID number in 24 h >= 3              refer      stacking
F02    applications with this ID number in 30 days >= 6          refer      stacking
F03    applications giving this mobile in 24 h >= 3               refer      stacking
F04    applications giving this mobile in 30 days >= 6            step_up    stacking
F05    applications from this device / caller number, 24 h >= 3  refer      intermediary
F06    applications from this device / caller number, 30 d >= 8  refer      intermediary
F07    applications to this bank account in 24 h >= 3            refer      mule
F08    applications to this bank account in 30 days >= 5         refer      mule
F09    mobile given by 2 identities (180 days)                   step_up    shared phone
F10    mobile given by >= 3 identities                           refer      "两卡"
F11    bank account used by 2 identities                         refer      mule
F12    bank account used by >= 3 identities                      decline    mule
F13    device / caller number used by >= 3 identities            refer      intermediary
F14    employer named by >= 5 identities in 24 h                 refer      packaging
F15    ID or mobile does not match the registry                  refer      identity theft
F16    name differs from the registry, on another number         step_up    identity theft
F17    caller number is not the registered mobile                step_up    identity theft
F18    1 security question failed                                step_up    identity theft
F19    >= 2 security questions failed                            refer      identity theft
F20    >= 3 wrong one-time codes                                 step_up    SIM swap
F21    one-time codes locked                                     refer      SIM swap
F22    caller number differs and >= 1 wrong one-time code        refer      SIM swap
F23    applied between 00:00 and 05:59 Beijing time              step_up    scams, theft
F24    mobile or caller number in a virtual-operator segment     step_up    new number
F25    an identifier is on the blacklist                         decline    known fraud
F26    security answers begin at once (read out), from signals   step_up    coaching
=====  =========================================================  =========  ==============

Pairs F09/F10, F11/F12 and F18/F19 are graded: only the more severe of a pair is reported.
The time-of-day and virtual-operator rules only step up: night workers and people on cheap
virtual-operator plans are not fraudsters, and these signals alone must never decline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from lendline.risk.fraud.facts import FraudFacts
from lendline.risk.policy import ExplainedReason

__all__ = [
    "DEFAULT_RULES",
    "RULE_TEXTS",
    "FraudHit",
    "FraudLevel",
    "FraudRulesConfig",
    "evaluate",
    "evaluate_signals",
    "strongest",
    "to_evidence",
]


class FraudLevel(StrEnum):
    """What a rule hit asks for, most severe first."""

    DECLINE = "decline"
    REFER = "refer"
    STEP_UP = "step_up"


_SEVERITY: Final = {FraudLevel.DECLINE: 0, FraudLevel.REFER: 1, FraudLevel.STEP_UP: 2}


@dataclass(frozen=True, slots=True)
class FraudRulesConfig:
    """The thresholds of the fraud rules; any change is a new ``version``.

    Parameters:
        version: recorded with every decision.
        id_velocity_24h: F01. id_velocity_30d: F02.
        phone_velocity_24h: F03. phone_velocity_30d: F04.
        device_velocity_24h: F05. device_velocity_30d: F06.
        account_velocity_24h: F07. account_velocity_30d: F08.
        phone_identities_step_up: F09. phone_identities_refer: F10.
        account_identities_refer: F11. account_identities_decline: F12.
        device_identities_refer: F13.
        employer_identities_24h: F14.
        questions_failed_step_up: F18. questions_failed_refer: F19.
        otp_failures_step_up: F20.
        sim_swap_otp_failures: F22 (wrong codes with a differing caller number).
        night_start_hour: F23, first local hour counted as night (inclusive).
        night_end_hour: F23, first local hour no longer night.
        identity_window_days: how far back distinct identities are counted (F09-F13).
        quick_answers_step_up: ``question_answer_quickness`` from which F26 fires.
    """

    version: str = "fraud-rules-1.2"
    id_velocity_24h: int = 3
    id_velocity_30d: int = 6
    phone_velocity_24h: int = 3
    phone_velocity_30d: int = 6
    device_velocity_24h: int = 3
    device_velocity_30d: int = 8
    account_velocity_24h: int = 3
    account_velocity_30d: int = 5
    phone_identities_step_up: int = 2
    phone_identities_refer: int = 3
    account_identities_refer: int = 2
    account_identities_decline: int = 3
    device_identities_refer: int = 3
    employer_identities_24h: int = 5
    questions_failed_step_up: int = 1
    questions_failed_refer: int = 2
    otp_failures_step_up: int = 3
    sim_swap_otp_failures: int = 1
    night_start_hour: int = 0
    night_end_hour: int = 6
    identity_window_days: int = 180
    quick_answers_step_up: float = 0.8

    def __post_init__(self) -> None:
        if not self.version:
            raise ValueError("a rules configuration needs a version")
        graded = (
            (self.phone_identities_step_up, self.phone_identities_refer),
            (self.account_identities_refer, self.account_identities_decline),
            (self.questions_failed_step_up, self.questions_failed_refer),
        )
        for lower, upper in graded:
            if not 1 <= lower <= upper:
                raise ValueError("graded thresholds must satisfy 1 <= lower <= upper")
        if not 0 <= self.night_start_hour <= self.night_end_hour <= 24:
            raise ValueError("night hours must satisfy 0 <= start <= end <= 24")


DEFAULT_RULES: Final = FraudRulesConfig()


@dataclass(frozen=True, slots=True)
class FraudHit:
    """One rule that fired.

    Parameters:
        code: the rule's stable code ("F07").
        level: what it asks for.
        zh: the reason in Chinese, for the applicant's explanation and the reviewer.
        en: the reason in English.
        detail: the figures behind it ("applications=4 threshold=3 window=24h"), never
            personal data.
        version: the rules configuration it fired under.
    """

    code: str
    level: FraudLevel
    zh: str
    en: str
    detail: str
    version: str

    def explained(self) -> ExplainedReason:
        """The hit as the credit policy's explained reason."""
        return ExplainedReason(self.code, self.zh, self.en)


#: code -> (severity, zh, en). Texts are for the applicant's explanation: they say what was
#: seen, never which list or which other person.
RULE_TEXTS: Final[dict[str, tuple[FraudLevel, str, str]]] = {
    "F01": (
        FraudLevel.REFER,
        "同一身份证号近24小时内多次申请",
        "many applications with this ID number in 24 hours",
    ),
    "F02": (
        FraudLevel.REFER,
        "同一身份证号近30天内多次申请",
        "many applications with this ID number in 30 days",
    ),
    "F03": (
        FraudLevel.REFER,
        "同一手机号近24小时内多次申请",
        "many applications with this mobile number in 24 hours",
    ),
    "F04": (
        FraudLevel.STEP_UP,
        "同一手机号近30天内多次申请",
        "many applications with this mobile number in 30 days",
    ),
    "F05": (
        FraudLevel.REFER,
        "同一设备或来电号码近24小时内多次申请",
        "many applications from this device or number in 24 hours",
    ),
    "F06": (
        FraudLevel.REFER,
        "同一设备或来电号码近30天内多次申请",
        "many applications from this device or number in 30 days",
    ),
    "F07": (
        FraudLevel.REFER,
        "同一收款账户近24小时内多次申请",
        "many applications to this bank account in 24 hours",
    ),
    "F08": (
        FraudLevel.REFER,
        "同一收款账户近30天内多次申请",
        "many applications to this bank account in 30 days",
    ),
    "F09": (
        FraudLevel.STEP_UP,
        "该手机号也被另一身份使用",
        "this mobile number was also given by another person",
    ),
    "F10": (
        FraudLevel.REFER,
        "该手机号被多个身份使用",
        "this mobile number was given by several people",
    ),
    "F11": (
        FraudLevel.REFER,
        "该收款账户也被另一身份使用",
        "this bank account was also used by another person",
    ),
    "F12": (
        FraudLevel.DECLINE,
        "该收款账户被多个身份使用",
        "this bank account was used by several people",
    ),
    "F13": (
        FraudLevel.REFER,
        "该设备或来电号码被多个身份使用",
        "this device or number applied for several people",
    ),
    "F14": (
        FraudLevel.REFER,
        "同一单位短时间内大量申请",
        "many applications naming the same employer in 24 hours",
    ),
    "F15": (
        FraudLevel.REFER,
        "身份信息与登记信息不符",
        "identity details do not match the registry",
    ),
    "F16": (
        FraudLevel.STEP_UP,
        "姓名与登记信息不一致，且来电号码不是登记手机号",
        "the name differs from the registry on a call from another number",
    ),
    "F17": (
        FraudLevel.STEP_UP,
        "来电号码不是登记手机号",
        "the call is not from the registered mobile",
    ),
    "F18": (FraudLevel.STEP_UP, "安全问题回答有误", "a security question was answered wrongly"),
    "F19": (
        FraudLevel.REFER,
        "多个安全问题回答有误",
        "several security questions were answered wrongly",
    ),
    "F20": (FraudLevel.STEP_UP, "验证码多次输入错误", "several wrong one-time codes"),
    "F21": (
        FraudLevel.REFER,
        "验证码因多次错误被锁定",
        "one-time codes locked after too many failures",
    ),
    "F22": (
        FraudLevel.REFER,
        "非登记号码来电且验证码有误",
        "a call from another number with a wrong one-time code",
    ),
    "F23": (FraudLevel.STEP_UP, "凌晨时段申请", "applied in the small hours"),
    "F24": (FraudLevel.STEP_UP, "虚拟运营商号段", "a virtual-operator number"),
    "F25": (FraudLevel.DECLINE, "命中风险名单", "an identifier is on the risk list"),
    "F26": (
        FraudLevel.STEP_UP,
        "安全问题一问就答，像照着资料念",
        "security answers began at once, as if read out",
    ),
}


def _hit(code: str, detail: str, config: FraudRulesConfig) -> FraudHit:
    level, zh, en = RULE_TEXTS[code]
    return FraudHit(code, level, zh, en, detail, config.version)


def _count(name: str, value: int, threshold: int, window: str) -> str:
    return f"{name}={value} threshold={threshold} window={window}"


_Rule = Callable[[FraudFacts, FraudRulesConfig], "FraudHit | None"]


def _velocity(code: str, field: str, limit: str, window: str) -> _Rule:
    def rule(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
        value: int = getattr(facts, field)
        threshold: int = getattr(config, limit)
        if value >= threshold:
            return _hit(code, _count("applications", value, threshold, window), config)
        return None

    return rule


def _graded(codes: tuple[str, str], field: str, limits: tuple[str, str], what: str) -> _Rule:
    def rule(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
        value: int = getattr(facts, field)
        lower: int = getattr(config, limits[0])
        upper: int = getattr(config, limits[1])
        if value >= upper:
            return _hit(codes[1], f"{what}={value} threshold={upper}", config)
        if value >= lower:
            return _hit(codes[0], f"{what}={value} threshold={lower}", config)
        return None

    return rule


def _device_identities(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    if facts.device_identities >= config.device_identities_refer:
        detail = f"identities={facts.device_identities} threshold={config.device_identities_refer}"
        return _hit("F13", detail, config)
    return None


def _employer(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    if facts.employer_identities_24h >= config.employer_identities_24h:
        detail = _count(
            "identities", facts.employer_identities_24h, config.employer_identities_24h, "24h"
        )
        return _hit("F14", detail, config)
    return None


def _flag(code: str, field: str, detail: str) -> _Rule:
    def rule(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
        return _hit(code, detail, config) if getattr(facts, field) else None

    return rule


def _name_and_number(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    """A different name counts only with a different number.

    The name is compared as speech recognition heard it, and recognisers mishear names
    (Whisper base hears the demo borrower "Li Hua" as "like you are"): on its own a
    mismatch is a reviewer's note and a model feature, not a reason to ask for more.
    """
    if facts.name_differs and facts.caller_id_differs:
        return _hit("F16", "name_differs_from_registry=1 caller_id_differs=1", config)
    return None


def _otp_failures(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    if facts.otp_failures >= config.otp_failures_step_up:
        detail = f"otp_failures={facts.otp_failures} threshold={config.otp_failures_step_up}"
        return _hit("F20", detail, config)
    return None


def _sim_swap(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    if facts.caller_id_differs and facts.otp_failures >= config.sim_swap_otp_failures:
        detail = (
            f"caller_id_differs=1 otp_failures={facts.otp_failures} "
            f"threshold={config.sim_swap_otp_failures}"
        )
        return _hit("F22", detail, config)
    return None


def _night(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    hour = facts.local_hour
    if config.night_start_hour <= hour < config.night_end_hour:
        detail = f"local_hour={hour} night={config.night_start_hour}-{config.night_end_hour}"
        return _hit("F23", detail, config)
    return None


def _virtual_operator(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    which = [
        name
        for name, on in (
            ("mobile", facts.virtual_operator_phone),
            ("caller", facts.virtual_operator_caller),
        )
        if on
    ]
    return _hit("F24", "segment=" + ",".join(which), config) if which else None


def _blacklist(facts: FraudFacts, config: FraudRulesConfig) -> FraudHit | None:
    if facts.blacklisted:
        return _hit("F25", "kinds=" + ",".join(sorted(facts.blacklisted)), config)
    return None


#: Every rule, in code order.
_RULES: Final[Sequence[_Rule]] = (
    _velocity("F01", "id_applications_24h", "id_velocity_24h", "24h"),
    _velocity("F02", "id_applications_30d", "id_velocity_30d", "30d"),
    _velocity("F03", "phone_applications_24h", "phone_velocity_24h", "24h"),
    _velocity("F04", "phone_applications_30d", "phone_velocity_30d", "30d"),
    _velocity("F05", "device_applications_24h", "device_velocity_24h", "24h"),
    _velocity("F06", "device_applications_30d", "device_velocity_30d", "30d"),
    _velocity("F07", "account_applications_24h", "account_velocity_24h", "24h"),
    _velocity("F08", "account_applications_30d", "account_velocity_30d", "30d"),
    _graded(
        ("F09", "F10"),
        "phone_identities",
        ("phone_identities_step_up", "phone_identities_refer"),
        "identities",
    ),
    _graded(
        ("F11", "F12"),
        "account_identities",
        ("account_identities_refer", "account_identities_decline"),
        "identities",
    ),
    _device_identities,
    _employer,
    _flag("F15", "registry_mismatch", "registry_mismatch=1"),
    _name_and_number,
    _flag("F17", "caller_id_differs", "caller_id_differs_from_registered_mobile=1"),
    _graded(
        ("F18", "F19"),
        "security_questions_failed",
        ("questions_failed_step_up", "questions_failed_refer"),
        "failed",
    ),
    _otp_failures,
    _flag("F21", "otp_locked", "otp_locked=1"),
    _sim_swap,
    _night,
    _virtual_operator,
    _blacklist,
)


def evaluate_signals(
    signals: Mapping[str, float], config: FraudRulesConfig = DEFAULT_RULES
) -> tuple[FraudHit, ...]:
    """The rules over the call's signals (``CallSignals.as_features`` names).

    Only what a signal shows unambiguously is a rule: security answers that begin before
    anyone could recall them (``question_answer_quickness``, 0.8 = within 0.2 s of the
    question) are read from a sheet. Everything softer is left to the fraud model.
    """
    quick = signals.get("question_answer_quickness", 0.0)
    if quick >= config.quick_answers_step_up:
        detail = f"question_answer_quickness={quick:.2f} threshold={config.quick_answers_step_up}"
        return (_hit("F26", detail, config),)
    return ()


def evaluate(facts: FraudFacts, config: FraudRulesConfig = DEFAULT_RULES) -> tuple[FraudHit, ...]:
    """Run every rule over the facts.

    Args:
        facts: what is known about the application.
        config: the thresholds (its ``version`` goes into every hit).

    Returns:
        The hits in code order; empty when no rule fired.
    """
    return tuple(hit for rule in _RULES if (hit := rule(facts, config)) is not None)


def strongest(hits: Sequence[FraudHit]) -> FraudLevel | None:
    """The most severe level among the hits (None: no hit)."""
    if not hits:
        return None
    return min((hit.level for hit in hits), key=_SEVERITY.__getitem__)


def to_evidence(
    hits: Sequence[FraudHit],
) -> tuple[tuple[ExplainedReason, ...], tuple[ExplainedReason, ...], tuple[ExplainedReason, ...]]:
    """The hits split for ``RiskEvidence``: (fraud_declines, fraud_refers, fraud_step_ups)."""
    by_level: dict[FraudLevel, list[ExplainedReason]] = {level: [] for level in FraudLevel}
    for hit in hits:
        by_level[hit.level].append(hit.explained())
    return (
        tuple(by_level[FraudLevel.DECLINE]),
        tuple(by_level[FraudLevel.REFER]),
        tuple(by_level[FraudLevel.STEP_UP]),
    )
