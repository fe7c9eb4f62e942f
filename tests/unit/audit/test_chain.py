"""The audit hash chain: canonical JSON, sealing and tamper detection."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from lendline.audit.chain import (
    GENESIS_HASH,
    AuditEntry,
    ChainHead,
    canonical_json,
    entry_hash,
    next_entry,
    verify_chain,
)
from lendline.shared.money import Money

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def build_chain(n: int) -> list[AuditEntry]:
    chain: list[AuditEntry] = []
    head: ChainHead | None = None
    for i in range(n):
        entry = next_entry(
            head,
            at=T0 + timedelta(seconds=i, microseconds=i * 7),
            session_id=None if i % 5 == 0 else f"s{i % 3}",
            kind=("call.turn", "otp.sent", "decision.made")[i % 3],
            payload={"i": i, "text": f"第{i}轮", "amount": Decimal(i) / 4, "nested": {"k": [i]}},
        )
        chain.append(entry)
        head = entry.head
    return chain


# Each edit returns a value different from the original for every field type.
FIELD_EDITS: dict[str, Callable[[AuditEntry], object]] = {
    "seq": lambda e: e.seq + 100,
    "at": lambda e: e.at + timedelta(microseconds=1),
    "session_id": lambda e: "intruder" if e.session_id is None else None,
    "kind": lambda e: e.kind + "x",
    "payload": lambda e: {**e.payload, "i": -1},
    "prev_hash": lambda e: ("f" if e.prev_hash[0] != "f" else "e") + e.prev_hash[1:],
    "hash": lambda e: ("f" if e.hash[0] != "f" else "e") + e.hash[1:],
}


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_chinese() -> None:
    assert canonical_json({"b": 1, "a": ["是", None, True]}) == '{"a":["是",null,true],"b":1}'


def test_canonical_json_is_the_same_whatever_the_key_order() -> None:
    assert canonical_json({"x": 1, "y": {"q": 2, "p": 3}}) == canonical_json(
        {"y": {"p": 3, "q": 2}, "x": 1}
    )


def test_canonical_json_renders_exact_types_as_strings() -> None:
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    text = canonical_json(
        {
            "d": Decimal("1234.50"),
            "u": uid,
            "day": date(2026, 1, 2),
            "t": datetime(2026, 1, 2, 11, 30, tzinfo=timezone(timedelta(hours=8))),
        }
    )
    assert json.loads(text) == {
        "d": "1234.50",
        "u": str(uid),
        "day": "2026-01-02",
        "t": "2026-01-02T03:30:00+00:00",
    }


def test_canonical_json_renders_dataclasses_such_as_money_by_their_fields() -> None:
    assert canonical_json(Money.of("10.00")) == '{"amount":"10.00","currency":"CNY"}'


def test_canonical_json_refuses_naive_times_and_unknown_types() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_json({"t": datetime(2026, 1, 1)})
    with pytest.raises(TypeError):
        canonical_json({"s": {1, 2}})
    with pytest.raises(TypeError):
        canonical_json({1: "non-string key"})
    with pytest.raises(ValueError):
        canonical_json({"f": float("nan")})


def test_canonical_json_of_its_own_output_is_unchanged() -> None:
    value = {"d": Decimal("0.1"), "f": 0.1, "t": T0, "l": (1, 2)}
    text = canonical_json(value)
    assert canonical_json(json.loads(text)) == text


def test_entry_hash_changes_with_every_field() -> None:
    base = (1, T0, "s1", "kind", '{"a":1}', GENESIS_HASH)
    reference = entry_hash(*base)
    variants = [
        (2, T0, "s1", "kind", '{"a":1}', GENESIS_HASH),
        (1, T0 + timedelta(microseconds=1), "s1", "kind", '{"a":1}', GENESIS_HASH),
        (1, T0, None, "kind", '{"a":1}', GENESIS_HASH),
        (1, T0, "s1", "kinds", '{"a":1}', GENESIS_HASH),
        (1, T0, "s1", "kind", '{"a":2}', GENESIS_HASH),
        (1, T0, "s1", "kind", '{"a":1}', "1" * 64),
    ]
    assert len(reference) == 64
    assert all(entry_hash(*v) != reference for v in variants)


def test_entry_hash_does_not_depend_on_the_timezone_a_time_is_written_in() -> None:
    shanghai = T0.astimezone(timezone(timedelta(hours=8)))
    assert entry_hash(1, T0, None, "k", "{}", GENESIS_HASH) == entry_hash(
        1, shanghai, None, "k", "{}", GENESIS_HASH
    )


def test_the_first_entry_links_to_genesis_and_each_next_to_the_one_before() -> None:
    chain = build_chain(3)
    assert chain[0].seq == 1
    assert chain[0].prev_hash == GENESIS_HASH
    assert chain[1].prev_hash == chain[0].hash
    assert chain[2].seq == 3


def test_an_entry_keeps_its_payload_in_canonical_form() -> None:
    entry = next_entry(None, at=T0, session_id=None, kind="k", payload={"amount": Decimal("5.5")})
    assert entry.payload == {"amount": "5.5"}
    assert entry.payload_json == '{"amount":"5.5"}'
    with pytest.raises(TypeError):
        entry.payload["amount"] = "6"  # type: ignore[index]


def test_an_untouched_chain_verifies() -> None:
    chain = build_chain(50)
    result = verify_chain(chain)
    assert result.ok
    assert result.checked == 50
    assert result.first_bad_seq is None
    assert result.problem is None


def test_an_empty_chain_verifies() -> None:
    assert verify_chain([]).ok


def test_verify_chain_reads_a_stream_once() -> None:
    assert verify_chain(iter(build_chain(10))).ok


def test_editing_any_field_of_any_entry_is_detected_and_located() -> None:
    chain = build_chain(50)
    missed: list[tuple[int, str]] = []
    for index, original in enumerate(chain):
        for field, edit in FIELD_EDITS.items():
            tampered = list(chain)
            tampered[index] = dataclasses.replace(original, **{field: edit(original)})
            result = verify_chain(tampered)
            if result.ok or result.first_bad_seq != original.seq:
                missed.append((original.seq, field))
    assert missed == []


def test_deleting_any_entry_but_the_last_is_detected_and_located() -> None:
    chain = build_chain(50)
    for index in range(len(chain) - 1):
        result = verify_chain(chain[:index] + chain[index + 1 :])
        assert not result.ok
        assert result.first_bad_seq == chain[index].seq
        assert result.problem is not None
        assert "missing" in result.problem


def test_deleting_the_last_entry_is_detected_against_a_checkpoint() -> None:
    chain = build_chain(50)
    head = chain[-1].head
    result = verify_chain(chain[:-1], head=head)
    assert not result.ok
    assert result.first_bad_seq == 50
    assert result.problem is not None
    assert "removed from the end" in result.problem


def test_swapping_any_two_neighbouring_entries_is_detected_and_located() -> None:
    chain = build_chain(50)
    for index in range(len(chain) - 1):
        swapped = list(chain)
        swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
        result = verify_chain(swapped)
        assert not result.ok
        assert result.first_bad_seq == chain[index].seq


def test_a_duplicated_entry_is_detected() -> None:
    chain = build_chain(5)
    result = verify_chain([*chain[:3], chain[2], *chain[3:]])
    assert not result.ok
    assert result.first_bad_seq == 4


def test_a_chain_that_does_not_start_at_one_is_detected() -> None:
    chain = build_chain(5)
    result = verify_chain(chain[1:])
    assert not result.ok
    assert result.first_bad_seq == 1


def test_a_rewritten_tail_passes_alone_but_fails_against_a_checkpoint() -> None:
    chain = build_chain(20)
    head = chain[-1].head
    # Rewrite from entry 10 on, recomputing every hash: the chain itself stays consistent.
    rewritten = chain[:9]
    last: ChainHead | None = rewritten[-1].head
    for original in chain[9:]:
        entry = next_entry(
            last,
            at=original.at,
            session_id=original.session_id,
            kind=original.kind,
            payload={**original.payload, "forged": True},
        )
        rewritten.append(entry)
        last = entry.head
    assert verify_chain(rewritten).ok
    result = verify_chain(rewritten, head=head)
    assert not result.ok
    assert result.first_bad_seq == 20


def test_a_checkpoint_in_the_middle_accepts_later_appends() -> None:
    chain = build_chain(20)
    assert verify_chain(chain, head=chain[9].head).ok


def test_checked_counts_entries_up_to_the_first_bad_one() -> None:
    chain = build_chain(10)
    tampered = list(chain)
    tampered[6] = dataclasses.replace(chain[6], kind="edited")
    result = verify_chain(tampered)
    assert result.checked == 7
    assert result.first_bad_seq == 7
