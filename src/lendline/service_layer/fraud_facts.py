"""Record an application's identifiers in the fraud history and build its :class:`FraudFacts`.

The loan desk calls :func:`build_fraud_facts` once per decision, inside its unit of work:
each identifier the application used is stored as a keyed hash (never the value) and then
counted against the history, so the facts include this application. Running it again for
the same application (a call-back, a re-decision) records nothing new and gives the same
counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lendline.identity.phone import InvalidMobileNumber, MobileNumber
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.fraud.facts import FraudFacts
from lendline.risk.fraud.history import ObservationKind
from lendline.risk.fraud.rules import DEFAULT_RULES, FraudRulesConfig

__all__ = ["ApplicationIdentifiers", "build_fraud_facts", "unverified_subject"]

_DAY = timedelta(days=1)
_MONTH = timedelta(days=30)
_PHONES = (ObservationKind.PHONE, ObservationKind.CALLER_ID)


@dataclass(frozen=True, slots=True)
class ApplicationIdentifiers:
    """The identifiers one application used, as given on the call (None: not given).

    ``repr`` is masked field by field: these are personal data.

    Parameters:
        id_number: the resident ID number.
        mobile: the mobile number given (and checked against the registry).
        caller_number: the number the call came from (caller ID).
        device: a device fingerprint (chat and app channels), if any.
        account: the payout bank account number.
        employer: the employer's name as stated.
    """

    id_number: str | None = None
    mobile: str | None = None
    caller_number: str | None = None
    device: str | None = None
    account: str | None = None
    employer: str | None = None

    def __repr__(self) -> str:
        given = [name for name in _FIELDS if getattr(self, name)]
        return f"ApplicationIdentifiers(given={given})"

    def by_kind(self) -> dict[ObservationKind, str]:
        """The identifiers that were given, by observation kind."""
        values = {
            ObservationKind.ID_NUMBER: self.id_number,
            ObservationKind.PHONE: self.mobile,
            ObservationKind.CALLER_ID: self.caller_number,
            ObservationKind.DEVICE: self.device,
            ObservationKind.ACCOUNT: self.account,
            ObservationKind.EMPLOYER: self.employer,
        }
        return {kind: value for kind, value in values.items() if value and value.strip()}


_FIELDS = ("id_number", "mobile", "caller_number", "device", "account", "employer")


def unverified_subject(id_number_key: str) -> str:
    """The subject recorded for an applicant not (yet) found in the registry.

    Half of the ID number's keyed hash: distinct identities are still told apart (and a
    stolen ID is the same "identity" on every attempt) without a customer id.
    """
    return f"unverified:{id_number_key[:32]}"


def _virtual(number: str | None) -> bool:
    if not number:
        return False
    try:
        return MobileNumber.parse(number).is_virtual_operator
    except InvalidMobileNumber:
        return False


def build_fraud_facts(
    uow: SqlUnitOfWork,
    identifiers: ApplicationIdentifiers,
    *,
    at: datetime,
    session_id: str,
    reference: str | None,
    customer_id: str | None,
    flags: Iterable[str] = (),
    security_questions_failed: int = 0,
    otp_failures: int = 0,
    otp_locked: bool = False,
    config: FraudRulesConfig = DEFAULT_RULES,
) -> FraudFacts:
    """Record the application's identifiers and count them against the history.

    Args:
        uow: an open unit of work (the caller commits).
        identifiers: what the application used.
        at: when it was made (UTC-aware).
        session_id: the call session.
        reference: the application reference, once one exists (pass it whenever it does, so
            every call about one application counts once).
        customer_id: the registry customer, if identified.
        flags: the dialog's flags (``DialogState.flags``): registry mismatches.
        security_questions_failed: ``DialogState.questions_failed``.
        otp_failures: wrong one-time codes entered in this session.
        otp_locked: whether one-time codes were locked.
        config: the rules configuration (its identity window).

    Returns:
        The facts for ``lendline.risk.fraud.rules.evaluate`` and the fraud model.
    """
    history = uow.risk_history
    keys = {kind: history.key_for(kind, value) for kind, value in identifiers.by_kind().items()}
    subject = customer_id
    if subject is None and ObservationKind.ID_NUMBER in keys:
        subject = unverified_subject(keys[ObservationKind.ID_NUMBER])
    for kind, key in keys.items():
        history.observe(
            at=at,
            session_id=session_id,
            reference=reference,
            subject=subject,
            kind=kind,
            key=key,
        )

    def applications(kind: ObservationKind, window: timedelta) -> int:
        key = keys.get(kind)
        return history.counts(kind, key, at - window) if key is not None else 0

    identity_since = at - timedelta(days=config.identity_window_days)

    def identities(kinds: tuple[ObservationKind, ...], since: datetime) -> int:
        found = {keys[kind] for kind in kinds if kind in keys}
        return max((history.distinct_subjects(kinds, key, since) for key in found), default=0)

    device_kind = ObservationKind.DEVICE if ObservationKind.DEVICE in keys else None
    device_kinds = (ObservationKind.CALLER_ID,) + ((device_kind,) if device_kind else ())
    blacklisted = frozenset(
        kind.value
        for kind, key in keys.items()
        if history.blacklisted(_PHONES if kind in _PHONES else (kind,), key)
    )
    facts = FraudFacts(
        applied_at=at,
        id_applications_24h=applications(ObservationKind.ID_NUMBER, _DAY),
        id_applications_30d=applications(ObservationKind.ID_NUMBER, _MONTH),
        phone_applications_24h=applications(ObservationKind.PHONE, _DAY),
        phone_applications_30d=applications(ObservationKind.PHONE, _MONTH),
        device_applications_24h=max(applications(k, _DAY) for k in device_kinds),
        device_applications_30d=max(applications(k, _MONTH) for k in device_kinds),
        account_applications_24h=applications(ObservationKind.ACCOUNT, _DAY),
        account_applications_30d=applications(ObservationKind.ACCOUNT, _MONTH),
        phone_identities=identities((ObservationKind.PHONE,), identity_since),
        account_identities=identities((ObservationKind.ACCOUNT,), identity_since),
        device_identities=max(identities((k,), identity_since) for k in device_kinds),
        employer_identities_24h=identities((ObservationKind.EMPLOYER,), at - _DAY),
        security_questions_failed=security_questions_failed,
        otp_failures=otp_failures,
        otp_locked=otp_locked,
        virtual_operator_phone=_virtual(identifiers.mobile),
        virtual_operator_caller=_virtual(identifiers.caller_number),
        blacklisted=blacklisted,
    )
    return facts.with_dialog_flags(flags)
