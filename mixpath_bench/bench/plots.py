"""Figures for search and ranking results (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_pareto(fronts: dict[str, Sequence[dict]], path: str | Path, clouds: dict[str, Sequence[dict]] | None = None,
                title: str = "Pareto fronts") -> Path:
    """Accuracy vs multiply-adds: every evaluated point (faint) and each method's front (line)."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, front) in enumerate(fronts.items()):
        c = colors[i % len(colors)]
        if clouds and name in clouds:
            pts = clouds[name]
            ax.scatter([p["madds"] / 1e6 for p in pts], [p["acc"] for p in pts], s=8, alpha=0.25, color=c)
        pts = sorted(front, key=lambda p: p["madds"])
        ax.plot([p["madds"] / 1e6 for p in pts], [p["acc"] for p in pts], "o-", color=c, label=name, ms=4)
    ax.set_xlabel("multiply-adds (M)")
    ax.set_ylabel("supernet top-1 (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_ranking(panels: dict[str, tuple[Sequence[float], Sequence[float], float]], path: str | Path,
                 truth_label: str = "ground truth (%)") -> Path:
    """One scatter per panel: supernet score vs ground truth, titled with Kendall tau."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4), squeeze=False)
    for ax, (name, (scores, truth, tau)) in zip(axes[0], panels.items()):
        ax.scatter(truth, scores, s=14)
        ax.set_title(f"{name}\nKendall tau = {tau:.3f}", fontsize=9)
        ax.set_xlabel(truth_label)
        ax.set_ylabel("supernet top-1 (%)")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
