"""The ``lendline`` command line: demo calls, the registry, the SMS outbox, audit checks."""

from __future__ import annotations

import asyncio
import random
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from lendline.cli.audit import audit_app
from lendline.cli.keys import keys_app
from lendline.cli.money import ledger_app, loans_app, payouts_app
from lendline.cli.privacy import dsr_app, retention_app
from lendline.cli.risk import risk_app
from lendline.cli.train import train_app

if TYPE_CHECKING:
    from lendline.bootstrap import App
    from lendline.demo.drive import CallReport

app = typer.Typer(
    help="LendLine: phone loans end to end.",
    no_args_is_help=True,
    # A traceback's local variables are a caller's name, ID number or code as often as not.
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="The database.")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(payouts_app, name="payouts")
app.add_typer(loans_app, name="loans")
app.add_typer(ledger_app, name="ledger")
app.add_typer(dsr_app, name="dsr")
app.add_typer(retention_app, name="retention")
app.add_typer(risk_app, name="risk")
app.add_typer(train_app, name="train")
console = Console()


@app.callback()
def _setup_logging() -> None:
    # Before any command runs: every log line of the process goes through the masking.
    from lendline.config import Settings
    from lendline.logs import setup_logging

    settings = Settings()
    setup_logging(settings.logging, settings.data_dir)


def _app() -> App:
    from lendline.bootstrap import bootstrap

    return bootstrap()


@app.command()
def demo(
    lang: str = typer.Option("zh", "--lang", help="Call language: zh (Mandarin) or en (English)."),
    scenario: str = typer.Option("happy", help="Borrower scenario to play."),
    realtime: bool = typer.Option(False, help="Send the borrower's speech in real time."),
    seed: int | None = typer.Option(
        24, help="Seed for the security-question draw, so the demo is repeatable (none: random)."
    ),
    in_place: bool = typer.Option(
        False,
        "--in-place",
        help="Keep the call's records where the settings say, not in a new run directory "
        "(the fraud rules then refer a second demo of the same borrower for velocity).",
    ),
) -> None:
    """Place a whole loan call from a synthesized borrower through the real speech engines.

    Each run keeps its records in a directory of its own under ``<data dir>/demo-runs``, so
    every run shows the whole loan and the earlier ones can still be inspected.
    """
    if lang not in ("zh", "en"):
        raise typer.BadParameter("--lang must be zh or en")
    from lendline.demo.borrowers import SCENARIOS
    from lendline.demo.borrowers import scenario as make_scenario

    if scenario not in SCENARIOS:
        raise typer.BadParameter(f"--scenario must be one of {', '.join(SCENARIOS)}")
    from lendline.bootstrap import bootstrap
    from lendline.config import Settings
    from lendline.demo.runs import demo_run_settings, inspect_hint

    settings = Settings() if in_place else demo_run_settings(Settings(), lang)
    application = bootstrap(settings)
    application.load_demo_customers()
    if seed is not None:
        application.desk.rng = random.Random(seed)
    persona = make_scenario(scenario, lang)
    with console.status("Loading the offline speech engines (Whisper, voices)..."):
        speech = application.speech
        speech.stt.warm_up()

    def show(role: str, text: str) -> None:
        from rich.markup import escape

        from lendline.shared.redaction import redact
        from lendline.shared.sensitive_values import SENSITIVE

        style = "bold cyan" if role == "agent" else "bold green"
        who = "LendLine" if role == "agent" else "Borrower"
        # The screen is output like a log: personal values are masked here too.
        console.print(f"[{style}]{who:>8}[/] {escape(redact(text, SENSITIVE.values()))}")

    from lendline.demo.drive import call_by_voice

    console.rule(f"Demo call ({lang}, {persona.name})")
    report = asyncio.run(call_by_voice(application, persona, realtime=realtime, listener=show))
    console.rule("Result")
    _print_result(application, report)
    if not in_place:
        console.print(
            f"This run's records: {settings.data_dir} (inspect: {inspect_hint(settings)})"
        )
    # Any ending the script can reach on purpose is a successful demo; a hand-off or a
    # dropped line means the call did not go through.
    if report.state.status.value in ("handed_off", "dropped", "active"):
        raise typer.Exit(1)


def _print_books(application: App, reference: str) -> None:
    """Show where the loan stands on the ledger and whether it agrees with the bank."""
    from lendline.service_layer.loan_book import LoanBook
    from lendline.shared.errors import NotFound

    book = LoanBook(application.engine, application.clock)
    try:
        position = book.position(reference)
    except NotFound:
        return  # not booked: declined, referred or not signed
    check = book.reconcile(application.desk.rail)
    console.print(
        f"Ledger: principal owed {position.principal_outstanding}, payout not yet made "
        f"{position.payout_owed}; books {'match the bank' if check.balanced else 'DO NOT match'}"
    )


