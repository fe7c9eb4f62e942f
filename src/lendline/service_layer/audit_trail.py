"""The audit trail as a transparency log: signed heads, publication, proofs, evidence bundles.

Appends happen wherever the business happens (``uow.audit.append``); this service does the
rest of what makes the log verifiable by outsiders:

* **signing**: a tree head (size, root, time) signed with the log's Ed25519 key, kept in the
  database and *published*: appended to ``heads.jsonl`` and written as ``latest.json`` in the
  heads directory (and served by the HTTP API). Heads are signed every N entries or on a
  timer (``publish_if_due``), and on demand;
* **proofs**: inclusion of an entry in a head, consistency between two heads (anyone holding
  two published heads can check that the later one extends the earlier: nothing rewritten);
* **evidence**: ``export`` writes one loan's events with their inclusion proofs, the signed
  head and the public key, together with a standalone verifier
  (``audit/offline_verifier.py``, no LendLine import) that checks the bundle offline.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from itertools import pairwise
from pathlib import Path

from sqlalchemy import Engine

from lendline.audit.chain import ChainVerification
from lendline.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from lendline.audit.offline_verifier import FORMAT
from lendline.audit.tree_head import (
    HeadSigner,
    SignatureCheck,
    SignedTreeHead,
    head_document,
    head_from_document,
)
from lendline.persistence.uow import SqlUnitOfWork
from lendline.shared.clock import Clock, SystemClock
from lendline.shared.errors import DomainError

__all__ = ["AuditTrail", "EvidenceBundle", "NoSuchLoan"]

VERIFIER_NAME = "verify_evidence.py"


class NoSuchLoan(DomainError):
    """An evidence bundle was asked for a reference LendLine does not know."""


@dataclass(frozen=True, slots=True)
class EvidenceBundle:
    """Where an evidence bundle was written and what it holds.

    Parameters:
        directory: the bundle's directory (``evidence.json``, the verifier, a README).
        events: how many events it carries.
        head: the signed head its proofs lead to.
    """

    directory: Path
    events: int
    head: SignedTreeHead

    @property
    def evidence(self) -> Path:
        """The bundle's JSON document."""
        return self.directory / "evidence.json"


