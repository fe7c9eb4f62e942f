"""Data-subject requests, legal holds, retention and consent withdrawal on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import wave
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from integration.lending.signed_loans import sign_application
from lendline.adapters.recordings.export import SealedRecordingSource
from lendline.adapters.recordings.wav_files import RECORDING_FIELD, SEALED_SUFFIX, WavFileRecorder
from lendline.compliance.ports import SubjectErased, customer_subject, session_subject
from lendline.identity.registry import CustomerRecord
from lendline.persistence import tables as t
from lendline.persistence.records import ApplicationRecord, SessionRecord
from lendline.persistence.subject_keys import EngineSealer, EngineVault
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.data_subjects import DataSubjectService
from lendline.shared.clock import ManualClock
from lendline.shared.errors import NotFound

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
ID_NUMBER = "110101200001011232"
NAME = "张测试"
MOBILE = "13800138000"
NEW_MOBILE = "13900139000"
EMPLOYER = "杭州测试科技有限公司"


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x01\x00\x02\x00" * 800)
    return buffer.getvalue()


def customer(customer_id: str = "C001", id_number: str = ID_NUMBER) -> CustomerRecord:
    return CustomerRecord(
        customer_id=customer_id,
        full_name=NAME,
        id_number=id_number,
        mobile=MOBILE,
        city="杭州",
        employer=EMPLOYER,
        bank_name="招商银行",
        account_number="6225880012345678",
        customer_since=date(2020, 1, 2),
        monthly_income=Decimal("12000"),
    )


def declined_applicant(engine: Engine, at: datetime) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.customers.save(customer())
        uow.sessions.save(
            SessionRecord(
                session_id="s-001",
                caller_number=f"+86{MOBILE}",
                channel="voice",
                status="completed",
                step="done",
                started_at=at,
                updated_at=at,
                state={"name": NAME},
                application_ref="LL-DECL-1",
            )
        )
        uow.applications.save(
            ApplicationRecord(
                reference="LL-DECL-1",
                session_id="s-001",
                status="decline",
                currency="CNY",
                created_at=at,
                updated_at=at,
                customer_id="C001",
                amount_minor=5_000_000,
                term_months=12,
                decision="decline",
                reasons=["R09", "R10"],
                policy_version="policy-2026.11",
            )
        )
        uow.consents.add("s-001", "general", True, "v1", at, 1200)
        uow.commit()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def vault(engine: Engine, clock: ManualClock) -> EngineVault:
    # The product's SQL vault: the keys the repositories seal with are the ones shredded.
    return EngineVault(engine, clock)


@pytest.fixture
def recorder(engine: Engine, tmp_path: Path) -> WavFileRecorder:
    """Recordings sealed under their session's key, as the call service stores them."""
    made = WavFileRecorder(tmp_path / "recordings", EngineSealer(engine))
    made.directory.mkdir()
    sealer = made.sealer
    for session, audio in (("s-001", wav_bytes()), ("s-999", b"someone else")):
        sealed = sealer.seal(session_subject(session), RECORDING_FIELD, audio)
        (made.directory / f"{session}-call-1{SEALED_SUFFIX}").write_bytes(sealed)
    return made


@pytest.fixture
def service(
    engine: Engine, clock: ManualClock, vault: EngineVault, recorder: WavFileRecorder
) -> DataSubjectService:
    declined_applicant(engine, clock.now())
    with SqlUnitOfWork(engine, clock) as uow:
        uow.turn_texts.add("s-001", 3, NAME, "ab" * 16, clock.now())
        uow.commit()
    return DataSubjectService(
        engine,
        vault,
        clock,
        recordings=SealedRecordingSource(recorder.directory),
    )


def audit_payloads(engine: Engine) -> list[tuple[str, str]]:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return [(e.kind, e.payload_json) for e in uow.audit.entries()]


def assert_no_personal_data(engine: Engine) -> None:
    for kind, payload in audit_payloads(engine):
        for secret in (ID_NUMBER, NAME, MOBILE, NEW_MOBILE, EMPLOYER, "新雇主有限公司"):
            assert secret not in payload, (kind, payload)


