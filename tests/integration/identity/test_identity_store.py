"""Identity-assurance records on real databases (SQLite and PostgreSQL).

The store (question-set fingerprints, code velocity, lockouts, call-backs), then the loan
desk using it: velocity limits across sessions, lockouts that carry their reason, call-backs
that commit with their outbox message.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from lendline.identity.otp_velocity import (
    LockoutReason,
    LockoutScope,
    OtpVelocityPolicy,
    lockout_for,
)
from lendline.identity.ports import CallbackRequest
from lendline.identity.registry import CustomerRecord
from lendline.persistence import tables as t
from lendline.persistence.identity_store import CALLBACK_TOPIC
from lendline.persistence.uow import SqlUnitOfWork

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
POLICY = OtpVelocityPolicy()
CUSTOMER = CustomerRecord(
    customer_id="C0001",
    full_name="王小明",
    id_number="330106198803151205",
    mobile="13812345678",
    city="北京",
    employer="中国建设银行",
    bank_name="工商银行",
    account_number="6225880123455678",
    customer_since=date(2018, 6, 1),
    monthly_income=Decimal("15000.00"),
)


def test_a_question_set_is_kept_once_per_customer(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.identity.add_question_set("C1", "a" * 64, ("city", "employer"), "s1", T0)
        uow.identity.add_question_set("C1", "b" * 64, ("city",), "s2", T0)
        uow.identity.add_question_set("C2", "a" * 64, ("city",), "s3", T0)
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.identity.seen_question_sets("C1") == {"a" * 64, "b" * 64}
        assert uow.identity.seen_question_sets("C3") == frozenset()
    with pytest.raises(IntegrityError), SqlUnitOfWork(engine) as uow:
        uow.identity.add_question_set("C1", "a" * 64, ("city",), "s4", T0)


def test_only_bank_names_several_customers_share_are_offered(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        for index, bank in enumerate(["工商银行"] * 3 + ["宁波银行"] * 2 + ["小镇银行"]):
            uow.customers.save(
                replace(
                    CUSTOMER,
                    customer_id=f"C{index}",
                    id_number=f"33010619880315{index:03d}",
                    bank_name=bank,
                )
            )
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.identity.shared_bank_names(3) == ["工商银行"]
        # Sorted by the database's collation, which differs for Chinese between the two.
        assert sorted(uow.identity.shared_bank_names(2)) == sorted(["宁波银行", "工商银行"])


def test_velocity_counts_only_events_inside_each_window(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        events = [
            ("send", "C1", "p1", T0 - timedelta(minutes=30)),
            ("send", "C1", "p1", T0 - timedelta(hours=2)),  # outside the segment's hour
            ("send", "C2", "p1", T0 - timedelta(minutes=5)),
            ("send", "C1", "p2", T0 - timedelta(hours=25)),  # outside the customer's day
            ("check", "C1", "p1", T0 - timedelta(hours=3)),
            ("check", "C1", "p1", T0 - timedelta(minutes=1)),
        ]
        for action, customer, prefix, at in events:
            uow.identity.record_otp_event(action, customer, prefix, "s1", at)
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        counts = uow.identity.velocity_counts("C1", "p1", T0, POLICY)
    assert (counts.prefix_sends, counts.id_sends, counts.id_checks) == (2, 2, 2)


def test_lockouts_hold_the_customer_or_their_whole_segment_until_they_end(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.identity.add_lockout(
            lockout_for(LockoutReason.CHALLENGE_CHECKS_EXHAUSTED, POLICY, T0), "C1", "p1", "s1"
        )
        uow.identity.add_lockout(
            lockout_for(LockoutReason.PREFIX_VELOCITY, POLICY, T0), "C9", "p2", "s9"
        )
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        own = uow.identity.active_lockout("C1", "p1", T0 + timedelta(minutes=10))
        assert own is not None and own.reason is LockoutReason.CHALLENGE_CHECKS_EXHAUSTED
        assert uow.identity.active_lockout("C1", "p1", T0 + timedelta(minutes=30)) is None
        # Another customer of the segment is held by the segment's lockout, not by C1's.
        neighbour = uow.identity.active_lockout("C5", "p2", T0 + timedelta(minutes=59))
        assert neighbour is not None and neighbour.scope is LockoutScope.PREFIX
        assert neighbour.until == T0 + timedelta(hours=1)
        assert uow.identity.active_lockout("C5", "p1", T0) is None


def test_a_callback_is_a_request_row_and_an_outbox_message_committed_together(
    engine: Engine,
) -> None:
    request = CallbackRequest("r1", "s1", "C1", "external_risk_high", T0)
    with SqlUnitOfWork(engine) as uow:
        uow.identity.callbacks.schedule(request)
        # Not committed: neither survives.
    with SqlUnitOfWork(engine) as uow:
        assert uow.identity.callbacks.pending("C1") == []
        assert uow.outbox.by_key("callback:r1") is None
        uow.identity.callbacks.schedule(request)
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.identity.callbacks.pending("C1") == [request]
        message = uow.outbox.by_key("callback:r1")
        assert message is not None and message.topic == CALLBACK_TOPIC
        assert dict(message.payload) == {
            "request_id": "r1", "session_id": "s1", "customer_id": "C1",
            "reason": "external_risk_high",
        }  # fmt: skip


# --- the desk across sessions ---------------------------------------------------------------


@pytest.fixture
def identity_app(make_app):  # type: ignore[no-untyped-def]
    """Build an app; on the way out, drop the identity records the test left behind.

    The PostgreSQL database is shared by a test session's apps, and a lockout of a demo
    customer would otherwise hold in the tests that follow.
    """
    built = []

    def build(backend: str):  # type: ignore[no-untyped-def]
        app = make_app(backend)
        built.append(app)
        _forget_identity_records(app)
        return app

    yield build
    for app in built:
        _forget_identity_records(app)


def _forget_identity_records(app) -> None:  # type: ignore[no-untyped-def]
    with app.desk.engine.begin() as conn:
        for table in (t.identity_lockouts, t.otp_velocity_events, t.identity_question_sets):
            conn.execute(table.delete())


def _session(app):  # type: ignore[no-untyped-def]
    """A session identified as the Mandarin demo customer, ready for codes.

    It comes from a number of its own: a session left open under the customer's number in
    the shared PostgreSQL database would be resumed by the next test's call from it.
    """
    desk = app.desk
    state = desk.open_session(f"199{secrets.randbelow(10**8):08d}", "chat")
    record = desk.find_customer("330106198803151205")
    state.slots["id_number"] = record.id_number
    state.customer_id = record.customer_id
    state.language = "zh"
    return state


def _audit(app, kind: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(app.desk.engine, read_only=True) as uow:
        rows = uow.connection.execute(
            select(t.audit_log.c.payload)
            .where(t.audit_log.c.kind == kind)
            .order_by(t.audit_log.c.seq)
        ).scalars()
        return [json.loads(row) for row in rows]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_sends_across_sessions_stop_at_the_daily_limit_with_the_reason_logged(
    identity_app, backend: str
) -> None:
    app = identity_app(backend)
    app.desk.velocity_policy = OtpVelocityPolicy(id_max_sends=3)
    results = [app.desk.send_code(_session(app), "verify", "{code}") for _ in range(4)]
    assert [r.sent for r in results] == [True, True, True, False]
    assert (results[3].refused, results[3].lockout) == ("velocity", "id_velocity")
    # The lockout holds: a fifth session is refused for the same reason without counting.
    fifth = app.desk.send_code(_session(app), "verify", "{code}")
    assert fifth.lockout == "id_velocity"
    lockouts = _audit(app, "identity.otp_lockout")
    assert [entry["reason"] for entry in lockouts] == ["id_velocity"]
    assert lockouts[0]["scope"] == "customer"
    with SqlUnitOfWork(app.desk.engine, read_only=True) as uow:
        rows = uow.connection.execute(select(t.identity_lockouts)).all()
    assert [(row.reason, row.scope) for row in rows] == [("id_velocity", "customer")]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_exhausting_a_challenges_checks_locks_the_customer_out_of_a_new_session(
    identity_app, backend: str
) -> None:
    app = identity_app(backend)
    first = _session(app)
    assert app.desk.send_code(first, "verify", "{code}").sent
    outcomes = [app.desk.check_code(first, "000000x") for _ in range(5)]
    assert outcomes[-1].outcome == "locked"
    assert outcomes[-1].lockout == "challenge_checks_exhausted"
    second = app.desk.send_code(_session(app), "verify", "{code}")
    assert (second.sent, second.lockout) == (False, "challenge_checks_exhausted")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_question_sets_drawn_by_the_desk_never_repeat_and_keep_no_answer(
    identity_app, backend: str
) -> None:
    app = identity_app(backend)
    drawn = set()
    for _ in range(5):
        questions = app.desk.draw_questions(_session(app), 4)
        drawn.add(
            tuple(
                (q.kind, tuple(sorted(q.choices))) for q in sorted(questions, key=lambda q: q.kind)
            )
        )
    assert len(drawn) == 5
    with SqlUnitOfWork(app.desk.engine, read_only=True) as uow:
        rows = uow.connection.execute(select(t.identity_question_sets)).all()
    assert len(rows) == 5 and len({row.fingerprint for row in rows}) == 5
    stored = " ".join(f"{row.fingerprint} {row.kinds}" for row in rows)
    for secret in ("北京", "中国建设银行", "工商银行", "5678", "2018"):
        assert secret not in stored
