"""``lendline keys``: rotate the key-encryption key of personal data without downtime.

``rotate`` re-wraps every subject's data key under the new current KEK in short batches
while the service keeps answering calls (it unwraps with whichever KEK a key names). With
the local key file it first adds a fresh KEK and makes it current; with configured KEKs
(``LENDLINE_KEYS__KEKS``, ``LENDLINE_KEYS__CURRENT_KEK``) set the new one current first.
Old KEKs stay in the keyring until no key uses them; ``--retire`` then removes them from
the local key file.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

keys_app = typer.Typer(help="Keys protecting personal data at rest.", no_args_is_help=True)


@keys_app.command("rotate")
def rotate(
    batch: int = typer.Option(200, help="Keys re-wrapped per transaction."),
    retire: bool = typer.Option(False, help="Drop old KEKs from the local key file after."),
) -> None:
    """Re-wrap every subject key under the current KEK (a new one, with the local key file)."""
    from lendline.bootstrap import personal_data_keys
    from lendline.config import Settings
    from lendline.persistence.db import make_engine, upgrade
    from lendline.persistence.subject_keys import KeyFile, pending_rewrap, rewrap_all

    console = Console()
    settings = Settings()
    engine = make_engine(settings.database.url)
    try:
        upgrade(engine)
        key_file = None
        if not settings.keys.keks:
            key_file = KeyFile(
                settings.keys.key_file or settings.data_dir / "keys" / "personal-data-keys.json"
            )
            new_id = key_file.add_kek()
            console.print(f"new KEK [bold]{new_id}[/bold] added to the local key file")
        keys = personal_data_keys(settings)
        total = pending_rewrap(engine, keys.keyring.current)
        with Progress(
            TextColumn("re-wrapping data keys"), BarColumn(), MofNCompleteColumn(), console=console
        ) as progress:
            task = progress.add_task("rewrap", total=total)
            report = rewrap_all(
                engine, keys, batch_size=batch, on_batch=lambda n: progress.advance(task, n)
            )
        console.print(
            f"{report.rewrapped} key(s) now under KEK {report.current}; "
            f"{report.remaining} still under an older KEK"
        )
        if report.remaining:
            console.print("keys were added meanwhile under an older KEK: run rotate again")
        if retire and key_file is not None and not report.remaining and report.old_keks:
            key_file.retire(set(report.old_keks))
            console.print(f"retired KEK(s): {', '.join(sorted(report.old_keks))}")
    finally:
        engine.dispose()
