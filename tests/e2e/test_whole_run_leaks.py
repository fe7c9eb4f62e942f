"""The leak test of the whole run: what every test stored holds no personal value in clear.

It runs after every other test of the session (marker ``after_all``) and searches what the
run left behind, and what the runs named with ``--also-scan`` left (``scripts/test`` runs the
speech suite first, spread over workers):

* every database file (SQLite with its WAL and journal), recording, contract and log file in
  the session's temporary directory, where every test keeps its data;
* the masked log of the whole test process (every test logs through LendLine's pipeline) and
  the log files of the commands and servers the tests started;
* the session's PostgreSQL database (every table, as text), and each PostgreSQL schema the
  persistence tests used, searched just before its fixture dropped it.

The values searched are the personal values the tests use: every customer of the demo
registry (name, resident ID, mobile, account number), every valid resident ID, mobile-shaped
number and full name written in the tests and the demo borrowers, and every one-time code the
simulated carrier delivered (codes are searched in the files of the test that sent them and
in the shared PostgreSQL database). Forms and encodings: see ``tests/leak_scan.py``.

Not searched: what stands for the world outside LendLine (``leak_scan.OUTSIDE_WORLD``: the
simulated carrier's outbox, the simulated bank's database, the log of the SIP phone a test
calls from, whose address is the caller's own number), access exports handed to the person,
and files a test wrote itself as input (rendered borrower speech, registry files), which are
not stored data.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from leak_scan import (
    SCHEMA_SCANS,
    Finding,
    Scanner,
    codes_sent,
    postgres_tables,
    stored_files,
    suite_needles,
    suite_sources,
)

pytestmark = [pytest.mark.after_all]

#: Fewer selected tests than this and the run was not the suite: nothing to judge.
MIN_TESTS_BEFORE = 200


def _report(findings: list[Finding], places: int) -> str:
    by_place = Counter(f.where for f in findings)
    lines = [f"{len(findings)} personal values in clear in {len(by_place)} of {places} places:"]
    lines += [f"  {where}: {count}" for where, count in by_place.most_common(40)]
    lines += [str(finding) for finding in findings[:60]]
    return "\n".join(lines)


def _test_dir(root: Path, path: Path) -> Path:
    """The directory of the test that stored ``path`` (under a worker's own directory when
    the run was spread over workers)."""
    parts = path.relative_to(root).parts
    depth = 2 if parts[0].startswith("popen-gw") and len(parts) > 2 else 1
    return root.joinpath(*parts[:depth])


def test_the_whole_run_left_no_personal_value_in_clear(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if len(request.session.items) < MIN_TESTS_BEFORE:
        pytest.skip("searches what the rest of the suite stored: run it with the whole suite")
    roots = [tmp_path_factory.getbasetemp(), *request.config.getoption("also_scan")]
    for root in roots:
        assert root.is_dir(), f"no run to search at {root}"
    needles = tuple(suite_needles(suite_sources()))
    assert len(needles) >= 20, "the suite's personal values were not found"

    findings: list[Finding] = []
    files: list[Path] = []
    all_codes = []
    for root in roots:
        by_test: dict[Path, list[Path]] = {}
        for path in stored_files(root):
            files.append(path)
            by_test.setdefault(_test_dir(root, path), []).append(path)
        for test_dir, paths in by_test.items():
            codes = [
                code for outbox in test_dir.rglob("sms-outbox.jsonl") for code in codes_sent(outbox)
            ]
            all_codes += codes
            scanner = Scanner(needles + tuple(codes))
            for path in paths:
                findings += scanner.scan(str(path.relative_to(root.parent)), path.read_bytes())

    kinds = Counter(
        "log" if ".log" in path.name else "database" if ".db" in path.name else "recording/contract"
        for path in files
    )
    assert kinds["database"] >= 100 and kinds["log"] >= 1, f"too little to search: {kinds}"
    assert all_codes, "no one-time code was delivered in the whole run"

    postgres = request.getfixturevalue("postgres_url")
    engine = create_engine(postgres)
    try:
        with engine.connect() as connection:
            tables = postgres_tables(connection, "public")
    finally:
        engine.dispose()
    scanner = Scanner(needles + tuple(all_codes))
    for where, data in tables.items():
        findings += scanner.scan(f"session database {where}", data)
    findings += SCHEMA_SCANS.findings

    places = len(files) + len(tables) + SCHEMA_SCANS.scanned
    print(
        f"searched {len(files)} files ({dict(kinds)}), {len(tables)} tables of the session "
        f"database and {SCHEMA_SCANS.scanned} test schemas for {len(needles)} values and "
        f"{len(all_codes)} one-time codes"
    )
    assert not findings, _report(findings, places)
