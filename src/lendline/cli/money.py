"""Money commands: the payout relay, the loan book and the ledger's checks."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

payouts_app = typer.Typer(help="Payouts waiting in the outbox, and the relay that sends them.")
loans_app = typer.Typer(help="Booked loans: positions, installments falling due, repayments.")
ledger_app = typer.Typer(help="The double-entry ledger and its reconciliation with the bank.")
console = Console()


@payouts_app.command("drain")
def payouts_drain() -> None:
    """Send every payout that is due to the payment rail (run after a restart, or on a timer)."""
    from lendline.cli.main import _app
    from lendline.persistence.outbox import OutboxMessage
    from lendline.service_layer.disbursements import Disbursements

    application = _app()
    desk = application.desk
    relay = Disbursements(application.engine, desk.rail, application.clock)
    total = relay.pending()
    with Progress(
        TextColumn("[bold]Paying out"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("payouts", total=total)

        def advance(_message: OutboxMessage) -> None:
            progress.advance(task)

        relay.on_attempt = advance
        report = relay.drain()
    console.print(
        f"{report.count('completed')} paid ({report.duplicates} already paid at the bank), "
        f"{report.count('pending')} to retry, {report.count('failed')} refused; "
        f"{relay.pending()} still queued."
    )
    if report.count("failed"):
        raise typer.Exit(1)


@loans_app.command("show")
def loans_show(reference: str) -> None:
    """Show a loan's position, derived from its ledger postings."""
    from lendline.cli.main import _app
    from lendline.service_layer.loan_book import LoanBook
    from lendline.shared.errors import NotFound

    application = _app()
    book = LoanBook(application.engine, application.clock)
    try:
        position = book.position(reference)
        quote = book.quote_payoff(reference)
    except NotFound as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    table = Table(title=f"Loan {reference}")
    table.add_column("")
    table.add_column("CNY", justify="right")
    for label, amount in (
        ("Principal outstanding", position.principal_outstanding),
        ("Principal due", position.principal_due),
        ("Interest due", position.interest_due),
        ("Fees due", position.fees_due),
        ("Payout not yet made", position.payout_owed),
        (f"Repay in full today ({quote.days_accrued} days' interest)", quote.total),
    ):
        table.add_row(label, f"{amount.amount:,.2f}")
    console.print(table)


@loans_app.command("post-due")
def loans_post_due() -> None:
    """The daily job: post every installment that has fallen due (idempotent)."""
    from lendline.cli.main import _app
    from lendline.service_layer.loan_book import LoanBook

    application = _app()
    posted = LoanBook(application.engine, application.clock).post_all_due()
    console.print(f"{posted} installment(s) fell due.")


@ledger_app.command("check")
def ledger_check() -> None:
    """Check the ledger balances and agrees with the bank's books; exit 1 if not."""
    from lendline.cli.main import _app
    from lendline.service_layer.loan_book import LoanBook

    application = _app()
    result = LoanBook(application.engine, application.clock).reconcile(application.desk.rail)
    table = Table(title="Ledger and bank")
    table.add_column("")
    table.add_column("LendLine", justify="right")
    table.add_column("Bank", justify="right")
    table.add_row(
        "Paid out (CNY)",
        f"{result.ledger_paid_out.amount:,.2f}",
        f"{result.rail_paid_out.amount:,.2f}",
    )
    table.add_row("Payouts", str(result.loans_paid), str(result.rail_payouts))
    table.add_row("Debits = credits (CNY)", f"{result.debits.amount:,.2f}", "")
    console.print(table)
    for label, refs in (
        ("Paid on the ledger, unknown to the bank", result.missing_at_rail),
        ("Paid by the bank, not yet on the ledger (run payouts drain)", result.unknown_to_ledger),
        ("Paid more than once", result.paid_more_than_once),
    ):
        if refs:
            console.print(f"[red]{label}[/]: {', '.join(refs)}")
    if result.balanced:
        console.print("[green]Balanced[/]: the ledger balances and matches the bank.")
        return
    raise typer.Exit(1)
