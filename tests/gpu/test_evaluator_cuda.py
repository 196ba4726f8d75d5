"""`SupernetEvaluator` on a CUDA GPU scores what it scores on the CPU (gpu: skipped without CUDA)."""
import pytest

from ..conftest import ROOT

ARCHS = ("S4:1230", "S4:3000", "S4:0102", "S4:1111", "S4:2200")


@pytest.mark.gpu
def test_evaluator_cuda_matches_cpu(tiny_supernet):
    """Calibrated accuracies (500 validation images) on CUDA fp32 within 1 point of the CPU's (TF32
    convolutions flip a few near-tied images), with bf16 autocast + channels-last within 3 points."""
    from mixpath_bench.bench.evaluator import build_evaluator
    from mixpath_bench.engine.config import load_config
    from mixpath_bench.spaces import parse_arch

    cfg = load_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
    common = dict(calib_batches=2, with_uncalibrated=False)
    cpu = build_evaluator(cfg, tiny_supernet, device="cpu", **common)
    cuda = build_evaluator(cfg, tiny_supernet, device="cuda", **common)
    fast = build_evaluator(cfg, tiny_supernet, device="cuda", amp=True, channels_last=True, val_batch_size=250,
                           **common)
    for text in ARCHS:
        arch = parse_arch(text)
        a, b, c = cpu.score(arch).acc, cuda.score(arch).acc, fast.score(arch).acc
        assert abs(a - b) <= 1.0, f"{text}: cpu {a:.2f} vs cuda {b:.2f}"
        assert abs(a - c) <= 3.0, f"{text}: cpu {a:.2f} vs cuda bf16 {c:.2f}"
