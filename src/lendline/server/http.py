"""The HTTP side of ``lendline serve``: media-stream WebSockets and a health endpoint."""

from __future__ import annotations

from fastapi import FastAPI, WebSocket

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

    @api.websocket("/media-stream/twilio")
    async def twilio_stream(socket: WebSocket) -> None:
        """Twilio Media Streams (bidirectional, from <Connect><Stream>)."""
        await serve_media_stream(socket, TWILIO, service)

    @api.websocket("/media-stream/telnyx")
    async def telnyx_stream(socket: WebSocket) -> None:
        """Telnyx media streaming (bidirectional)."""
        await serve_media_stream(socket, TELNYX, service)

    return api
