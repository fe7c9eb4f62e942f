"""The facts the real-time fraud rules judge: counts from history and this application's checks.

:class:`FraudFacts` is plain data, built by the service layer from the risk history (keyed
identifiers only) and the dialog's outcome (flags, failed questions, one-time-code
failures). It carries no personal data, so it can be stored with the decision and fed to the
fraud model as features (:meth:`FraudFacts.as_features`).

Counts include the application being judged: ``id_applications_24h == 1`` is the first
application with that ID number in 24 hours. A count of 0 means the identifier was not given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from lendline.shared.clock import BUSINESS_TZ

__all__ = [
    "CALLER_ID_DIFFERS_FLAG",
    "FACT_FEATURES",
    "NAME_DIFFERS_FLAG",
    "NIGHT_END_HOUR",
    "REGISTRY_MISMATCH_FLAG",
    "FraudFacts",
]

#: The dialog's flags (``DialogState.flags``) the rules read.
REGISTRY_MISMATCH_FLAG: Final = "registry_mismatch"
NAME_DIFFERS_FLAG: Final = "name_differs_from_registry"
CALLER_ID_DIFFERS_FLAG: Final = "caller_id_differs_from_registered_mobile"

#: The model's "night" feature: local (Asia/Shanghai) hours 0 to 5. Fixed, unlike the rule's
#: configurable hours, because a trained model's inputs must keep their meaning.
NIGHT_END_HOUR: Final = 6


@dataclass(frozen=True, slots=True)
class FraudFacts:
    """What is known about one application when the fraud rules run.

    Parameters:
        applied_at: when the application was made (UTC-aware).
        id_applications_24h: applications with this ID number in the last 24 hours.
        id_applications_30d: ... in the last 30 days.
        phone_applications_24h: applications giving this mobile number, 24 hours.
        phone_applications_30d: ... 30 days.
        device_applications_24h: applications from this device or caller number, 24 hours
            (the larger of the two counts).
        device_applications_30d: ... 30 days.
        account_applications_24h: applications paying out to this bank account, 24 hours.
        account_applications_30d: ... 30 days.
        phone_identities: distinct identities (customer ids) that gave this mobile number,
            this one included, within the rules' identity window.
        account_identities: distinct identities with this bank account.
        device_identities: distinct identities calling from this device or caller number.
        employer_identities_24h: distinct identities naming this employer in 24 hours.
        registry_mismatch: the ID number is not in the registry or the mobile is not the
            registered one.
        name_differs: the stated name differs from the registry's.
        caller_id_differs: the call comes from another number than the registered mobile.
        security_questions_failed: security questions answered wrongly in this session.
        otp_failures: wrong one-time codes entered in this session.
        otp_locked: one-time codes were locked for too many failures.
        virtual_operator_phone: the mobile is in a virtual-operator segment.
        virtual_operator_caller: the caller number is in a virtual-operator segment.
        blacklisted: observation kinds whose key is on the blacklist ("account", ...).
    """

    applied_at: datetime
    id_applications_24h: int = 0
    id_applications_30d: int = 0
    phone_applications_24h: int = 0
    phone_applications_30d: int = 0
    device_applications_24h: int = 0
    device_applications_30d: int = 0
    account_applications_24h: int = 0
    account_applications_30d: int = 0
    phone_identities: int = 0
    account_identities: int = 0
    device_identities: int = 0
    employer_identities_24h: int = 0
    registry_mismatch: bool = False
    name_differs: bool = False
    caller_id_differs: bool = False
    security_questions_failed: int = 0
    otp_failures: int = 0
    otp_locked: bool = False
    virtual_operator_phone: bool = False
    virtual_operator_caller: bool = False
    blacklisted: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.applied_at.utcoffset() is None:
            raise ValueError("applied_at must be timezone-aware")
        for name in _COUNT_FIELDS:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    @property
    def local_hour(self) -> int:
        """The hour of the application in the lender's time zone (Asia/Shanghai)."""
        return self.applied_at.astimezone(BUSINESS_TZ).hour

    def with_dialog_flags(self, flags: Iterable[str]) -> FraudFacts:
        """These facts with the registry flags the dialog raised (``DialogState.flags``)."""
        present = set(flags)
        return replace(
            self,
            registry_mismatch=self.registry_mismatch or REGISTRY_MISMATCH_FLAG in present,
            name_differs=self.name_differs or NAME_DIFFERS_FLAG in present,
            caller_id_differs=self.caller_id_differs or CALLER_ID_DIFFERS_FLAG in present,
        )

    def as_features(self) -> dict[str, float]:
        """The facts as the fraud model's inputs (the blacklist is the rules' alone)."""
        features = {name: float(getattr(self, name)) for name in _COUNT_FIELDS + _FLAG_FIELDS}
        features["night_application"] = 1.0 if self.local_hour < NIGHT_END_HOUR else 0.0
        return features


_COUNT_FIELDS: Final = (
    "id_applications_24h",
    "id_applications_30d",
    "phone_applications_24h",
    "phone_applications_30d",
    "device_applications_24h",
    "device_applications_30d",
    "account_applications_24h",
    "account_applications_30d",
    "phone_identities",
    "account_identities",
    "device_identities",
    "employer_identities_24h",
    "security_questions_failed",
    "otp_failures",
)
_FLAG_FIELDS: Final = (
    "registry_mismatch",
    "name_differs",
    "caller_id_differs",
    "otp_locked",
    "virtual_operator_phone",
    "virtual_operator_caller",
)
#: The feature names :meth:`FraudFacts.as_features` gives, in order.
FACT_FEATURES: Final = (*_COUNT_FIELDS, *_FLAG_FIELDS, "night_application")
