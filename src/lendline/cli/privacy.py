"""Privacy commands: data-subject requests, legal holds, consent withdrawal, retention.

``lendline dsr access|correct|delete|explain|hold|release|withdraw-consent`` and
``lendline retention run [--dry-run]``. Every command names the operator (``--operator``):
the service records it on the request and in the audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from lendline.service_layer.data_subjects import DataSubjectService

dsr_app = typer.Typer(help="Data-subject requests (PIPL Art. 44-50), legal holds, consent.")
retention_app = typer.Typer(help="Retention: erase data whose retention period has run out.")
console = Console()

OUT = typer.Option(Path("dsr-exports"), "--out", help="Where the export goes.")
FIELD_VALUES = typer.Argument(..., help="Corrections as field=value.")
OPERATOR = typer.Option(..., "--operator", help="Who handles the request (recorded and audited).")


def _service() -> DataSubjectService:
    from lendline.bootstrap import data_subject_service
    from lendline.cli.main import _app

    return data_subject_service(_app())


def _customer(service: DataSubjectService, customer_id: str | None, id_number: str | None) -> str:
    if (customer_id is None) == (id_number is None):
        raise typer.BadParameter("give exactly one of --customer and --id-number")
    return customer_id if customer_id is not None else service.customer_id_for(id_number or "")


@dsr_app.command("access")
def dsr_access(
    id_number: str = typer.Option(..., "--id-number", help="The person's resident ID number."),
    out: Path = OUT,
    zip_it: bool = typer.Option(False, "--zip", help="Also pack the export into a zip file."),
    purpose: str = typer.Option("data-subject access request (PIPL Art. 45)", "--purpose"),
    operator: str = OPERATOR,
) -> None:
    """Export everything held on a person (JSON document and call recordings)."""
    export = _service().access(id_number, operator, out, purpose=purpose, make_zip=zip_it)
    console.print(
        f"Request {export.request_id}: exported to {export.directory} "
        f"({len(export.recordings)} recording(s))"
        + (f", zip {export.archive}" if export.archive else "")
    )


@dsr_app.command("correct")
def dsr_correct(
    field_values: list[str] = FIELD_VALUES,
    customer_id: str | None = typer.Option(None, "--customer"),
    id_number: str | None = typer.Option(None, "--id-number"),
    operator: str = OPERATOR,
) -> None:
    """Correct registry fields (name, mobile, city, employer, bank, account)."""
    changes: dict[str, str] = {}
    for item in field_values:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r} is not field=value")
        changes[name.strip()] = value
    service = _service()
    result = service.correct(_customer(service, customer_id, id_number), changes, operator)
    console.print(f"Request {result.request_id}: changed {', '.join(result.changed) or 'nothing'}")


@dsr_app.command("delete")
def dsr_delete(
    customer_id: str | None = typer.Option(None, "--customer"),
    id_number: str | None = typer.Option(None, "--id-number"),
    operator: str = OPERATOR,
) -> None:
    """Erase a person's data (crypto-shredding) unless retention or a legal hold forbids it."""
    service = _service()
    result = service.delete(_customer(service, customer_id, id_number), operator)
    verdict = result.verdict
    if result.erased:
        console.print(
            f"Request {result.request_id}: erased ({len(result.subjects)} key(s) shredded)"
        )
        return
    until = f" until {verdict.keep_until:%Y-%m-%d}" if verdict.keep_until else ""
    console.print(f"Request {result.request_id}: [bold red]refused[/] ({verdict.code}){until}")
    console.print(f"  {verdict.reason_zh}\n  {verdict.reason_en}")
    raise typer.Exit(2)


@dsr_app.command("explain")
def dsr_explain(
    customer_id: str | None = typer.Option(None, "--customer"),
    id_number: str | None = typer.Option(None, "--id-number"),
    reference: str | None = typer.Option(None, "--reference", help="One application only."),
    operator: str = OPERATOR,
) -> None:
    """Explain a person's automated credit decisions (PIPL Art. 24)."""
    service = _service()
    customer = _customer(service, customer_id, id_number)
    for item in service.explain(customer, operator, reference):
        table = Table(title=f"{item.reference}: {item.decision} ({item.decided_at:%Y-%m-%d})")
        table.add_column("code")
        table.add_column("原因")
        table.add_column("reason")
        for reason in item.reasons:
            table.add_row(reason.code, reason.zh, reason.en)
        console.print(table)
        models = ", ".join(f"{k} {v}" for k, v in item.model_versions.items()) or "none"
        console.print(f"Policy {item.policy_version or '-'}; statistical models: {models}")
        console.print(f"{item.human_review[0]}\n{item.human_review[1]}")


@dsr_app.command("hold")
def dsr_hold(
    subject: str = typer.Argument(..., help="customer:<id> or session:<id>"),
    reason: str = typer.Option(..., "--reason", help="Case, regulator's letter..."),
    operator: str = OPERATOR,
) -> None:
    """Place a legal hold: the subject's data are kept and cannot be erased."""
    hold = _service().place_hold(subject, reason, operator)
    console.print(f"Legal hold {hold.id} placed on {hold.subject}")


@dsr_app.command("release")
def dsr_release(hold_id: int = typer.Argument(...), operator: str = OPERATOR) -> None:
    """Release a legal hold."""
    hold = _service().release_hold(hold_id, operator)
    console.print(f"Legal hold {hold.id} on {hold.subject} released")


@dsr_app.command("withdraw-consent")
def dsr_withdraw_consent(
    kind: str = typer.Argument(..., help="marketing, general, sensitive, credit_check..."),
    customer_id: str | None = typer.Option(None, "--customer"),
    id_number: str | None = typer.Option(None, "--id-number"),
    operator: str = OPERATOR,
) -> None:
    """Record a consent withdrawal and show what stops because of it (PIPL Art. 15)."""
    service = _service()
    row = service.withdraw_consent(_customer(service, customer_id, id_number), kind, operator)
    console.print(
        f"Consent '{row.kind}' withdrawn at {row.withdrawn_at:%Y-%m-%d %H:%M} UTC; stops:"
    )
    for item in row.stops:
        console.print(f"  - {item}")


@retention_app.command("run")
def retention_run(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be erased; change nothing."
    ),
) -> None:
    """Erase every subject whose retention has run out and that no legal hold keeps."""
    from lendline.compliance.retention import RetentionVerdict

    service = _service()
    with console.status("Assessing retention..."):
        total = len(service.retention_candidates())
    with Progress(
        TextColumn("[bold]Retention" + (" (dry run)" if dry_run else "")),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("subjects", total=total)

        def advance(_verdict: RetentionVerdict) -> None:
            progress.advance(task)

        report = service.run_retention(dry_run=dry_run, on_subject=advance)
    table = Table(title="Would be erased" if dry_run else "Erased")
    table.add_column("subject")
    for subject in report.erased:
        table.add_row(subject)
    console.print(table)
    kept = len(report.assessed) - len(report.erased)
    console.print(f"{len(report.erased)} {'would go' if dry_run else 'erased'}, {kept} kept.")
