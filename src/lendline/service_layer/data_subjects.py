"""Data-subject rights, retention, legal holds and consent withdrawal (PIPL Art. 15, 19, 24, 44-50).

Every request is a row of ``data_subject_requests`` and an audit event (``dsr.access``,
``dsr.correction``, ``dsr.deletion``, ``dsr.explanation``) carrying the request id, the
customer id and the outcome -- never a name, ID number, mobile or a corrected value: the
audit log is append-only and cannot be erased, so it must hold nothing personal.

Methods that reveal personal data to an operator take ``operator`` and ``purpose`` and append
``pii.accessed`` in the same transaction as the read, before anything is returned (PIPL
Art. 51: access to personal data is logged).

Erasure is crypto-shredding through the :class:`SubjectKeyVault` port: the customer's key and
the keys of every session they applied in are destroyed, so the encrypted fields, transcripts
and recordings of that person become unreadable at once, while the audit log still verifies.
Erasure is refused while a retention rule (``compliance.retention``) or a legal hold still
requires the data; the refusal names the rule (PIPL Art. 47 para 2, Art. 50).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Final, Protocol

from sqlalchemy import Engine

from lendline.compliance.ports import (
    PersonalDataSealer,
    SubjectErased,
    SubjectKeyVault,
    customer_subject,
    session_subject,
)
from lendline.compliance.retention import (
    DEFAULT_RULES,
    RetentionRule,
    RetentionVerdict,
    SubjectFacts,
    assess,
)
from lendline.compliance.withdrawal import effects_of
from lendline.identity.registry import CustomerRecord
from lendline.lending.servicing import position
from lendline.persistence.privacy_store import ConsentWithdrawalRow, LegalHoldRow
from lendline.persistence.risk_monitoring import DecisionFigures
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.policy import REASON_TEXT, ReasonCode
from lendline.shared.clock import Clock, SystemClock, business_day
from lendline.shared.errors import DomainError, NotFound

__all__ = [
    "CORRECTABLE_FIELDS",
    "AccessExport",
    "CorrectionResult",
    "DataSubjectService",
    "DecisionExplanation",
    "DeletionResult",
    "NoRecordings",
    "RecordingSource",
    "RetentionReport",
]

#: Registry fields a person may have corrected (PIPL Art. 46). The ID number is not among
#: them: a different ID number is a different identity and needs a new identity check.
CORRECTABLE_FIELDS: Final = frozenset(
    {"full_name", "mobile", "city", "employer", "bank_name", "account_number"}
)

#: How to ask for a person to review an automated decision (PIPL Art. 24 para 3).
HUMAN_REVIEW: Final = (
    "如对自动化决策结果有异议，您可拨打本机构客服热线并说“人工复核”，或回复短信“人工复核”，"
    "由信贷审核人员重新审查您的申请，并在十五个工作日内答复；人工复核不受自动化结果约束。",
    "If you disagree with this automated decision, call the lender's service line and say "
    "'human review', or reply 'human review' to our SMS: a credit officer will look at the "
    "application again, not bound by the automated result, and answer within 15 working days.",
)


def _model_versions(figures: DecisionFigures | None) -> dict[str, str]:
    """The statistical models that took part in a decision, by name (none for rules only)."""
    if figures is None:
        return {}
    named = {
        "credit_scorecard": figures.credit_model_version,
        "fraud_model": figures.fraud_model_version,
        "fraud_rules": figures.fraud_rules_version,
    }
    return {name: version for name, version in named.items() if version}


class RecordingSource(Protocol):
    """Where a session's call recordings are read from, decrypted with the session's key."""

    def recordings_for(
        self, session_id: str, cipher: PersonalDataSealer
    ) -> list[tuple[str, bytes]]:
        """Return ``(file name, audio bytes)`` of each recording of the session.

        ``cipher`` opens them (the caller's unit of work's, so no second transaction is
        needed); it raises ``SubjectErased`` for an erased session.
        """
        ...


class NoRecordings:
    """A recording source for deployments that keep no recordings."""

    def recordings_for(
        self, session_id: str, cipher: PersonalDataSealer
    ) -> list[tuple[str, bytes]]:
        """Return no recordings."""
        return []


@dataclass(frozen=True, slots=True)
class AccessExport:
    """The answer to an access request: a directory (and optionally a zip) for the person.

    Parameters:
        request_id: the request's id.
        customer_id: whose data.
        directory: the export directory (``subject.json`` and ``recordings/``).
        document: the JSON document written to ``subject.json``.
        recordings: the audio files written, relative to ``directory``.
        archive: the zip file, when one was asked for.
    """

    request_id: str
    customer_id: str
    directory: Path
    document: dict[str, Any]
    recordings: tuple[str, ...]
    archive: Path | None = None


@dataclass(frozen=True, slots=True)
class CorrectionResult:
    """The answer to a correction request.

    Parameters:
        request_id: the request's id.
        customer_id: whose record.
        changed: the fields whose value changed (an unchanged field is not listed).
    """

    request_id: str
    customer_id: str
    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeletionResult:
    """The answer to a deletion request.

    Parameters:
        request_id: the request's id.
        customer_id: whose data.
        erased: whether the data were crypto-shredded.
        verdict: the retention assessment (its reason is the legal ground of a refusal).
        subjects: the key subjects shredded.
    """

    request_id: str
    customer_id: str
    erased: bool
    verdict: RetentionVerdict
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReasonInWords:
    """One reason code of a decision, in words.

    Parameters:
        code: the stored reason code.
        zh: the reason in Chinese.
        en: the reason in English.
    """

    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class DecisionExplanation:
    """An automated decision explained (PIPL Art. 24).

    Parameters:
        reference: the application.
        decision: ``approve``, ``decline`` or ``refer``.
        decided_at: when the decision was stored.
        reasons: each reason code in words.
        policy_version: the decision policy's version.
        model_versions: statistical models (and the fraud rules) that took part, by name.
        human_review: how to ask a person to review it, (zh, en).
    """

    reference: str
    decision: str
    decided_at: datetime
    reasons: tuple[ReasonInWords, ...]
    policy_version: str | None
    model_versions: Mapping[str, str]
    human_review: tuple[str, str] = HUMAN_REVIEW


@dataclass(slots=True)
class RetentionReport:
    """What a retention run found and did.

    Parameters:
        dry_run: whether nothing was shredded.
        assessed: every subject looked at, with its verdict.
        erased: subjects whose data were (or, in a dry run, would be) shredded.
    """

    dry_run: bool
    assessed: list[RetentionVerdict] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)


def _plain(value: Any) -> Any:
    """JSON-ready form of records: times as ISO text, Decimals and Money as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _reasons_in_words(codes: list[str]) -> tuple[ReasonInWords, ...]:
    words = []
    for code in codes:
        try:
            zh, en = REASON_TEXT[ReasonCode(code)]
        except ValueError:
            zh, en = f"原因代码 {code}", f"reason code {code}"
        words.append(ReasonInWords(code, zh, en))
    return tuple(words)


