"""The HTTP side of ``lendline serve``: media-stream WebSockets, health, the audit log's heads.

The audit endpoints are what outsiders need to hold LendLine to its log: the public key, the
signed heads, consistency proofs between any two of them, and inclusion proofs of entries.
They reveal hashes only, never an entry's content.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Query, WebSocket

from lendline.audit.tree_head import head_document
from lendline.server.calls import CallService
from lendline.voice.transports.media_stream import TELNYX, TWILIO, serve_media_stream


def create_http_app(service: CallService) -> FastAPI:
    """The FastAPI application: carriers connect their media streams here."""
    api = FastAPI(title="LendLine", docs_url=None, redoc_url=None)

    @api.get("/healthz")
    async def healthz() -> dict[str, int | str]:
        """Liveness and load: calls in progress and room left."""
        return {
            "status": "ok",
            "active_calls": service.active,
            "completed_calls": service.completed,
        }

    trail = service.audit

    @api.get("/audit/key")
    async def audit_key() -> dict[str, str]:
        """The log's public key (compare with the key the lender publishes elsewhere)."""
        return trail.key_document()

    @api.get("/audit/heads/latest")
    async def latest_head() -> dict[str, object]:
        """The newest signed tree head."""
        head = trail.latest()
        if head is None:
            raise HTTPException(404, "no head has been signed yet")
        return head_document(head)

    @api.get("/audit/heads")
    async def heads(since: int = Query(0, ge=0)) -> list[dict[str, object]]:
        """Every signed head of at least ``since`` entries, oldest first."""
        return [head_document(head) for head in trail.heads(since)]

    @api.get("/audit/consistency")
    async def consistency(
        first: int = Query(..., ge=0), second: int = Query(..., ge=0)
    ) -> dict[str, object]:
        """Proof that the log of ``second`` entries extends the one of ``first``."""
        if first > second:
            raise HTTPException(422, "first must not be larger than second")
        try:
            proof = trail.consistency(first, second)
        except ValueError as exc:
            raise HTTPException(404, str(exc)) from exc
        return {"first": first, "second": second, "proof": [node.hex() for node in proof]}

    @api.get("/audit/entries/{seq}/proof")
    async def inclusion(seq: int, size: int = Query(..., ge=1)) -> dict[str, object]:
        """Proof that entry ``seq`` is in the log of ``size`` entries (leaf index seq - 1)."""
        if not 1 <= seq <= size:
            raise HTTPException(422, "seq must be between 1 and size")
        try:
            proof = trail.inclusion(seq, size)
        except ValueError as exc:
            raise HTTPException(404, str(exc)) from exc
        return {"seq": seq, "size": size, "proof": [node.hex() for node in proof]}

    @api.websocket("/media-stream/twilio")
    async def twilio_stream(socket: WebSocket) -> None:
        """Twilio Media Streams (bidirectional, from <Connect><Stream>)."""
        await serve_media_stream(socket, TWILIO, service)

    @api.websocket("/media-stream/telnyx")
    async def telnyx_stream(socket: WebSocket) -> None:
        """Telnyx media streaming (bidirectional)."""
        await serve_media_stream(socket, TELNYX, service)

    return api