class AuditTrail:
    """Signs, publishes and proves the audit log.

    Args:
        engine: LendLine's database.
        signer: the log's signing key.
        signature_check: verifies a signature with a public key (the signer's algorithm).
        heads_dir: where signed heads are published as files.
        sign_every: sign a head once this many entries have been added since the last one.
        clock: the time source for head timestamps.
    """

    def __init__(
        self,
        engine: Engine,
        signer: HeadSigner,
        signature_check: SignatureCheck,
        heads_dir: Path,
        *,
        sign_every: int = 100,
        clock: Clock | None = None,
    ) -> None:
        if sign_every < 1:
            raise ValueError("sign_every must be at least 1")
        self._engine = engine
        self._signer = signer
        self._check = signature_check
        self._heads_dir = heads_dir
        self._sign_every = sign_every
        self._clock = clock or SystemClock()

    @property
    def public_key(self) -> bytes:
        """The log's public key."""
        return self._signer.public_key

    @property
    def key_id(self) -> str:
        """The id of the log's key."""
        return self._signer.key_id

    @property
    def heads_dir(self) -> Path:
        """Where heads are published as files."""
        return self._heads_dir

    # -- signing and publishing -------------------------------------------------------------

    def publish(self) -> SignedTreeHead:
        """Sign the log as it stands (unless that size is signed already) and publish it."""
        with SqlUnitOfWork(self._engine, self._clock) as uow:
            before = uow.audit.tree.latest_head()
            head = uow.audit.tree.sign(self._signer, self._clock.now())
            uow.commit()
        if before is None or before.head.size != head.head.size:
            self._publish_file(head)
        return head

    def publish_if_due(self, max_age: timedelta | None = None) -> SignedTreeHead | None:
        """Publish a head if it is due, else return None.

        A head is due once ``sign_every`` entries were added since the last one, or, given
        ``max_age``, when any entry was added and the last head is older than that.
        """
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            size = uow.audit.tree.size()
            latest = uow.audit.tree.latest_head()
        signed = 0 if latest is None else latest.head.size
        unsigned = size - signed
        stale = (
            max_age is not None
            and unsigned > 0
            and (latest is None or self._clock.now() - latest.head.timestamp >= max_age)
        )
        if unsigned < self._sign_every and not stale:
            return None
        return self.publish()

    def latest(self) -> SignedTreeHead | None:
        """The newest signed head."""
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            return uow.audit.tree.latest_head()

    def heads(self, since_size: int = 0) -> list[SignedTreeHead]:
        """Every signed head from ``since_size`` on, oldest first."""
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            return uow.audit.tree.heads(since_size)

    def _publish_file(self, head: SignedTreeHead) -> None:
        self._heads_dir.mkdir(parents=True, exist_ok=True)
        key_file = self._heads_dir / "public-key.json"
        if not key_file.exists():
            _write_atomically(key_file, json.dumps(self.key_document(), indent=2) + "\n")
        line = json.dumps(head_document(head), sort_keys=True)
        with (self._heads_dir / "heads.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _write_atomically(self._heads_dir / "latest.json", line + "\n")

    def key_document(self) -> dict[str, str]:
        """The public key as it is published."""
        return {
            "algorithm": "ed25519",
            "key_id": self.key_id,
            "ed25519": self.public_key.hex(),
        }

    # -- proofs -----------------------------------------------------------------------------

    def consistency(self, first: int, second: int) -> list[bytes]:
        """The proof that the log of ``second`` entries extends the one of ``first``."""
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            return uow.audit.tree.consistency_proof(first, second)

    def inclusion(self, seq: int, size: int) -> list[bytes]:
        """The proof that entry ``seq`` is in the log of ``size`` entries."""
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            return uow.audit.tree.inclusion_proof(seq - 1, size)

    def check_published(self, heads: Sequence[SignedTreeHead]) -> list[str]:
        """Check published heads against the log: signatures, and consistency pair by pair.

        Returns:
            The problems found (empty when every head is signed by this log's key and each
            later head, and the current log, extend the earlier ones).
        """
        problems: list[str] = []
        ordered = sorted(heads, key=lambda h: h.head.size)
        for head in ordered:
            if head.key_id != self.key_id or not head.verify(self.public_key, self._check):
                problems.append(f"head of size {head.head.size}: signature does not verify")
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            tree = uow.audit.tree
            size = tree.size()
            current = tree.root(size)
            for older, newer in pairwise(ordered):
                a, b = older.head, newer.head
                if b.size > size:
                    problems.append(f"head of size {b.size}: the log has only {size} entries")
                    continue
                proof = tree.consistency_proof(a.size, b.size)
                if not verify_consistency(a.size, b.size, a.root, b.root, proof):
                    problems.append(f"heads {a.size} -> {b.size}: not consistent (rewritten)")
            if ordered and ordered[-1].head.size <= size:
                last = ordered[-1].head
                proof = tree.consistency_proof(last.size, size)
                if not verify_consistency(last.size, size, last.root, current, proof):
                    problems.append(f"head {last.size} -> current log: not consistent")
        return problems

    def verify(self) -> ChainVerification:
        """Recompute the chain, the tree and every head (signatures included).

        Heads this log published as files must also still be in the database, unchanged: a
        stored head that was deleted or replaced is named here.
        """
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            result = uow.audit.verify(
                public_keys={self.key_id: self.public_key}, signature_check=self._check
            )
            if not result.ok:
                return result
            published = self._heads_dir / "heads.jsonl"
            if not published.exists():
                return result
            try:
                heads = read_published_heads(published)
            except ValueError as exc:
                return ChainVerification(False, result.checked, None, f"published heads: {exc}")
            for head in heads:
                stored = uow.audit.tree.head_at(head.head.size)
                if stored != head:
                    what = "is missing from" if stored is None else "differs from the one in"
                    return ChainVerification(
                        False,
                        result.checked,
                        None,
                        f"published head of tree_size {head.head.size} {what} audit_tree_heads",
                    )
        return result

    # -- evidence ---------------------------------------------------------------------------

    def export(
        self, reference: str, directory: Path, kinds: Sequence[str] | None = None
    ) -> EvidenceBundle:
        """Write the evidence bundle of one loan application into ``directory``.

        The bundle holds every audit event of the application's call session(s) and of the
        loan itself (or only those of ``kinds``), each with its inclusion proof in a freshly
        signed head, the public key, and the offline verifier.

        Raises:
            NoSuchLoan: if no application has this reference.
        """
        head = self.publish()
        with SqlUnitOfWork(self._engine, self._clock, read_only=True) as uow:
            application = uow.applications.get(reference)
            if application is None:
                raise NoSuchLoan(f"no application with reference {reference}")
            entries = [
                entry
                for entry in uow.audit.entries_about(application.session_id, reference)
                if entry.seq <= head.head.size and (kinds is None or entry.kind in kinds)
            ]
            events = []
            for entry in entries:
                proof = uow.audit.tree.inclusion_proof(entry.seq - 1, head.head.size)
                # Checked before it leaves: a bundle that cannot verify is a bug, not evidence.
                leaf = leaf_hash(entry.leaf_data)
                if not verify_inclusion(entry.seq - 1, head.head.size, leaf, proof, head.head.root):
                    raise RuntimeError(f"inclusion proof of entry {entry.seq} does not verify")
                events.append(
                    {
                        "seq": entry.seq,
                        "kind": entry.kind,
                        "entry": entry.leaf_data.decode("utf-8"),
                        "chain_hash": entry.hash,
                        "inclusion_proof": [node.hex() for node in proof],
                    }
                )
        bundle = {
            "format": FORMAT,
            "reference": reference,
            "public_key": self.key_document(),
            "tree_head": head_document(head),
            "events": events,
        }
        directory.mkdir(parents=True, exist_ok=True)
        _write_atomically(
            directory / "evidence.json",
            json.dumps(bundle, ensure_ascii=False, indent=2) + "\n",
        )
        verifier = resources.files("lendline.audit").joinpath("offline_verifier.py")
        with resources.as_file(verifier) as source:
            shutil.copyfile(source, directory / VERIFIER_NAME)
        (directory / "README.txt").write_text(_readme(reference, self.key_id), encoding="utf-8")
        return EvidenceBundle(directory, len(events), head)


def read_published_heads(path: Path) -> list[SignedTreeHead]:
    """The heads in a published ``heads.jsonl`` file.

    Raises:
        ValueError: naming the line that is not a signed head.
    """
    heads = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            heads.append(head_from_document(json.loads(line)))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return heads


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _readme(reference: str, key_id: str) -> str:
    return (
        f"Evidence for loan {reference}\n\n"
        "evidence.json holds every recorded event of this loan, each with a proof that it is\n"
        "in LendLine's audit log as signed (RFC 6962/9162 Merkle tree, Ed25519 signature).\n\n"
        "Check it offline (Python 3.11+ and the 'cryptography' package):\n\n"
        "    python verify_evidence.py evidence.json --public-key <the lender's published key>\n\n"
        f"The key that signed this bundle has id {key_id}; compare it with the key the lender\n"
        "publishes, not with the one inside the bundle.\n"
    )
