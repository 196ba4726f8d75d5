import json
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from mixpath_bench.darts.relaxation import (DartsNetwork, batch_loss, first_order_alpha_grad, one_hot_weights,
                                            second_order_alpha_grad)
from mixpath_bench.models import S1Supernet, S4Supernet
from mixpath_bench.spaces import Arch, get_space

from ..conftest import ROOT


def test_relaxed_equals_discrete_for_one_hot_weights():
    torch.manual_seed(0)
    s4 = S4Supernet(in_chans=1, stem_channels=8, cells_per_stack=1, shadow_bn=False)
    d4 = DartsNetwork(s4).eval()
    x = torch.randn(3, 1, 8, 8)
    rng = np.random.default_rng(0)
    for _ in range(5):
        arch = get_space("S4").sample(rng)
        torch.testing.assert_close(d4(x, one_hot_weights(arch, s4)), s4(x, arch))
    s1 = S1Supernet(width=0.25, shadow_bn=False)
    d1 = DartsNetwork(s1).eval()
    arch = get_space("S1", 1).sample(rng)
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(d1(x, one_hot_weights(arch, s1)), s1(x, arch))


def test_derivation_never_returns_an_all_off_cell():
    d = DartsNetwork(S4Supernet(stem_channels=8, cells_per_stack=1, shadow_bn=False))
    with torch.no_grad():
        d.alpha.zero_()
        d.alpha[:, 0] = 5.0  # "off" wins everywhere ...
        d.alpha[2, 3] = 4.0  # ... but node 2's best operation is maxpool
    assert d.derive() == Arch("S4", ((0, 0, 3, 0),))
    with torch.no_grad():
        d.alpha[1, 2] = 9.0
    assert d.derive() == Arch("S4", ((0, 2, 0, 0),))
    d1 = DartsNetwork(S1Supernet(width=0.25, shadow_bn=False))
    assert all(len(layer) == 1 for layer in d1.derive().layers)


@pytest.mark.parametrize("order", ["first", "second"])
def test_alpha_updates_run_and_move_the_weights(order):
    torch.manual_seed(0)
    d = DartsNetwork(S4Supernet(in_chans=1, stem_channels=8, cells_per_stack=1, shadow_bn=False)).train()
    opt = torch.optim.Adam([d.alpha], lr=0.05)
    batch = (torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,)))
    before = d.alpha.detach().clone()
    for _ in range(3):
        opt.zero_grad()
        if order == "first":
            first_order_alpha_grad(d, batch_loss, batch)
        else:
            second_order_alpha_grad(d, batch_loss, batch, batch, xi=0.025, weight_decay=3e-4)
        assert torch.isfinite(d.alpha.grad).all() and d.alpha.grad.abs().sum() > 0
        opt.step()
    assert not torch.equal(before, d.alpha.detach())


def test_darts_cli_second_order_and_resume(tmp_path):
    options = ["searchers.darts.epochs=2", "searchers.darts.order=second", "searchers.darts.batch_size=32"]
    base = [sys.executable, str(ROOT / "tools/darts.py"), str(ROOT / "configs/darts/s4_mnist5k.py")]
    tiny = ["--cfg-options", *options]
    # a small dataset and network keep this to seconds
    sup = tmp_path / "sup.py"
    sup.write_text((ROOT / "configs/supernet/s4_nb101_mnist5k.py").read_text()
                   .replace("name='mnist5k', split='train', size=16", "name='digits', split='train', size=8")
                   .replace("stem_channels=16", "stem_channels=4")
                   .replace("'../_base_/supernet_recipe.py'", repr(str(ROOT / "configs/_base_/supernet_recipe.py"))))
    tiny += [f"supernet_config={sup}"]
    full = subprocess.run(base + ["--work-dir", str(tmp_path / "full")] + tiny, capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert full.returncode == 0, full.stderr[-3000:]
    res = json.loads((tmp_path / "full" / "darts.json").read_text())
    assert len(res["history"]) == 2 and res["search_seconds"] > 0 and res["order"] == "second"
    assert (tmp_path / "full" / "alphas.png").is_file()
    get = lambda h: np.array(h["weights"])  # noqa: E731
    assert np.allclose(get(res["history"][0]).sum(-1), 1.0)
    # the same run killed with SIGKILL once epoch 1 is checkpointed, then resumed
    import os
    import signal
    import time

    child = subprocess.Popen(base + ["--work-dir", str(tmp_path / "part")] + tiny, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = tmp_path / "part" / "darts_checkpoint.pth"
    deadline = time.time() + 300
    while time.time() < deadline and not ckpt.is_file():
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert not (tmp_path / "part" / "darts.json").exists()
    again = subprocess.run(base + ["--work-dir", str(tmp_path / "part"), "--resume"] + tiny, capture_output=True,
                           text=True, timeout=600, cwd=ROOT)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resumed after epoch 1" in again.stdout
    # continuation, not a restart: the resumed process searches only epoch 2, and the history it
    # reports keeps epoch 1 from before the kill
    assert re.findall(r"darts: epoch (\d+)/2", again.stdout) == ["2"], again.stdout[-2000:]
    assert re.findall(r"darts: epoch (\d+)/2", full.stdout) == ["1", "2"]
    resumed = json.loads((tmp_path / "part" / "darts.json").read_text())
    assert [h["epoch"] for h in resumed["history"]] == [1, 2]
    assert resumed["derived_arch"] == res["derived_arch"]
    np.testing.assert_allclose(get(resumed["history"][-1]), get(res["history"][-1]), rtol=1e-5, atol=1e-6)
