"""Ring detection: a planted ring among random applicants, and what must not be a ring."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lendline.risk.fraud.history import KeyObservation, ObservationKind
from lendline.risk.fraud.rings import RingConfig, find_rings

T0 = datetime(2026, 12, 1, tzinfo=UTC)
K = ObservationKind


def obs(app: str, subject: str, kind: ObservationKind, key: str) -> KeyObservation:
    return KeyObservation(app, subject, kind, key, T0)


def random_population(rng: random.Random, people: int) -> list[KeyObservation]:
    """Honest applicants: own phone, account, device; employers from a pool (some shared)."""
    rows = []
    for n in range(people):
        app, who = f"A{n:06d}", f"C{n:06d}"
        rows += [
            obs(app, who, K.PHONE, f"phone-{n}"),
            obs(app, who, K.CALLER_ID, f"phone-{n}"),
            obs(app, who, K.ACCOUNT, f"acct-{n}"),
            obs(app, who, K.DEVICE, f"dev-{n}"),
            obs(app, who, K.EMPLOYER, f"emp-{rng.randrange(people // 3)}"),
            obs(app, who, K.ID_NUMBER, f"id-{n}"),
        ]
    return rows


def planted_ring() -> list[KeyObservation]:
    """Five people: two mule accounts and one coach's phone calling for all of them."""
    rows = []
    for i in range(5):
        app, who = f"R{i}", f"ring-{i}"
        rows += [
            obs(app, who, K.PHONE, f"ring-phone-{i}"),
            obs(app, who, K.CALLER_ID, "coach-phone"),
            obs(app, who, K.ACCOUNT, f"mule-{i % 2}"),
            obs(app, who, K.ID_NUMBER, f"ring-id-{i}"),
        ]
    return rows


def test_a_planted_ring_is_found_among_random_applicants() -> None:
    rng = random.Random(11)
    rows = random_population(rng, 3_000) + planted_ring()
    rng.shuffle(rows)
    rings = find_rings(rows)
    assert len(rings) == 1
    ring = rings[0]
    assert ring.members == ("R0", "R1", "R2", "R3", "R4") and ring.identities == 5
    kinds = {(s.kind, s.key): s.identities for s in ring.shared_keys}
    assert kinds == {
        (K.CALLER_ID, "coach-phone"): 5,
        (K.ACCOUNT, "mule-0"): 3,
        (K.ACCOUNT, "mule-1"): 2,
    }
    # caller 2 x 4 + account 3 x 2 + account 3 x 1
    assert ring.score == Decimal("17") and ring.version == "rings-1.0"
    assert ring.shared_keys[0].kind is K.CALLER_ID


def test_one_person_applying_many_times_is_not_a_ring() -> None:
    rows = [obs(f"A{i}", "same-person", K.ACCOUNT, "acct") for i in range(10)]
    assert find_rings(rows) == ()


def test_colleagues_sharing_only_an_employer_are_not_a_ring() -> None:
    rows = [obs(f"A{i}", f"C{i}", K.EMPLOYER, "small-shop") for i in range(6)]
    assert find_rings(rows) == ()
    assert find_rings(rows, RingConfig(context_kinds=frozenset(), min_score=Decimal(2))) != ()


def test_a_key_shared_by_too_many_identities_links_nothing() -> None:
    rows = [obs(f"A{i}", f"C{i}", K.PHONE, "switchboard") for i in range(40)]
    assert find_rings(rows) == ()
    assert len(find_rings(rows, RingConfig(max_key_identities=50))) == 1


def test_two_people_do_not_make_a_ring_by_default() -> None:
    rows = [obs("A1", "C1", K.ACCOUNT, "a"), obs("A2", "C2", K.ACCOUNT, "a")]
    assert find_rings(rows) == ()
    assert find_rings(rows, RingConfig(min_identities=2, min_score=Decimal("3")))[0].score == 3


def test_a_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="two identities"):
        RingConfig(min_identities=1)
