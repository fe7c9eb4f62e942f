"""A seeded generator of labelled phone-loan applications: honest callers and §3.6 fraud.

No real labelled phone-loan fraud data exists offline (see DOMAIN-NOTES §5), so the fraud
model is trained on data generated here. Each row holds the model's inputs, exactly as the
service builds them in production: :class:`FraudFacts` features (history counts, registry
and one-time-code checks, night, virtual operator) and :class:`CallSignals` features (how
the caller spoke). Each row has a ``pattern`` and a ``label`` (1 = fraud or scam victim).

Patterns (DOMAIN-NOTES §3.6) and what they plant, each with a probability below one so
fraud sometimes looks honest:

* ``honest`` — ordinary callers, with realistic noise: some pause to look answers up, some
  read their ID number off the card, some call from another phone or have people talking in
  the background, some mistype a one-time code or apply at night, 5 % use a virtual operator.
* ``coaching`` — intermediary coaching: fast, read-out answers, a second voice, coaching
  phrases, one caller number or device used for several applicants, packaged employers.
* ``scam_victim`` — a scam in progress: fee or unfreezing words, urgency, a fake
  "customer service" often still on the line, more night calls.
* ``identity_theft`` — someone else's identity: registry mismatches, failed security
  questions, a caller number that is not the registered mobile, new (virtual) numbers.
* ``mule`` — account renting: one payout account (and sometimes phone) across identities.
* ``stacking`` — loan stacking: many applications by ID number and phone in days.
* ``sim_swap`` — SIM swap or recycled number: caller number differs, one-time-code failures
  and lockouts.

The figures are judgement, not measurement: they make a plausible, overlapping population
to exercise the pipeline and the explanations. Nothing learnt from them is evidence about
real fraud rates or real callers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import fields
from typing import Final

import numpy as np
import pandas as pd

from lendline.risk.fraud.call_signals import RECALL_SECS, CallSignals
from lendline.risk.fraud.facts import FACT_FEATURES

__all__ = [
    "FEATURES",
    "PATTERNS",
    "PATTERN_FEATURES",
    "data_hash",
    "generate",
    "planted_case",
]

#: The model's inputs, in order: rule facts, then call signals.
FEATURES: Final = (*FACT_FEATURES, *(f.name for f in fields(CallSignals)))

#: Share of each pattern in a generated set (fraud is over-represented against real life so
#: every pattern has enough rows to learn and measure; the model card says so).
PATTERNS: Final[Mapping[str, float]] = {
    "honest": 0.80,
    "coaching": 0.04,
    "scam_victim": 0.03,
    "identity_theft": 0.04,
    "mule": 0.03,
    "stacking": 0.03,
    "sim_swap": 0.03,
}

#: The features each pattern plants: a reason naming one of them names the pattern.
PATTERN_FEATURES: Final[Mapping[str, frozenset[str]]] = {
    "coaching": frozenset(
        {
            "scripted_reading",
            "second_voice",
            "second_voice_turns",
            "coaching_cues",
            "question_answer_latency_secs",
            "question_answer_quickness",
            "answer_latency_secs",
            "filler_rate",
            "pitch_variation",
            "device_identities",
            "device_applications_24h",
            "device_applications_30d",
            "employer_identities_24h",
        }
    ),
    "scam_victim": frozenset({"scam_cues", "urgency_cues", "guarantor_cues", "second_voice"}),
    "identity_theft": frozenset(
        {
            "registry_mismatch",
            "name_differs",
            "security_questions_failed",
            "caller_id_differs",
            "virtual_operator_phone",
            "virtual_operator_caller",
        }
    ),
    "mule": frozenset(
        {
            "account_identities",
            "account_applications_24h",
            "account_applications_30d",
            "phone_identities",
        }
    ),
    "stacking": frozenset(
        {
            "id_applications_24h",
            "id_applications_30d",
            "phone_applications_24h",
            "phone_applications_30d",
            "account_applications_24h",
            "account_applications_30d",
            "device_applications_24h",
            "device_applications_30d",
        }
    ),
    "sim_swap": frozenset({"caller_id_differs", "otp_failures", "otp_locked"}),
}


def _honest(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Ordinary applicants, with the noise real callers have."""
    one = np.ones(n)
    f: dict[str, np.ndarray] = {}
    f["id_applications_24h"] = one + (rng.random(n) < 0.04)  # a retry after a dropped call
    f["id_applications_30d"] = f["id_applications_24h"] + rng.poisson(0.25, n)
    f["phone_applications_24h"] = f["id_applications_24h"].copy()
    f["phone_applications_30d"] = f["id_applications_30d"].copy()
    f["device_applications_24h"] = f["id_applications_24h"] + (rng.random(n) < 0.03)
    f["device_applications_30d"] = f["id_applications_30d"] + rng.poisson(0.15, n)
    f["account_applications_24h"] = f["id_applications_24h"].copy()
    f["account_applications_30d"] = f["id_applications_30d"].copy()
    f["phone_identities"] = one + (rng.random(n) < 0.06)  # a family phone
    f["account_identities"] = one + (rng.random(n) < 0.02)  # a spouse's card
    f["device_identities"] = one + (rng.random(n) < 0.08)  # an office or family line
    f["employer_identities_24h"] = one + rng.poisson(0.4, n) + 4 * (rng.random(n) < 0.02)
    f["security_questions_failed"] = rng.choice([0, 1, 2], n, p=[0.88, 0.10, 0.02]).astype(float)
    # Spoken codes are misheard: on LendLine's own voice line the recogniser gets a read-out
    # code wrong once or twice before the caller is offered the keypad (the voice tests).
    f["otp_failures"] = rng.choice([0, 1, 2, 3], n, p=[0.70, 0.12, 0.14, 0.04]).astype(float)
    f["registry_mismatch"] = (rng.random(n) < 0.02).astype(float)
    # The recogniser mishears names, Latin-script ones most (Whisper base hears the demo's
    # "Li Hua" as "like you are"): a name that differs says little on its own.
    f["name_differs"] = (rng.random(n) < 0.30).astype(float)
    f["caller_id_differs"] = (rng.random(n) < 0.15).astype(float)  # a work or family phone
    f["otp_locked"] = (rng.random(n) < 0.005).astype(float)
    f["virtual_operator_phone"] = (rng.random(n) < 0.05).astype(float)
    f["virtual_operator_caller"] = np.where(
        f["caller_id_differs"] > 0, rng.random(n) < 0.05, f["virtual_operator_phone"]
    ).astype(float)
    f["night_application"] = (rng.random(n) < 0.04).astype(float)
    # How they speak: a genuine caller takes a second to recall; 12 % look answers up.
    lookup = rng.random(n) < 0.12
    f["question_answer_latency_secs"] = np.where(
        lookup, rng.uniform(3.0, 7.0, n), rng.lognormal(np.log(1.2), 0.45, n)
    )
    f["answer_latency_secs"] = rng.lognormal(np.log(0.9), 0.4, n)
    f["speech_rate"] = np.clip(rng.normal(4.0, 0.8, n), 1.5, 8.0)
    f["pause_ratio"] = rng.beta(5, 15, n)
    f["filler_rate"] = rng.gamma(2.0, 0.2, n)
    f["pitch_variation"] = np.clip(rng.normal(0.22, 0.06, n), 0.03, 0.6)
    f["energy_variation"] = np.clip(rng.normal(0.5, 0.12, n), 0.1, 1.2)
    background = rng.random(n) < 0.12  # family, an office, a television
    f["second_voice"] = np.where(background, rng.uniform(0.25, 0.7, n), rng.beta(1.2, 14, n))
    reader = rng.random(n) < 0.10  # reads the ID number off the card
    f["scripted_reading"] = np.where(reader, rng.uniform(0.45, 0.75, n), rng.beta(3, 9, n))
    f["coaching_cues"] = rng.poisson(0.02, n).astype(float)
    f["urgency_cues"] = rng.poisson(0.2, n).astype(float)  # "马上" is ordinary speech
    f["scam_cues"] = rng.poisson(0.01, n).astype(float)
    f["turns"] = rng.integers(12, 31, n).astype(float)
    f["guarantor_cues"] = rng.poisson(0.01, n).astype(float)
    f["second_voice_turns"] = rng.binomial(f["turns"].astype(int), f["second_voice"] * 0.3)
    return f


