"""The audit log's Merkle tree in the database: nodes, signed heads, proofs and a full check.

``audit_tree_nodes`` keeps the perfect subtrees of the RFC 6962 tree over the audit entries
(level 0: the leaf hash of entry ``index + 1``). Appending leaf ``i`` writes it and every
perfect subtree it completes (``i`` odd at a level means its left sibling exists), one row
on average besides the leaf. A root or a proof for any tree size is then a handful of
primary-key reads (``merkle.range_root`` and friends, fetched in one query), so proofs stay
fast at millions of entries.

``audit_tree_heads`` keeps the signed tree heads the log has published. ``check`` recomputes
every node from the entries' leaves and every head's root and signature, and names the first
row that does not hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, and_, func, insert, or_, select

from lendline.audit.merkle import (
    HASH_SIZE,
    SubtreeLookup,
    consistency_path,
    empty_root,
    inclusion_path,
    node_hash,
    range_root,
    subtrees_needed,
)
from lendline.audit.tree_head import (
    HeadSigner,
    SignatureCheck,
    SignedTreeHead,
    TreeHead,
    from_millis,
    sign_head,
)
from lendline.persistence import tables as t
from lendline.shared.errors import IntegrityViolation

__all__ = ["SqlMerkleTree", "TreeCheck"]

_T = TypeVar("_T")

# SQLite allows 32,766 bound parameters per statement; a proof needs a few dozen keys.
_BATCH = 400


@dataclass(frozen=True, slots=True)
class TreeCheck:
    """The outcome of recomputing the stored tree and heads.

    Parameters:
        ok: whether every node and head holds.
        problem: the first row that does not hold and why; None when ``ok``.
        seq: the audit entry the problem points at (the first leaf under a bad node), if any.
        heads: how many signed heads were checked.
    """

    ok: bool
    problem: str | None = None
    seq: int | None = None
    heads: int = 0


def _strict_hex(value: object) -> bytes | None:
    # Only the spelling LendLine writes (lowercase): ``bytes.fromhex`` would also accept an
    # upper-case digit, and an edit that changes a stored byte must never go unnoticed.
    if not isinstance(value, str):
        return None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    return raw if raw.hex() == value else None


def _hex_hash(value: object, where: str) -> bytes:
    raw = _strict_hex(value)
    if raw is None or len(raw) != HASH_SIZE:
        raise IntegrityViolation(f"{where}: stored hash is not a SHA-256 hex digest")
    return raw


class SqlMerkleTree:
    """The Merkle tree over the audit entries, in ``audit_tree_nodes`` and ``audit_tree_heads``.

    Writes happen inside the audit log's append (same transaction, same lock), so the tree
    always has exactly one leaf per entry.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- writing --------------------------------------------------------------------------

    def append_leaf(self, index: int, leaf: bytes) -> None:
        """Store leaf ``index`` (the entry with ``seq = index + 1``) and the subtrees it completes.

        One read (the left siblings it completes, and the previous leaf) and one write.

        Raises:
            IntegrityViolation: if the previous leaf or a left sibling is missing.
        """
        siblings: list[tuple[int, int]] = []
        level, position = 0, index
        while position & 1:
            siblings.append((level, position - 1))
            level, position = level + 1, position >> 1
        # The previous leaf must be there: leaves are added in order, without gaps (the
        # primary key already refuses a leaf written twice).
        needed = siblings + ([(0, index - 1)] if index > 0 else [])
        found = dict(self._fetch(needed))
        missing = [key for key in needed if key not in found]
        if missing:
            raise IntegrityViolation(
                f"cannot add audit leaf {index}: tree node {missing[0]} is missing"
            )
        rows = [{"level": 0, "idx": index, "hash": leaf.hex()}]
        current = leaf
        for level, left in siblings:
            current = node_hash(found[(level, left)], current)
            rows.append({"level": level + 1, "idx": left >> 1, "hash": current.hex()})
        self._conn.execute(insert(t.audit_tree_nodes), rows)

    def store_head(self, head: SignedTreeHead) -> None:
        """Keep a signed head (one per tree size; signing the same size again is refused)."""
        self._conn.execute(
            insert(t.audit_tree_heads).values(
                tree_size=head.head.size,
                root_hash=head.head.root.hex(),
                timestamp_ms=head.head.timestamp_ms,
                key_id=head.key_id,
                signature=head.signature.hex(),
            )
        )

    def sign(self, signer: HeadSigner, at: datetime) -> SignedTreeHead:
        """Sign the tree as it stands now and keep the head; reuse it if the size is signed."""
        size = self.size()
        existing = self.head_at(size)
        if existing is not None:
            return existing
        # Heads carry milliseconds (RFC 6962); drop the rest so the head signed and returned
        # equals the head read back.
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        head = sign_head(TreeHead(size, self.root(size), at), signer)
        self.store_head(head)
        return head

    # -- reading --------------------------------------------------------------------------

    def size(self) -> int:
        """How many leaves the tree holds."""
        c = t.audit_tree_nodes.c
        top = self._conn.execute(select(func.max(c.idx)).where(c.level == 0)).scalar()
        return 0 if top is None else int(top) + 1

    def leaf(self, index: int) -> bytes:
        """The stored leaf hash of entry ``index + 1``."""
        return self._node(0, index)

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first ``size`` leaves (all of them by default)."""
        size = self.size() if size is None else size
        if size == 0:
            return empty_root()
        return self._walk(lambda lookup: range_root(0, size, lookup))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
        self._require_size(size)
        return self._walk(lambda lookup: inclusion_path(index, size, lookup))

    def consistency_proof(self, old_size: int, size: int) -> list[bytes]:
        """The proof that the tree of ``size`` leaves extends the one of ``old_size``."""
        self._require_size(size)
        return self._walk(lambda lookup: consistency_path(old_size, size, lookup))

    def latest_head(self) -> SignedTreeHead | None:
        """The signed head of the largest tree signed so far."""
        c = t.audit_tree_heads.c
        row = self._conn.execute(
            select(t.audit_tree_heads).order_by(c.tree_size.desc()).limit(1)
        ).first()
        return None if row is None else _head(row)

    def head_at(self, size: int) -> SignedTreeHead | None:
        """The signed head of the tree of ``size`` leaves, if one was signed."""
        c = t.audit_tree_heads.c
        row = self._conn.execute(select(t.audit_tree_heads).where(c.tree_size == size)).first()
        return None if row is None else _head(row)

    def heads(self, since_size: int = 0) -> list[SignedTreeHead]:
        """Every signed head from ``since_size`` on, oldest first."""
        c = t.audit_tree_heads.c
        rows = self._conn.execute(
            select(t.audit_tree_heads).where(c.tree_size >= since_size).order_by(c.tree_size)
        )
        return [_head(row) for row in rows]

    # -- checking -------------------------------------------------------------------------

    def check(
        self,
        leaves: Iterable[bytes],
        *,
        public_keys: Mapping[str, bytes] | None = None,
        signature_check: SignatureCheck | None = None,
    ) -> TreeCheck:
        """Recompute the stored tree from the entries' leaves, and every signed head.

        Args:
            leaves: the leaf hash of each audit entry in order (computed from the entries,
                not read from this table).
            public_keys: the log's public keys by key id; without them (or without
                ``signature_check``) heads are checked against the tree but their signatures
                are not.
            signature_check: verifies a signature (public key, message, signature).

        Returns:
            The verdict, naming the first node or head that does not hold and the entry it
            points at.
        """
        expected = list(leaves)
        size = len(expected)
        level = 0
        while True:
            stored = dict(self._level(level))
            for idx, value in enumerate(expected):
                where = f"audit_tree_nodes level {level} index {idx}"
                first_seq = (idx << level) + 1
                if idx not in stored:
                    return TreeCheck(False, f"{where} is missing", first_seq)
                try:
                    raw = _hex_hash(stored.pop(idx), where)
                except IntegrityViolation as exc:
                    return TreeCheck(False, str(exc), first_seq)
                if raw != value:
                    span = f"entries {first_seq}..{first_seq + (1 << level) - 1}"
                    what = "leaf hash of entry" if level == 0 else f"subtree over {span}"
                    target = f" {first_seq}" if level == 0 else ""
                    return TreeCheck(
                        False, f"{where} does not match the {what}{target}: altered", first_seq
                    )
            if stored:
                idx = min(stored)
                return TreeCheck(
                    False,
                    f"audit_tree_nodes level {level} index {idx} covers entries that do not "
                    "exist: rows were added or entries deleted",
                    min((idx << level) + 1, size + 1),
                )
            if len(expected) <= 1 and not self._has_level(level + 1):
                break
            expected = [
                node_hash(expected[i], expected[i + 1]) for i in range(0, len(expected) - 1, 2)
            ]
            level += 1
        return self._check_heads(size, public_keys, signature_check)

    def _check_heads(
        self,
        size: int,
        public_keys: Mapping[str, bytes] | None,
        signature_check: SignatureCheck | None,
    ) -> TreeCheck:
        count = 0
        c = t.audit_tree_heads.c
        for row in self._conn.execute(select(t.audit_tree_heads).order_by(c.tree_size)):
            count += 1
            where = f"audit_tree_heads tree_size {row.tree_size}"
            try:
                head = _head(row)
            except (IntegrityViolation, ValueError) as exc:
                return TreeCheck(False, f"{where}: unreadable: {exc}", heads=count)
            if head.head.size > size:
                return TreeCheck(
                    False,
                    f"{where}: signed for {head.head.size} entries but the log has {size}: "
                    "entries were removed from the end",
                    size + 1,
                    count,
                )
            if public_keys is not None and signature_check is not None:
                key = public_keys.get(head.key_id)
                if key is None:
                    return TreeCheck(
                        False, f"{where}: signed by unknown key {head.key_id}", heads=count
                    )
                if not head.verify(key, signature_check):
                    return TreeCheck(
                        False,
                        f"{where}: the signature does not match the head: altered",
                        heads=count,
                    )
            if self.root(head.head.size) != head.head.root:
                return TreeCheck(
                    False,
                    f"{where}: the entries no longer have the root this head signed: "
                    "history was rewritten",
                    heads=count,
                )
        return TreeCheck(True, heads=count)

    # -- internals ------------------------------------------------------------------------

    def _require_size(self, size: int) -> None:
        have = self.size()
        if not 0 <= size <= have:
            raise ValueError(f"the audit tree has {have} leaves, not {size}")

    def _node(self, level: int, index: int) -> bytes:
        c = t.audit_tree_nodes.c
        value = self._conn.execute(select(c.hash).where(c.level == level, c.idx == index)).scalar()
        if value is None:
            raise IntegrityViolation(f"audit_tree_nodes level {level} index {index} is missing")
        return _hex_hash(value, f"audit_tree_nodes level {level} index {index}")

    def _walk(self, walk: Callable[[SubtreeLookup], _T]) -> _T:
        keys = sorted(subtrees_needed(walk))
        found = dict(self._fetch(keys))
        missing = [key for key in keys if key not in found]
        if missing:
            level, index = missing[0]
            raise IntegrityViolation(f"audit_tree_nodes level {level} index {index} is missing")
        return walk(lambda level, index: found[(level, index)])

    def _fetch(self, keys: list[tuple[int, int]]) -> Iterator[tuple[tuple[int, int], bytes]]:
        c = t.audit_tree_nodes.c
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            condition = or_(*(and_(c.level == lv, c.idx == ix) for lv, ix in chunk))
            for row in self._conn.execute(select(c.level, c.idx, c.hash).where(condition)):
                where = f"audit_tree_nodes level {row.level} index {row.idx}"
                yield (int(row.level), int(row.idx)), _hex_hash(row.hash, where)

    def _level(self, level: int) -> Iterator[tuple[int, str]]:
        c = t.audit_tree_nodes.c
        query = select(c.idx, c.hash).where(c.level == level).order_by(c.idx)
        # Per statement: Connection.execution_options would change the connection itself.
        with self._conn.execute(query, execution_options={"yield_per": 5000}) as rows:
            for row in rows:
                yield int(row.idx), row.hash

    def _has_level(self, level: int) -> bool:
        c = t.audit_tree_nodes.c
        return (
            self._conn.execute(select(c.idx).where(c.level == level).limit(1)).first() is not None
        )


def _head(row: Row[Any]) -> SignedTreeHead:
    where = f"audit_tree_heads tree_size {row.tree_size}"
    root = _hex_hash(row.root_hash, where)
    signature = _strict_hex(row.signature)
    if signature is None:
        raise IntegrityViolation(f"{where}: signature is not lowercase hex")
    timestamp = from_millis(int(row.timestamp_ms))
    return SignedTreeHead(TreeHead(int(row.tree_size), root, timestamp), row.key_id, signature)