def _print_evidence(application: App, reference: str) -> None:
    """Sign the audit log, export the call's evidence and check it as an outsider would."""
    import subprocess
    import sys

    trail = application.audit
    verdict = trail.verify()
    directory = application.settings.data_dir / "evidence" / reference
    bundle = trail.export(reference, directory)
    checked = subprocess.run(
        [sys.executable, "-I", "verify_evidence.py", "evidence.json", "--public-key",
         trail.public_key.hex()],
        cwd=bundle.directory, capture_output=True, text=True, check=False,
    )  # fmt: skip
    state = "[green]verified[/]" if verdict.ok else f"[red]BROKEN: {verdict.problem}[/]"
    console.print(
        f"Audit log: {verdict.checked} entries {state}; signed head at {bundle.head.head.size} "
        f"(key {trail.key_id}); evidence for {reference}: {bundle.events} events in "
        f"{bundle.directory}, offline check: "
        + ("[green]OK[/]" if checked.returncode == 0 else f"[red]{checked.stdout.strip()}[/]")
    )


def _print_result(application: App, report: CallReport) -> None:
    from lendline.lending.offer import make_offer
    from lendline.shared.money import Money

    state = report.state
    console.print(
        f"Status: [bold]{state.status.value}[/]   Reference: [bold]{state.reference or '-'}[/]"
    )
    if state.flags:
        console.print(f"Review flags: {', '.join(state.flags)}")
    slots = state.slots
    if "offer_amount" in slots:
        offer = make_offer(
            application.desk.product, Money.of(slots["offer_amount"]), int(slots["offer_term"])
        )
        console.print(
            f"Offer: {offer.amount} over {offer.term_months} months, "
            f"APR {offer.rates.apr * 100:.4f}% (IRR), effective "
            f"{offer.rates.effective * 100:.4f}%, first payment {offer.monthly_payment}, "
            f"total {offer.total_repayment}"
        )
        method = (
            "equal installments"
            if offer.method.value == "equal_installment"
            else ("equal principal")
        )
        table = Table(title=f"Repayment schedule ({method})")
        for column in ("No.", "Payment", "Principal", "Interest", "Balance"):
            table.add_column(column, justify="right")
        for item in offer.schedule.installments:
            table.add_row(
                str(item.period),
                f"{item.payment.amount:,.2f}",
                f"{item.principal.amount:,.2f}",
                f"{item.interest.amount:,.2f}",
                f"{item.balance_after.amount:,.2f}",
            )
        console.print(table)
    if state.reference:
        _print_books(application, state.reference)
        _print_evidence(application, state.reference)
    context = report.context
    if context is not None:
        latencies = [t.voice_to_voice for t in context.turn_metrics if t.voice_to_voice is not None]
        if latencies:
            console.print(
                f"Voice-to-voice latency: median {statistics.median(latencies):.2f}s over "
                f"{len(latencies)} turns; call took {report.seconds:.0f}s"
            )
        speech = sum(s for _, s, _ in context.asr_samples)
        spent = sum(c for _, _, c in context.asr_samples)
        if speech:
            console.print(f"Speech recognition real-time factor: {spent / speech:.2f}")


@app.command()
def serve(
    demo_customers: bool = typer.Option(
        False, help="Load the synthetic demo registry first (for trying it out)."
    ),
    seed: int | None = typer.Option(
        None, help="Seed the security-question draw (tests and demos only; default: random)."
    ),
) -> None:
    """Answer phone calls: SIP, media-stream WebSockets and AudioSocket, as configured."""
    from lendline.server.run import serve as run_server

    application = _app()
    if demo_customers:
        application.load_demo_customers()
    try:
        asyncio.run(run_server(application, question_seed=seed))
    except KeyboardInterrupt:
        pass
    finally:
        application.close()


@app.command("load-customers")
def load_customers(path: Path) -> None:
    """Load (upsert) the lender's customer registry from a CSV file."""
    count = _app().load_customers(path)
    console.print(f"Loaded {count} customers.")


@app.command()
def outbox(last: int = typer.Option(10, help="How many messages to show.")) -> None:
    """Show the local SMS outbox (the stand-in for a carrier's SMS network)."""
    from lendline.adapters.sms.outbox import read_outbox
    from lendline.config import Settings

    for message in read_outbox(Settings().sms_outbox)[-last:]:
        console.print(f"{message.sent_at:%Y-%m-%d %H:%M:%S} -> {message.to}: {message.text}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    _app()
    console.print("Database is up to date.")


if __name__ == "__main__":  # pragma: no cover
    app()
