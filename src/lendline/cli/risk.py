"""Risk officers' commands: the after-the-fact review and the alert queue.

``lendline risk review [--days N]`` runs every after-the-fact job and prints its figures;
``lendline risk alerts [--level warn]`` lists the open queue; ``lendline risk ack ID`` and
``lendline risk close ID`` handle an alert (the operator is recorded in the audit log).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from lendline.service_layer.alerts import AlertDesk

risk_app = typer.Typer(help="Risk review jobs and the alert queue.")
console = Console()

OPERATOR = typer.Option(..., "--operator", help="Who handles the alert (audited).")
_LEVEL_STYLE = {"info": "dim", "warn": "yellow", "critical": "bold red"}


def _alert_desk() -> AlertDesk:
    from lendline.cli.main import _app
    from lendline.service_layer.alerts import AlertDesk

    application = _app()
    return AlertDesk(application.engine, application.clock)


@risk_app.command("review")
def risk_review(
    days: int = typer.Option(7, "--days", min=1, help="The window reviewed, in days."),
) -> None:
    """Run the after-the-fact jobs (rates, early defaults, drift, re-scoring, rings)."""
    from lendline.cli.main import _app
    from lendline.service_layer.risk_review import RiskReview

    application = _app()
    review = RiskReview(application.engine, application.clock, _alert_desk())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("Reviewing", total=len(review.job_names))

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"Reviewed {name}")

        report = review.run(timedelta(days=days), progress=step)
    table = Table(title=f"Risk review of the last {days} day(s)")
    table.add_column("Job")
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    for job, figures in report.figures.items():
        for name, value in figures.items():
            table.add_row(job, name, value)
    console.print(table)
    console.print(f"{len(report.alerts)} alert(s) raised.")


@risk_app.command("alerts")
def risk_alerts(
    level: str = typer.Option("info", "--level", help="Lowest level shown: info, warn, critical."),
) -> None:
    """List the open alerts, most severe first."""
    from lendline.risk.alerts import AlertLevel

    try:
        lowest = AlertLevel(level)
    except ValueError as exc:
        raise typer.BadParameter("the level is info, warn or critical") from exc
    queue = _alert_desk().queue(min_level=lowest)
    table = Table(title=f"Open alerts ({len(queue)})")
    for column in ("Id", "Level", "Code", "Raised (UTC)", "Session", "Reference", "Reasons"):
        table.add_column(column)
    for item in queue:
        alert = item.alert
        table.add_row(
            str(item.alert_id),
            f"[{_LEVEL_STYLE[alert.level.value]}]{alert.level.value}[/]",
            alert.code,
            alert.raised_at.strftime("%Y-%m-%d %H:%M:%S"),
            alert.session_id or "-",
            alert.reference or "-",
            ", ".join(alert.reasons),
        )
    console.print(table)


def _handle(alert_id: int, status: str, operator: str) -> None:
    from lendline.risk.alerts import AlertStatus

    try:
        handled = _alert_desk().handle(alert_id, AlertStatus(status), operator)
    except (LookupError, ValueError) as exc:  # no such alert; already closed
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Alert {handled.alert_id} {handled.status.value} by {operator}.")


@risk_app.command("ack")
def risk_ack(alert_id: int, operator: str = OPERATOR) -> None:
    """Acknowledge an alert (someone is looking at it)."""
    _handle(alert_id, "acknowledged", operator)


@risk_app.command("close")
def risk_close(alert_id: int, operator: str = OPERATOR) -> None:
    """Close an alert (it has been dealt with)."""
    _handle(alert_id, "closed", operator)
