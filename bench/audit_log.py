"""The audit log as a transparency log: append throughput, and proofs at a million entries.

Part 1, appends. Each append is what the product does for one event: its own transaction,
the chain entry, the Merkle leaf and the subtrees it completes, the commit. A head is signed
(Ed25519) and stored every N entries, for N in 1, 100 and 1000, on SQLite and PostgreSQL.
Baseline in the same run: the chain alone, as the log was before the Merkle tree (leaf
writes switched off). Reference, not measured here: Trillian's published figure of about
400-500 appends/s on MySQL for a log (its documentation's performance notes), which batches
leaves through a sequencer rather than committing each one.

Part 2, proofs at scale. A log of ``--entries`` (default 1,000,000) entries is bulk-loaded
(chain, leaves and perfect subtrees computed in memory and inserted in batches, as a
migration would backfill them), then inclusion and consistency proofs are generated from
the database for random entries and sizes, and verified. Baseline: recomputing the same
proof from all the leaves in memory (what a store without subtree rows would have to do).

Usage: ``python bench/audit_log.py [--appends 2000] [--entries 1000000] [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from common import DEFAULT_PG, database, percentile  # noqa: E402

from lendline.adapters.keys.ed25519 import Ed25519HeadSigner, verify_ed25519  # noqa: E402
from lendline.audit import merkle  # noqa: E402
from lendline.audit.chain import canonical_json, next_entry  # noqa: E402
from lendline.persistence import tables as t  # noqa: E402
from lendline.persistence.transparency_log import SqlMerkleTree  # noqa: E402
from lendline.persistence.uow import SqlUnitOfWork  # noqa: E402

SIGNER = Ed25519HeadSigner(bytes(range(32)))
TRILLIAN = "Trillian (published, MySQL)"


def turn_payload(i: int) -> dict[str, object]:
    """A call-turn event as the voice pipeline writes it (hashes, ids, no personal data)."""
    return {
        "audio_sha256": f"{i:064x}",
        "caller_text_commitment": f"{i * 7:064x}",
        "channel": "voice",
        "event": "turn",
        "prompt_ids": ["ask_amount"],
        "prompt_sha256": f"{i * 13:064x}",
        "prompt_version": "zh-2026.11.2",
        "status": "active",
        "step": "amount",
        "turn": i,
    }


def run_appends(engine: Engine, count: int, sign_every: int | None, tree: bool) -> list[float]:
    """Append ``count`` events one transaction each; sign a head every ``sign_every``."""
    original = SqlMerkleTree.append_leaf
    if not tree:
        SqlMerkleTree.append_leaf = lambda self, index, leaf: None  # type: ignore[method-assign]
    laps = []
    try:
        for i in range(count):
            started = time.perf_counter()
            with SqlUnitOfWork(engine) as uow:
                entry = uow.audit.append("call.turn", f"session-{i // 20}", turn_payload(i))
                if sign_every is not None and entry.seq % sign_every == 0:
                    uow.audit.tree.sign(SIGNER, datetime.now(UTC))
                uow.commit()
            laps.append(time.perf_counter() - started)
    finally:
        SqlMerkleTree.append_leaf = original  # type: ignore[method-assign]
    return laps


def bulk_load(engine: Engine, count: int, progress: Progress) -> list[bytes]:
    """Write a log of ``count`` entries with its tree; return the leaf hashes."""
    task = progress.add_task(f"Bulk-loading {count:,} entries", total=count)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    head = None
    leaves: list[bytes] = []
    batch: list[dict[str, object]] = []
    with engine.begin() as conn:
        for i in range(count):
            entry = next_entry(
                head,
                at=at + timedelta(milliseconds=i),
                session_id=f"session-{i // 20}",
                kind="call.turn",
                payload=turn_payload(i),
            )
            head = entry.head
            leaves.append(merkle.leaf_hash(entry.leaf_data))
            batch.append(
                {
                    "seq": entry.seq,
                    "at": entry.at,
                    "session_id": entry.session_id,
                    "kind": entry.kind,
                    "payload": canonical_json(entry.payload),
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                }
            )
            if len(batch) == 20_000 or i == count - 1:
                conn.execute(insert(t.audit_log), batch)
                progress.advance(task, len(batch))
                batch = []
        nodes = merkle.perfect_subtrees(leaves)
        rows = [{"level": lv, "idx": ix, "hash": h.hex()} for (lv, ix), h in nodes.items()]
        task = progress.add_task(f"Writing {len(rows):,} tree nodes", total=len(rows))
        for start in range(0, len(rows), 20_000):
            chunk = rows[start : start + 20_000]
            conn.execute(insert(t.audit_tree_nodes), chunk)
            progress.advance(task, len(chunk))
    return leaves


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    laps = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        laps.append(time.perf_counter() - started)
    return laps


def measure_proofs(
    engine: Engine, leaves: list[bytes], count: int, rng: random.Random
) -> list[tuple[str, ...]]:
    """Time proof generation from the database and verification, against the naive baseline."""
    n = len(leaves)
    gen, ver, cgen, cver = [], [], [], []
    with SqlUnitOfWork(engine, read_only=True) as uow:
        tree = uow.audit.tree
        root = tree.root(n)
        assert root == merkle.root(leaves)
        for _ in range(count):
            index, old = rng.randrange(n), rng.randrange(1, n)
            started = time.perf_counter()
            proof = tree.inclusion_proof(index, n)
            gen.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert merkle.verify_inclusion(index, n, leaves[index], proof, root)
            ver.append(time.perf_counter() - started)
            started = time.perf_counter()
            proof = tree.consistency_proof(old, n)
            cgen.append(time.perf_counter() - started)
            old_root = tree.root(old)
            started = time.perf_counter()
            assert merkle.verify_consistency(old, n, old_root, root, proof)
            cver.append(time.perf_counter() - started)
        whole = timed(lambda: tree.root(n), 50)
    naive = timed(lambda: merkle.inclusion_proof(rng.randrange(n), leaves), 3)
    base = percentile(naive, 50)
    rows = []
    for label, laps, vs in (
        ("inclusion proof from the database", gen, base),
        ("inclusion proof verified", ver, None),
        ("consistency proof from the database", cgen, base),
        ("consistency proof verified", cver, None),
        ("root of the whole log", whole, None),
        ("baseline: inclusion proof from all leaves in memory", naive, None),
    ):
        p50 = percentile(laps, 50)
        rows.append(
            (
                label,
                f"{p50 * 1000:.3f}",
                f"{percentile(laps, 99) * 1000:.3f}",
                f"{1 / p50:,.0f}",
                "" if vs is None else f"x{vs / p50:,.0f} faster",
            )
        )
    started = time.perf_counter()
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.audit.verify().ok
    full = time.perf_counter() - started
    rows.append(("full verify: chain + every node", f"{full * 1000:,.0f}", "", "", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=200)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LENDLINE_TEST_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    console = Console(width=150)
    backends = ["sqlite"] + ([] if args.skip_postgres else ["postgresql"])
    rng = random.Random(7)

    appends = Table(title=f"Audit appends: {args.appends:,} events, one transaction each")
    for column in ("database", "mode", "p50 ms", "p99 ms", "appends/s", "vs chain only"):
        appends.add_column(column, justify="left" if column in ("database", "mode") else "right")
    proofs = Table(title=f"Proofs in a log of {args.entries:,} entries")
    for column in ("database", "operation", "p50 ms", "p99 ms", "per second", "vs baseline"):
        proofs.add_column(
            column, justify="left" if column in ("database", "operation") else "right"
        )

    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        for kind in backends:
            modes: list[tuple[str, int | None, bool]] = [
                ("baseline: chain only", None, False),
                ("Merkle, head every 1000", 1000, True),
                ("Merkle, head every 100", 100, True),
                ("Merkle, head every entry", 1, True),
            ]
            rates: dict[str, float] = {}
            for label, every, tree in modes:
                with database(kind, Path(tmp), args.postgres_url) as engine:
                    task = progress.add_task(f"{kind}: {label}", total=None)
                    laps = run_appends(engine, args.appends, every, tree)
                    progress.remove_task(task)
                    if tree:
                        with SqlUnitOfWork(engine, read_only=True) as uow:
                            assert uow.audit.verify(
                                public_keys={SIGNER.key_id: SIGNER.public_key},
                                signature_check=verify_ed25519,
                            ).ok
                rate = len(laps) / sum(laps)
                rates[label] = rate
                base = rates["baseline: chain only"]
                appends.add_row(
                    kind,
                    label,
                    f"{percentile(laps, 50) * 1000:.2f}",
                    f"{percentile(laps, 99) * 1000:.2f}",
                    f"{rate:,.0f}",
                    f"x{rate / base:.2f}",
                )
        appends.add_row("MySQL", TRILLIAN, "", "", "400-500", "")

        for kind in backends:
            with database(kind, Path(tmp), args.postgres_url) as engine:
                leaves = bulk_load(engine, args.entries, progress)
                for row in measure_proofs(engine, leaves, args.proofs, rng):
                    proofs.add_row(kind, *row)

    console.print(appends)
    console.print(proofs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"Peak memory of the bench process: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
