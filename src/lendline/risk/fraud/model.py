"""The fraud model in pure Python: a calibrated logistic regression read from JSON.

Training (``lendline.modelling.fraud``, outside the core) fits a standardised logistic
regression over the rule facts and call signals and calibrates it (Platt scaling, fitted on
cross-validated predictions); it exports every figure needed to score here without numpy or
scikit-learn: the per-feature transform (``log1p`` for counts), the standardisation, the
coefficients and intercept, the calibration's two parameters, and the honest applicants'
mean of every feature.

Every score carries its reasons: the features pushing the score up the most, each with its
contribution ``coefficient × (standardised value − honest mean)``, i.e. how far this
applicant is from a typical honest one in the direction the model reads as fraud.

The model was trained on generated data (see ``docs/models/fraud-model.md``): it steps up or
refers, never declines on its own (``lendline.risk.policy``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Final

__all__ = [
    "FEATURE_REASONS",
    "FraudModel",
    "FraudReason",
    "FraudScore",
]

_PROBABILITY_QUANTUM: Final = Decimal("1e-9")
_CONTRIBUTION_QUANTUM: Final = Decimal("0.0001")
_TRANSFORMS: Final = frozenset({"identity", "log1p"})

#: feature -> (stable reason code, zh, en). Codes are never reused for another meaning.
FEATURE_REASONS: Final[Mapping[str, tuple[str, str, str]]] = {
    "id_applications_24h": (
        "M01",
        "同一身份证号短时间内多次申请",
        "several applications with this ID number in 24 hours",
    ),
    "id_applications_30d": (
        "M02",
        "同一身份证号近30天多次申请",
        "several applications with this ID number in 30 days",
    ),
    "phone_applications_24h": (
        "M03",
        "同一手机号短时间内多次申请",
        "several applications with this mobile in 24 hours",
    ),
    "phone_applications_30d": (
        "M04",
        "同一手机号近30天多次申请",
        "several applications with this mobile in 30 days",
    ),
    "device_applications_24h": (
        "M05",
        "同一设备或来电号码短时间内多次申请",
        "several applications from this device or number in 24 hours",
    ),
    "device_applications_30d": (
        "M06",
        "同一设备或来电号码近30天多次申请",
        "several applications from this device or number in 30 days",
    ),
    "account_applications_24h": (
        "M07",
        "同一收款账户短时间内多次申请",
        "several applications to this account in 24 hours",
    ),
    "account_applications_30d": (
        "M08",
        "同一收款账户近30天多次申请",
        "several applications to this account in 30 days",
    ),
    "phone_identities": (
        "M09",
        "手机号被多个身份使用",
        "the mobile number is used by more than one person",
    ),
    "account_identities": (
        "M10",
        "收款账户被多个身份使用",
        "the bank account is used by more than one person",
    ),
    "device_identities": (
        "M11",
        "设备或来电号码为多人申请",
        "the device or number applied for more than one person",
    ),
    "employer_identities_24h": (
        "M12",
        "同一单位短时间内大量申请",
        "many applications naming the same employer",
    ),
    "security_questions_failed": ("M13", "安全问题回答有误", "security questions answered wrongly"),
    "otp_failures": ("M14", "验证码输入错误", "wrong one-time codes"),
    "registry_mismatch": (
        "M15",
        "身份信息与登记信息不符",
        "identity details do not match the registry",
    ),
    "name_differs": ("M16", "姓名与登记信息不一致", "the name differs from the registry"),
    "caller_id_differs": (
        "M17",
        "来电号码不是登记手机号",
        "the call is not from the registered mobile",
    ),
    "otp_locked": ("M18", "验证码被锁定", "one-time codes were locked"),
    "virtual_operator_phone": (
        "M19",
        "手机号为虚拟运营商号段",
        "the mobile is a virtual-operator number",
    ),
    "virtual_operator_caller": (
        "M20",
        "来电号码为虚拟运营商号段",
        "the caller number is a virtual-operator number",
    ),
    "night_application": ("M21", "凌晨时段申请", "applied in the small hours"),
    "question_answer_latency_secs": (
        "M22",
        "回答安全问题的停顿异常",
        "unusual pauses before security answers",
    ),
    "speech_rate": ("M23", "语速异常", "unusual speech rate"),
    "pause_ratio": ("M24", "停顿比例异常", "unusual pauses in speech"),
    "filler_rate": ("M25", "语气词使用异常", "unusual use of fillers"),
    "pitch_variation": ("M26", "语调变化异常", "unusual intonation"),
    "energy_variation": ("M27", "音量变化异常", "unusual loudness changes"),
    "second_voice": ("M28", "通话中有他人声音", "another voice on the caller's side"),
    "scripted_reading": ("M29", "回答像照稿朗读", "answers sound read out"),
    "coaching_cues": ("M30", "有被人指导回答的迹象", "signs of being told what to say"),
    "urgency_cues": ("M31", "表现出异常紧迫", "unusual urgency"),
    "scam_cues": (
        "M32",
        "提到解冻费、手续费等诈骗话术",
        "mentions of fees or frozen funds typical of scams",
    ),
    "turns": ("M33", "通话轮次异常", "an unusual number of turns"),
    "answer_latency_secs": ("M34", "回答停顿异常", "unusual pauses before answers"),
    "guarantor_cues": ("M35", "以为自己只是担保人", "the caller thinks they are only a guarantor"),
    "second_voice_turns": ("M36", "多次出现他人声音", "another voice in several turns"),
    "question_answer_quickness": (
        "M37",
        "安全问题回答过快，像照着资料念",
        "security answers came faster than anyone recalls them, as if read out",
    ),
}


@dataclass(frozen=True, slots=True)
class FraudReason:
    """One feature pushing a fraud score up.

    Parameters:
        code: the stable reason code ("M29").
        zh: the reason in Chinese.
        en: the reason in English.
        contribution: its push on the log-odds (before calibration), 4 decimals.
        feature: the model input it comes from.
    """

    code: str
    zh: str
    en: str
    contribution: Decimal
    feature: str


@dataclass(frozen=True, slots=True)
class FraudScore:
    """The fraud model's verdict on one application.

    Parameters:
        probability: the calibrated probability of fraud, 9 decimals.
        reasons: the features pushing it up, strongest first.
        version: the model version, recorded with the decision.
    """

    probability: Decimal
    reasons: tuple[FraudReason, ...]
    version: str


@dataclass(frozen=True, slots=True)
class _Feature:
    name: str
    transform: str
    mean: float
    scale: float
    coefficient: float
    honest_mean: float


class FraudModel:
    """A calibrated logistic regression over named features, scored in pure Python.

    Parameters:
        document: the exported model (see ``lendline.modelling.fraud.export``).
        max_reasons: how many reasons a score gives at most.
        min_contribution: reasons below this push on the log-odds are left out.

    Raises:
        ValueError: if the document is malformed or names a feature without reason texts.
    """

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        max_reasons: int = 3,
        min_contribution: float = 0.05,
    ) -> None:
        try:
            self.version: str = str(document["version"])
            self.intercept = float(document["intercept"])
            calibration = document["calibration"]
            if calibration["method"] != "sigmoid":
                raise ValueError(f"unsupported calibration {calibration['method']!r}")
            self._a = float(calibration["a"])
            self._b = float(calibration["b"])
            self._features = tuple(
                _Feature(
                    name=str(f["name"]),
                    transform=str(f["transform"]),
                    mean=float(f["mean"]),
                    scale=float(f["scale"]),
                    coefficient=float(f["coefficient"]),
                    honest_mean=float(f["honest_mean"]),
                )
                for f in document["features"]
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a fraud model document: {exc}") from exc
        for feature in self._features:
            if feature.transform not in _TRANSFORMS:
                raise ValueError(f"unknown transform {feature.transform!r}")
            if feature.name not in FEATURE_REASONS:
                raise ValueError(f"no reason texts for feature {feature.name!r}")
            if feature.scale <= 0:
                raise ValueError(f"scale of {feature.name!r} must be positive")
        self.metrics: Mapping[str, Any] = document.get("metrics", {})
        self.max_reasons = max_reasons
        self.min_contribution = min_contribution

    @classmethod
    def load_default(cls) -> FraudModel:
        """The model shipped with LendLine (``lendline/data/models/fraud_model.json``)."""
        text = (
            resources.files("lendline.data")
            .joinpath("models/fraud_model.json")
            .read_text(encoding="utf-8")
        )
        return cls(json.loads(text))

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The inputs the model reads, in order."""
        return tuple(f.name for f in self._features)

    def log_odds(self, features: Mapping[str, float]) -> float:
        """The uncalibrated score (the regression's decision function)."""
        total = self.intercept
        for f in self._features:
            total += f.coefficient * self._standardised(f, features)
        return total

    def probability(self, features: Mapping[str, float]) -> float:
        """The calibrated probability of fraud, as a float."""
        t = self._a * self.log_odds(features) + self._b
        # 1 / (1 + e^t), written so that neither branch overflows.
        if t >= 0:
            e = math.exp(-t)
            return e / (1.0 + e)
        return 1.0 / (1.0 + math.exp(t))

    def score(self, features: Mapping[str, float]) -> FraudScore:
        """Score one application.

        Args:
            features: ``FraudFacts.as_features()`` merged with ``CallSignals.as_features()``.
                A missing feature is taken at the honest mean (it neither adds nor removes
                suspicion); names the model does not know are ignored.

        Returns:
            The calibrated probability, the reasons pushing it up and the model version.
        """
        probability = Decimal(repr(self.probability(features))).quantize(_PROBABILITY_QUANTUM)
        pushes = []
        for f in self._features:
            if f.name not in features:
                continue
            contribution = f.coefficient * (
                self._standardised(f, features) - (f.honest_mean - f.mean) / f.scale
            )
            if contribution >= self.min_contribution:
                pushes.append((contribution, f.name))
        pushes.sort(key=lambda item: (-item[0], item[1]))
        reasons = tuple(
            FraudReason(
                code=FEATURE_REASONS[name][0],
                zh=FEATURE_REASONS[name][1],
                en=FEATURE_REASONS[name][2],
                contribution=Decimal(repr(value)).quantize(_CONTRIBUTION_QUANTUM),
                feature=name,
            )
            for value, name in pushes[: self.max_reasons]
        )
        return FraudScore(probability, reasons, self.version)

    @staticmethod
    def _standardised(f: _Feature, features: Mapping[str, float]) -> float:
        if f.name not in features:
            return (f.honest_mean - f.mean) / f.scale
        raw = float(features[f.name])
        value = math.log1p(max(raw, 0.0)) if f.transform == "log1p" else raw
        return (value - f.mean) / f.scale
