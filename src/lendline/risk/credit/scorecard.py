"""The credit scorecard at call time: points, probability of default and reason codes.

Design Overview:
    The scorecard is trained outside the core (``lendline.modelling.credit``, optbinning)
    and shipped as JSON (``lendline/data/models/credit_scorecard.json``). This module reads
    that file and scores in pure Python with Decimal: each feature's value falls in one bin;
    the bin gives whole points (their sum is the score: 600 points at good:bad odds of 50:1,
    20 more points per doubling of the odds) and a linear contribution (coefficient × WoE);
    the probability of default is the logistic link of the intercept plus the contributions.
    That probability is the training regression's own output, **not calibrated** to
    LendLine's population (German Credit's bad rate is 30 % by design of the sample).

    A missing value (a bureau fact no report supplied, or a category the training data never
    saw, such as a retired caller) falls in the feature's missing bin, whose WoE is 0: it
    neither helps nor hurts relative to the training population.

    Reasons are adverse-action style: for each feature with a known value, the points it
    lost against that feature's best bin; the features that cost most come first. Each
    feature has a stable code (C01..C08) and a Chinese and English text, so every decline
    can be explained (PIPL Art. 24). Features scored as missing give no reason: nothing
    known about the applicant lowered the score.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from importlib.resources import files
from typing import Final

from lendline.risk.credit.applicant import CreditApplicant

#: Where the shipped artefact lives: ``models/credit_scorecard.json`` in ``lendline.data``.
DEFAULT_PACKAGE: Final = "lendline.data"
DEFAULT_FILE: Final = ("models", "credit_scorecard.json")
#: Artefact format this reader understands.
FORMAT: Final = 1
#: Probabilities are reported to six decimals: finer digits carry no information.
PROBABILITY_QUANTUM: Final = Decimal("0.000001")

FeatureValue = int | Decimal | str | None


@dataclass(frozen=True, slots=True)
class ReasonText:
    """A stable reason code and what it says.

    Parameters:
        code: never reused for another meaning once shipped.
        zh: the explanation in Chinese.
        en: the explanation in English.
    """

    code: str
    zh: str
    en: str


#: One reason per feature. Codes are stable: a new feature takes the next free code.
REASONS: Final[Mapping[str, ReasonText]] = {
    "term_months": ReasonText(
        "C01",
        "贷款期限较长，较长期限的贷款违约率更高",
        "the loan term is long; longer loans default more often",
    ),
    "payment_to_income_band": ReasonText(
        "C02", "月还款额占收入的比例较高", "the monthly repayments are a high share of income"
    ),
    "age_years": ReasonText(
        "C03",
        "所在年龄段在训练数据中的违约率较高",
        "the applicant's age band had a higher default rate in the training data",
    ),
    "purpose": ReasonText(
        "C04", "该贷款用途的历史违约率较高", "loans for this purpose default more often"
    ),
    "employment": ReasonText(
        "C05",
        "就业状况对应的违约率较高",
        "the employment status is linked to a higher default rate",
    ),
    # The bureau ranks are told as "linked to a higher default rate", not as a judgement:
    # in the training data some orderings are not the intuitive ones (the model card).
    "checking_account": ReasonText(
        "C06",
        "征信显示的活期账户状况对应的违约率较高",
        "the current-account status on the credit report is linked to a higher default rate",
    ),
    "credit_history": ReasonText(
        "C07",
        "征信显示的还款记录对应的违约率较高",
        "the repayment record on the credit report is linked to a higher default rate",
    ),
    "savings": ReasonText(
        "C08",
        "征信显示的储蓄状况对应的违约率较高",
        "the savings on the credit report are linked to a higher default rate",
    ),
}


@dataclass(frozen=True, slots=True)
class CreditReason:
    """One reason the score is lower than it could be.

    Parameters:
        code: stable code ("C01".."C08").
        feature: the scorecard feature behind it.
        points_lost: points below that feature's best bin.
        zh: the explanation in Chinese.
        en: the explanation in English.
    """

    code: str
    feature: str
    points_lost: int
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class CreditScore:
    """The scorecard's result for one applicant.

    Parameters:
        points: the score (higher is better; 600 = good:bad odds of 50:1, PDO 20).
        probability_bad: probability of default from the logistic link (uncalibrated).
        reasons: features that cost the most points against their best bin, worst first.
        version: the scorecard version that scored.
        missing: features scored in their neutral missing bin.
    """

    points: int
    probability_bad: Decimal
    reasons: tuple[CreditReason, ...]
    version: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bin:
    """One bin of a feature: its points and its linear contribution to the log-odds."""

    points: int
    contribution: Decimal


@dataclass(frozen=True, slots=True)
class Feature:
    """A scorecard feature: its bins and how a value finds its bin.

    Parameters:
        name: the feature's name.
        bins: the bins in the trained order.
        missing: the bin for a missing or unseen value.
        uppers: numeric features: the bins' exclusive upper edges (the last bin has none).
        categories: categorical features: category -> index of its bin.
    """

    name: str
    bins: tuple[Bin, ...]
    missing: Bin
    uppers: tuple[Decimal, ...] = ()
    categories: Mapping[str, int] | None = None

    @property
    def best_points(self) -> int:
        """Points of the best bin."""
        return max(item.points for item in self.bins)

    def bin_for(self, value: FeatureValue) -> Bin | None:
        """The bin ``value`` falls in; None when it is missing or unseen."""
        if value is None:
            return None
        if self.categories is not None:
            index = self.categories.get(str(value))
            return None if index is None else self.bins[index]
        if isinstance(value, str):
            raise TypeError(f"{self.name} is numeric, got {value!r}")
        # Bins are [lower, upper): a value equal to an edge belongs to the bin above it.
        return self.bins[bisect_right(self.uppers, Decimal(value))]


class ScorecardError(ValueError):
    """Raised when a scorecard artefact cannot be read."""


class Scorecard:
    """A trained scorecard, read from its JSON artefact.

    Parameters:
        version: the artefact's version string.
        intercept: the logistic regression's intercept.
        features: the features in training order.
        reference_edges: inner score band edges of the stability reference.
        reference_counts: training applicants per score band.
        calibrated: whether ``probability_bad`` is calibrated (it is not today).
        metrics: the evaluation figures recorded at training.
    """

    __slots__ = (
        "calibrated",
        "features",
        "intercept",
        "metrics",
        "reference_counts",
        "reference_edges",
        "version",
    )

    def __init__(
        self,
        version: str,
        intercept: Decimal,
        features: Sequence[Feature],
        reference_edges: Sequence[int],
        reference_counts: Sequence[int],
        calibrated: bool = False,
        metrics: Mapping[str, object] | None = None,
    ) -> None:
        missing = [f.name for f in features if f.name not in REASONS]
        if missing:
            raise ScorecardError(f"no reason code for features {missing}")
        if len(reference_counts) != len(reference_edges) + 1:
            raise ScorecardError("the reference needs one band more than inner edges")
        self.version = version
        self.intercept = intercept
        self.features = tuple(features)
        self.reference_edges = tuple(reference_edges)
        self.reference_counts = tuple(reference_counts)
        self.calibrated = calibrated
        self.metrics = dict(metrics or {})

    @classmethod
    def from_json(cls, text: str) -> Scorecard:
        """Read an artefact; numbers are parsed as Decimal, never float."""
        raw = json.loads(text, parse_float=Decimal)
        if raw.get("format") != FORMAT:
            raise ScorecardError(f"unsupported scorecard format {raw.get('format')!r}")
        try:
            features = [_feature(item) for item in raw["features"]]
            return cls(
                version=str(raw["version"]),
                intercept=Decimal(raw["intercept"]),
                features=features,
                reference_edges=[int(e) for e in raw["reference"]["edges"]],
                reference_counts=[int(c) for c in raw["reference"]["counts"]],
                calibrated=bool(raw["probability"]["calibrated"]),
                metrics=raw.get("metrics", {}),
            )
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise ScorecardError(f"malformed scorecard artefact: {exc}") from exc

    @classmethod
    def load_default(cls) -> Scorecard:
        """The scorecard shipped with LendLine (read once per process)."""
        return _default()

    def score(self, applicant: CreditApplicant) -> CreditScore:
        """Score an applicant from the call (and bureau facts, when known)."""
        return self.score_features(applicant.features())

    def score_features(self, values: Mapping[str, FeatureValue]) -> CreditScore:
        """Score raw feature values by name (None or absent: missing); for validation."""
        points = 0
        log_odds = self.intercept
        lost: list[CreditReason] = []
        missing: list[str] = []
        for feature in self.features:
            found = feature.bin_for(values.get(feature.name))
            if found is None:
                missing.append(feature.name)
                found = feature.missing
            elif found.points < feature.best_points:
                text = REASONS[feature.name]
                lost.append(
                    CreditReason(
                        text.code, feature.name, feature.best_points - found.points,
                        text.zh, text.en,
                    )
                )  # fmt: skip
            points += found.points
            log_odds += found.contribution
        lost.sort(key=lambda reason: (-reason.points_lost, reason.code))
        return CreditScore(
            points=points,
            probability_bad=_logistic(log_odds),
            reasons=tuple(lost),
            version=self.version,
            missing=tuple(missing),
        )


def _logistic(log_odds: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 28
        probability = Decimal(1) / (Decimal(1) + (-log_odds).exp())
        return probability.quantize(PROBABILITY_QUANTUM)


def _bin(raw: Mapping[str, object]) -> Bin:
    return Bin(points=int(str(raw["points"])), contribution=Decimal(str(raw["contribution"])))


def _feature(raw: Mapping[str, object]) -> Feature:
    bins_raw = raw["bins"]
    if not isinstance(bins_raw, list) or not bins_raw:
        raise ScorecardError(f"feature {raw.get('name')!r} has no bins")
    bins = tuple(_bin(item) for item in bins_raw)
    missing_raw = raw["missing"]
    if not isinstance(missing_raw, Mapping):
        raise ScorecardError(f"feature {raw.get('name')!r} has no missing bin")
    name = str(raw["name"])
    if raw["kind"] == "categorical":
        categories = {
            str(category): index
            for index, item in enumerate(bins_raw)
            for category in item["categories"]
        }
        return Feature(name, bins, _bin(missing_raw), categories=categories)
    uppers = tuple(Decimal(str(item["upper"])) for item in bins_raw[:-1])
    if list(uppers) != sorted(uppers):
        raise ScorecardError(f"feature {name!r} has unsorted bin edges")
    return Feature(name, bins, _bin(missing_raw), uppers=uppers)


@cache
def _default() -> Scorecard:
    text = files(DEFAULT_PACKAGE).joinpath(*DEFAULT_FILE).read_text(encoding="utf-8")
    return Scorecard.from_json(text)
