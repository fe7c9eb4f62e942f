"""Concurrent real-time SIP calls: how many this machine carries, and what each call costs.

``lendline serve`` runs as its own process; N baresip phones (real SIP/RTP over 127.0.0.1)
call it at once and each plays the first turns of the English borrower from the committed
recordings (language, consents, name, ID number and mobile with their read-backs), then hangs
up. For every
caller turn the phone measures what the borrower experiences: from the end of their speech
to the first packet of the agent's reply (voice to voice, through VAD, Smart Turn, Whisper,
the dialog and the voice, plus both jitter buffers). Per level it prints p50/p95/max, the
server's CPU seconds and peak memory per call, and whether p95 stays within the 1.2 s target.

Recognition set-ups are compared in the same run with ``--asr WORKERSxTHREADS`` (repeatable):
``1x2`` is one recognition at a time on two threads (concurrent calls queue on the model),
``2x1`` two at once on one thread each. Each set-up gets its own server.

Baseline, in the same run: one call alone (N = 1) on the first set-up; every row is compared
with it. Usage: ``python bench/sip_capacity.py [--levels 1,2,3,4] [--asr 1x2 --asr 2x1]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import tempfile
import time
import wave
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from telephony.baresip import Baresip  # noqa: E402
from telephony.fixtures import fixture_for  # noqa: E402
from telephony.server import ServedLendLine, start_server  # noqa: E402

TARGET_P95 = 1.2
ANSWERS = [
    "English, please.",
    "Yes, I agree.",
    "Yes, I agree.",
    "My name is Li Hua, L I, H U A.",
    "three one zero one zero four, one nine nine zero, zero five two one, two three zero seven",
    "Yes, that's correct.",
    "one three nine, eight seven six five, four three two one",
    "Yes, that's right.",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / 100.0


def proc_peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_caller(server: ServedLendLine, home: Path, user: str) -> list[float]:
    """Place one call, answer the first turns, return voice-to-voice latencies (s)."""
    phone = Baresip(home, user=user)
    latencies: list[float] = []
    try:
        phone.dial(f"sip:loans@127.0.0.1:{server.sip_port}")
        size = phone.wait_until_quiet(1.2, 120, 0)
        for answer in ANSWERS:
            wav = fixture_for(answer)
            phone.say(wav)
            speech_end = time.monotonic() + wav_seconds(wav)
            time.sleep(max(0.0, speech_end - time.monotonic()))
            size = phone.heard_bytes()
            deadline = time.monotonic() + 30
            while phone.heard_bytes() == size and time.monotonic() < deadline:
                time.sleep(0.01)
            if phone.heard_bytes() == size:
                break  # no reply: counted by the missing latency
            latencies.append(time.monotonic() - speech_end)
            size = phone.wait_until_quiet(1.2, 120, size)
        phone.hang_up()
        time.sleep(0.5)
    finally:
        phone.stop()
    return latencies


def run_level(server: ServedLendLine, work: Path, calls: int, level: int) -> dict[str, float]:
    cpu_before = proc_cpu_seconds(server.process.pid)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=calls) as pool:
        futures = [
            pool.submit(one_caller, server, work / f"n{calls}-{i}", f"1860000{level:02d}{i:02d}")
            for i in range(calls)
        ]
        results = [future.result() for future in futures]
    wall = time.monotonic() - started
    cpu = proc_cpu_seconds(server.process.pid) - cpu_before
    latencies = [value for result in results for value in result]
    expected = calls * len(ANSWERS)
    return {
        "calls": calls,
        "turns": len(latencies),
        "missed": expected - len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies) if latencies else float("nan"),
        "cpu_per_call": cpu / calls,
        "cpu_share": cpu / wall / 2,  # of the machine's two cores
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,3,4", help="concurrent calls per level")
    parser.add_argument(
        "--asr", action="append", help="recognition WORKERSxTHREADS (repeatable; default 1x2)"
    )
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    setups = args.asr or ["1x2"]
    console = Console()
    rows = []
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with Progress(console=console) as progress:
            task = progress.add_task("concurrent calls", total=len(levels) * len(setups))
            for setup_index, setup in enumerate(setups):
                workers, _, threads = setup.partition("x")
                env = {
                    "LENDLINE_SPEECH__ASR_WORKERS": workers,
                    "LENDLINE_SPEECH__ASR_THREADS": threads,
                }
                progress.update(task, description=f"starting the server for ASR {setup}")
                server = start_server(
                    work / f"server-{setup}", max_calls=max(levels), extra_env=env
                )
                try:
                    for index, calls in enumerate(levels):
                        progress.update(task, description=f"ASR {setup}, {calls} calls")
                        row = run_level(server, work, calls, 10 * setup_index + index)
                        rows.append({**row, "asr": setup})
                        progress.advance(task)
                    peaks[setup] = proc_peak_rss_mib(server.process.pid)
                finally:
                    server.stop()
    base = rows[0]
    table = Table(title="Concurrent SIP calls: voice-to-voice latency per caller turn")
    for column in [
        "ASR workers x threads",
        "calls",
        "turns (missed)",
        "p50 s",
        "p95 s",
        "max s",
        "p95 vs 1 call",
        "server CPU s/call",
        "CPU load",
        f"p95 <= {TARGET_P95} s",
    ]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            str(row["asr"]),
            f"{row['calls']:.0f}" + (" (baseline)" if row is base else ""),
            f"{row['turns']:.0f} ({row['missed']:.0f})",
            f"{row['p50']:.2f}",
            f"{row['p95']:.2f}",
            f"{row['max']:.2f}",
            f"x{row['p95'] / base['p95']:.2f}",
            f"{row['cpu_per_call']:.1f}",
            f"{100 * row['cpu_share']:.0f}%",
            "yes" if row["p95"] <= TARGET_P95 else "no",
        )
    console.print(table)
    for setup in setups:
        within = [
            row["calls"]
            for row in rows
            if row["asr"] == setup and row["p95"] <= TARGET_P95 and not row["missed"]
        ]
        console.print(
            f"ASR {setup}: server peak memory (RSS) {peaks[setup]:,.0f} MiB for up to "
            f"{max(levels)} calls at once; most concurrent calls with p95 within target: "
            + (f"{max(within):.0f}" if within else "none")
        )


if __name__ == "__main__":
    main()
