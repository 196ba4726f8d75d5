"""Figures for search and ranking results (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..jsonio import atomic_path  # noqa: E402


def savefig_atomic(fig, path: str | Path, dpi: int) -> None:
    """Save to a temporary file in the same folder, then rename: a kill never leaves half a PNG."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")


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
    savefig_atomic(fig, path, 120)
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
    savefig_atomic(fig, path, 120)
    plt.close(fig)
    return path


def plot_sbn_statistics(stats: list[dict], path: str | Path) -> Path:
    """Supplementary Figs. 3/4: each SBN_k parameter against SBN_1's, per channel, with fitted ratios."""
    import numpy as np

    keys = ("mean", "var", "gamma", "beta")
    fig, axes = plt.subplots(len(stats), 4, figsize=(13, 3.0 * len(stats)), squeeze=False)
    for row, layer in zip(axes, stats):
        for ax, key in zip(row, keys):
            base = layer["params"][1][key]
            for k in sorted(layer["params"]):
                if k == 1:
                    continue
                ax.scatter(base, layer["params"][k][key], s=6, label=f"SBN{k}: x{layer['ratios'][key][k]:.2f}")
            lim = np.array([base.min(), base.max()])
            ax.plot(lim, lim, "k--", lw=0.8, label="SBN_k = SBN1")
            ax.set_title(f"{layer['name']}: {key}", fontsize=8)
            ax.set_xlabel(f"SBN1 {key} (one active path), per channel", fontsize=8)
            ax.set_ylabel(f"SBN_k {key} (k active paths)", fontsize=8)
            ax.legend(fontsize=6, title="fitted ratio to SBN1", title_fontsize=6)
    fig.tight_layout()
    path = Path(path)
    savefig_atomic(fig, path, 110)
    plt.close(fig)
    return path


def plot_tsne(before, after, combos, path: str | Path) -> Path:
    """Supplementary Fig. 2: t-SNE of multi-path features before/after the norm, coloured by combination."""
    n = len(combos)
    per = len(before) // n
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, emb, title in ((axes[0], before, "before Shadow BN"), (axes[1], after, "after Shadow BN")):
        for i, combo in enumerate(combos):
            pts = emb[i * per:(i + 1) * per]
            ax.scatter(pts[:, 0], pts[:, 1], s=8, label="".join(map(str, combo)))
        ax.set_title(title)
    axes[1].legend(fontsize=6, title="paths", ncol=2)
    fig.tight_layout()
    path = Path(path)
    savefig_atomic(fig, path, 110)
    plt.close(fig)
    return path


