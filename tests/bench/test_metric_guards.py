"""Guards against three bugs that once passed every test: precision@K looking at K+1 networks, a
"paired" difference whose two scorers are resampled independently, and BN calibration drawing its
batches from the validation split in the evaluators that experiments and tools build."""
import numpy as np
import pytest
import torch

from mixpath_bench.bench.ranking import (paired_difference, paired_metric_difference, precision_at_k, rank_correlation,
                                         seed_metrics)

from ..conftest import ROOT


@pytest.mark.parametrize("k, expected", [(1, 1.0), (2, 0.5), (3, 1.0), (4, 0.75)])
def test_precision_at_k_looks_at_exactly_k_networks(k, expected):
    truth = [5.0, 4.0, 3.0, 2.0, 1.0]  # network 0 best
    scores = [0.9, 0.7, 0.8, 0.1, 0.2]  # predicted order 0, 2, 1, 4, 3
    # K = 2: predicted {0, 2}, true {0, 1} -> 1/2; the (K+1)-th prediction (network 1) is in the
    # true top 2, so counting it would give 1.0
    assert precision_at_k(scores, truth, k) == pytest.approx(expected)


def correlated_scorers(n: int = 34, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.normal(90, 2, n)
    a = truth + rng.normal(0, 2, n)  # a mediocre scorer
    b = a + rng.normal(0, 0.01, n)  # almost the same ranking as a: at most a few swaps
    return truth, a, b


@pytest.mark.parametrize("metric", ["kendall_tau", "spearman_rho"])
def test_paired_interval_of_nearly_equal_scorers_is_narrow(metric):
    truth, a, b = correlated_scorers()
    paired = paired_metric_difference([a], [b], truth, metric, n_boot=300)
    lo, hi = paired["ci95"]
    alone = seed_metrics([a], truth, n_boot=300, names=(metric,))["metrics"][metric]["ci95"]
    # the same resampled networks score both: the difference's interval is far narrower than either
    # scorer's own (independent resamples would make it about sqrt(2) times wider than that)
    assert lo <= paired["difference"] <= hi and hi - lo < 0.1 * (alone[1] - alone[0])


def test_paired_difference_of_nearly_equal_scorers_is_narrow():
    truth, a, b = correlated_scorers(seed=1)
    res = paired_difference(a, b, truth, n_boot=300)
    lo, hi = res["ci95"]
    alone = rank_correlation(a, truth, n_boot=300)["kendall_tau_ci95"]
    assert lo <= res["difference"] <= hi and hi - lo < 0.15 * (alone[1] - alone[0])


def test_evaluators_calibrate_on_training_images_only(tiny_supernet):
    from mmengine.config import Config
    from mmengine.registry import DATASETS

    from mixpath_bench.bench.evaluator import build_evaluator, dataset_batches
    from mixpath_bench.engine.config import load_config
    from mixpath_bench.pipeline.search_job import search_evaluator

    cfg = load_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py", {
        "train_dataloader.dataset.name": "digits", "val_dataloader.dataset.name": "digits",
        "model.network.stem_channels": 8})
    search = Config({"supernet_config": "unused", "evaluator": {"calib_batches": 2, "calib_batch_size": 64}})
    evaluators = {"rank / experiment": build_evaluator(cfg, str(tiny_supernet), calib_batches=2, calib_batch_size=64),
                  "search": search_evaluator(search, str(tiny_supernet), supernet_cfg=cfg)}
    for name, ev in evaluators.items():
        pre = ev.model.data_preprocessor

        def rows(dataset):
            return {tuple(r.tolist()) for b in dataset_batches(dataset, 512)
                    for r in pre(b, False)["inputs"].flatten(1)}

        train = rows(DATASETS.build(cfg.train_dataloader.dataset))
        val = rows(DATASETS.build(cfg.val_dataloader.dataset))
        calib = [tuple(r.tolist()) for x in ev.calib for r in torch.as_tensor(x).flatten(1)]
        assert len(calib) == 128, name
        assert all(r in train for r in calib), name  # every calibration image is a training image
        assert sum(r in val for r in calib) < len(calib) / 4, name  # (a few digits occur in both splits)
