"""``lendline train fraud``: generate the data, train, calibrate and export the fraud model.

Needs the ``train`` extra. Writes the model JSON the risk core loads (by default into the
package, ``lendline/data/models/fraud_model.json``) and the reliability plot for the model
card, then prints the held-out figures. ``lendline.cli.train`` registers it on the
training command group.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()

ROWS = typer.Option(40_000, "--rows", min=2_000, help="Generated applications.")
SEED = typer.Option(20261201, "--seed", help="The generator's seed.")
OUTPUT = typer.Option(None, "--output", help="Model JSON path (default: the package's models).")
PLOTS = typer.Option(Path("docs/models"), "--plots", help="Directory for the reliability plot.")


def _package_models_dir() -> Path:
    import lendline.data

    return Path(lendline.data.__file__).parent / "models"


def train_fraud(
    rows: int = ROWS,
    seed: int = SEED,
    output: Path | None = OUTPUT,
    plots: Path = PLOTS,
) -> None:
    """Train the fraud model on generated data and export it for the risk core."""
    from lendline.modelling.fraud import export, reliability_plot, summary, train

    with console.status("Generating data and training the fraud model"):
        model = train(rows, seed)
    target = export(model, output or _package_models_dir() / "fraud_model.json")
    plot = reliability_plot(model, plots / "fraud-reliability.png")
    console.print(summary(model.metrics))
    console.print(f"model: {target}\nreliability plot: {plot}")