def plot_cosine(panels: dict[str, tuple], labels, path: str | Path) -> Path:
    """Supplementary Fig. 6: cosine similarity of path features and their 2-D projections with amplitudes."""
    import numpy as np

    fig, axes = plt.subplots(2, len(panels), figsize=(4.6 * len(panels), 8.4), squeeze=False)
    for col, (title, (cos, vectors)) in enumerate(panels.items()):
        im = axes[0][col].imshow(cos, vmin=-1, vmax=1, cmap="coolwarm")
        axes[0][col].set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        axes[0][col].set_yticks(range(len(labels)), labels, fontsize=6)
        axes[0][col].set_title(f"cosine similarity\n{title}", fontsize=9)
        fig.colorbar(im, ax=axes[0][col], fraction=0.046)
        centred = vectors - vectors.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        proj = vectors @ vt[:2].T
        ax = axes[1][col]
        for (x, y), lab in zip(proj, labels):
            ax.arrow(0, 0, x, y, head_width=0.02 * max(1e-6, np.abs(proj).max()), length_includes_head=True)
            ax.annotate(lab, (x, y), fontsize=6)
        lim = 1.1 * max(1e-6, np.abs(proj).max())
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_title(f"2-D projection (length = amplitude)\n{title}", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    savefig_atomic(fig, path, 110)
    plt.close(fig)
    return path


def _save(fig, path: str | Path, dpi: int = 120) -> Path:
    path = Path(path)
    fig.tight_layout()
    savefig_atomic(fig, path, dpi)
    plt.close(fig)
    return path


def plot_truth(truth: dict, path: str | Path) -> Path:
    """Ground truth per architecture (sorted), every seed as a dot: is the spread above the seed noise?"""
    import numpy as np

    per_seed = np.asarray(truth["per_seed"], dtype=float)
    order = np.argsort(per_seed.mean(1))
    fig, ax = plt.subplots(figsize=(max(6, 0.28 * len(order)), 4))
    x = np.arange(len(order))
    for s in range(per_seed.shape[1]):
        label = f"seed {truth['seeds'][s]}" if truth["seeds"] else None
        ax.scatter(x, per_seed[order, s], s=12, alpha=0.7, label=label)
    ax.plot(x, per_seed[order].mean(1), "k-", lw=1, label="mean")
    ax.set_xticks(x, [truth["archs"][i].split(":")[1] for i in order], rotation=90, fontsize=7)
    ax.set_xlabel("architecture (sorted by mean accuracy)")
    ax.set_ylabel(f"ground truth {truth['metric']} (%)")
    ax.set_title(truth["description"], fontsize=9)
    ax.grid(alpha=0.3)
    if per_seed.shape[1] > 1:
        ax.legend(fontsize=7)
    return _save(fig, path)


def truth_axis_label(source_name: str) -> str:
    """An axis label for a ground-truth source's name (``table:truth_table.json``, ``nasbench101:val_acc``)."""
    if source_name.startswith("nasbench101:"):
        which = "validation" if source_name.endswith("val_acc") else "test"
        return f"NAS-Bench-101 {which} accuracy (%)"
    if source_name.startswith("table:"):
        return f"ground-truth accuracy (%), {source_name.split(':', 1)[1]}"
    return "ground-truth accuracy (%)"


def plot_taus(rank: dict, noise: dict, path: str | Path) -> Path:
    """Kendall tau (95% bootstrap interval) per supernet before/after calibration; the seed-vs-seed
    tau of the ground truth, where measured, as the ceiling a supernet could reach."""
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(rank["checkpoints"])), 3.8))
    labels, values, errs = [], [], [[], []]
    for entry in rank["checkpoints"]:
        name = entry.get("variant") or Path(entry["checkpoint"]).parent.name
        if "seed" in entry:
            name += f" s{entry['seed']}"
        for mode in ("uncalibrated", "calibrated"):
            c = entry["correlation"][mode]
            labels.append(f"{name}\n{'before' if mode == 'uncalibrated' else 'after'} BN cal.")
            values.append(c["kendall_tau"])
            errs[0].append(c["kendall_tau"] - c["kendall_tau_ci95"][0])
            errs[1].append(c["kendall_tau_ci95"][1] - c["kendall_tau"])
    ax.bar(range(len(values)), values, yerr=errs, capsize=4, color=["#bbb", "#4477aa"] * (len(values) // 2))
    if "seed_vs_seed" in noise:
        ax.axhline(noise["seed_vs_seed"]["kendall_tau"], color="k", ls="--", lw=1,
                   label="ground truth seed vs seed")
        ax.legend(fontsize=7)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(range(len(values)), labels, fontsize=7, rotation=30, ha="right")
    ax.set_ylabel("Kendall tau-b vs ground truth")
    ax.set_title(f"ranking of {len(rank['archs'])} architectures (95% bootstrap intervals)", fontsize=9)
    return _save(fig, path)


def plot_m_sweep(sweep: dict, path: str | Path) -> Path:
    """Kendall tau (calibrated, seed mean, pooled 95% interval) against m, with and without Shadow BN."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ms = [int(m) for m in sweep["m"]]
    for kind, label, shift, color in (("sbn", "Shadow BN", -0.06, "#4477aa"), ("bn", "vanilla BN", 0.06, "#cc6677")):
        taus = [sweep["m"][str(m)][kind]["metrics"]["kendall_tau"] for m in ms]
        nan = float("nan")  # an undefined tau (the report says why) is a gap in the plot
        values = [nan if t["value"] is None else t["value"] for t in taus]
        errs = [[nan if t["value"] is None else v - t["ci95"][0] for v, t in zip(values, taus)],
                [nan if t["value"] is None else t["ci95"][1] - v for v, t in zip(values, taus)]]
        ax.errorbar([m + shift for m in ms], values, yerr=errs, fmt="o-", capsize=4, color=color, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(ms, [f"m={m}\n({len(sweep['m'][str(m)]['archs'])} nets)" for m in ms], fontsize=8)
    ax.set_ylabel("Kendall tau-b vs ground truth")
    ax.set_title("ranking against the number of active paths (95% intervals)", fontsize=9)
    ax.legend(fontsize=8)
    return _save(fig, path)
