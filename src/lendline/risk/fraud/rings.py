"""Fraud rings after the fact: applications of different people linked by shared identifiers.

A graph joins each application to the keyed identifiers it used (phone, caller number,
device, bank account, employer; never the values). An identifier links applications only
when at least two *different identities* used it: one person applying twice is velocity, not
a ring. Identifiers used by very many identities (a large employer, a company switchboard)
link nothing, or every employee would form one ring. The connected components of what
remains are candidate rings; those tied by more than employers alone, with enough
identities and a high enough score are returned, most suspicious first.

The score weighs each shared identifier by how telling it is and by how many extra
identities share it: ``Σ weight(kind) × (identities sharing it − 1)``. A bank account
shared by four people (weight 3, three extra identities) scores 9; four people naming one
employer score 1.5.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

import networkx as nx

from lendline.risk.fraud.history import KeyObservation, ObservationKind

__all__ = [
    "DEFAULT_RING_CONFIG",
    "LINKING_KINDS",
    "FraudRing",
    "RingConfig",
    "SharedKey",
    "find_rings",
]

#: The kinds that can link applications (an ID number shared by "different identities" is
#: the same person by definition, so it links nothing).
LINKING_KINDS: Final = frozenset(
    {
        ObservationKind.PHONE,
        ObservationKind.CALLER_ID,
        ObservationKind.DEVICE,
        ObservationKind.ACCOUNT,
        ObservationKind.EMPLOYER,
    }
)


@dataclass(frozen=True, slots=True)
class RingConfig:
    """Thresholds of ring detection; any change is a new ``version``.

    Parameters:
        version: recorded with every alert raised from a ring.
        weights: how telling a shared identifier of each kind is.
        min_identities: a ring needs at least this many distinct identities.
        min_score: and at least this score.
        max_key_identities: identifiers used by more identities than this link nothing.
        context_kinds: kinds that strengthen a ring but never make one on their own (people
            naming one employer are colleagues until something stronger ties them).
    """

    version: str = "rings-1.0"
    weights: Mapping[ObservationKind, Decimal] = field(
        default_factory=lambda: {
            ObservationKind.ACCOUNT: Decimal("3"),
            ObservationKind.DEVICE: Decimal("2"),
            ObservationKind.CALLER_ID: Decimal("2"),
            ObservationKind.PHONE: Decimal("2"),
            ObservationKind.EMPLOYER: Decimal("0.5"),
        }
    )
    min_identities: int = 3
    min_score: Decimal = Decimal("4")
    max_key_identities: int = 30
    context_kinds: frozenset[ObservationKind] = frozenset({ObservationKind.EMPLOYER})

    def __post_init__(self) -> None:
        if self.min_identities < 2:
            raise ValueError("a ring needs at least two identities")
        if self.max_key_identities < self.min_identities:
            raise ValueError("max_key_identities must be at least min_identities")


DEFAULT_RING_CONFIG: Final = RingConfig()


@dataclass(frozen=True, slots=True)
class SharedKey:
    """One identifier the members of a ring share.

    Parameters:
        kind: which identifier.
        key: its keyed hash (look-ups only; the value is not kept).
        applications: how many of the ring's applications used it.
        identities: how many distinct identities used it.
    """

    kind: ObservationKind
    key: str
    applications: int
    identities: int


@dataclass(frozen=True, slots=True)
class FraudRing:
    """Applications of different people tied together by shared identifiers.

    Parameters:
        members: the application references, sorted.
        identities: distinct identities among them.
        shared_keys: what ties them, most telling first.
        score: ``Σ weight(kind) × (identities sharing the key − 1)``.
        version: the ring configuration's version.
    """

    members: tuple[str, ...]
    identities: int
    shared_keys: tuple[SharedKey, ...]
    score: Decimal
    version: str


def find_rings(
    observations: Iterable[KeyObservation], config: RingConfig = DEFAULT_RING_CONFIG
) -> tuple[FraudRing, ...]:
    """Find the rings in a stream of observations.

    Args:
        observations: the history to search (e.g. the last 90 days); kinds outside
            :data:`LINKING_KINDS` and observations without a subject are skipped.
        config: thresholds and weights.

    Returns:
        The rings meeting ``min_identities`` and ``min_score``, highest score first.
    """
    applications: dict[tuple[ObservationKind, str], set[str]] = defaultdict(set)
    subjects: dict[tuple[ObservationKind, str], set[str]] = defaultdict(set)
    subject_of: dict[str, str] = {}
    for observation in observations:
        if observation.kind not in LINKING_KINDS or observation.subject is None:
            continue
        node = (observation.kind, observation.key)
        applications[node].add(observation.application)
        subjects[node].add(observation.subject)
        subject_of[observation.application] = observation.subject
    graph: nx.Graph[object] = nx.Graph()
    linking = [node for node, who in subjects.items() if 2 <= len(who) <= config.max_key_identities]
    for node in linking:
        for application in applications[node]:
            graph.add_edge(("key", node), ("app", application))
    rings = []
    for component in nx.connected_components(graph):
        members = sorted(str(n[1]) for n in component if isinstance(n, tuple) and n[0] == "app")
        identities = {subject_of[m] for m in members}
        if len(identities) < config.min_identities:
            continue
        keys = [n[1] for n in component if isinstance(n, tuple) and n[0] == "key"]
        if all(kind in config.context_kinds for kind, _ in keys):
            continue
        shared = []
        score = Decimal(0)
        for kind, key in keys:
            extra = len(subjects[(kind, key)]) - 1
            score += config.weights.get(kind, Decimal(0)) * extra
            shared.append(
                SharedKey(
                    kind=kind,
                    key=key,
                    applications=len(applications[(kind, key)]),
                    identities=extra + 1,
                )
            )
        if score < config.min_score:
            continue
        shared.sort(
            key=lambda s: (-config.weights.get(s.kind, Decimal(0)) * s.identities, s.kind, s.key)
        )
        rings.append(
            FraudRing(tuple(members), len(identities), tuple(shared), score, config.version)
        )
    rings.sort(key=lambda ring: (-ring.score, ring.members))
    return tuple(rings)
