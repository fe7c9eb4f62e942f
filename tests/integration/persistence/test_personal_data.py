"""Personal data at rest, on SQLite and PostgreSQL: sealed columns, blind indexes, shredding,
KEK rotation, and the audit log staying verifiable and free of personal data."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update

from lendline.adapters.crypto.envelope import DecryptionFailed, Keyring
from lendline.compliance.ports import SubjectErased, customer_subject, session_subject
from lendline.identity.otp import OtpState
from lendline.identity.registry import CustomerRecord
from lendline.persistence import tables as t
from lendline.persistence.records import ApplicationRecord, SessionRecord
from lendline.persistence.subject_keys import (
    KeyFile,
    PersonalDataKeys,
    bind_keys,
    rewrap_all,
)
from lendline.persistence.uow import SqlUnitOfWork

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
ID_NUMBER = "11010519491231002X"
NAME = "张伟"
MOBILE = "13800138000"
ACCOUNT = "6225880012345678"


def customer(customer_id: str = "C001", id_number: str = ID_NUMBER) -> CustomerRecord:
    return CustomerRecord(
        customer_id=customer_id,
        full_name=NAME,
        id_number=id_number,
        mobile=MOBILE,
        city="杭州",
        employer="阿里巴巴",
        bank_name="招商银行",
        account_number=ACCOUNT,
        customer_since=date(2019, 3, 1),
        monthly_income=Decimal("18000.50"),
    )


def session(session_id: str = "s1") -> SessionRecord:
    return SessionRecord(
        session_id=session_id,
        caller_number=MOBILE,
        channel="voice",
        status="active",
        step="identify",
        started_at=T0,
        updated_at=T0,
        state={"slots": {"name": NAME, "id_number": ID_NUMBER, "mobile": MOBILE}},
    )


def fill(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.customers.save(customer())
        uow.customers.save(customer("C002", "310101198001010012"))
        uow.sessions.save(session("s1"))
        uow.sessions.save(session("s2"))
        uow.applications.save(
            ApplicationRecord(
                reference="LL-1",
                session_id="s1",
                status="open",
                currency="CNY",
                created_at=T0,
                updated_at=T0,
                customer_id="C001",
                monthly_income_minor=1_800_050,
            )
        )
        uow.otps.save("s1", MOBILE, OtpState())
        uow.payouts.record_request(
            application_ref="LL-1",
            idempotency_key="pay-1",
            amount_minor=100_000,
            currency="CNY",
            account_number=ACCOUNT,
            requested_at=T0,
        )
        uow.turn_texts.add("s1", 3, f"my ID number is {ID_NUMBER}", "00" * 16, T0)
        uow.audit.append("call.turn", "s1", {"turn": 3, "caller_text_commitment": "x"}, T0)
        uow.commit()


def dump(engine: Engine) -> str:
    tables = ("customers", "call_sessions", "applications", "otp_challenges", "payouts")
    with engine.connect() as conn:
        rows = [
            repr(tuple(row))
            for table in (*tables, "call_turn_texts", "audit_log")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        ]
    return "\n".join(rows)


def test_everything_round_trips(engine: Engine) -> None:
    fill(engine)
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.customers.get("C001") == customer()
        stored = uow.sessions.get("s1")
        assert stored is not None and stored.caller_number == MOBILE
        assert stored.state["slots"]["id_number"] == ID_NUMBER
        application = uow.applications.get("LL-1")
        assert application is not None and application.monthly_income_minor == 1_800_050
        otp = uow.otps.load("s1")
        assert otp is not None and otp.mobile == MOBILE
        payout = uow.payouts.by_key("pay-1")
        assert payout is not None and payout.account_number == ACCOUNT
        (turn,) = uow.turn_texts.for_session("s1")
        assert turn.text == f"my ID number is {ID_NUMBER}"


def test_a_raw_read_of_the_database_shows_no_personal_data(engine: Engine) -> None:
    fill(engine)
    raw = dump(engine)
    for secret in (ID_NUMBER, ID_NUMBER.lower(), NAME, MOBILE, ACCOUNT, "1800050", "阿里巴巴"):
        assert secret not in raw


def test_blind_indexes_find_customers_and_resumable_sessions(engine: Engine) -> None:
    fill(engine)
    with SqlUnitOfWork(engine, read_only=True) as uow:
        found = uow.customers.find_by_id_number(ID_NUMBER.lower() + " ")
        assert found is not None and found.customer_id == "C001"
        assert uow.customers.find_by_id_number("110105194912310021") is None
        assert [c.customer_id for c in uow.customers.find_by_mobile(MOBILE)] == ["C001", "C002"]
        resumed = uow.sessions.latest_resumable_for_caller(MOBILE)
        assert resumed is not None and resumed.session_id in ("s1", "s2")


def test_the_id_number_stays_unique_through_its_blind_index(engine: Engine, tmp_path: Path) -> None:
    fill(engine)
    clash = tmp_path / "customers.csv"
    clash.write_text(
        "customer_id,full_name,id_number,mobile,city,employer,bank_name,account_number,"
        "customer_since,monthly_income\n"
        f"C009,Someone,{ID_NUMBER.lower()},13900139000,X,Y,Z,1,2020-01-01,1\n",
        encoding="utf-8",
    )
    from lendline.persistence.repositories import CustomerDataError

    with SqlUnitOfWork(engine) as uow, pytest.raises(CustomerDataError, match="C001"):
        uow.customers.load_csv(clash)


def test_tampered_or_moved_ciphertext_does_not_decrypt(engine: Engine) -> None:
    fill(engine)
    with engine.begin() as conn:
        c1 = conn.execute(text("SELECT full_name FROM customers WHERE customer_id='C001'"))
        sealed = base64.b64decode(c1.scalar_one())
        flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
        conn.execute(
            update(t.customers)
            .where(t.customers.c.customer_id == "C001")
            .values(full_name=base64.b64encode(flipped).decode())
        )
        # C002's name moved into C001's employer column: another subject and another field.
        other = conn.execute(text("SELECT full_name FROM customers WHERE customer_id='C002'"))
        conn.execute(
            update(t.customers)
            .where(t.customers.c.customer_id == "C001")
            .values(employer=other.scalar_one())
        )
    with SqlUnitOfWork(engine, read_only=True) as uow, pytest.raises(DecryptionFailed):
        uow.customers.get("C001")
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.customers.get("C002") is not None
        sealed_name = uow.cipher.seal(customer_subject("C002"), "full_name", NAME)
        with pytest.raises(DecryptionFailed):
            uow.cipher.open(customer_subject("C001"), "full_name", sealed_name)


def test_shredding_makes_a_subject_unreadable_and_leaves_others_and_the_audit_chain(
    engine: Engine,
) -> None:
    fill(engine)
    with SqlUnitOfWork(engine) as uow:
        assert uow.subject_keys.shred(customer_subject("C001"), T0) is True
        assert uow.subject_keys.shred(session_subject("s1"), T0) is True
        assert uow.subject_keys.shred(session_subject("s1"), T0) is False
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        with pytest.raises(SubjectErased, match="customer:C001"):
            uow.customers.get("C001")
        assert uow.customers.find_by_id_number(ID_NUMBER) is None
        assert [c.customer_id for c in uow.customers.find_by_mobile(MOBILE)] == ["C002"]
        erased = uow.sessions.get("s1")
        assert erased is not None and erased.erased and erased.caller_number == ""
        assert erased.state == {}
        application = uow.applications.get("LL-1")
        assert application is not None and application.erased
        assert application.monthly_income_minor is None
        otp = uow.otps.load("s1")
        assert otp is not None and otp.erased and otp.mobile == ""
        payout = uow.payouts.by_key("pay-1")
        assert payout is not None and payout.erased and payout.amount_minor == 100_000
        with pytest.raises(SubjectErased):
            uow.turn_texts.for_session("s1")
        # Others are untouched.
        assert uow.customers.get("C002") is not None
        kept = uow.sessions.get("s2")
        assert kept is not None and kept.caller_number == MOBILE
        resumed = uow.sessions.latest_resumable_for_caller(MOBILE)
        assert resumed is not None and resumed.session_id == "s2"
        assert uow.audit.verify().ok
        assert uow.subject_keys.is_shredded(customer_subject("C001"))
        assert not uow.subject_keys.is_shredded(customer_subject("C002"))
    with SqlUnitOfWork(engine) as uow, pytest.raises(SubjectErased):
        # An erased subject's key is never created again.
        uow.customers.save(customer())


def test_shredding_an_unknown_subject_leaves_a_tombstone(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow.subject_keys.shred(session_subject("never"), T0) is False
        with pytest.raises(SubjectErased):
            uow.subject_keys.data_key(session_subject("never"))


def test_rotation_rewraps_every_key_and_everything_stays_readable(
    engine: Engine, tmp_path: Path
) -> None:
    key_file = KeyFile(tmp_path / "keys" / "keys.json")
    keys = key_file.keys()
    bind_keys(engine, keys)
    assert oct((tmp_path / "keys" / "keys.json").stat().st_mode & 0o777) == "0o600"
    fill(engine)
    new_id = key_file.add_kek()
    rotated = key_file.keys()
    progress: list[int] = []
    report = rewrap_all(engine, rotated, batch_size=2, on_batch=progress.append)
    assert report.rewrapped == 4 and report.remaining == 0 and progress == [2, 2]
    assert report.old_keks == {"k1"}
    with engine.connect() as conn:
        kek_ids = set(conn.execute(text("SELECT kek_id FROM subject_keys")).scalars())
    assert kek_ids == {new_id}
    # A process that still has the old keyring reloads the key file when it meets the new KEK.
    with SqlUnitOfWork(engine, read_only=True, keys=keys) as uow:
        assert uow.customers.get("C001") == customer()
    key_file.retire(set(report.old_keks))
    only_new = key_file.keys()
    assert set(only_new.keyring.keks) == {new_id}
    with SqlUnitOfWork(engine, read_only=True, keys=only_new) as uow:
        stored = uow.sessions.get("s1")
        assert stored is not None and stored.state["slots"]["name"] == NAME


def test_a_keyring_without_the_kek_cannot_read(engine: Engine) -> None:
    fill(engine)
    stranger = PersonalDataKeys(Keyring("x", {"x": os.urandom(32)}), os.urandom(32))
    with SqlUnitOfWork(engine, read_only=True, keys=stranger) as uow:
        with pytest.raises(DecryptionFailed):
            uow.customers.get("C001")
        # Lookups hash with another key: nothing matches.
        assert uow.customers.find_by_id_number(ID_NUMBER) is None


def test_a_recording_round_trips_sealed_and_is_gone_after_shredding(
    engine: Engine, tmp_path: Path
) -> None:
    import io
    import wave

    from lendline.adapters.recordings.wav_files import WavFileRecorder
    from lendline.persistence.subject_keys import EngineSealer
    from lendline.voice.transports.handler import CallRecording

    caller = bytes(range(256)) * 40
    recorder = WavFileRecorder(tmp_path / "recordings", EngineSealer(engine))
    path = recorder._write(CallRecording("call-1", "s9", caller, b"\x01\x00" * 100))
    assert path.name.endswith(".wav.enc") and b"RIFF" not in path.read_bytes()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with wave.open(io.BytesIO(recorder.read("s9", path))) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)
        frames = wav.readframes(wav.getnframes())
    assert frames[0::4][:8] == caller[0::2][:8]
    with pytest.raises(DecryptionFailed):
        recorder.read("s1", path)  # another session's key
    with SqlUnitOfWork(engine) as uow:
        uow.subject_keys.shred(session_subject("s9"), T0)
        uow.commit()
    with pytest.raises(SubjectErased):
        recorder.read("s9", path)
