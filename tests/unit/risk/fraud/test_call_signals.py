"""The per-call summary of caller turns and cues."""

from __future__ import annotations

import pytest

from lendline.risk.fraud.call_signals import (
    AUDIO_FIELDS,
    CUE_FIELDS,
    CallSignals,
    CallSignalsAccumulator,
    TurnMeasurement,
    quickness,
)
from lendline.risk.fraud.lexicon import scan


def turn(**values: object) -> TurnMeasurement:
    base: dict[str, object] = {
        "step": "purpose",
        "answer_latency_secs": 1.0,
        "speech_secs": 2.0,
        "turn_secs": 2.5,
        "pause_ratio": 0.2,
        "speech_rate": 4.0,
        "pace_variation": 0.6,
        "pitch_variation": 0.2,
        "energy_variation": 0.8,
    }
    return TurnMeasurement(**{**base, **values})  # type: ignore[arg-type]


def test_an_empty_call_summarises_to_zeros() -> None:
    assert CallSignalsAccumulator().summary() == CallSignals()


def test_security_question_latency_is_the_median_over_security_answers_only() -> None:
    acc = CallSignalsAccumulator()
    acc.add_turn(turn(step="security_question", answer_latency_secs=0.2))
    acc.add_turn(turn(step="security_question", answer_latency_secs=0.4))
    acc.add_turn(turn(step="security_question", answer_latency_secs=3.0))
    acc.add_turn(turn(step="purpose", answer_latency_secs=9.0))
    summary = acc.summary()
    assert summary.question_answer_latency_secs == pytest.approx(0.4)
    assert summary.answer_latency_secs == pytest.approx(1.7)
    assert summary.turns == 4


def test_pause_ratio_is_weighted_by_turn_length() -> None:
    acc = CallSignalsAccumulator()
    acc.add_turn(turn(turn_secs=1.0, pause_ratio=0.0))
    acc.add_turn(turn(turn_secs=3.0, pause_ratio=0.4))
    assert acc.summary().pause_ratio == pytest.approx(1.2 / 4.0)


def test_unmeasured_values_are_left_out_of_medians() -> None:
    acc = CallSignalsAccumulator()
    acc.add_turn(turn(speech_rate=None, pitch_variation=None))
    acc.add_turn(turn(speech_rate=3.0, pitch_variation=0.1))
    summary = acc.summary()
    assert summary.speech_rate == 3.0
    assert summary.pitch_variation == pytest.approx(0.1)


def test_second_voice_is_the_strongest_turn_and_turns_above_half_are_counted() -> None:
    acc = CallSignalsAccumulator()
    for score in (0.1, 0.7, 0.55, 0.2):
        acc.add_turn(turn(second_voice=score))
    summary = acc.summary()
    assert summary.second_voice == pytest.approx(0.7)
    assert summary.second_voice_turns == 2


def test_fast_even_fluent_answers_score_as_read_out() -> None:
    read = turn(answer_latency_secs=0.2, pace_variation=0.1, pause_ratio=0.05, fillers=0)
    natural = turn(answer_latency_secs=2.0, pace_variation=0.9, pause_ratio=0.35, fillers=1)
    assert read.scripted_reading() == pytest.approx(0.95)
    natural_score = natural.scripted_reading()
    assert natural_score is not None and natural_score < 0.3
    # A "yes" is always quick: too short to judge.
    assert turn(speech_secs=0.4).scripted_reading() is None


def test_cues_are_counted_by_kind_and_fillers_feed_the_filler_rate() -> None:
    acc = CallSignalsAccumulator()
    acc.add_turn(turn())
    acc.add_turn(turn(fillers=1))
    acc.add_cues(scan("嗯，中介说要先交保证金才能放款，马上", "zh"))
    acc.add_cues(scan("Is this just a guarantee?", "en"))
    summary = acc.summary()
    assert (summary.coaching_cues, summary.scam_cues, summary.urgency_cues) == (1, 1, 1)
    assert summary.guarantor_cues == 1
    assert summary.filler_rate == pytest.approx(1.0)  # two fillers over two turns


def test_features_round_trip_and_split_into_audio_and_cue_parts() -> None:
    signals = CallSignals(speech_rate=3.5, scam_cues=2, turns=4, second_voice=0.3)
    features = signals.as_features()
    assert all(isinstance(value, float) for value in features.values())
    assert CallSignals.from_features(features) == signals
    assert CallSignals.from_features({}) == CallSignals()
    assert set(signals.audio_features()) == AUDIO_FIELDS
    assert AUDIO_FIELDS.isdisjoint(CUE_FIELDS)
    assert set(features) == AUDIO_FIELDS | CUE_FIELDS


def test_the_names_other_modules_read_are_kept() -> None:
    names = set(CallSignals().as_features())
    assert {
        "question_answer_latency_secs", "speech_rate", "pause_ratio", "filler_rate",
        "pitch_variation", "energy_variation", "second_voice", "scripted_reading",
        "coaching_cues", "urgency_cues", "scam_cues", "turns",
    } <= names  # fmt: skip


def test_a_call_back_carries_on_from_the_saved_summary() -> None:
    first = CallSignalsAccumulator()
    for _ in range(3):
        first.add_turn(turn(speech_rate=3.0, second_voice=0.6))
    first.add_cues(scan("unfreeze fee", "en"))
    saved = first.summary().as_features()

    again = CallSignalsAccumulator.resume(saved)
    again.add_turn(turn(speech_rate=5.0, second_voice=0.1))
    summary = again.summary()
    assert summary.turns == 4
    assert summary.speech_rate == pytest.approx((3.0 * 3 + 5.0) / 4)
    assert summary.second_voice == pytest.approx(0.6)
    assert summary.second_voice_turns == 3
    assert summary.scam_cues == 1
    assert CallSignalsAccumulator.resume({}).summary() == CallSignals()


@pytest.mark.parametrize(
    ("latency", "expected"), [(None, 0.0), (0.0, 1.0), (0.25, 0.75), (1.0, 0.0), (4.0, 0.0)]
)
def test_quickness_counts_only_answers_faster_than_recall(
    latency: float | None, expected: float
) -> None:
    assert quickness(latency) == pytest.approx(expected)


def test_the_summary_reads_quickness_off_the_security_answers() -> None:
    reader = CallSignalsAccumulator()
    recaller = CallSignalsAccumulator()
    for _ in range(3):
        reader.add_turn(turn(step="security_question", answer_latency_secs=0.1))
        recaller.add_turn(turn(step="security_question", answer_latency_secs=1.4))
        # Quick answers elsewhere ("yes") say nothing about reading from notes.
        recaller.add_turn(turn(step="confirm_id", answer_latency_secs=0.1))
    assert reader.summary().question_answer_quickness == pytest.approx(0.9)
    assert recaller.summary().question_answer_quickness == 0.0
