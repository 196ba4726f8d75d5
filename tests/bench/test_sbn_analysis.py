import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from mixpath_bench.bench.sbn_analysis import (combinations, cosine_matrix, fit_ratio, path_features,
                                              sbn_statistics)
from mixpath_bench.models import S1Supernet, S3Supernet

from ..conftest import ROOT


def test_ratios_recover_known_multiples():
    net = S1Supernet(width=0.25, m=3)
    for _, sbn in [(n, m) for n, m in net.named_modules() if type(m).__name__ == "ShadowBatchNorm"]:
        base = torch.rand(sbn.bns[0].num_features) + 0.5
        for k, bn in enumerate(sbn.bns, start=1):
            bn.running_mean.copy_(k * base)
            bn.running_var.copy_(k * k * base)
    stats = sbn_statistics(net, [0, 5])
    for layer in stats:
        assert layer["ratios"]["mean"][3] == pytest.approx(3.0)
        assert layer["ratios"]["var"][2] == pytest.approx(4.0)
    assert fit_ratio(np.array([1.0, 2.0]), np.array([2.0, 4.0])) == pytest.approx(2.0)
    np.testing.assert_allclose(np.diag(cosine_matrix(np.random.default_rng(0).random((4, 6)))), 1.0)


def test_path_features_cover_every_path_count():
    net = S1Supernet(width=0.25, m=4)
    combos = combinations(net, 8)
    assert sorted({len(c) for c in combos}) == [1, 2, 3, 4]
    feats = path_features(net, torch.randn(6, 3, 32, 32), combos)
    assert feats["before"].shape == feats["after"].shape == (8, 6, net.layers[0].norm.bns[0].num_features)
    with pytest.raises(ValueError, match="single-path"):
        path_features(S3Supernet(num_classes=10), torch.randn(2, 3, 32, 32), [(0, 0, 0, 0)])


def test_analyze_sbn_cli(tiny_supernet, tiny_supernet_bn, tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "tools/analyze_sbn.py"), str(tiny_supernet.parent),
                           "--compare", str(tiny_supernet_bn), "--work-dir", str(tmp_path), "--samples", "16"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("sbn_stats.png", "tsne.png", "cosine.png"):
        assert (tmp_path / name).stat().st_size > 5000
    res = json.loads((tmp_path / "sbn_analysis.json").read_text())
    assert res["layers"][0]["shadow"] is True and res["compare"]["shadow"] is False
    assert set(res["layers"][0]["ratios"]["mean"]) == {"1", "2", "3", "4"}
    assert len(res["amplitude_before"]) == len(res["combinations"]) == 8
    bad = subprocess.run([sys.executable, str(ROOT / "tools/analyze_sbn.py"), str(tmp_path / "nowhere")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
