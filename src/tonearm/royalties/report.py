"""The two models side by side: per rightsholder and currency, what pro-rata pays and what
user-centric would, the change, and two plots (the biggest winners and losers, and how the
changes are distributed) drawn with matplotlib."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb
import matplotlib

from tonearm.royalties.engine import Outcome

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt

__all__ = ["Comparison", "compare", "write_report"]

Comparison = list[dict[str, Any]]
MOVERS = 10


def compare(outcome: Outcome) -> Comparison:
    """One row per rightsholder and currency, biggest change first."""
    connection = duckdb.connect(":memory:")
    try:
        connection.register("all_lines", outcome["lines"])
        rows = connection.execute(
            """
            SELECT rightsholder_id, min(rightsholder_name) AS name, currency,
                   CAST(sum(CASE WHEN model = 'pro_rata' THEN amount_minor ELSE 0 END) AS BIGINT),
                   CAST(sum(CASE WHEN model = 'user_centric' THEN amount_minor ELSE 0 END) AS BIGINT)
            FROM all_lines GROUP BY rightsholder_id, currency
            """
        ).fetchall()
    finally:
        connection.close()
    table = []
    for holder, name, currency, pro_rata, user_centric in rows:
        change = user_centric - pro_rata
        table.append(
            {
                "rightsholder_id": holder,
                "rightsholder_name": name,
                "currency": currency,
                "pro_rata_minor": pro_rata,
                "user_centric_minor": user_centric,
                "change_minor": change,
                "change_percent": round(100 * change / pro_rata, 2) if pro_rata else None,
            }
        )
    table.sort(key=lambda row: (-abs(row["change_minor"]), row["rightsholder_id"], row["currency"]))
    return table


def write_report(folder: Path, comparison: Comparison, month: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "comparison_csv": folder / "comparison.csv",
        "movers_png": folder / "movers.png",
        "distribution_png": folder / "distribution.png",
    }
    with paths["comparison_csv"].open("w", newline="", encoding="utf-8") as out:
        fields = list(comparison[0]) if comparison else ["rightsholder_id"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(comparison)
    _movers(paths["movers_png"], comparison, month)
    _distribution(paths["distribution_png"], comparison, month)
    return {name: str(path) for name, path in paths.items()}


def _main_currency(comparison: Comparison) -> str | None:
    volume: dict[str, int] = {}
    for row in comparison:
        volume[row["currency"]] = volume.get(row["currency"], 0) + row["pro_rata_minor"]
    return max(volume, key=lambda currency: (volume[currency], currency)) if volume else None


def _movers(path: Path, comparison: Comparison, month: str) -> None:
    """Winners and losers in the currency with the most money (amounts in major units)."""
    currency = _main_currency(comparison)
    rows = [row for row in comparison if row["currency"] == currency]
    ranked = sorted(rows, key=lambda row: row["change_minor"])
    chosen = ranked[:MOVERS] + [row for row in ranked[-MOVERS:] if row not in ranked[:MOVERS]]
    chosen = [row for row in chosen if row["change_minor"]]
    figure, axes = plt.subplots(figsize=(9, max(3.0, 0.35 * len(chosen) + 1.5)))
    labels = [str(row["rightsholder_name"])[:40] for row in chosen]
    values = [row["change_minor"] / 100 for row in chosen]
    axes.barh(labels, values, color=["#c0392b" if value < 0 else "#27ae60" for value in values])
    axes.axvline(0, color="#333", linewidth=0.8)
    axes.set_xlabel(f"user-centric minus pro-rata ({currency or 'no money'})")
    axes.set_title(f"{month}: biggest winners and losers under user-centric")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _distribution(path: Path, comparison: Comparison, month: str) -> None:
    changes = [row["change_percent"] for row in comparison if row["change_percent"] is not None]
    figure, axes = plt.subplots(figsize=(8, 4))
    axes.hist(changes or [0.0], bins=40, color="#2c7fb8")
    axes.axvline(0, color="#333", linewidth=0.8)
    axes.set_xlabel("change from pro-rata to user-centric (% of the pro-rata payout)")
    axes.set_ylabel("rightsholders")
    axes.set_title(f"{month}: how payouts move between the two models")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
