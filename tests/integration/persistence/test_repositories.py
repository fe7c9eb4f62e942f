"""Repositories and the unit of work against real databases (SQLite file and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from lendline.identity.otp import OtpState
from lendline.identity.registry import CustomerRecord, CustomerRegistry
from lendline.persistence.records import ApplicationRecord, PayoutRecord, SessionRecord
from lendline.persistence.repositories import CustomerDataError
from lendline.persistence.uow import SqlUnitOfWork
from lendline.shared.clock import ManualClock
from lendline.shared.errors import Conflict, NotFound

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

CSV_HEADER = (
    "customer_id,full_name,id_number,mobile,city,employer,bank_name,account_number,"
    "customer_since,monthly_income"
)
GOOD_ROWS = [
    "C001,张伟,11010519491231002x,13800138000,杭州,阿里巴巴,招商银行,6225880012345678,2019-03-01,"
    "18000.50",
    "C002,Li Na,310101198001010012,13900139000,Shanghai,Acme Ltd,Bank of China,6216600000000001,"
    "2021-07-15,9000",
]


def session(session_id: str = "s1", **changes: object) -> SessionRecord:
    record = SessionRecord(
        session_id=session_id,
        caller_number="13800138000",
        channel="voice",
        status="active",
        step="greeting",
        started_at=T0,
        updated_at=T0,
    )
    return dataclasses.replace(record, **changes)


def application(reference: str = "LL-20261128-AAAAA", **changes: object) -> ApplicationRecord:
    record = ApplicationRecord(
        reference=reference,
        session_id="s1",
        status="open",
        currency="CNY",
        created_at=T0,
        updated_at=T0,
    )
    return dataclasses.replace(record, **changes)


def write_csv(tmp_path: Path, *rows: str, header: str = CSV_HEADER) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def open_application(engine: Engine, reference: str = "LL-20261128-AAAAA") -> None:
    with SqlUnitOfWork(engine) as uow:
        if uow.sessions.get("s1") is None:
            uow.sessions.save(session())
        uow.applications.save(application(reference, amount_minor=5_000_000, term_months=12))
        uow.commit()


# --- unit of work -------------------------------------------------------------------------


def test_work_is_kept_only_when_committed(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("kept"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("dropped-on-exit"))
    with SqlUnitOfWork(engine) as uow:
        assert uow.sessions.get("kept") is not None
        assert uow.sessions.get("dropped-on-exit") is None


def test_an_exception_rolls_the_unit_of_work_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError), SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("doomed"))
        raise RuntimeError("boom")
    with SqlUnitOfWork(engine) as uow:
        assert uow.sessions.get("doomed") is None


def test_explicit_rollback_discards_and_work_goes_on_after_a_commit(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("first"))
        uow.commit()
        uow.sessions.save(session("second"))
        uow.rollback()
        uow.sessions.save(session("third"))
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert [uow.sessions.get(s) is not None for s in ("first", "second", "third")] == [
            True,
            False,
            True,
        ]


def test_repositories_are_not_usable_outside_the_with_block(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with pytest.raises(RuntimeError):
        uow.commit()


def test_uncommitted_work_is_invisible_to_other_units_of_work(engine: Engine) -> None:
    seen: list[bool] = []
    with SqlUnitOfWork(engine) as writer:
        writer.sessions.save(session("pending"))

        def look() -> None:
            with SqlUnitOfWork(engine, read_only=True) as reader:
                seen.append(reader.sessions.get("pending") is not None)

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(timeout=30)
        writer.commit()
    assert seen == [False]


# --- sessions -----------------------------------------------------------------------------


def test_a_session_round_trips_with_its_state_and_aware_times(engine: Engine) -> None:
    record = session(
        language="zh",
        state={"slots": {"amount": "50000", "term": 12}, "retries": 1, "名字": "张伟"},
        application_ref="LL-20261128-AAAAA",
        ended_at=T0 + timedelta(minutes=5),
    )
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(record)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.sessions.get("s1")
    assert stored == record
    assert stored is not None
    assert stored.started_at.tzinfo is UTC


def test_saving_a_session_again_updates_it(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        uow.sessions.save(session(step="amount", state={"x": 1}, updated_at=T0 + timedelta(1)))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.sessions.get("s1")
    assert stored is not None
    assert (stored.step, stored.state) == ("amount", {"x": 1})


def test_session_state_must_be_plain_json(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow, pytest.raises(TypeError, match="session state"):
        uow.sessions.save(session(state={"amount": Decimal("1")}))


def test_a_missing_session_is_none(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow.sessions.get("nope") is None


def test_the_newest_active_or_dropped_session_of_the_caller_is_resumable(engine: Engine) -> None:
    caller = "13800138000"
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("old-dropped", status="dropped", updated_at=T0))
        uow.sessions.save(
            session("new-dropped", status="dropped", updated_at=T0 + timedelta(minutes=10))
        )
        for status in ("ended", "completed", "refused", "locked"):
            uow.sessions.save(
                session(f"newer-{status}", status=status, updated_at=T0 + timedelta(hours=1))
            )
        uow.sessions.save(
            session("other-caller", caller_number="13900139000", updated_at=T0 + timedelta(1))
        )
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        found = uow.sessions.latest_resumable_for_caller(caller)
        assert found is not None
        assert found.session_id == "new-dropped"
        assert uow.sessions.latest_resumable_for_caller("10000000000") is None


def test_an_active_session_that_has_ended_is_not_resumable(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("a", ended_at=T0 + timedelta(minutes=1)))
        uow.commit()
        assert uow.sessions.latest_resumable_for_caller("13800138000") is None


def test_sessions_older_than_the_resume_window_are_not_resumable(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("a", status="dropped", updated_at=T0))
        uow.commit()
        late = T0 + timedelta(days=2)
        assert uow.sessions.latest_resumable_for_caller("13800138000", not_before=late) is None
        early = T0 - timedelta(hours=1)
        assert uow.sessions.latest_resumable_for_caller("13800138000", not_before=early)


def test_a_session_moved_to_chat_is_picked_up_by_the_next_contact(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session("moved", status="moved_to_chat", ended_at=T0))
        uow.commit()
        found = uow.sessions.latest_resumable_for_caller("13800138000")
    assert found is not None
    assert found.session_id == "moved"


# --- applications -------------------------------------------------------------------------


def test_an_application_round_trips_with_money_rates_and_reasons(engine: Engine) -> None:
    record = application(
        customer_id="C001",
        status="signed",
        amount_minor=5_000_000,
        term_months=12,
        purpose="education",
        monthly_income_minor=1_800_050,
        employment="employed",
        decision="approve",
        reasons=["R01_INCOME_OK", "R07_GOOD_HISTORY"],
        policy_version="2026.11",
        product_code="PL-12",
        annual_rate=Decimal("0.0525"),
        apr=Decimal("0.123456789012"),
        monthly_payment_minor=428_630,
        total_repayment_minor=5_143_560,
        contract_sha256="ab" * 32,
        signed_at=T0 + timedelta(minutes=20),
        disbursed_at=T0 + timedelta(minutes=21),
        payout_reference="SIM-1",
    )
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        uow.applications.save(record)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.applications.get(record.reference)
        raw = uow.connection.exec_driver_sql("SELECT annual_rate, apr FROM applications").one()
    assert stored == record
    assert tuple(raw) == ("0.05250000", "0.123456789012")


def test_an_application_with_nothing_decided_yet_round_trips(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        uow.applications.save(application())
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.applications.get("LL-20261128-AAAAA")
    assert stored == application()
    assert stored is not None
    assert stored.reasons == []


def test_saving_an_application_again_updates_it(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        uow.applications.save(application())
        uow.applications.save(application(status="decided", decision="decline", reasons=["R9"]))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.applications.get("LL-20261128-AAAAA")
    assert stored is not None
    assert (stored.status, stored.decision, stored.reasons) == ("decided", "decline", ["R9"])


def test_applications_of_a_session_come_oldest_first(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        uow.sessions.save(session("s2"))
        uow.applications.save(application("LL-B", created_at=T0 + timedelta(minutes=1)))
        uow.applications.save(application("LL-A", created_at=T0 + timedelta(minutes=2)))
        uow.applications.save(application("LL-C", session_id="s2"))
        uow.commit()
        assert [a.reference for a in uow.applications.for_session("s1")] == ["LL-B", "LL-A"]
        assert uow.applications.for_session("none") == []


def test_an_application_cannot_ask_for_a_zero_amount(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        with pytest.raises(IntegrityError):
            uow.applications.save(application(amount_minor=0))


def test_an_application_needs_an_existing_session(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow, pytest.raises(IntegrityError):
        uow.applications.save(application(session_id="ghost"))


# --- customers ----------------------------------------------------------------------------


def test_the_customer_repository_is_a_customer_registry(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        registry: CustomerRegistry = uow.customers
        assert registry.find_by_id_number("110105194912310021") is None


def test_customers_load_from_csv_and_are_found_by_id_number(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path, *GOOD_ROWS)
    with SqlUnitOfWork(engine) as uow:
        assert uow.customers.load_csv(path) == 2
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.customers.count() == 2
        found = uow.customers.find_by_id_number("11010519491231002x")
    assert found == CustomerRecord(
        customer_id="C001",
        full_name="张伟",
        id_number="11010519491231002X",
        mobile="13800138000",
        city="杭州",
        employer="阿里巴巴",
        bank_name="招商银行",
        account_number="6225880012345678",
        customer_since=date(2019, 3, 1),
        monthly_income=Decimal("18000.50"),
    )


def test_loading_a_csv_again_updates_customers_instead_of_duplicating(
    engine: Engine, tmp_path: Path
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.customers.load_csv(write_csv(tmp_path, *GOOD_ROWS))
        changed = GOOD_ROWS[1].replace("Shanghai", "Suzhou")
        assert uow.customers.load_csv(write_csv(tmp_path, changed)) == 1
        uow.commit()
        assert uow.customers.count() == 2
        found = uow.customers.get("C002")
        assert found is not None
        assert found.city == "Suzhou"
        assert found.monthly_income == Decimal("9000.00")


def test_a_csv_with_a_byte_order_mark_loads(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("\n".join([CSV_HEADER, *GOOD_ROWS]) + "\n", encoding="utf-8-sig")
    with SqlUnitOfWork(engine) as uow:
        assert uow.customers.load_csv(path) == 2


def test_bad_csv_rows_are_all_reported_by_line_and_nothing_is_loaded(
    engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        GOOD_ROWS[0],
        "C003,王芳,1234,12345,北京,X,Y,1,2020-13-01,abc",
        "C004,赵六,110105194912310021,13800138001,北京,X,Y,1,2020-01-01,100.555",
        "C005,,110105194912310039,13800138002,北京,X,Y,1,2020-01-01,-1",
        GOOD_ROWS[0].replace("C001", "C006"),
        "C007,A,110105194912310047,13800138003,B,C,D,E,2020-01-01,1,extra",
    )
    with SqlUnitOfWork(engine) as uow:
        with pytest.raises(CustomerDataError) as caught:
            uow.customers.load_csv(path)
        assert uow.customers.count() == 0
    problems = caught.value.problems
    assert any(p.startswith("line 3: id_number '1234'") for p in problems)
    assert any(p.startswith("line 3: mobile '12345'") for p in problems)
    assert any(p.startswith("line 3: customer_since '2020-13-01'") for p in problems)
    assert any(p.startswith("line 3: monthly_income 'abc' is not a number") for p in problems)
    assert "line 4: monthly_income '100.555' has more than 2 decimals" in problems
    assert "line 5: full_name is empty" in problems
    assert any(
        p.startswith("line 6: id_number '11010519491231002X' repeats line 2") for p in problems
    )
    assert "line 7: 1 value(s) more than there are columns" in problems
    assert "customers.csv" in str(caught.value)


def test_a_csv_with_wrong_columns_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "x", header="customer_id,name,id_number")
    with SqlUnitOfWork(engine) as uow, pytest.raises(CustomerDataError) as caught:
        uow.customers.load_csv(path)
    assert caught.value.problems[0].startswith("line 1: missing column(s): full_name, mobile")
    assert caught.value.problems[1] == "line 1: unknown column(s): name"


def test_an_id_number_cannot_move_to_another_customer(engine: Engine, tmp_path: Path) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.customers.load_csv(write_csv(tmp_path, GOOD_ROWS[0]))
        moved = write_csv(tmp_path, GOOD_ROWS[0].replace("C001", "C999"))
        with pytest.raises(CustomerDataError, match="already belongs to customer 'C001'"):
            uow.customers.load_csv(moved)


# --- one-time codes ----------------------------------------------------------------------


def test_an_otp_challenge_round_trips_with_its_mobile_and_times(engine: Engine) -> None:
    state = OtpState(
        sends=2,
        checks=1,
        code_hash="f" * 64,
        salt="00ff" * 8,
        issued_at=T0,
        expires_at=T0 + timedelta(minutes=5),
        verified=False,
        locked=False,
    )
    clock = ManualClock(T0 + timedelta(seconds=3))
    with SqlUnitOfWork(engine, clock=clock) as uow:
        uow.sessions.save(session())
        uow.otps.save("s1", "13800138000", state)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.otps.get("s1") == state
        stored = uow.otps.load("s1")
    assert stored is not None
    assert (stored.mobile, stored.state, stored.updated_at) == ("13800138000", state, clock.now())
    assert stored.state.expires_at is not None
    assert stored.state.expires_at.tzinfo is UTC


def test_saving_an_otp_challenge_again_replaces_it(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        uow.otps.save("s1", "13800138000", OtpState(sends=1, code_hash="a" * 64, salt="b"))
        uow.otps.save("s1", "13900139000", OtpState(sends=1, checks=3, verified=True))
        uow.commit()
        assert uow.otps.get("s1") == OtpState(sends=1, checks=3, verified=True)
        stored = uow.otps.load("s1")
        assert stored is not None
        assert stored.mobile == "13900139000"


def test_a_session_without_a_challenge_has_no_otp_state(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow.otps.get("s1") is None
        assert uow.otps.load("s1") is None


def test_otp_counters_cannot_go_negative(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        with pytest.raises(IntegrityError):
            uow.otps.save("s1", "13800138000", OtpState(sends=-1))


# --- consents -----------------------------------------------------------------------------


def test_consents_are_added_and_listed_in_order(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(session())
        second = uow.consents.add("s1", "sensitive_data", False, "v2", T0 + timedelta(seconds=5))
        first = uow.consents.add("s1", "credit_check", True, "v1", T0, audio_offset_ms=12_345)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.consents.for_session("s1")
    assert stored == [first, second]
    assert stored[0].audio_offset_ms == 12_345
    assert stored[1].granted is False
    assert first.id != second.id


def test_a_consent_needs_an_existing_session(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow, pytest.raises(IntegrityError):
        uow.consents.add("ghost", "credit_check", True, "v1", T0)


# --- payouts ------------------------------------------------------------------------------


def request_payout(
    uow: SqlUnitOfWork,
    *,
    idempotency_key: str = "payout:LL-20261128-AAAAA",
    amount_minor: int = 5_000_000,
    account_number: str = "6225880012345678",
    requested_at: datetime = T0,
) -> PayoutRecord:
    return uow.payouts.record_request(
        application_ref="LL-20261128-AAAAA",
        idempotency_key=idempotency_key,
        amount_minor=amount_minor,
        currency="CNY",
        account_number=account_number,
        requested_at=requested_at,
    )


def test_a_payout_request_is_recorded_once_per_key(engine: Engine) -> None:
    open_application(engine)
    with SqlUnitOfWork(engine) as uow:
        first = request_payout(uow)
        again = request_payout(uow, requested_at=T0 + timedelta(minutes=1))
        uow.commit()
    assert again == first
    assert first.status == "requested"
    assert first.requested_at == T0
    with SqlUnitOfWork(engine) as uow:
        assert uow.payouts.for_application("LL-20261128-AAAAA") == first


def test_a_key_reused_for_a_different_payout_is_a_conflict(engine: Engine) -> None:
    open_application(engine)
    with SqlUnitOfWork(engine) as uow:
        request_payout(uow)
        with pytest.raises(Conflict, match="different payout"):
            request_payout(uow, amount_minor=6_000_000)
        with pytest.raises(Conflict):
            request_payout(uow, account_number="0000")


def test_a_second_payout_for_one_application_is_a_conflict(engine: Engine) -> None:
    open_application(engine)
    with SqlUnitOfWork(engine) as uow:
        request_payout(uow)
        with pytest.raises(Conflict, match="already has a payout"):
            request_payout(uow, idempotency_key="another-key")
        # The refused insert left the transaction usable.
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.payouts.by_key("another-key") is None
        assert uow.payouts.by_key("payout:LL-20261128-AAAAA") is not None


def test_a_payout_must_be_positive(engine: Engine) -> None:
    open_application(engine)
    with SqlUnitOfWork(engine) as uow, pytest.raises(ValueError):
        request_payout(uow, amount_minor=0)


def test_a_payout_is_marked_completed_once(engine: Engine) -> None:
    open_application(engine)
    done_at = T0 + timedelta(seconds=3)
    with SqlUnitOfWork(engine) as uow:
        request_payout(uow)
        completed = uow.payouts.mark_completed("payout:LL-20261128-AAAAA", "SIM-1", done_at)
        assert uow.payouts.mark_completed("payout:LL-20261128-AAAAA", "SIM-1", done_at) == completed
        with pytest.raises(Conflict):
            uow.payouts.mark_completed("payout:LL-20261128-AAAAA", "SIM-2", done_at)
        with pytest.raises(NotFound):
            uow.payouts.mark_completed("unknown", "SIM-3", done_at)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = uow.payouts.for_application("LL-20261128-AAAAA")
    assert stored == completed
    assert stored is not None
    assert (stored.status, stored.rail_reference, stored.completed_at) == (
        "completed",
        "SIM-1",
        done_at,
    )


def test_concurrent_requests_with_one_key_record_one_payout(engine: Engine) -> None:
    open_application(engine)
    results: list[PayoutRecord] = []
    barrier = threading.Barrier(2)

    def request() -> None:
        barrier.wait()
        with SqlUnitOfWork(engine) as uow:
            results.append(request_payout(uow))
            uow.commit()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert results[0] == results[1]


# --- clock --------------------------------------------------------------------------------


def test_the_unit_of_work_clock_stamps_audit_entries(engine: Engine) -> None:
    clock = ManualClock(T0)
    with SqlUnitOfWork(engine, clock=clock) as uow:
        entry = uow.audit.append("call.started", "s1", {})
        uow.commit()
    assert entry.at == T0
