"""Tampering with the stored audit log: every byte of every row, every deletion, every swap.

An intruder with full rights on the database file drops the append-only triggers and then
changes one character of one column of one row, deletes one row, or swaps two neighbouring
rows. Each alteration is made on its own (and undone before the next); after each,
``AuditTrail.verify`` must fail *and name the row*: the entry's sequence number for the log,
the (level, index) for a tree node, the tree size for a signed head. The test counts every
alteration and requires 100 % of them to be detected and located.

Alterations the database itself refuses (a changed key that collides with another row, a
value a CHECK constraint rejects) are counted separately: they never reach the log.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lendline.adapters.keys.ed25519 import Ed25519HeadSigner, verify_ed25519
from lendline.persistence.db import make_engine, upgrade
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.audit_trail import AuditTrail
from lendline.shared.clock import ManualClock

pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 29, 1, 2, 3, 456789, tzinfo=UTC)
SIGNER = Ed25519HeadSigner(bytes(range(32, 64)))

#: (table, key columns, columns an intruder can change)
TABLES = (
    ("audit_log", ("seq",), ("seq", "at", "session_id", "kind", "payload", "prev_hash", "hash")),
    ("audit_tree_nodes", ("level", "idx"), ("level", "idx", "hash")),
    (
        "audit_tree_heads",
        ("tree_size",),
        ("tree_size", "root_hash", "timestamp_ms", "key_id", "signature"),
    ),
)


@dataclass
class Row:
    table: str
    key: dict[str, object]
    values: dict[str, object]

    def expected_location(self) -> tuple[int | None, str]:
        """The sequence number and/or text a verifier must name for this row."""
        if self.table == "audit_log":
            return int(str(self.key["seq"])), ""
        if self.table == "audit_tree_nodes":
            level, idx = int(str(self.key["level"])), int(str(self.key["idx"]))
            return (idx << level) + 1, f"level {level} index {idx}"
        return None, f"tree_size {self.key['tree_size']}"


def build_log(path: Path) -> tuple[Engine, AuditTrail]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    clock = ManualClock(T0)
    trail = AuditTrail(engine, SIGNER, verify_ed25519, path.parent / "heads", clock=clock)
    turns = [
        ("call.turn", {"turn": 1, "step": "consent", "prompt_version": "zh-2026.11.2"}),
        ("consent.recorded", {"kind": "general", "granted": True, "audio_offset_ms": 9554}),
        ("identity.security_question", {"kind": "employer", "passed": True}),
        ("decision.made", {"outcome": "approve", "apr": "0.108", "reasons": ["R0", "说明"]}),
    ]
    for i in range(12):
        kind, payload = turns[i % len(turns)]
        with SqlUnitOfWork(engine, clock) as uow:
            uow.audit.append(kind, f"session-{i % 3}" if i % 5 else None, {**payload, "i": i})
            uow.commit()
        clock.advance(timedelta(milliseconds=1234))
        if (i + 1) % 4 == 0:
            trail.publish()
    assert trail.verify().ok
    return engine, trail


def rows(db: sqlite3.Connection) -> Iterator[Row]:
    for table, keys, columns in TABLES:
        cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table}")
        for record in cursor.fetchall():
            values = dict(zip(columns, record, strict=True))
            yield Row(table, {k: values[k] for k in keys}, values)


def one_character_changes(value: object) -> Iterator[object]:
    """Every value that differs from ``value`` in exactly one character (or digit)."""
    if value is None:
        return
    if isinstance(value, int):
        text = str(value)
        for i, char in enumerate(text):
            swapped = "1" if char != "1" else "2"
            yield int(text[:i] + swapped + text[i + 1 :])
        return
    text = str(value)
    for i, char in enumerate(text):
        if char in "0123456789abcdef":
            # Another valid hex digit: the alteration that keeps the value well-formed.
            replacement = "0123456789abcdef"[("0123456789abcdef".index(char) + 1) % 16]
        elif char.isalpha() and char.isascii():
            replacement = "x" if char != "x" else "y"
        elif char.isascii():
            replacement = "0" if char != "0" else "1"
        else:
            replacement = "另" if char != "另" else "一"
        yield text[:i] + replacement + text[i + 1 :]
    # Upper-case hex digits parse to the same bytes: they must still count as a change.
    for i, char in enumerate(text):
        if char in "abcdef":
            yield text[:i] + char.upper() + text[i + 1 :]
            break


def where(row: Row) -> tuple[str, list[object]]:
    clause = " AND ".join(f"{k} = ?" for k in row.key)
    return clause, list(row.key.values())


def detected_and_located(trail: AuditTrail, row: Row) -> tuple[bool, str]:
    result = trail.verify()
    if result.ok:
        return False, "not detected"
    seq, text = row.expected_location()
    problem = result.problem or ""
    if row.table == "audit_log":
        located = result.first_bad_seq == seq
    else:
        located = row.table in problem and text in problem
    return located, f"{result.first_bad_seq}: {problem}"


def test_every_change_deletion_and_swap_is_detected_and_located(tmp_path: Path) -> None:
    engine, trail = build_log(tmp_path / "audit.db")
    db = sqlite3.connect(tmp_path / "audit.db", isolation_level=None)
    for table, _, _ in TABLES:
        db.execute(f"DROP TRIGGER {table}_no_update")
        db.execute(f"DROP TRIGGER {table}_no_delete")
    outcomes: Counter[str] = Counter()
    misses: list[str] = []
    stored = list(rows(db))
    assert Counter(r.table for r in stored) == {
        "audit_log": 12,
        "audit_tree_nodes": 12 + 6 + 3 + 1,
        "audit_tree_heads": 3,
    }

    def judge(row: Row, what: str, moved: Row | None = None) -> None:
        located, detail = detected_and_located(trail, row)
        if not located and moved is not None and row.table == "audit_tree_heads":
            # A head whose tree size was edited is named by the size it now claims.
            located, detail = detected_and_located(trail, moved)
        outcomes["located" if located else "missed"] += 1
        if not located:
            misses.append(f"{row.table} {row.key} {what}: {detail}")

    # 1. Every character of every column of every row.
    for row in stored:
        clause, params = where(row)
        for column, original in row.values.items():
            for changed in one_character_changes(original):
                try:
                    db.execute(
                        f"UPDATE {row.table} SET {column} = ? WHERE {clause}", [changed, *params]
                    )
                except sqlite3.IntegrityError:
                    outcomes["refused by the database"] += 1
                    continue
                moved = {**row.key, **({column: changed} if column in row.key else {})}
                judge(row, f"{column} {original!r} -> {changed!r}", Row(row.table, moved, {}))
                back, back_params = where(Row(row.table, moved, {}))
                db.execute(
                    f"UPDATE {row.table} SET {column} = ? WHERE {back}", [original, *back_params]
                )
    assert trail.verify().ok  # everything was put back

    # 2. Every row deleted (and put back).
    for row in stored:
        clause, params = where(row)
        db.execute(f"DELETE FROM {row.table} WHERE {clause}", params)
        judge(row, "deleted")
        columns = ", ".join(row.values)
        marks = ", ".join("?" for _ in row.values)
        db.execute(
            f"INSERT INTO {row.table} ({columns}) VALUES ({marks})", list(row.values.values())
        )
    assert trail.verify().ok

    # 3. Every pair of neighbouring rows swapped: their order (the last key column) traded.
    def swap(table: str, column: str, first: Row, second: Row) -> None:
        a, b = first.key[column], second.key[column]
        fixed = {k: v for k, v in first.key.items() if k != column}
        extra = "".join(f" AND {k} = ?" for k in fixed)
        move = f"UPDATE {table} SET {column} = ? WHERE {column} = ?{extra}"
        for new, old in ((10**9, a), (a, b), (b, 10**9)):
            db.execute(move, [new, old, *fixed.values()])

    for table, keys, _ in TABLES:
        order = keys[-1]
        in_table = [r for r in stored if r.table == table]
        for first, second in itertools.pairwise(in_table):
            if any(first.key[k] != second.key[k] for k in keys[:-1]):
                continue  # only neighbours on the same tree level
            swap(table, order, first, second)
            judge(first, f"swapped with {second.key}")
            swap(table, order, first, second)
    assert trail.verify().ok
    db.close()
    engine.dispose()

    total = outcomes["located"] + outcomes["missed"]
    print(f"\ntamper test: {dict(outcomes)} of {total} alterations that reached the log")
    assert total > 5_000
    assert not misses, f"{len(misses)} of {total} not detected or not located:\n" + "\n".join(
        misses[:20]
    )
