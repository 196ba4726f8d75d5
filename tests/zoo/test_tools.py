"""tools/export.py, tools/publish_model.py, tools/match_arch.py and named architectures."""
import json
import subprocess
import sys

import pytest
import torch

from mixpath_bench.errors import ConfigError
from mixpath_bench.models.named import create_model, list_archs, load_arch_spec

from ..conftest import ROOT


def run(tool, *args):
    return subprocess.run([sys.executable, str(ROOT / "tools" / tool), *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


def test_named_archs_are_size_matched_reconstructions():
    assert {"mixpath_a", "mixpath_b"} <= set(list_archs())
    for name, madds, params in (("mixpath_a", 349e6, 5.0e6), ("mixpath_b", 378e6, 5.1e6)):
        rec = load_arch_spec(name)
        assert abs(rec["madds"] / madds - 1) <= 0.005 and abs(rec["params"] / params - 1) <= 0.005
        assert "NOT the paper's exact model" in rec["description"]
    model = create_model("mixpath_a", num_classes=10)
    assert model(torch.randn(1, 3, 64, 64)).shape == (1, 10)
    with pytest.raises(ConfigError, match="unknown architecture 'mixpath_z'"):
        create_model("mixpath_z")


def test_match_arch_reproduces_mixpath_a(tmp_path):
    out = tmp_path / "a.json"
    proc = run("match_arch.py", "--space", "S2", "--madds", "349e6", "--params", "5.0e6", "--name", "a",
               "--restarts", "200", "--out", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(out.read_text())["arch"] == load_arch_spec("mixpath_a")["arch"]


def test_export_and_publish(tiny_supernet, tmp_path):
    pareto = {"space": "S4", "m": 4, "checkpoint": str(tiny_supernet),
              "searchers": {"nsga2": {"picks": [{"arch": "S4:1200", "acc": 50.0, "madds": 1, "params": 1}]}}}
    (tmp_path / "pareto.json").write_text(json.dumps(pareto))
    proc = run("export.py", "--pareto", tmp_path / "pareto.json", "--pick", "0", "--name", "found",
               "--out", tmp_path / "found.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    rec = json.loads((tmp_path / "found.json").read_text())
    assert rec["arch"] == "S4:1200" and rec["network"]["stem_channels"] == 8  # the supernet's own skeleton
    assert create_model(str(tmp_path / "found.json"))(torch.randn(1, 1, 8, 8)).shape == (1, 10)
    bad = run("export.py", "--pareto", tmp_path / "pareto.json", "--pick", "5", "--name", "x")
    assert bad.returncode == 2 and "--pick must be in 0..0" in bad.stderr

    proc = run("publish_model.py", tiny_supernet, "tiny_supernet", "--work-dir", tmp_path / "pub",
               "--url-base", "https://example.org/w")
    assert proc.returncode == 0, proc.stderr[-2000:]
    entry = json.loads(proc.stdout)
    assert entry["file"].startswith("tiny_supernet-") and entry["file"].endswith(".safetensors")
    assert entry["url"] == f"https://example.org/w/{entry['file']}" and len(entry["sha256"]) == 64
    from safetensors.torch import load_file

    state = load_file(str(tmp_path / "pub" / entry["file"]))
    assert not any(k.startswith("network.") for k in state) and "stem.0.weight" in state


def test_export_with_weights_computes_what_the_supernet_computes(tiny_supernet, tmp_path):
    from mixpath_bench.engine.checkpoint import load_checkpoint_file, model_state
    from mixpath_bench.engine.evaluate import checkpoint_model_config
    from mixpath_bench.errors import CheckpointError
    from mixpath_bench.spaces import parse_arch
    from mixpath_bench.zoo import export_subnet, load_subnet, supernet_from_state

    out = tmp_path / "sub.json"
    proc = run("export.py", tiny_supernet, "--arch", "S4:1203", "--name", "sub", "--with-weights", "--out", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rec = json.loads(out.read_text())
    assert rec["arch"] == "S4:1203" and rec["network"]["type"] == "S4Supernet" and rec["network"]["stem_channels"] == 8
    assert rec["weights"]["file"] == "sub.safetensors" and len(rec["weights"]["sha256"]) == 64
    assert rec["source"]["supernet_checkpoint"] == str(tiny_supernet)

    ckpt = load_checkpoint_file(tiny_supernet)
    supernet = supernet_from_state(checkpoint_model_config(ckpt)["network"], model_state(ckpt), "tiny").eval()
    arch, x = parse_arch("S4:1203"), torch.randn(4, 1, 8, 8)
    with torch.no_grad():
        expected = supernet(x, arch)
        model = load_subnet(out)  # rebuilt from the JSON, weights checked against the sha256
        assert not model.training
        torch.testing.assert_close(model(x), expected, rtol=1e-5, atol=1e-5)
        # the export holds copies: changing the supernet afterwards changes neither the file nor an
        # exported module
        in_memory = supernet.export(arch).eval()
        export_subnet(supernet, arch, {"name": "again", "network": rec["network"]}, tmp_path / "again.json")
        for p in supernet.parameters():
            p.add_(1.0)
        for m in supernet.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.add_(1.0)
        assert not torch.allclose(supernet(x, arch), expected)
        torch.testing.assert_close(in_memory(x), expected, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(load_subnet(tmp_path / "again.json")(x), expected, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(load_subnet(out)(x), expected, rtol=1e-5, atol=1e-5)
    assert create_model(str(out))(x).shape == (4, 10)  # the JSON alone: same network, fresh weights

    weights = tmp_path / "sub.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(CheckpointError, match="does not match the sha256"):
        load_subnet(out)
    no_ckpt = run("export.py", "--arch", "S4:1203", "--name", "x", "--with-weights", "--out", tmp_path / "x.json")
    assert no_ckpt.returncode == 2 and "--with-weights needs the supernet checkpoint" in no_ckpt.stderr