def test_access_exports_the_persons_data_and_recordings(
    service: DataSubjectService, engine: Engine, tmp_path: Path
) -> None:
    export = service.access(ID_NUMBER, "op-li", tmp_path / "out", make_zip=True)
    document = json.loads((export.directory / "subject.json").read_text(encoding="utf-8"))
    assert document["registry_record"]["full_name"] == NAME
    assert document["registry_record"]["id_number"] == ID_NUMBER
    assert [s["session_id"] for s in document["sessions"]] == ["s-001"]
    assert document["sessions"][0]["consents"][0]["kind"] == "general"
    (application,) = document["applications"]
    assert application["decision"] == "decline"
    assert [r["code"] for r in application["reasons_in_words"]] == ["R09", "R10"]
    assert export.recordings == ("recordings/s-001-call-1.wav",)
    assert (export.directory / export.recordings[0]).read_bytes() == wav_bytes()
    (turn,) = document["sessions"][0]["transcript"]
    assert turn["text"] == NAME and len(turn["commitment_salt"]) == 32
    assert export.archive is not None and export.archive.is_file()
    kinds = [kind for kind, _ in audit_payloads(engine)]
    assert kinds[-2:] == ["pii.accessed", "dsr.access"]
    accessed = json.loads(audit_payloads(engine)[-2][1])
    assert accessed["operator"] == "op-li" and accessed["subject"] == "customer:C001"
    with SqlUnitOfWork(engine, read_only=True) as uow:
        (request,) = uow.privacy.requests.for_customer("C001")
    assert (request.kind, request.outcome, request.operator) == ("access", "exported", "op-li")
    assert_no_personal_data(engine)


def test_correction_changes_the_record_and_audits_only_field_names(
    service: DataSubjectService, engine: Engine
) -> None:
    result = service.correct(
        "C001", {"mobile": NEW_MOBILE, "employer": "新雇主有限公司", "city": "杭州"}, "op-li"
    )
    assert result.changed == ("employer", "mobile")  # the city was already right
    with SqlUnitOfWork(engine, read_only=True) as uow:
        stored = uow.customers.get("C001")
    assert stored is not None and stored.mobile == NEW_MOBILE
    kind, payload = audit_payloads(engine)[-1]
    assert kind == "dsr.correction"
    assert json.loads(payload)["fields"] == ["employer", "mobile"]
    assert_no_personal_data(engine)
    with pytest.raises(Exception, match="id_number"):
        service.correct("C001", {"id_number": "11010519491231002X"}, "op-li")


def test_explanation_gives_reasons_in_words_versions_and_human_review(
    service: DataSubjectService, engine: Engine
) -> None:
    (explanation,) = service.explain("C001", "op-li")
    assert explanation.decision == "decline"
    assert explanation.policy_version == "policy-2026.11"
    assert [r.code for r in explanation.reasons] == ["R09", "R10"]
    assert "月收入" in explanation.reasons[0].zh
    assert "income" in explanation.reasons[0].en
    assert "人工复核" in explanation.human_review[0]
    assert "human review" in explanation.human_review[1]
    kinds = [kind for kind, _ in audit_payloads(engine)]
    assert kinds[-2:] == ["pii.accessed", "dsr.explanation"]
    assert_no_personal_data(engine)


def test_deletion_is_refused_under_retention_and_a_hold_then_shreds_every_key(
    service: DataSubjectService,
    engine: Engine,
    clock: ManualClock,
    vault: EngineVault,
    tmp_path: Path,
) -> None:
    first = service.delete("C001", "op-li")
    assert not first.erased and first.verdict.code == "PIPL-19-DECLINED"
    assert first.verdict.keep_until == T0.replace(year=2029)
    assert "3-year" in first.verdict.reason_en

    reason = f"court case 2027-001 ({NAME})"
    hold = service.place_hold("customer:C001", reason, "op-legal")
    # The reason names a person: it is sealed under the held subject's key, read back whole.
    with engine.connect() as conn:
        raw = conn.execute(select(t.legal_holds.c.sealed_reason)).scalar_one()
    assert NAME not in raw and "2027-001" not in raw
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.privacy.holds.get(hold.id) == hold
        assert hold.reason == reason and not hold.erased
    clock.advance(timedelta(days=4 * 366))
    held = service.delete("C001", "op-li")
    assert not held.erased and held.verdict.code == "LEGAL-HOLD"
    assert not vault.is_shredded(customer_subject("C001"))

    service.release_hold(hold.id, "op-legal")
    erased = service.delete("C001", "op-li")
    assert erased.erased
    assert set(erased.subjects) == {customer_subject("C001"), session_subject("s-001")}
    assert vault.is_shredded(customer_subject("C001"))
    assert vault.is_shredded(session_subject("s-001"))
    # Shredding also clears the lookup hashes: the ID number no longer finds anyone.
    with pytest.raises(NotFound):
        service.access(ID_NUMBER, "op-li", tmp_path / "out")
    with pytest.raises(SubjectErased):
        service.explain("C001", "op-li")
    with SqlUnitOfWork(engine, read_only=True) as uow, pytest.raises(SubjectErased):
        uow.turn_texts.for_session("s-001")
    with SqlUnitOfWork(engine, read_only=True) as uow, pytest.raises(SubjectErased):
        SealedRecordingSource(tmp_path / "recordings").recordings_for("s-001", uow.cipher)

    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.audit.verify().ok
        outcomes = [(r.kind, r.outcome) for r in uow.privacy.requests.for_customer("C001")]
        # The released hold outlives the erasure: its dates and operators, not its reason.
        (kept,) = uow.privacy.holds.for_subject("customer:C001")
        assert kept.erased and kept.reason == "" and kept.released_by == "op-legal"
    assert sorted(outcomes) == [
        ("deletion", "erased"),
        ("deletion", "refused"),
        ("deletion", "refused"),
        ("explanation", "refused"),
    ]
    kinds = [kind for kind, _ in audit_payloads(engine)]
    assert kinds.count("dsr.deletion") == 3
    assert "legal_hold.placed" in kinds and "legal_hold.released" in kinds
    assert_no_personal_data(engine)


