"""Check a LendLine evidence bundle offline: ``python verify_evidence.py evidence.json``.

This file is copied as it is into every evidence bundle and receipt. It imports nothing from
LendLine (only the standard library, and the ``cryptography`` package for the Ed25519
signature), so anyone (the borrower, their lawyer, a court's expert, a regulator) can check
a bundle without trusting LendLine's software. The algorithms are the published ones:

* each event is the canonical JSON text LendLine recorded; its chain hash is SHA-256 of that
  text and its Merkle leaf hash SHA-256(0x00 || text) (RFC 6962 §2.1);
* the inclusion proof leads from the leaf to the tree root (RFC 9162 §2.1.3.2);
* the signed tree head is RFC 6962 §3.5 ``TreeHeadSignature`` (version 0, type 1, 64-bit
  millisecond timestamp, 64-bit tree size, 32-byte root), signed with Ed25519 (RFC 8032);
* consecutive events also link by their ``prev_hash``.

Pass ``--public-key HEX`` with the key the lender publishes, so a bundle signed with any other
key is refused. Exit status 0 means every check held.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMAT = "lendline-evidence/1"


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an audit path leads to, or None if it is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0 or len(sibling) != 32:
            return None
        if fn & 1 or fn == sn:
            result = _node(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = _node(result, sibling)
        fn >>= 1
        sn >>= 1
    return result if sn == 0 else None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _signature_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError as exc:  # pragma: no cover - depends on the checker's machine
        raise SystemExit(
            "the Ed25519 check needs the 'cryptography' package: pip install it"
        ) from exc
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def check_bundle(bundle: dict[str, Any], expected_key: str | None = None) -> list[str]:
    """Every problem found in ``bundle`` (an empty list when it verifies)."""
    problems: list[str] = []
    if bundle.get("format") != FORMAT:
        return [f"not a {FORMAT} bundle"]
    try:
        key = bytes.fromhex(bundle["public_key"]["ed25519"])
        head = bundle["tree_head"]
        size = int(head["tree_size"])
        root = bytes.fromhex(head["root_hash"])
        signed = struct.pack(">BBQQ", 0, 1, int(head["timestamp_ms"]), size) + root
        signature = bytes.fromhex(head["signature"])
        events = list(bundle["events"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"bundle is malformed: {exc!r}"]
    if expected_key is not None and key.hex() != expected_key.lower():
        problems.append("the bundle is signed with a key other than the one you gave")
    if not _signature_ok(key, signed, signature):
        problems.append("the tree head's signature does not verify: the head was altered")
    if not events:
        problems.append("the bundle holds no events")
    previous: tuple[int, str] | None = None
    for event in events:
        try:
            seq = int(event["seq"])
            text = str(event["entry"])
            proof = [bytes.fromhex(node) for node in event["inclusion_proof"]]
            fields = json.loads(text)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"event {event.get('seq', '?')}: malformed: {exc!r}")
            continue
        where = f"event {seq}"
        if not isinstance(fields, dict) or _canonical(fields) != text:
            problems.append(f"{where}: the entry is not in canonical form")
            continue
        if fields.get("seq") != seq:
            problems.append(f"{where}: the entry says it is number {fields.get('seq')}")
        chain_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if event.get("chain_hash") not in (None, chain_hash):
            problems.append(f"{where}: the chain hash does not match the entry")
        if (
            previous is not None
            and previous[0] + 1 == seq
            and fields.get("prev_hash") != previous[1]
        ):
            problems.append(f"{where}: does not link to event {previous[0]}")
        previous = (seq, chain_hash)
        leaf = hashlib.sha256(b"\x00" + text.encode("utf-8")).digest()
        if root_from_inclusion(seq - 1, size, leaf, proof) != root:
            problems.append(f"{where}: not in the signed tree (the entry or its proof was altered)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Check a bundle file and print the verdict; return the exit status."""
    parser = argparse.ArgumentParser(description="Verify a LendLine evidence bundle offline.")
    parser.add_argument("bundle", type=Path, help="the evidence.json file")
    parser.add_argument("--public-key", help="the lender's published Ed25519 key (hex)")
    args = parser.parse_args(argv)
    try:
        bundle = json.loads(args.bundle.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"FAILED: cannot read {args.bundle}: {exc}")
        return 2
    problems = check_bundle(bundle, args.public_key)
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    head = bundle["tree_head"]
    print(
        f"OK: {len(bundle['events'])} events of {bundle.get('reference', '?')} are in the log "
        f"of {head['tree_size']} entries signed at {head.get('timestamp', head['timestamp_ms'])} "
        f"by key {bundle['public_key'].get('key_id', '?')}"
    )
    for event in bundle["events"]:
        fields = json.loads(event["entry"])
        print(f"  #{fields['seq']:>8}  {fields['at']}  {fields['kind']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
