"""The fast training and evaluation paths compute what the plain ones compute (CPU checks)."""
import copy
import subprocess
import sys

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner

import mixpath_bench.data  # noqa: F401 - registers datasets and collate
import mixpath_bench.engine.optim  # noqa: F401 - registers FastOptimWrapper
import mixpath_bench.models  # noqa: F401 - registers the supernets
from mixpath_bench.bench.speed import achieved_tflops, format_table, reference_step_fn, time_steps
from mixpath_bench.engine.config import load_config
from mixpath_bench.engine.model import MixPathClassifier
from mixpath_bench.engine.optim import FastOptimWrapper
from mixpath_bench.engine.runner import enable_fast
from mixpath_bench.errors import ConfigError

from ..conftest import ROOT

CONFIG = ROOT / "configs/supernet/s4_nb101_mnist5k_12px.py"


def loader(resident: bool):
    cfg = load_config(CONFIG)
    if resident:
        enable_fast(cfg)
    return Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader), seed=3)


def test_resident_loader_serves_the_plain_loaders_batches():
    plain, fast = loader(False), loader(True)
    assert fast.dataset.__class__.__name__ == "ResidentImageDataset" and fast.num_workers == 0
    for i, (a, b) in enumerate(zip(plain, fast)):
        assert torch.equal(a["inputs"], b["inputs"]) and torch.equal(a["data_samples"], b["data_samples"])
        if i == 5:
            break


def make_model(sync_every=1):
    torch.manual_seed(0)
    cfg = load_config(CONFIG)
    return MixPathClassifier(dict(cfg.model.network), dict(cfg.model.data_preprocessor), seed=0,
                             sync_every=sync_every)


def steps(model, wrapper, n, batches):
    hub = MessageHub.get_current_instance()
    outs = []
    for i in range(n):
        hub.update_info("iter", i)
        outs.append(model.train_step(batches[i], wrapper))
    return outs


def grad_norm_updates() -> int:
    buf = MessageHub.get_current_instance().log_scalars.get("train/grad_norm")
    return 0 if buf is None else len(buf.data[0])


def test_fast_wrapper_and_sparse_loss_reports_train_the_same_weights():
    batches = [b for _, b in zip(range(4), loader(False))]
    start = grad_norm_updates()
    plain = make_model()
    plain_out = steps(plain, OptimWrapper(torch.optim.SGD(plain.parameters(), lr=0.1, momentum=0.9),
                                          clip_grad=dict(max_norm=5.0)), 4, batches)
    before = grad_norm_updates()
    assert before > start  # MMEngine's wrapper copies the gradient norm to the host every step
    fast = make_model(sync_every=2)
    fast_out = steps(fast, FastOptimWrapper(torch.optim.SGD(fast.parameters(), lr=0.1, momentum=0.9, foreach=True),
                                            clip_grad=dict(max_norm=5.0)), 4, batches)
    for (name, p), q in zip(plain.named_parameters(), fast.parameters()):
        assert torch.allclose(p, q, atol=1e-6), name
    assert [bool(o) for o in fast_out] == [False, True, False, True]  # reported every 2nd step only
    mean = (plain_out[2]["loss"] + plain_out[3]["loss"]) / 2
    assert fast_out[3]["loss"].item() == pytest.approx(mean.item(), rel=1e-5)
    assert grad_norm_updates() == before  # the fast wrapper never does


def test_fast_switch_rejects_streamed_data_and_cpu_bf16():
    cfg = load_config(ROOT / "configs/supernet/s2_imagenet.py")
    with pytest.raises(ConfigError, match="in-memory dataset"):
        enable_fast(cfg)
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="CUDA"):
            enable_fast(load_config(CONFIG), amp=True)
        with pytest.raises(ConfigError, match="bfloat16|dtype"):
            FastOptimWrapper(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), dtype="float16")


def test_train_cli_fast_matches_plain(tmp_path):
    def train(flag, work):
        args = [sys.executable, str(ROOT / "tools/train.py"), str(CONFIG), "--work-dir", str(work), "--epochs", "1",
                "--cfg-options", "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8"]
        proc = subprocess.run(args + flag, capture_output=True, text=True, timeout=600, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return torch.load(work / "epoch_1.pth", weights_only=False)["state_dict"]

    plain, fast = train([], tmp_path / "plain"), train(["--fast"], tmp_path / "fast")
    for key in plain:
        assert torch.allclose(plain[key].float(), fast[key].float(), atol=1e-4), key


def test_evaluator_channels_last_same_scores(tiny_supernet):
    from mixpath_bench.bench.evaluator import build_evaluator
    from mixpath_bench.spaces import parse_arch

    cfg = load_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
    a = build_evaluator(cfg, tiny_supernet, calib_batches=1, with_uncalibrated=False)
    b = build_evaluator(cfg, tiny_supernet, calib_batches=1, with_uncalibrated=False, channels_last=True,
                        val_batch_size=250)
    for arch in ("S4:1230", "S4:3000"):
        assert a.score(parse_arch(arch)).acc == pytest.approx(b.score(parse_arch(arch)).acc, abs=0.21)
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="CUDA"):
            build_evaluator(cfg, tiny_supernet, calib_batches=1, amp=True)


def test_reference_loop_imports_a_checkout_with_a_stubbed_nas_utils(tmp_path):
    (tmp_path / "NasBench101").mkdir()
    (tmp_path / "NasBench101" / "nas_model_search.py").write_text(
        "import torch.nn as nn\nfrom nas_utils import random_choice\n"
        "class SuperNetwork(nn.Module):\n"
        "    def __init__(self, init_channels, classes=10, shadow_bn=True):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, init_channels, 3, padding=1)\n"
        "        self.fc = nn.Linear(init_channels, classes)\n"
        "        self.seen = []\n"
        "    def forward(self, x, choice):\n"
        "        assert len(choice['path']) == len(choice['op']) and set(choice['op']) <= {0, 1, 2}\n"
        "        self.seen.append(choice)\n"
        "        return self.fc(self.conv(x).mean((2, 3)))\n")
    step = reference_step_fn(tmp_path, "S4", torch.device("cpu"), batch=8, channels=4)
    r = time_steps(step, steps=2, warmup=1, images_per_step=8, device=torch.device("cpu"))
    assert r["images_per_s"] > 0 and r["steps"] == 2 and r["peak_mem_mib"] is None
    with pytest.raises(ConfigError, match="xiaomi-automl"):
        reference_step_fn(tmp_path / "nowhere", "S1", torch.device("cpu"), batch=8)


def test_benchmark_table_ratios():
    rows = [("S1", "reference fp32", {"images_per_s": 100.0, "peak_mem_mib": None}),
            ("S1", "plain fp32", {"images_per_s": 150.0, "peak_mem_mib": None}),
            ("S1", "fast fp32", {"images_per_s": 450.0, "peak_mem_mib": 12.0})]
    table = format_table(rows, None, 96)
    assert "| S1 | fast fp32 | 450.0 | 4.50 | 3.00 | - | 12 |" in table
    assert "| S1 | reference fp32 | 100.0 | 1.00 | 0.67 | - | - |" in table
    assert achieved_tflops(1000.0, 1e9) == pytest.approx(6.0)