def test_deletion_is_refused_while_a_signed_loan_is_not_repaid(
    engine: Engine, clock: ManualClock, vault: EngineVault
) -> None:
    sign_application(engine, 3, clock.now())
    with SqlUnitOfWork(engine) as uow:
        uow.customers.save(customer("C002", "11010519491231002X"))
        app = uow.applications.get("LL-TEST-00003")
        assert app is not None
        uow.applications.save(replace(app, customer_id="C002"))
        uow.commit()
    clock.advance(timedelta(days=20 * 366))
    service = DataSubjectService(engine, vault, clock)
    result = service.delete("C002", "op-li")
    assert not result.erased and result.verdict.code == "AML-34-OPEN-LOAN"
    assert "Anti-Money Laundering" in result.verdict.reason_en
    assert not vault.is_shredded(customer_subject("C002"))


def test_retention_dry_run_lists_and_run_shreds_expired_call_logs(
    service: DataSubjectService, engine: Engine, clock: ManualClock, vault: EngineVault
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(
            SessionRecord(
                session_id="s-anon",
                caller_number="+8613700137000",
                channel="voice",
                status="ended",
                step="greeting",
                started_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        uow.commit()
    assert service.run_retention(dry_run=True).erased == []  # too young
    clock.advance(timedelta(days=200))
    before = len(audit_payloads(engine))
    dry = service.run_retention(dry_run=True)
    assert dry.erased == [session_subject("s-anon")]
    assert {v.subject for v in dry.assessed} == {customer_subject("C001"), "session:s-anon"}
    assert not vault.is_shredded(session_subject("s-anon"))
    assert len(audit_payloads(engine)) == before  # a dry run writes nothing

    seen: list[str] = []
    done = service.run_retention(on_subject=lambda verdict: seen.append(verdict.subject))
    assert done.erased == [session_subject("s-anon")] and len(seen) == 2
    assert vault.is_shredded(session_subject("s-anon"))
    assert not vault.is_shredded(customer_subject("C001"))  # declined: kept 3 years
    assert audit_payloads(engine)[-1][0] == "retention.erased"
    assert service.run_retention(dry_run=True).erased == []  # nothing left to do

    hold = service.place_hold("customer:C001", "regulator inquiry", "op-legal")
    clock.advance(timedelta(days=4 * 366))
    assert service.run_retention(dry_run=True).erased == []  # the hold keeps it
    service.release_hold(hold.id, "op-legal")
    assert service.run_retention().erased == [customer_subject("C001")]
    assert vault.is_shredded(session_subject("s-001"))
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.audit.verify().ok
    assert_no_personal_data(engine)


def test_consent_withdrawal_is_recorded_with_what_stops_and_audited(
    service: DataSubjectService, engine: Engine, clock: ManualClock
) -> None:
    row = service.withdraw_consent("C001", "marketing", "ivr")
    assert "marketing calls" in row.stops
    with SqlUnitOfWork(engine, read_only=True) as uow:
        (stored,) = uow.privacy.withdrawals.for_customer("C001")
        assert stored.kind == "marketing" and stored.withdrawn_at == clock.now()
        assert uow.privacy.withdrawals.is_withdrawn("C001", "marketing", clock.now())
        assert not uow.privacy.withdrawals.is_withdrawn("C001", "general", clock.now())
    kind, payload = audit_payloads(engine)[-1]
    assert kind == "consent.withdrawn" and json.loads(payload)["kind"] == "marketing"
    with pytest.raises(ValueError, match="signature"):
        service.withdraw_consent("C001", "contract_signature", "ivr")
    assert_no_personal_data(engine)