def _derive_quickness(values: dict[str, np.ndarray]) -> None:
    """Derive the quickness column from the latency exactly as the call's summary does."""
    values["question_answer_quickness"] = np.clip(
        (RECALL_SECS - values["question_answer_latency_secs"]) / RECALL_SECS, 0.0, 1.0
    )


def _some(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    return rng.random(n) < p


def _plant(pattern: str, f: dict[str, np.ndarray], rng: np.random.Generator, n: int) -> None:
    """Overwrite an honest baseline with a pattern's signals, each only sometimes."""
    if pattern == "coaching":
        fast = _some(rng, n, 0.55)  # read from notes; otherwise a long pause, then fluent
        f["question_answer_latency_secs"] = np.where(
            fast, rng.uniform(0.15, 0.6, n), rng.uniform(3.5, 8.0, n)
        )
        f["answer_latency_secs"] = np.where(
            fast, rng.uniform(0.2, 0.6, n), f["answer_latency_secs"]
        )
        scripted = _some(rng, n, 0.75)
        f["scripted_reading"] = np.where(
            scripted, rng.uniform(0.55, 0.95, n), f["scripted_reading"]
        )
        f["filler_rate"] = np.where(scripted, rng.gamma(1.0, 0.1, n), f["filler_rate"])
        f["pitch_variation"] = np.where(scripted, rng.normal(0.14, 0.04, n), f["pitch_variation"])
        voice = _some(rng, n, 0.6)
        f["second_voice"] = np.where(voice, rng.uniform(0.4, 0.95, n), f["second_voice"])
        f["second_voice_turns"] = np.where(
            voice, rng.integers(2, 10, n), f["second_voice_turns"]
        ).astype(float)
        f["coaching_cues"] = np.where(_some(rng, n, 0.45), rng.integers(1, 4, n), 0).astype(float)
        shared = _some(rng, n, 0.45)  # the agent's own phone or device for several clients
        f["device_identities"] = np.where(shared, rng.integers(2, 7, n), f["device_identities"])
        f["device_applications_24h"] = np.where(
            shared, rng.integers(2, 6, n), f["device_applications_24h"]
        )
        f["device_applications_30d"] = np.maximum(
            f["device_applications_24h"], f["device_applications_30d"]
        ) + np.where(shared, rng.integers(0, 6, n), 0)
        f["caller_id_differs"] = np.where(shared, 1.0, f["caller_id_differs"])
        f["employer_identities_24h"] = np.where(
            _some(rng, n, 0.3), rng.integers(3, 10, n), f["employer_identities_24h"]
        )
    elif pattern == "scam_victim":
        f["scam_cues"] = np.where(_some(rng, n, 0.65), rng.integers(1, 5, n), 0).astype(float)
        f["urgency_cues"] = np.where(
            _some(rng, n, 0.7), rng.integers(1, 6, n), f["urgency_cues"]
        ).astype(float)
        f["guarantor_cues"] = np.where(_some(rng, n, 0.1), 1.0, f["guarantor_cues"])
        f["speech_rate"] = f["speech_rate"] + rng.normal(0.5, 0.4, n)
        on_line = _some(rng, n, 0.3)  # the fake "customer service" still on another line
        f["second_voice"] = np.where(on_line, rng.uniform(0.35, 0.85, n), f["second_voice"])
        f["night_application"] = np.where(_some(rng, n, 0.12), 1.0, f["night_application"])
    elif pattern == "identity_theft":
        f["registry_mismatch"] = np.where(_some(rng, n, 0.45), 1.0, f["registry_mismatch"])
        f["name_differs"] = np.where(_some(rng, n, 0.3), 1.0, f["name_differs"])
        failed = _some(rng, n, 0.65)
        f["security_questions_failed"] = np.where(
            failed, rng.integers(1, 4, n), f["security_questions_failed"]
        ).astype(float)
        f["caller_id_differs"] = np.where(_some(rng, n, 0.65), 1.0, f["caller_id_differs"])
        new_number = _some(rng, n, 0.3)
        f["virtual_operator_phone"] = np.where(new_number, 1.0, f["virtual_operator_phone"])
        f["virtual_operator_caller"] = np.where(new_number, 1.0, f["virtual_operator_caller"])
        f["question_answer_latency_secs"] = np.where(
            failed, rng.uniform(2.5, 8.0, n), f["question_answer_latency_secs"]
        )
        f["night_application"] = np.where(_some(rng, n, 0.1), 1.0, f["night_application"])
    elif pattern == "mule":
        rented = _some(rng, n, 0.85)
        f["account_identities"] = np.where(rented, rng.integers(2, 7, n), f["account_identities"])
        f["account_applications_30d"] = np.where(
            rented, rng.integers(2, 8, n), f["account_applications_30d"]
        )
        f["account_applications_24h"] = np.minimum(
            f["account_applications_30d"],
            np.where(_some(rng, n, 0.4), rng.integers(2, 4, n), f["account_applications_24h"]),
        )
        f["phone_identities"] = np.where(
            _some(rng, n, 0.3), rng.integers(2, 5, n), f["phone_identities"]
        )
    elif pattern == "stacking":
        burst = _some(rng, n, 0.85)
        f["id_applications_24h"] = np.where(burst, rng.integers(2, 7, n), f["id_applications_24h"])
        f["id_applications_30d"] = f["id_applications_24h"] + np.where(
            burst, rng.integers(1, 9, n), rng.integers(2, 6, n)
        )
        # 60 % apply with one phone; the others rotate SIM cards, so the phone counts stay low.
        one_phone = _some(rng, n, 0.6)
        f["phone_applications_24h"] = np.where(
            one_phone, f["id_applications_24h"], f["phone_applications_24h"]
        )
        f["phone_applications_30d"] = np.where(
            one_phone, f["id_applications_30d"], f["phone_applications_30d"]
        )
        f["account_applications_24h"] = np.maximum(
            1, f["id_applications_24h"] - rng.integers(0, 2, n)
        )
        f["account_applications_30d"] = np.maximum(
            f["account_applications_24h"], f["id_applications_30d"] - rng.integers(0, 3, n)
        )
        f["device_applications_24h"] = np.maximum(
            f["device_applications_24h"], f["id_applications_24h"]
        )
        f["device_applications_30d"] = np.maximum(
            f["device_applications_30d"], f["id_applications_30d"]
        )
        f["night_application"] = np.where(_some(rng, n, 0.1), 1.0, f["night_application"])
    elif pattern == "sim_swap":
        f["caller_id_differs"] = np.where(_some(rng, n, 0.9), 1.0, f["caller_id_differs"])
        failures = _some(rng, n, 0.8)
        f["otp_failures"] = np.where(failures, rng.integers(1, 5, n), f["otp_failures"]).astype(
            float
        )
        f["otp_locked"] = np.where(_some(rng, n, 0.2), 1.0, f["otp_locked"])
        f["security_questions_failed"] = np.where(
            _some(rng, n, 0.35), rng.integers(1, 3, n), f["security_questions_failed"]
        ).astype(float)
        f["virtual_operator_caller"] = np.where(
            _some(rng, n, 0.2), 1.0, f["virtual_operator_caller"]
        )
    elif pattern != "honest":
        raise ValueError(f"unknown pattern {pattern!r}")


def generate(n: int = 40_000, seed: int = 20261201) -> pd.DataFrame:
    """A labelled data set: :data:`FEATURES`, ``pattern`` and ``label`` (1 = fraud).

    Args:
        n: rows (split between patterns by :data:`PATTERNS`).
        seed: the random seed; the same seed gives the same rows.
    """
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, list(PATTERNS.values()))
    frames = []
    for pattern, size in zip(PATTERNS, counts, strict=True):
        values = _honest(rng, int(size))
        _plant(pattern, values, rng, int(size))
        _derive_quickness(values)
        frame = pd.DataFrame({name: np.asarray(values[name], dtype=float) for name in FEATURES})
        frame["pattern"] = pattern
        frame["label"] = int(pattern != "honest")
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    return data.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def planted_case(pattern: str, seed: int = 7) -> dict[str, float]:
    """One applicant of ``pattern`` with every one of its signals present (for tests)."""
    rng = np.random.default_rng(seed)
    values = _honest(rng, 1)
    # The honest noise is switched off so only the pattern speaks.
    quiet = {
        "second_voice": 0.05,
        "scripted_reading": 0.2,
        "question_answer_latency_secs": 1.2,
        "caller_id_differs": 0.0,
        "name_differs": 0.0,
        "registry_mismatch": 0.0,
        "security_questions_failed": 0.0,
        "otp_failures": 0.0,
        "otp_locked": 0.0,
        "night_application": 0.0,
        "virtual_operator_phone": 0.0,
        "virtual_operator_caller": 0.0,
        "phone_identities": 1.0,
        "account_identities": 1.0,
        "device_identities": 1.0,
        "employer_identities_24h": 1.0,
        "urgency_cues": 0.0,
        **{name: 1.0 for name in FACT_FEATURES if name.endswith(("_24h", "_30d"))},
        "coaching_cues": 0.0,
        "scam_cues": 0.0,
        "guarantor_cues": 0.0,
        "second_voice_turns": 0.0,
    }
    for name, value in quiet.items():
        values[name] = np.array([value])
    if pattern != "honest":
        # Every signal of the pattern, at a clear strength (training plants them only sometimes).
        strong = {
            "coaching": {
                "scripted_reading": 0.85,
                "second_voice": 0.8,
                "coaching_cues": 2.0,
                "question_answer_latency_secs": 0.3,
                "second_voice_turns": 5.0,
            },
            "scam_victim": {"scam_cues": 3.0, "urgency_cues": 3.0},
            "identity_theft": {
                "registry_mismatch": 1.0,
                "security_questions_failed": 2.0,
                "caller_id_differs": 1.0,
                "name_differs": 1.0,
            },
            "mule": {"account_identities": 4.0, "account_applications_30d": 4.0},
            "stacking": {
                "id_applications_24h": 4.0,
                "id_applications_30d": 8.0,
                "phone_applications_24h": 4.0,
                "phone_applications_30d": 8.0,
                "account_applications_24h": 3.0,
                "account_applications_30d": 6.0,
                "device_applications_24h": 4.0,
                "device_applications_30d": 8.0,
            },
            "sim_swap": {"caller_id_differs": 1.0, "otp_failures": 3.0, "otp_locked": 1.0},
        }[pattern]
        for name, value in strong.items():
            values[name] = np.array([value])
    _derive_quickness(values)
    return {name: float(values[name][0]) for name in FEATURES}


def data_hash(data: pd.DataFrame) -> str:
    """SHA-256 of the data set's CSV form: which generated set a model was trained on."""
    return hashlib.sha256(data.to_csv(index=False).encode()).hexdigest()
