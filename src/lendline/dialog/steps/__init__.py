"""The script's steps, one module per group; :data:`SPECS` holds every step's spec."""

from __future__ import annotations

from lendline.dialog.state import Step
from lendline.dialog.steps import (
    application,
    codes,
    identify,
    opening,
    review,
    security,
    signing,
)
from lendline.dialog.steps.base import StepSpec

SPECS: dict[Step, StepSpec] = {
    spec.step: spec
    for spec in (
        *opening.STEPS,
        *identify.STEPS,
        *security.STEPS,
        *codes.STEPS,
        *application.STEPS,
        *review.STEPS,
        *signing.STEPS,
    )
}
