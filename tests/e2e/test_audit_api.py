"""The audit log's public HTTP endpoints: key, signed heads, consistency and inclusion proofs.

An outside auditor holds LendLine to its log with these alone: everything they return is
checked here with the RFC algorithms, not compared with what the server says about itself.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from lendline.adapters.keys.ed25519 import verify_ed25519
from lendline.audit import merkle
from lendline.audit.tree_head import head_from_document
from lendline.persistence.uow import SqlUnitOfWork
from lendline.server.calls import CallService
from lendline.server.http import create_http_app


def test_an_auditor_checks_heads_and_proofs_from_the_api(make_app: Any) -> None:
    app = make_app()
    client = TestClient(create_http_app(CallService(app, 1, None)))
    key = client.get("/audit/key").json()
    assert key["algorithm"] == "ed25519" and len(bytes.fromhex(key["ed25519"])) == 32

    def add(count: int) -> None:
        with SqlUnitOfWork(app.engine) as uow:
            for i in range(count):
                uow.audit.append("test.event", None, {"i": i})
            uow.commit()

    add(3)
    first = app.audit.publish()
    add(9)
    second = app.audit.publish()
    latest = client.get("/audit/heads/latest").json()
    assert head_from_document(latest) == second
    listed = [head_from_document(h) for h in client.get("/audit/heads").json()]
    assert [h.head.size for h in listed] == [first.head.size, second.head.size]
    public = bytes.fromhex(key["ed25519"])
    assert all(head.verify(public, verify_ed25519) for head in listed)

    a, b = first.head, second.head
    proof = client.get("/audit/consistency", params={"first": a.size, "second": b.size}).json()
    nodes = [bytes.fromhex(node) for node in proof["proof"]]
    assert merkle.verify_consistency(a.size, b.size, a.root, b.root, nodes)

    with SqlUnitOfWork(app.engine, read_only=True) as uow:
        entries = uow.audit.entries()
    for entry in entries[: b.size]:
        answer = client.get(f"/audit/entries/{entry.seq}/proof", params={"size": b.size}).json()
        path = [bytes.fromhex(node) for node in answer["proof"]]
        leaf = merkle.leaf_hash(entry.leaf_data)
        assert merkle.verify_inclusion(entry.seq - 1, b.size, leaf, path, b.root)


def test_bad_audit_queries_get_clear_errors(make_app: Any) -> None:
    app = make_app()
    client = TestClient(create_http_app(CallService(app, 1, None)))
    size = app.audit.publish().head.size
    assert client.get("/audit/consistency", params={"first": 5, "second": 2}).status_code == 422
    assert client.get("/audit/consistency", params={"first": "x", "second": 2}).status_code == 422
    too_big = client.get("/audit/consistency", params={"first": 1, "second": size + 10})
    assert too_big.status_code == 404 and "leaves" in too_big.json()["detail"]
    assert client.get("/audit/entries/0/proof", params={"size": 3}).status_code == 422
    assert client.get("/audit/entries/1/proof").status_code == 422
