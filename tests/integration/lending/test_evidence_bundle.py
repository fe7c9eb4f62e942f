"""Evidence bundles and published heads: checked offline by the standalone verifier.

A loan's bundle (its events, inclusion proofs, the signed head and the key) is written by
the real audit trail from a real database, then checked by ``verify_evidence.py`` run as its
own Python process from the bundle's directory, the way a borrower or a court's expert would.
Every kind of alteration of the bundle must make that verifier fail.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from signed_loans import disburse, sign_application
from sqlalchemy import Engine

from lendline.adapters.keys.ed25519 import Ed25519HeadSigner, verify_ed25519
from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.persistence.db import make_engine, upgrade
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.audit_trail import AuditTrail, read_published_heads
from lendline.shared.clock import ManualClock

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
SIGNER = Ed25519HeadSigner(bytes(range(32)))


def trail_on(engine: Engine, tmp_path: Path, clock: ManualClock) -> AuditTrail:
    return AuditTrail(
        engine, SIGNER, verify_ed25519, tmp_path / "heads", sign_every=10, clock=clock
    )


def a_disbursed_loan(
    engine: Engine, rail: SimulatedPaymentRail, clock: ManualClock, index: int
) -> str:
    terms = sign_application(engine, index, clock.now())
    with SqlUnitOfWork(engine, clock) as uow:
        session = f"session-{index:05d}"
        for turn, step in enumerate(("consent", "amount", "offer", "sign_otp")):
            uow.audit.append("call.turn", session, {"turn": turn, "step": step})
        uow.audit.append(
            "contract.signed", session, {"reference": terms.reference, "contract_sha256": "ab" * 32}
        )
        uow.commit()
    disburse(engine, rail, clock, terms, index)
    return terms.reference


def run_verifier(bundle_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    # -I: isolated mode, the way an outsider runs a file they were given.
    return subprocess.run(
        [sys.executable, "-I", "verify_evidence.py", "evidence.json", *extra],
        cwd=bundle_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_loans_bundle_verifies_offline_and_every_alteration_fails(
    engine: Engine, rail: SimulatedPaymentRail, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    reference = a_disbursed_loan(engine, rail, clock, 1)
    a_disbursed_loan(engine, rail, clock, 2)  # another loan's events must stay out
    trail = trail_on(engine, tmp_path, clock)
    bundle = trail.export(reference, tmp_path / "bundle")

    kinds = [event["kind"] for event in json.loads(bundle.evidence.read_text())["events"]]
    assert kinds[:5] == ["call.turn"] * 4 + ["contract.signed"]
    assert {"loan.disbursement_requested", "loan.disbursed"} <= set(kinds)
    text = bundle.evidence.read_text(encoding="utf-8")
    assert "LL-TEST-00002" not in text
    key = SIGNER.public_key.hex()
    ok = run_verifier(bundle.directory, "--public-key", key)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"OK: {len(kinds)} events of {reference}" in ok.stdout

    original = json.loads(text)

    def altered(change: str) -> dict[str, object]:
        document = json.loads(text)
        event = document["events"][4]
        if change == "entry":
            event["entry"] = event["entry"].replace('"ab', '"ac', 1)
        elif change == "proof":
            node = event["inclusion_proof"][0]
            event["inclusion_proof"][0] = ("0" if node[0] != "0" else "1") + node[1:]
        elif change == "dropped proof node":
            event["inclusion_proof"].pop()
        elif change == "seq":
            event["seq"] += 1
        elif change == "size":
            document["tree_head"]["tree_size"] += 1
        elif change == "root":
            root = document["tree_head"]["root_hash"]
            document["tree_head"]["root_hash"] = root[:-1] + ("0" if root[-1] != "0" else "1")
        elif change == "time":
            document["tree_head"]["timestamp_ms"] += 1
        elif change == "signature":
            signature = document["tree_head"]["signature"]
            document["tree_head"]["signature"] = ("f" if signature[0] != "f" else "e") + signature[
                1:
            ]
        return document

    for change in ("entry", "proof", "dropped proof node", "seq", "size", "root", "time",
                   "signature"):  # fmt: skip
        bundle.evidence.write_text(json.dumps(altered(change)), encoding="utf-8")
        result = run_verifier(bundle.directory, "--public-key", key)
        assert result.returncode == 1, (change, result.stdout)
        assert "FAILED" in result.stdout

    # Signed with a key other than the lender's published one: refused.
    bundle.evidence.write_text(json.dumps(original), encoding="utf-8")
    other = Ed25519HeadSigner.generate().public_key.hex()
    assert run_verifier(bundle.directory, "--public-key", other).returncode == 1


def test_the_verifier_imports_nothing_from_lendline(
    engine: Engine, rail: SimulatedPaymentRail, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    reference = a_disbursed_loan(engine, rail, clock, 3)
    bundle = trail_on(engine, tmp_path, clock).export(reference, tmp_path / "b")
    tree = ast.parse((bundle.directory / "verify_evidence.py").read_text(encoding="utf-8"))
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert modules <= {"__future__", "argparse", "hashlib", "json", "struct", "sys",
                       "collections", "pathlib", "typing", "cryptography"}  # fmt: skip


def test_a_borrowers_receipt_for_the_signature_alone_verifies(
    engine: Engine, rail: SimulatedPaymentRail, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    reference = a_disbursed_loan(engine, rail, clock, 4)
    receipt = trail_on(engine, tmp_path, clock).export(
        reference, tmp_path / "receipt", kinds=["contract.signed"]
    )
    assert receipt.events == 1
    result = run_verifier(receipt.directory, "--public-key", SIGNER.public_key.hex())
    assert result.returncode == 0, result.stdout


def test_published_heads_expose_a_rewritten_history(
    engine: Engine, rail: SimulatedPaymentRail, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    trail = trail_on(engine, tmp_path, clock)
    for index in range(5, 9):
        a_disbursed_loan(engine, rail, clock, index)
        clock.advance(timedelta(minutes=5))
        trail.publish()
    published = tmp_path / "heads" / "heads.jsonl"
    heads = read_published_heads(published)
    assert len(heads) == 4
    assert json.loads((tmp_path / "heads" / "latest.json").read_text()) == json.loads(
        published.read_text().splitlines()[-1]
    )
    assert trail.check_published(heads) == []
    assert trail.verify().ok

    # The same events, but one altered and the whole log rebuilt around it: chain and tree
    # are internally perfect, only the heads published before can tell.
    rebuilt = make_engine(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    upgrade(rebuilt)
    with SqlUnitOfWork(engine, read_only=True) as source, SqlUnitOfWork(rebuilt) as target:
        for entry in source.audit.entries():
            payload = dict(entry.payload)
            if entry.kind == "loan.disbursed" and payload.get("reference") == "LL-TEST-00006":
                payload["amount_minor"] = int(str(payload["amount_minor"])) + 100
            target.audit.append(entry.kind, entry.session_id, payload, at=entry.at)
        target.commit()
    forged = trail_on(rebuilt, tmp_path / "forged", clock)
    assert forged.verify().ok
    problems = forged.check_published(heads)
    assert any("not consistent" in problem for problem in problems), problems
    rebuilt.dispose()
