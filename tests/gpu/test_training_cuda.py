"""Training on a CUDA GPU: bf16 AMP steps, the fast path against the plain one, one-process NCCL DDP.

All `gpu`: skipped without CUDA (tests/conftest.py); `tools/gpu_check.py` runs them on a GPU machine.
"""
import copy
import os
import re
import subprocess
import sys

import pytest
import torch

from ..conftest import ROOT

CONFIG = ROOT / "configs/supernet/s4_nb101_mnist5k_12px.py"
# scikit-learn's 1,797 digits at 8x8: 1,258 training images, 14 iterations of 96 per epoch
TINY = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
        "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8", "default_hooks.logger.interval=5"]


def train(work_dir, *flags, epochs=1, options=(), env=None, launcher=()):
    cmd = [sys.executable, *launcher, str(ROOT / "tools/train.py"), str(CONFIG), "--work-dir", str(work_dir),
           "--epochs", str(epochs), *flags, "--cfg-options", *TINY, *options]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    ckpt = torch.load(work_dir / f"epoch_{epochs}.pth", map_location="cpu", weights_only=False)
    return ckpt, out


def logged_losses(out: str) -> list[float]:
    return [float(v) for v in re.findall(r"Epoch\(train\).*?\sloss: ([0-9.naninf]+)", out)]


@pytest.mark.gpu
@pytest.mark.parametrize("flags", [["--amp"], ["--fast", "--amp"]], ids=["amp", "fast-amp"])
def test_bf16_training_steps(tmp_path, flags):
    ckpt, out = train(tmp_path, *flags, epochs=2)
    assert "bfloat16" in str(ckpt["meta"].get("cfg", ""))  # the run really was configured for bf16
    for key, value in ckpt["state_dict"].items():
        assert value.dtype != torch.bfloat16, key  # weights and BN statistics stay fp32 under autocast
        if value.is_floating_point():
            assert torch.isfinite(value).all(), key
    losses = logged_losses(out)
    assert len(losses) >= 4 and all(v == v and v < 1e3 for v in losses), out[-2000:]
    assert "top1" in out


def make_model(channels_last: bool, sync_every: int = 1):
    from mixpath_bench.engine.config import load_config
    from mixpath_bench.engine.model import MixPathClassifier

    torch.manual_seed(0)
    cfg = load_config(CONFIG)
    pre = dict(cfg.model.data_preprocessor, channels_last=channels_last)
    return MixPathClassifier(dict(cfg.model.network), pre, seed=0, sync_every=sync_every,
                             channels_last=channels_last).cuda()


def one_step(fast: bool, channels_last: bool, batch: dict) -> torch.nn.Module:
    from mmengine.logging import MessageHub
    from mmengine.optim import OptimWrapper

    import mixpath_bench.engine.optim  # noqa: F401
    from mixpath_bench.engine.optim import FastOptimWrapper

    model = make_model(channels_last, sync_every=2 if fast else 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=3e-4,
                          **({"fused": True} if fast else {}))
    wrapper = (FastOptimWrapper if fast else OptimWrapper)(opt, clip_grad=dict(max_norm=5.0))
    MessageHub.get_current_instance().update_info("iter", 0)
    model.train_step(batch, wrapper)
    return model


@pytest.mark.gpu
@pytest.mark.parametrize("channels_last,atol", [(False, 1e-6), (True, 1e-3)], ids=["contiguous", "channels-last"])
def test_fast_step_updates_the_plain_steps_weights_on_cuda(channels_last, atol):
    """One training step from the same weights, fp32 without TF32, deterministic cuDNN: the fast path
    (fused SGD, gradient norm kept on the device) gives the plain step's weights within 1e-6; with
    channels-last (other convolution kernels, another summation order) within 1e-3.  One step only:
    this supernet at lr 0.1 amplifies fp32 rounding differences ~10x per step (measured on CPU)."""
    from mmengine.runner import Runner

    import mixpath_bench.data  # noqa: F401
    import mixpath_bench.models  # noqa: F401
    from mixpath_bench.engine.config import load_config

    batch = next(iter(Runner.build_dataloader(copy.deepcopy(load_config(CONFIG).train_dataloader), seed=3)))
    flags = (torch.backends.cudnn.allow_tf32, torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    torch.backends.cudnn.allow_tf32, torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = \
        False, True, False
    try:
        plain, fast = one_step(False, False, batch), one_step(True, channels_last, batch)
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = flags
    worst = max(((p - q).abs().max().item(), name) for (name, p), q in zip(plain.named_parameters(),
                                                                         fast.parameters()))
    assert worst[0] <= atol, f"{worst[1]}: max |plain - fast| = {worst[0]:.3g}"


@pytest.mark.gpu
def test_train_cli_fast_matches_plain_on_cuda(tmp_path):
    """One epoch (14 steps) through tools/train.py with and without --fast at learning rate 0, so the
    runs cannot drift apart: the same batches, augmentations and paths give the same BN statistics
    within 1% (relative L2 per tensor; cuDNN defaults: TF32 convolutions, benchmark mode)."""
    lr0 = ("optim_wrapper.optimizer.lr=0.0",)
    plain, _ = train(tmp_path / "plain", options=lr0)
    fast, out = train(tmp_path / "fast", "--fast", options=lr0)
    assert "FastOptimWrapper" in str(fast["meta"].get("cfg", "")), out[-2000:]
    worst = (0.0, "")
    for key, a in plain["state_dict"].items():
        b = fast["state_dict"][key]
        if not a.is_floating_point():
            assert torch.equal(a, b), key
            continue
        rel = ((a.float() - b.float()).norm() / (a.float().norm() + 1e-6)).item()
        worst = max(worst, (rel, key))
    assert worst[0] <= 1e-2, f"{worst[1]}: relative difference {worst[0]:.3g}"


@pytest.mark.gpu
def test_torchrun_one_process_nccl(tmp_path):
    env = dict(os.environ, NCCL_DEBUG="INFO")
    launcher = ("-m", "torch.distributed.run", "--nproc-per-node", "1", "--master-port", "29541")
    _, out = train(tmp_path, "--launcher", "pytorch", env=env, launcher=launcher)
    assert "Distributed training: True" in out
    assert "NCCL INFO" in out, out[-3000:]  # the process group ran on NCCL, not gloo
    assert re.search(r"Epoch\(train\) \[1\]\[\s*10/14\]", out), out[-2000:]  # one rank: all 14 iterations
