"""Audit commands: verify the log, publish signed heads, check published heads, export evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

audit_app = typer.Typer(help="The tamper-evident audit log (hash chain + RFC 6962 Merkle tree).")
console = Console()


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the chain, the Merkle tree and every signed head; name the first bad row."""
    from lendline.cli.main import _app

    trail = _app().audit
    with console.status("Recomputing the audit log..."):
        result = trail.verify()
    if result.ok:
        latest = trail.latest()
        signed = "no signed head yet" if latest is None else f"signed head at {latest.head.size}"
        console.print(f"[green]Audit log verified[/]: {result.checked} entries, {signed}.")
        return
    console.print(f"[red]Audit log broken[/] at seq {result.first_bad_seq}: {result.problem}")
    raise typer.Exit(1)


@audit_app.command("publish")
def audit_publish() -> None:
    """Sign the log as it stands and publish the head (file and API)."""
    from lendline.audit.tree_head import head_document
    from lendline.cli.main import _app

    trail = _app().audit
    head = trail.publish()
    document = head_document(head)
    console.print(
        f"Signed head: {document['tree_size']} entries, root {document['root_hash']}, "
        f"key {document['key_id']} -> {trail.heads_dir}"
    )


@audit_app.command("check-heads")
def audit_check_heads(
    heads_file: Annotated[
        Path | None,
        typer.Argument(help="A published heads.jsonl (the log's own publication by default)."),
    ] = None,
) -> None:
    """Check published heads: signatures, and that each later head extends the earlier ones."""
    from lendline.cli.main import _app
    from lendline.service_layer.audit_trail import read_published_heads

    trail = _app().audit
    path = heads_file or trail.heads_dir / "heads.jsonl"
    try:
        heads = read_published_heads(path)
    except (OSError, ValueError) as exc:
        console.print(f"[red]Cannot read the published heads[/]: {exc}")
        raise typer.Exit(2) from exc
    problems = trail.check_published(heads)
    if problems:
        for problem in problems:
            console.print(f"[red]{problem}[/]")
        raise typer.Exit(1)
    console.print(
        f"[green]{len(heads)} published heads verified[/]: signed by {trail.key_id}, "
        "each consistent with the one before and with the log today."
    )


@audit_app.command("export")
def audit_export(
    reference: str,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory to write (evidence-REF by default).")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only events of this kind (repeat); a receipt for one step."),
    ] = None,
) -> None:
    """Write one loan's evidence bundle: events, proofs, signed head, key, offline verifier."""
    from lendline.cli.main import _app
    from lendline.service_layer.audit_trail import NoSuchLoan

    trail = _app().audit
    directory = out or Path(f"evidence-{reference}")
    try:
        bundle = trail.export(reference, directory, kinds=kind or None)
    except NoSuchLoan as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    table = Table(title=f"Evidence for {reference}")
    table.add_column("file")
    table.add_column("what")
    table.add_row(str(bundle.evidence), f"{bundle.events} events with inclusion proofs")
    table.add_row(str(directory / "verify_evidence.py"), "standalone verifier")
    console.print(table)
    console.print(
        f"Signed head: {bundle.head.head.size} entries. Check offline with: "
        f"python {directory / 'verify_evidence.py'} {bundle.evidence} "
        f"--public-key {trail.public_key.hex()}"
    )