class DataSubjectService:
    """Handles data-subject requests, legal holds, consent withdrawals and retention.

    Args:
        engine: LendLine's database.
        vault: the per-subject key vault (erasure shreds keys there).
        clock: the time source.
        recordings: where call recordings are read from for an access export.
        rules: the retention rules (default: ``compliance.retention.DEFAULT_RULES``).
    """

    def __init__(
        self,
        engine: Engine,
        vault: SubjectKeyVault,
        clock: Clock | None = None,
        recordings: RecordingSource | None = None,
        rules: dict[str, RetentionRule] | None = None,
    ) -> None:
        self.engine = engine
        self.vault = vault
        self.clock = clock or SystemClock()
        self.recordings = recordings or NoRecordings()
        self.rules = DEFAULT_RULES if rules is None else rules

    # ------------------------------------------------------------------ lookups

    def customer_id_for(self, id_number: str) -> str:
        """The registry customer id of the holder of a resident ID number.

        Raises:
            NotFound: nobody in the registry has that number (or they were erased).
        """
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            record = uow.customers.find_by_id_number(id_number)
        if record is None:
            raise NotFound("no customer with that resident ID number")
        return record.customer_id

    def _live_customer(self, uow: SqlUnitOfWork, customer_id: str) -> CustomerRecord:
        # Asked of the unit of work's own vault: a second transaction would wait for this one.
        if uow.subject_keys.is_shredded(customer_subject(customer_id)):
            raise SubjectErased(customer_subject(customer_id))
        record = uow.customers.get(customer_id)
        if record is None:
            raise NotFound(f"no customer {customer_id}")
        return record

    def _pii_accessed(
        self, uow: SqlUnitOfWork, operator: str, purpose: str, customer_id: str, request_id: str
    ) -> None:
        uow.audit.append(
            "pii.accessed",
            None,
            {
                "operator": operator,
                "purpose": purpose,
                "subject": customer_subject(customer_id),
                "request_id": request_id,
            },
        )

    def _open_request(self, kind: str, customer_id: str | None, operator: str) -> str:
        # The request is on record before it is worked on: a crash part-way leaves an open
        # request an operator can see, not a silent gap.
        request_id = f"DSR-{uuid.uuid4().hex[:16]}"
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            uow.privacy.requests.open(request_id, kind, customer_id, operator, self.clock.now())
            uow.commit()
        return request_id

    # ------------------------------------------------------------------ access

    def access(
        self,
        id_number: str,
        operator: str,
        out_dir: Path,
        *,
        purpose: str = "data-subject access request (PIPL Art. 45)",
        make_zip: bool = False,
    ) -> AccessExport:
        """Export everything held on the person with this resident ID number.

        Writes ``<out_dir>/<request id>/subject.json`` and the call recordings under
        ``recordings/``; with ``make_zip`` also ``<out_dir>/<request id>.zip``.

        Raises:
            NotFound: no such person.
            SubjectErased: the person's data were erased.
        """
        customer_id = self.customer_id_for(id_number)
        request_id = self._open_request("access", customer_id, operator)
        now = self.clock.now()
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            try:
                document, sessions = self._gather(uow, customer_id, request_id)
            except SubjectErased:
                uow.privacy.requests.complete(request_id, "refused", now, "subject erased")
                uow.audit.append(
                    "dsr.access",
                    None,
                    {"request_id": request_id, "customer_id": customer_id, "outcome": "erased"},
                )
                uow.commit()
                raise
            directory = out_dir / request_id
            (directory / "recordings").mkdir(parents=True, exist_ok=True)
            written: list[str] = []
            for session_id in sessions:
                for name, audio in self.recordings.recordings_for(session_id, uow.cipher):
                    relative = f"recordings/{Path(name).name}"
                    (directory / relative).write_bytes(audio)
                    written.append(relative)
            document["recordings"] = written
            (directory / "subject.json").write_text(
                json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                encoding="utf-8",
            )
            archive = None
            if make_zip:
                archive = Path(shutil.make_archive(str(directory), "zip", directory))
            uow.privacy.requests.complete(request_id, "exported", now)
            self._pii_accessed(uow, operator, purpose, customer_id, request_id)
            uow.audit.append(
                "dsr.access",
                None,
                {
                    "request_id": request_id,
                    "customer_id": customer_id,
                    "outcome": "exported",
                    "sessions": len(sessions),
                    "recordings": len(written),
                },
            )
            # The files exist before the commit; should it fail, the request stays open and
            # the operator deletes the directory (it was never handed over).
            uow.commit()
        return AccessExport(request_id, customer_id, directory, document, tuple(written), archive)

    def _gather(
        self, uow: SqlUnitOfWork, customer_id: str, request_id: str
    ) -> tuple[dict[str, Any], list[str]]:
        record = self._live_customer(uow, customer_id)
        today = business_day(self.clock.now())
        session_ids = uow.privacy.sessions_of_customer(customer_id)
        sessions = []
        for session_id in session_ids:
            found = uow.sessions.get(session_id)
            if found is None:
                continue
            sessions.append(
                {
                    **_plain(found),
                    "consents": _plain(uow.consents.for_session(session_id)),
                    "transcript": _transcript(uow, session_id),
                }
            )
        applications = []
        loans = []
        for reference in uow.privacy.applications_of_customer(customer_id):
            app = uow.applications.get(reference)
            if app is None:
                continue
            entry = _plain(app)
            entry["reasons_in_words"] = _plain(_reasons_in_words(list(app.reasons)))
            applications.append(entry)
            terms = uow.loans.get(reference)
            if terms is None:
                continue
            journal = uow.ledger.for_loan(reference)
            loans.append(
                {
                    "reference": reference,
                    "principal": str(terms.principal),
                    "annual_rate": str(terms.annual_rate),
                    "disbursed_on": terms.disbursed_on.isoformat(),
                    "schedule": _plain(terms.schedule),
                    "position_on": today.isoformat(),
                    "position": _plain(position(terms, journal, today)),
                    "ledger": _plain(journal),
                }
            )
        document = {
            "request_id": request_id,
            "generated_at": self.clock.now().isoformat(),
            "customer_id": customer_id,
            "registry_record": _plain(record),
            "sessions": sessions,
            "applications": applications,
            "loans": loans,
            "consent_withdrawals": _plain(uow.privacy.withdrawals.for_customer(customer_id)),
            "retention": {
                code: {
                    "period": f"{r.years}y{r.months}m",
                    "from": r.starts_at.value,
                    "source": r.source,
                }
                for code, r in self.rules.items()
            },
            "your_rights": (
                "PIPL Art. 44-50: access and copy, correction, deletion (where no retention "
                "duty remains), explanation of automated decisions and human review."
            ),
        }
        return document, session_ids

    # ------------------------------------------------------------------ correction

    def correct(
        self, customer_id: str, changes: Mapping[str, str], operator: str
    ) -> CorrectionResult:
        """Correct registry fields; the audit event names the fields, never the values.

        Raises:
            DomainError: a field that cannot be corrected here, or an empty value.
            NotFound: no such customer.
            SubjectErased: the customer was erased.
        """
        unknown = sorted(set(changes) - CORRECTABLE_FIELDS)
        if unknown:
            raise DomainError(f"cannot correct {', '.join(unknown)} this way")
        cleaned = {name: value.strip() for name, value in changes.items()}
        if any(not value for value in cleaned.values()):
            raise DomainError("a corrected value may not be empty")
        request_id = self._open_request("correction", customer_id, operator)
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            record = self._live_customer(uow, customer_id)
            changed = tuple(
                sorted(name for name, value in cleaned.items() if getattr(record, name) != value)
            )
            if changed:
                corrected: dict[str, Any] = {name: cleaned[name] for name in changed}
                uow.customers.save(replace(record, **corrected))
            outcome = "corrected" if changed else "unchanged"
            uow.privacy.requests.complete(
                request_id, outcome, self.clock.now(), json.dumps(list(changed))
            )
            uow.audit.append(
                "dsr.correction",
                None,
                {
                    "request_id": request_id,
                    "customer_id": customer_id,
                    "outcome": outcome,
                    "fields": list(changed),
                },
            )
            uow.commit()
        return CorrectionResult(request_id, customer_id, changed)

    # ------------------------------------------------------------------ deletion

    def facts(self, uow: SqlUnitOfWork, customer_id: str) -> tuple[SubjectFacts, list[str]]:
        """What retention of a customer depends on, and the key subjects of their data."""
        now = self.clock.now()
        today = business_day(now)
        session_ids = uow.privacy.sessions_of_customer(customer_id)
        subjects = [customer_subject(customer_id), *(session_subject(s) for s in session_ids)]
        times = list(uow.privacy.session_times(session_ids))
        transactions: list[datetime] = []
        has_contract = False
        open_loans = 0
        references = uow.privacy.applications_of_customer(customer_id)
        for reference in references:
            app = uow.applications.get(reference)
            if app is None:
                continue
            times.append(app.updated_at)
            if app.signed_at is None:
                continue
            has_contract = True
            transactions += [t for t in (app.signed_at, app.disbursed_at) if t is not None]
            terms = uow.loans.get(reference)
            if terms is None:
                # Signed but not booked: the contract is still to be performed (or settled).
                open_loans += 1
                continue
            journal = uow.ledger.for_loan(reference)
            transactions += [entry.occurred_at for entry in journal]
            state = position(terms, journal, today)
            if not state.is_repaid or not state.payout_owed.is_zero():
                open_loans += 1
        holds = uow.privacy.holds.active_for(subjects)
        facts = SubjectFacts(
            subject=customer_subject(customer_id),
            last_activity_at=max(times + transactions, default=None),
            has_contract=has_contract,
            open_loans=open_loans,
            last_transaction_at=max(transactions, default=None),
            is_customer=True,
            has_application=bool(references),
            holds=tuple(hold.id for hold in holds),
        )
        return facts, subjects

    def delete(self, customer_id: str, operator: str) -> DeletionResult:
        """Erase a customer's data by crypto-shredding, unless retention or a hold forbids it.

        A refusal is a result, not an error: it carries the legal reason (PIPL Art. 50).

        Raises:
            NotFound: no such customer.
        """
        # The vault is asked first: once the personal fields are sealed, reading an erased
        # customer's record raises instead of returning it.
        if not self.vault.is_shredded(customer_subject(customer_id)):
            with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
                if uow.customers.get(customer_id) is None:
                    raise NotFound(f"no customer {customer_id}")
        request_id = self._open_request("deletion", customer_id, operator)
        now = self.clock.now()
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            facts, subjects = self.facts(uow, customer_id)
        verdict = assess(facts, now, self.rules)
        shredded: tuple[str, ...] = ()
        if verdict.erasable:
            shredded = self._shred(subjects, now)
        outcome = "erased" if verdict.erasable else "refused"
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            uow.privacy.requests.complete(
                request_id, outcome, now, f"{verdict.code}: {verdict.reason_en}"
            )
            uow.audit.append(
                "dsr.deletion",
                None,
                {
                    "request_id": request_id,
                    "customer_id": customer_id,
                    "outcome": outcome,
                    "rule": verdict.code,
                    "keep_until": verdict.keep_until,
                    "holds": list(facts.holds),
                    "subjects_shredded": len(shredded),
                },
            )
            uow.commit()
        return DeletionResult(request_id, customer_id, verdict.erasable, verdict, shredded)

    def _shred(self, subjects: list[str], at: datetime) -> tuple[str, ...]:
        # Sessions first, the customer last: if this stops half-way, the customer is still
        # not erased and a repeated request finishes the job (shredding is idempotent).
        ordered = [s for s in subjects if s != subjects[0]] + subjects[:1]
        for subject in ordered:
            self.vault.shred(subject, at)
        return tuple(ordered)

    # ------------------------------------------------------------------ explanation

    def explain(
        self,
        customer_id: str,
        operator: str,
        reference: str | None = None,
        *,
        purpose: str = "explanation of an automated decision (PIPL Art. 24)",
    ) -> list[DecisionExplanation]:
        """Explain the customer's automated decisions (one application, or all of them).

        Raises:
            NotFound: no such customer or application, or no decision yet.
            SubjectErased: the customer was erased.
        """
        request_id = self._open_request("explanation", customer_id, operator)
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            try:
                self._live_customer(uow, customer_id)
            except SubjectErased:
                uow.privacy.requests.complete(
                    request_id, "refused", self.clock.now(), "subject erased"
                )
                uow.audit.append(
                    "dsr.explanation",
                    None,
                    {"request_id": request_id, "customer_id": customer_id, "outcome": "erased"},
                )
                uow.commit()
                raise
            references = uow.privacy.applications_of_customer(customer_id)
            if reference is not None:
                if reference not in references:
                    raise NotFound(f"no application {reference} of customer {customer_id}")
                references = [reference]
            explanations = []
            for ref in references:
                app = uow.applications.get(ref)
                if app is None or app.decision is None:
                    continue
                # The figures behind the decision carry the scorecard's and fraud engine's
                # own reasons in words; decisions made before they were kept have codes only.
                figures = uow.risk_decisions.latest_for(ref)
                reasons = (
                    tuple(ReasonInWords(r.code, r.zh, r.en) for r in figures.reasons)
                    if figures is not None and figures.reasons
                    else _reasons_in_words(list(app.reasons))
                )
                explanations.append(
                    DecisionExplanation(
                        reference=ref,
                        decision=app.decision,
                        decided_at=app.updated_at,
                        reasons=reasons,
                        policy_version=app.policy_version,
                        model_versions=_model_versions(figures),
                    )
                )
            if not explanations:
                raise NotFound(f"customer {customer_id} has no decided application")
            uow.privacy.requests.complete(request_id, "explained", self.clock.now())
            self._pii_accessed(uow, operator, purpose, customer_id, request_id)
            uow.audit.append(
                "dsr.explanation",
                None,
                {
                    "request_id": request_id,
                    "customer_id": customer_id,
                    "outcome": "explained",
                    "applications": [e.reference for e in explanations],
                },
            )
            uow.commit()
        return explanations

    # ------------------------------------------------------------------ holds, consent

    def place_hold(self, subject: str, reason: str, operator: str) -> LegalHoldRow:
        """Place a legal hold on a subject (``customer:<id>`` or ``session:<id>``).

        The audit event carries the hold id and a SHA-256 of the reason (which may name a
        case or a person), not the reason itself.
        """
        if not subject.startswith(("customer:", "session:")):
            raise DomainError("a hold is placed on customer:<id> or session:<id>")
        if not reason.strip():
            raise DomainError("a legal hold needs a reason")
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            hold = uow.privacy.holds.place(subject, reason.strip(), operator, self.clock.now())
            uow.audit.append(
                "legal_hold.placed",
                None,
                {
                    "hold_id": hold.id,
                    "subject": subject,
                    "placed_by": operator,
                    "reason_sha256": hashlib.sha256(hold.reason.encode()).hexdigest(),
                },
            )
            uow.commit()
        return hold

    def release_hold(self, hold_id: int, operator: str) -> LegalHoldRow:
        """Release a legal hold; retention applies again from now on."""
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            hold = uow.privacy.holds.release(hold_id, operator, self.clock.now())
            uow.audit.append(
                "legal_hold.released",
                None,
                {"hold_id": hold.id, "subject": hold.subject, "released_by": operator},
            )
            uow.commit()
        return hold

    def withdraw_consent(
        self, customer_id: str, kind: str, operator: str, at: datetime | None = None
    ) -> ConsentWithdrawalRow:
        """Record a consent withdrawal and what stops because of it (PIPL Art. 15).

        Raises:
            ValueError: ``kind`` cannot be withdrawn (a contract signature).
            NotFound: no such customer.
        """
        effects = effects_of(kind)
        when = at or self.clock.now()
        if when.utcoffset() is None:
            raise ValueError("a withdrawal time must be timezone-aware")
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            if uow.customers.get(customer_id) is None:
                raise NotFound(f"no customer {customer_id}")
            row = uow.privacy.withdrawals.add(customer_id, kind, when, operator, effects.stops)
            uow.audit.append(
                "consent.withdrawn",
                None,
                {
                    "withdrawal_id": row.id,
                    "customer_id": customer_id,
                    "kind": kind,
                    "withdrawn_at": when,
                    "stops": list(effects.stops),
                    "recorded_by": operator,
                },
            )
            uow.commit()
        return row

    # ------------------------------------------------------------------ retention

    def retention_candidates(self) -> list[tuple[RetentionVerdict, list[str]]]:
        """Assess every subject with data: customers who applied, and anonymous sessions."""
        now = self.clock.now()
        found: list[tuple[RetentionVerdict, list[str]]] = []
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            for customer_id in uow.privacy.customers_with_applications():
                if self.vault.is_shredded(customer_subject(customer_id)):
                    continue
                facts, subjects = self.facts(uow, customer_id)
                found.append((assess(facts, now, self.rules), subjects))
            for session_id, last in uow.privacy.sessions_without_customer():
                subject = session_subject(session_id)
                if self.vault.is_shredded(subject):
                    continue
                holds = uow.privacy.holds.active_for([subject])
                facts = SubjectFacts(
                    subject=subject,
                    last_activity_at=last,
                    holds=tuple(hold.id for hold in holds),
                )
                found.append((assess(facts, now, self.rules), [subject]))
        return found

    def run_retention(
        self,
        *,
        dry_run: bool = False,
        on_subject: Callable[[RetentionVerdict], None] | None = None,
    ) -> RetentionReport:
        """Shred every subject whose retention has run out and that no hold keeps.

        Each erasure is its own step (shred, then an audit event ``retention.erased``), so a
        run that stops part-way resumes where it stopped. A dry run changes nothing.
        """
        report = RetentionReport(dry_run=dry_run)
        for verdict, subjects in self.retention_candidates():
            report.assessed.append(verdict)
            if verdict.erasable:
                report.erased.append(verdict.subject)
                if not dry_run:
                    now = self.clock.now()
                    shredded = self._shred(subjects, now)
                    with SqlUnitOfWork(self.engine, self.clock) as uow:
                        uow.audit.append(
                            "retention.erased",
                            None,
                            {"subject": verdict.subject, "subjects_shredded": len(shredded)},
                        )
                        uow.commit()
            if on_subject is not None:
                on_subject(verdict)
        return report


def _transcript(uow: SqlUnitOfWork, session_id: str) -> list[dict[str, Any]]:
    """What the caller said, turn by turn, with the salt of each turn's audit commitment.

    With the salt the person can check each turn against the ``call.turn`` entry of the audit
    log (its ``caller_text_commitment`` is SHA-256 of salt and text).
    """
    return [
        {
            "turn": turn.turn,
            "speaker": "caller",
            "text": turn.text,
            "at": turn.at.isoformat(),
            "commitment_salt": turn.salt,
        }
        for turn in uow.turn_texts.for_session(session_id)
    ]
