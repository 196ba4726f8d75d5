"""The job behind `tools/analyze_sbn.py`: statistics, t-SNE and cosine-similarity figures plus JSON."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS

from ..engine.checkpoint import load_checkpoint_file
from ..engine.config import load_config
from ..engine.evaluate import build_supernet
from ..engine.record import read_record
from ..errors import CheckpointError, ConfigError
from ..jsonio import save_json_atomic
from ..provenance import provenance
from .plots import plot_cosine, plot_sbn_statistics, plot_tsne
from ..bench.sbn_analysis import combinations, cosine_matrix, path_features, sbn_statistics, tsne_embedding
from ..engine.setup import register_all_modules


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint file, or a work dir's latest checkpoint (named by its ``last_checkpoint``).

    Only the file beside ``last_checkpoint`` counts (MMEngine records an absolute path), so a moved
    or copied work dir reads its own checkpoint, never another run's, as ``train.py --resume`` does.
    """
    from ..engine.runner import latest_in_work_dir

    path = Path(path)
    if path.is_dir():
        latest = latest_in_work_dir(path)
        if latest is None:
            raise CheckpointError(f"{path} holds no last_checkpoint; pass a checkpoint file")
        path = Path(latest)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    return path


def config_of(checkpoint: Path, config: str | None, options: dict | None = None) -> Config:
    """The given config, or one made from the build arguments recorded (as JSON data) in the checkpoint;
    `options` (``--cfg-options``) merged into either."""
    if config:
        return load_config(config, options)
    record = read_record(load_checkpoint_file(checkpoint), str(checkpoint))
    if not record or "val_dataset" not in record:
        raise ConfigError(f"{checkpoint} records no model and dataset as data; pass --config")
    cfg = Config({"model": record["model"], "val_dataloader": {"dataset": record["val_dataset"]}})
    if options:
        cfg.merge_from_dict(options)
    return cfg


def run_sbn_analysis(checkpoint: str | Path, out_dir: str | Path, config: str | None = None,
                     compare_checkpoint: str | Path | None = None, layers: Sequence[int] | None = None,
                     samples: int = 64, combos: int = 8, log: Callable[[str], None] = print,
                     options: dict | None = None) -> dict:
    """Write sbn_stats.png, tsne.png, cosine.png and sbn_analysis.json into `out_dir`.

    `options`: ``--cfg-options`` merged into the config (given or recorded in the checkpoint)."""
    register_all_modules()

    ckpt = resolve_checkpoint(checkpoint)
    cfg = config_of(ckpt, config, options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = build_supernet(cfg, str(ckpt))
    net = model.network
    val = DATASETS.build(cfg.val_dataloader.dataset)
    idx = np.random.default_rng(0).permutation(len(val))[:samples]
    batch = {"inputs": torch.stack([val[int(i)]["inputs"] for i in idx]),
             "data_samples": torch.stack([torch.as_tensor(val[int(i)]["data_samples"]) for i in idx])}
    x = model.data_preprocessor(batch, False)["inputs"]

    stats = sbn_statistics(net, layers)
    plot_sbn_statistics(stats, out / "sbn_stats.png")
    chosen = combinations(net, combos)
    feats = path_features(net, x, chosen)
    labels = ["".join(map(str, c)) for c in chosen]
    plot_tsne(tsne_embedding(feats["before"]), tsne_embedding(feats["after"]), chosen, out / "tsne.png")
    panels = {"before the norm": (cosine_matrix(feats["before"].mean(1)), feats["before"].mean(1)),
              "after Shadow BN" if stats[0]["shadow"] else "after vanilla BN":
                  (cosine_matrix(feats["after"].mean(1)), feats["after"].mean(1))}
    summary = {"checkpoint": str(ckpt), "combinations": labels, "paths": feats["k"],
               "layers": [{"layer": s["layer"], "name": s["name"], "shadow": s["shadow"], "ratios": s["ratios"]}
                          for s in stats],
               "amplitude_before": np.linalg.norm(feats["before"].mean(1), axis=1).tolist(),
               "amplitude_after": np.linalg.norm(feats["after"].mean(1), axis=1).tolist()}
    if compare_checkpoint is not None:
        other_ckpt = resolve_checkpoint(compare_checkpoint)
        other = build_supernet(config_of(other_ckpt, config, options), str(other_ckpt)).network
        other_feats = path_features(other, x, chosen)
        shadow = sbn_statistics(other, [0])[0]["shadow"]
        panels[f"after {'Shadow' if shadow else 'vanilla'} BN ({other_ckpt.parent.name})"] = (
            cosine_matrix(other_feats["after"].mean(1)), other_feats["after"].mean(1))
        summary["compare"] = {"checkpoint": str(other_ckpt), "shadow": shadow,
                              "amplitude_after": np.linalg.norm(other_feats["after"].mean(1), axis=1).tolist()}
    plot_cosine(panels, labels, out / "cosine.png")
    summary["provenance"] = provenance({"checkpoint": str(ckpt), "compare": str(compare_checkpoint),
                                        "samples": samples, "combos": combos})
    save_json_atomic(out / "sbn_analysis.json", summary)
    log(f"analyze_sbn: wrote sbn_stats.png, tsne.png, cosine.png and sbn_analysis.json to {out}")
    return summary
