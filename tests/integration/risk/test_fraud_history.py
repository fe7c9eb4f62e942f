"""The fraud history store and the facts builder on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text

from lendline.persistence import tables as t
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.fraud.history import ObservationKind
from lendline.risk.fraud.rules import FraudLevel, evaluate, strongest
from lendline.service_layer.fraud_facts import ApplicationIdentifiers, build_fraud_facts

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
ID_NUMBER = "11010519491231002X"
MOBILE = "13800138000"
ACCOUNT = "6225880012345678"


def person(n: int, **changes: str | None) -> ApplicationIdentifiers:
    values: dict[str, str | None] = {
        "id_number": f"1101051949123{n:04d}X",
        "mobile": f"1390013{n:04d}",
        "caller_number": f"1390013{n:04d}",
        "account": f"62258800{n:08d}",
        "employer": f"Employer {n}",
    }
    values.update(changes)
    return ApplicationIdentifiers(**values)


def apply(
    engine: Engine,
    identifiers: ApplicationIdentifiers,
    n: int,
    at: datetime = T0,
    customer: str | None = None,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine) as uow:
        facts = build_fraud_facts(
            uow,
            identifiers,
            at=at,
            session_id=f"s{n}",
            reference=f"LL-{n:05d}",
            customer_id=customer if customer is not None else f"C{n:04d}",
            **kwargs,  # type: ignore[arg-type]
        )
        uow.commit()
    return facts


def test_the_store_counts_distinct_applications_in_a_window(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        history = uow.risk_history
        key = history.key_for(ObservationKind.PHONE, "+86 138-0013-8000")
        assert key == history.key_for(ObservationKind.CALLER_ID, MOBILE)
        assert len(key) == 64 and MOBILE not in key
        for day, ref in ((0, "A"), (0, "A"), (2, "B"), (40, "C")):
            history.observe(
                at=T0 - timedelta(days=day),
                session_id=f"s{ref}",
                reference=ref,
                subject=f"cust-{ref}",
                kind=ObservationKind.PHONE,
                key=key,
            )
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        history = uow.risk_history
        assert history.counts(ObservationKind.PHONE, key, T0 - timedelta(days=1)) == 1
        assert history.counts(ObservationKind.PHONE, key, T0 - timedelta(days=30)) == 2
        assert history.counts(ObservationKind.PHONE, key, T0 - timedelta(days=41)) == 3
        assert history.counts(ObservationKind.CALLER_ID, key, T0 - timedelta(days=41)) == 0
        since = T0 - timedelta(days=100)
        assert history.distinct_subjects(ObservationKind.PHONE, key, since) == 3
        rows = list(history.observations(since))
        assert [r.application for r in rows] == ["A", "B", "C"]
        assert rows[0].observed_at == T0 and rows[0].observed_at.tzinfo is not None


def test_the_history_holds_no_plaintext_identifiers(engine: Engine) -> None:
    apply(engine, person(1, id_number=ID_NUMBER, mobile=MOBILE, account=ACCOUNT), 1)
    with engine.connect() as conn:
        # Values are joined with a separator no secret contains: joined with spaces, the
        # kind "employer" next to a count of 1 read as the employer "Employer 1".
        dumped = "|".join(
            str(value) for row in conn.execute(select(t.risk_observations)) for value in row
        )
    for secret in (ID_NUMBER, MOBILE, ACCOUNT, "Employer 1", "employer 1", "1949"):
        assert secret not in dumped
    assert dumped.count("LL-00001") == 5  # id, phone, caller, account, employer


def test_blacklist_entries_match_by_key_and_can_be_lifted(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        history = uow.risk_history
        key = history.key_for(ObservationKind.ACCOUNT, "6225 8800 1234 5678")
        entry = history.add_to_blacklist(
            ObservationKind.ACCOUNT, key, reason="case 17: mule account", by="officer-1", at=T0
        )
        assert entry > 0
        uow.commit()
    facts = apply(engine, person(2, account=ACCOUNT), 2)
    assert facts.blacklisted == frozenset({"account"})
    assert strongest(evaluate(facts)) is FraudLevel.DECLINE
    with SqlUnitOfWork(engine) as uow:
        key = uow.risk_history.key_for(ObservationKind.ACCOUNT, ACCOUNT)
        assert (
            uow.risk_history.lift_from_blacklist(
                ObservationKind.ACCOUNT, key, by="officer-2", at=T0
            )
            == 1
        )
        uow.commit()
    assert apply(engine, person(3, account=ACCOUNT), 3).blacklisted == frozenset()


def test_a_blacklisted_phone_catches_it_as_a_caller_number_too(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        key = uow.risk_history.key_for(ObservationKind.PHONE, MOBILE)
        uow.risk_history.add_to_blacklist(
            ObservationKind.PHONE, key, reason="case 18", by="officer-1", at=T0
        )
        uow.commit()
    facts = apply(engine, person(4, caller_number=f"+86{MOBILE}"), 4)
    assert facts.blacklisted == frozenset({"caller_id"})


def test_an_honest_first_application_has_counts_of_one_and_no_hit(engine: Engine) -> None:
    facts = apply(engine, person(5), 5)
    assert facts.id_applications_24h == facts.phone_applications_30d == 1
    assert facts.account_identities == facts.phone_identities == facts.device_identities == 1
    assert evaluate(facts) == ()
    # The same application decided again (a call-back) counts once.
    assert apply(engine, person(5), 5) == facts


def test_loan_stacking_shows_in_id_and_phone_velocity(engine: Engine) -> None:
    for n in range(3):
        facts = apply(engine, person(6), 100 + n, at=T0 + timedelta(hours=n), customer="C0006")
    assert facts.id_applications_24h == 3 and facts.phone_applications_24h == 3
    assert facts.phone_identities == 1  # one person: no sharing
    assert {"F01", "F03", "F05"} <= {h.code for h in evaluate(facts)}
    later = apply(engine, person(6), 200, at=T0 + timedelta(days=3), customer="C0006")
    assert later.id_applications_24h == 1 and later.id_applications_30d == 4


def test_a_mule_account_shared_by_three_identities_declines(engine: Engine) -> None:
    for n in range(3):
        facts = apply(engine, person(10 + n, account=ACCOUNT), 10 + n)
    assert facts.account_identities == 3
    assert "F12" in {h.code for h in evaluate(facts)}


def test_an_intermediary_calling_for_several_people_shows_on_the_caller_number(
    engine: Engine,
) -> None:
    for n in range(3):
        facts = apply(engine, person(20 + n, caller_number="17012345678"), 20 + n)
    assert facts.device_identities == 3 and facts.device_applications_24h == 3
    assert facts.virtual_operator_caller and not facts.virtual_operator_phone
    assert {"F05", "F13", "F24"} <= {h.code for h in evaluate(facts)}


def test_an_unregistered_applicant_is_still_told_apart_by_id_number(engine: Engine) -> None:
    apply(engine, person(30, mobile=MOBILE), 30)
    with SqlUnitOfWork(engine) as uow:
        facts = build_fraud_facts(
            uow,
            person(31, mobile=MOBILE),
            at=T0,
            session_id="s31",
            reference=None,
            customer_id=None,
            flags=["registry_mismatch"],
            security_questions_failed=2,
            otp_failures=1,
        )
        uow.commit()
    assert facts.phone_identities == 2
    assert {"F09", "F15", "F19"} <= {h.code for h in evaluate(facts)}
    with engine.connect() as conn:
        subjects = {
            s for (s,) in conn.execute(text("SELECT DISTINCT subject FROM risk_observations"))
        }
    assert any(s.startswith("unverified:") for s in subjects)


def test_rings_are_found_in_the_stored_history(engine: Engine) -> None:
    from lendline.service_layer.ring_detection import detect_rings

    for n in range(4):  # four people paid out to one account, called from one number
        apply(engine, person(40 + n, account=ACCOUNT, caller_number="13700137000"), 40 + n)
    for n in range(5):
        apply(engine, person(50 + n), 50 + n)
    rings = detect_rings(engine, now=T0 + timedelta(days=1))
    assert len(rings) == 1
    assert rings[0].members == ("LL-00040", "LL-00041", "LL-00042", "LL-00043")
    assert {s.kind for s in rings[0].shared_keys} == {
        ObservationKind.ACCOUNT,
        ObservationKind.CALLER_ID,
    }
    assert detect_rings(engine, now=T0 + timedelta(days=200)) == ()
