"""The audit log's Merkle tree as stored: roots, proofs and heads agree with the RFC algorithms."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from lendline.adapters.keys.ed25519 import Ed25519HeadSigner, verify_ed25519
from lendline.audit import merkle
from lendline.persistence.uow import SqlUnitOfWork
from lendline.shared.clock import ManualClock

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def append(engine: Engine, count: int, start: int = 0) -> None:
    clock = ManualClock(T0 + timedelta(seconds=start))
    with SqlUnitOfWork(engine, clock=clock) as uow:
        for i in range(start, start + count):
            uow.audit.append("call.turn", f"s{i % 3}", {"turn": i, "step": "amount"})
            clock.advance(timedelta(milliseconds=250))
        uow.commit()


def leaves_of(engine: Engine) -> list[bytes]:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return [merkle.leaf_hash(entry.leaf_data) for entry in uow.audit.entries()]


def test_stored_roots_and_proofs_match_the_rfc_algorithms_for_every_size(engine: Engine) -> None:
    append(engine, 37)
    leaves = leaves_of(engine)
    with SqlUnitOfWork(engine, read_only=True) as uow:
        tree = uow.audit.tree
        assert tree.size() == 37
        for size in range(0, 38):
            assert tree.root(size) == merkle.root(leaves[:size])
        for index in range(37):
            proof = tree.inclusion_proof(index, 37)
            assert proof == merkle.inclusion_proof(index, leaves)
            assert merkle.verify_inclusion(index, 37, leaves[index], proof, tree.root())
        for old in range(0, 38):
            proof = tree.consistency_proof(old, 37)
            assert proof == merkle.consistency_proof(old, leaves)
            assert merkle.verify_consistency(old, 37, tree.root(old), tree.root(), proof)


def test_the_tree_grows_across_transactions_and_old_heads_stay_consistent(engine: Engine) -> None:
    signer = Ed25519HeadSigner.generate()
    heads = []
    for batch in (1, 4, 3, 8, 13):
        append(engine, batch, start=sum(h.head.size for h in heads[-1:]) if heads else 0)
        with SqlUnitOfWork(engine) as uow:
            heads.append(uow.audit.tree.sign(signer, T0))
            uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        tree = uow.audit.tree
        assert [h.head.size for h in tree.heads()] == [1, 5, 8, 16, 29]
        for older, newer in itertools.pairwise(heads):
            proof = tree.consistency_proof(older.head.size, newer.head.size)
            assert merkle.verify_consistency(
                older.head.size, newer.head.size, older.head.root, newer.head.root, proof
            )
        assert all(h.verify(signer.public_key, verify_ed25519) for h in tree.heads())
        # Signing again without new entries gives back the same head.
        assert tree.sign(signer, T0 + timedelta(hours=1)) == heads[-1]
        result = uow.audit.verify(
            public_keys={signer.key_id: signer.public_key}, signature_check=verify_ed25519
        )
    assert result.ok, result


def test_a_head_signed_by_another_key_is_named(engine: Engine) -> None:
    append(engine, 5)
    mine, theirs = Ed25519HeadSigner.generate(), Ed25519HeadSigner.generate()
    with SqlUnitOfWork(engine) as uow:
        uow.audit.tree.sign(theirs, T0)
        uow.commit()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        result = uow.audit.verify(
            public_keys={mine.key_id: mine.public_key}, signature_check=verify_ed25519
        )
    assert not result.ok
    assert "unknown key" in (result.problem or "")


@pytest.mark.postgres
def test_the_application_role_cannot_rewrite_the_audit_tables(postgres_engine: Engine) -> None:
    append(postgres_engine, 3)
    for statement in (
        "UPDATE audit_log SET kind = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 3",
        "UPDATE audit_tree_nodes SET hash = repeat('0', 64) WHERE level = 0 AND idx = 0",
        "DELETE FROM audit_tree_heads",
        "TRUNCATE audit_tree_nodes",
    ):
        with postgres_engine.connect() as conn:
            # Even with the append-only triggers gone, the role has no privilege to do it.
            for table in ("audit_log", "audit_tree_nodes", "audit_tree_heads"):
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            conn.exec_driver_sql("SET ROLE lendline_app")
            with pytest.raises(DBAPIError, match="permission denied"):
                conn.exec_driver_sql(statement)
            conn.rollback()
    with postgres_engine.connect() as conn:
        conn.exec_driver_sql("SET ROLE lendline_app")
        # What the service does need still works under the role.
        assert (
            conn.execute(text("SELECT count(*) FROM audit_tree_nodes")).scalar() == 4
        )  # three leaves and the node over the first two
        conn.rollback()
