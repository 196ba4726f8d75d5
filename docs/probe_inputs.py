"""Probe the tools with bad and hostile inputs and classify each outcome (the docs/reliability.md table).

    .venv/bin/python docs/probe_inputs.py [--keep DIR] [--only SUBSTRING]

Every probe runs a tool (or, marked "lib", the library call a tool makes) on one bad input built
in a temporary folder: tiny S4/S1 checkpoints built without training (one 1-epoch run for the
resume probes), NAS-Bench-101 tfrecords in the real format, CIFAR-10 python pickles, ImageNet
folders of JPEGs, zoo manifests.  Outcomes:

  handled          finished, and the result is right (a valid input, or a bad one worked around)
  one-line error   exit status 2 with exactly one ``error:`` line and no traceback
  traceback        a Python traceback reached the user
  silently wrong   finished (status 0) although the input should have been refused, or a wrong result
  data loss        a file that existed before the probe was changed or deleted
  code execution   a payload's marker file appeared

Standalone on purpose (no pytest): it is the table's source, not a test; tests/faults and
tests/security assert the same behaviours one by one.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
S4 = str(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
S1 = str(ROOT / "configs/supernet/s1_mnist5k.py")
CIFAR = str(ROOT / "configs/supernet/s1_cifar10.py")
TINY = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
        "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8", "model.network.stem_channels=8"]
OUTCOMES = ("handled", "one-line error", "traceback", "silently wrong", "data loss", "code execution")


# ----------------------------------------------------------------------------- fixtures
def options_dict(options: list[str]) -> dict:
    return dict(o.split("=", 1) for o in options)


def tiny_checkpoint(path: Path, config: str = S4, options: list[str] = TINY, record: bool = True, edit=None) -> Path:
    """A checkpoint as training writes it (weights + JSON build record), built without training."""
    import torch
    from mmengine.registry import MODELS

    from mixpath_bench.engine import load_config
    from mixpath_bench.engine.record import build_record
    from mixpath_bench.engine.setup import register_all_modules

    register_all_modules()
    cfg = load_config(config, {k: _value(v) for k, v in options_dict(options).items()})
    state = MODELS.build(cfg.model).state_dict()
    if edit:
        edit(state)
    torch.save({"state_dict": state, "meta": build_record(cfg) if record else {}}, path)
    return path


def _value(v: str):
    from mmengine.config import DictAction

    return DictAction._parse_iterable(v)  # as --cfg-options parses it


def nb101_rows(path: Path, rows, raw_metrics=None, length_override=None) -> Path:
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from nb101_fixture import model_metrics, record  # the tests' writer of the real format

    out = b""
    for module_hash, repeats in rows:
        for val, test in repeats:
            metrics = raw_metrics if raw_metrics is not None else model_metrics(val, test)
            out += record(json.dumps([module_hash, 108, "0110000", "input,output",
                                      base64.b64encode(metrics).decode()]).encode())
    if length_override is not None:
        from mixpath_bench.data.nasbench101 import masked_crc

        length = struct.pack("<Q", length_override)
        out += length + struct.pack("<I", masked_crc(length)) + b"x" * 64
    path.write_bytes(out)
    return path


def one_eval_metrics(val: float) -> bytes:
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from nb101_fixture import _bytes, _double, _varint

    return _bytes(1, _double(1, 0) + _double(3, 0.1) + _double(4, val) + _double(5, val)) + _varint(16) + _varint(99)


def cifar_folder(folder: Path, images=None, labels=None, n: int = 64) -> Path:
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8) if images is None else images,
                 b"labels": rng.integers(0, 10, n).tolist() if labels is None else labels}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    return folder


def image_folder(root: Path, damage: str | None) -> Path:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    for cls in ("a", "b"):
        (root / "val" / cls).mkdir(parents=True, exist_ok=True)
        for i in range(2):
            Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(root / "val" / cls / f"{i}.JPEG")
    bad = root / "val" / "a" / "1.JPEG"
    if damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:200])
    elif damage == "text":
        bad.write_text("not an image")
    return root


class Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('ran')",)


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- running and classifying
def run_tool(tool: str, *args, env: dict | None = None, timeout: int = 600) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stderr


def run_lib(fn) -> tuple[int, str]:
    """A library call as a tool makes it: a UserError is the tool's one-line error, anything else a traceback."""
    from mixpath_bench.errors import UserError

    try:
        fn()
    except UserError as exc:
        return 2, f"error: {str(exc).splitlines()[0]}" + ("\n(multi-line message)" if "\n" in str(exc) else "")
    except Exception as exc:  # noqa: BLE001 - the point is to see what escapes
        return 1, f"Traceback (most recent call last):\n{type(exc).__name__}: {exc}"
    return 0, ""


def classify(rc: int, err: str, expect: str, result_ok: bool, lost: bool, ran: bool) -> str:
    if ran:
        return "code execution"
    if lost:
        return "data loss"
    if "Traceback" in err:
        return "traceback"
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    if rc == 2 and len(errors) == 1 and "multi-line" not in err:
        return "one-line error" if expect == "error" else "silently wrong"
    if rc == 0:
        return "handled" if result_ok and expect == "ok" else "silently wrong"
    return "traceback"  # any other exit: the user sees no clear line


# ----------------------------------------------------------------------------- the probes
def probes(d: Path):
    """(name, expect, action, result check or None); `action` returns (rc, stderr)."""
    import numpy as np
    import torch

    from mixpath_bench.spaces import s4_unique_archs

    inp = d / "inputs"
    inp.mkdir()
    ck = tiny_checkpoint(inp / "s4.pth")
    bn = tiny_checkpoint(inp / "s4_bn.pth", options=TINY + ["model.network.shadow_bn=False"])
    wide = tiny_checkpoint(inp / "s4_wide.pth", options=TINY[:-1] + ["model.network.stem_channels=16"], record=False)
    s1 = tiny_checkpoint(inp / "s1.pth", S1, TINY[:4])
    s1_old = tiny_checkpoint(inp / "s1_old.pth", S1, TINY[:4], record=False)

    def nan(state):
        state["network.classifier.weight"][0, 0] = float("nan")

    nan_ck = tiny_checkpoint(inp / "nan.pth", edit=nan)
    (inp / "notes.pth").write_text("these are my notes, not weights\n")
    (inp / "trunc.pth").write_bytes(ck.read_bytes()[: ck.stat().st_size // 2])
    marker = d / "RAN"
    torch.save({"state_dict": Payload(marker)}, inp / "pickle_payload.pth")
    payload_cfg = torch.load(ck, weights_only=True)
    payload_cfg["meta"]["cfg"] = payload_cfg["meta"]["config"] = f"_r = open({str(marker)!r}, 'w').write('ran')\n"
    torch.save(payload_cfg, inp / "cfg_payload.pth")
    hashes = list(s4_unique_archs())
    good_rows = [(h, [(0.8 + 0.004 * i, 0.79)] * 3) for i, h in enumerate(hashes)]
    nb = {"good": nb101_rows(inp / "good.tfrecord", good_rows),
          "one_eval": nb101_rows(inp / "one_eval.tfrecord", good_rows[:1], one_eval_metrics(0.082)),
          "two_repeats": nb101_rows(inp / "two.tfrecord", [(h, r[:2]) for h, r in good_rows]),
          "percent": nb101_rows(inp / "pct.tfrecord", [(h, [(92.0, 91.0)] * 3) for h, _ in good_rows]),
          "huge_length": nb101_rows(inp / "huge.tfrecord", good_rows[:1], length_override=2**60)}
    (inp / "trunc.tfrecord").write_bytes(nb["good"].read_bytes()[:-7])
    pareto_bad = inp / "pareto_bad.json"
    pareto_bad.write_text("{not json")
    pareto_missing = inp / "pareto_missing.json"
    pareto_missing.write_text(json.dumps({"checkpoint": str(inp / "gone.pth"), "searchers": {}}))
    archs = {"not_json": "{arch:", "list": "[1, 2]", "bad_space": '{"arch": "S9:12"}',
             "network_str": '{"arch": "S4:1200", "network": "x"}',
             "network_foreign": '{"arch": "S4:1200", "network": {"type": "os.system"}}',
             "network_kwarg": '{"arch": "S4:1200", "network": {"type": "S4Supernet", "bogus": 1}}'}
    for k, v in archs.items():
        (inp / f"arch_{k}.json").write_text(v)
    good_cifar = cifar_folder(inp / "cifar_good" / "cifar-10-batches-py")
    cifar_label = cifar_folder(inp / "cifar_label" / "cifar-10-batches-py", labels=[10] + [0] * 63)
    cifar_float = cifar_folder(inp / "cifar_float" / "cifar-10-batches-py",
                               images=np.random.default_rng(0).random((64, 3072)) * 255)
    cifar_i16 = cifar_folder(inp / "cifar_i16" / "cifar-10-batches-py",
                             images=np.full((64, 3072), 300, dtype=np.int16))
    (inp / "cifar_garbage").mkdir()
    (inp / "cifar_garbage" / "test_batch").write_bytes(b"\x80\x04garbage")
    for i in range(1, 6):
        (inp / "cifar_garbage" / f"data_batch_{i}").write_bytes(b"\x80\x04garbage")
    imgs = {k: image_folder(inp / f"imagenet_{k}", k if k != "good" else None) for k in ("good", "truncated", "text")}
    victim = inp / "victim.safetensors"
    victim.write_bytes(b"not yours to delete")
    manifests = {"traversal": [{"name": "tiny", "file": "../../inputs/victim.safetensors", "url": "http://127.0.0.1:9/x",
                                "sha256": "0" * 64, "size_bytes": 10}],
                 "no_name": [{"file": "x.safetensors", "url": "http://127.0.0.1:9/x", "sha256": "0" * 64}],
                 "no_file": [{"name": "tiny", "url": "http://127.0.0.1:9/x", "sha256": "0" * 64}],
                 "not_json": None, "empty": []}
    for k, entries in manifests.items():
        (inp / f"zoo_{k}.json").write_text("{models: [" if entries is None else json.dumps({"models": entries}))
    zoo_env = lambda k: {"MIXPATH_ZOO_MANIFEST": str(inp / f"zoo_{k}.json"),  # noqa: E731
                         "MIXPATH_CACHE": str(d / "cache" / k)}

    ev = lambda cfg, ckpt, *a: lambda: run_tool("evaluate.py", cfg, ckpt, "--cfg-options", *TINY,  # noqa: E731
                                                "--num-random", "2", "--calib-batches", "1", "--device", "cpu", *a)
    tr = lambda *o, cfg=S4, wd="w": lambda: run_tool("train.py", cfg, "--work-dir", d / wd, "--epochs", "1",  # noqa: E731
                                                     "--cfg-options", *TINY, *o)
    tr_cifar = lambda folder: lambda: run_tool(  # noqa: E731
        "train.py", CIFAR, "--work-dir", d / "wc", "--epochs", "1", "--cfg-options", f"data_root={folder}",
        "train_dataloader.num_workers=0", "train_dataloader.persistent_workers=False",
        "val_dataloader.num_workers=0", "val_dataloader.persistent_workers=False", "model.network.width=0.1",
        "train_dataloader.batch_size=64", "val_dataloader.batch_size=64")
    rank = lambda truth: lambda: run_tool("rank.py", S4, ck, "--truth", truth, "--work-dir", d / "rank",  # noqa: E731
                                          "--calib-batches", "1", "--device", "cpu", "--cfg-options", *TINY)

    def imagenet(name, skip=False):
        def call():
            from mixpath_bench.data.imagenet import ImageFolderUInt8

            data = ImageFolderUInt8(str(imgs[name]), "val", size=16, skip_corrupt=skip)
            [data[i] for i in range(len(data))]
        return lambda: run_lib(call)

    def nb101_lib(fn):
        return lambda: run_lib(fn)

    def stale_cache():
        from mixpath_bench.data.nasbench101 import NASBench101

        path = nb101_rows(d / "stale.tfrecord", good_rows)
        NASBench101.from_tfrecord(path, cache_dir=d / "nbcache", progress=False)
        st = path.stat()
        nb101_rows(path, [(h, [(0.5, 0.5)] * 3) for h, _ in good_rows])  # same size, new values
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        q = NASBench101.from_tfrecord(path, cache_dir=d / "nbcache", progress=False).query(hashes[0])
        assert abs(q["val_acc"] - 50.0) < 1e-9, f"stale cache served {q['val_acc']}"

    def corrupt_cache():
        from mixpath_bench.data.nasbench101 import NASBench101

        NASBench101.from_tfrecord(nb["good"], cache_dir=d / "nbc2", progress=False)
        next((d / "nbc2").glob("*.npz")).write_bytes(b"garbage")
        q = NASBench101.from_tfrecord(nb["good"], cache_dir=d / "nbc2", progress=False).query(hashes[0])
        assert abs(q["val_acc"] - 80.0) < 1e-9

    def lock_then_train():
        from mixpath_bench.engine.lock import lock_work_dir

        with lock_work_dir(d / "locked", "probe"):
            return run_tool("train.py", S4, "--work-dir", d / "locked", "--epochs", "1", "--cfg-options", *TINY)

    def moved_resume():
        rc, err = run_tool("train.py", S4, "--work-dir", d / "orig", "--epochs", "1", "--cfg-options", *TINY)
        if rc:
            return rc, err
        shutil.move(str(d / "orig"), str(d / "moved"))
        return run_tool("train.py", S4, "--work-dir", d / "moved", "--epochs", "2", "--resume", "--cfg-options", *TINY)

    def copied_resume():
        shutil.copytree(d / "moved", d / "copy", ignore=shutil.ignore_patterns("epoch_2.pth", ".lock"))
        (d / "copy" / "last_checkpoint").write_text(str(d / "moved" / "epoch_1.pth"))  # as MMEngine wrote it
        (d / "moved" / "epoch_1.pth").write_text("the original's file, changed after the copy")
        return run_tool("train.py", S4, "--work-dir", d / "copy", "--epochs", "2", "--resume", "--cfg-options", *TINY)

    def payload_workdir_resume():
        wd = d / "hostile_wd"
        wd.mkdir()
        shutil.copy(inp / "pickle_payload.pth", wd / "epoch_1.pth")
        (wd / ".mixpath-work-dir").write_text("trusted")
        (wd / "last_checkpoint").write_text(str(wd / "epoch_1.pth"))
        return run_tool("train.py", S4, "--work-dir", wd, "--epochs", "2", "--resume", "--cfg-options", *TINY)

    ok = lambda: True  # noqa: E731
    file_ok = lambda p: (lambda: Path(p).is_file() and json.loads(Path(p).read_text())["arch"] == "S4:1200")  # noqa: E731
    P = []
    add = lambda name, expect, action, check=ok: P.append((name, expect, action, check))  # noqa: E731
    # configs and command lines
    add("train: config file missing", "error", lambda: run_tool("train.py", d / "none.py"))
    (inp / "syntax.py").write_text("model = dict(\n")
    add("train: config with a syntax error", "error", lambda: run_tool("train.py", inp / "syntax.py"))
    add("train: config is a folder", "error", lambda: run_tool("train.py", inp))
    add("train: top-level key typo (optim_wraper)", "error", tr("optim_wraper.optimizer.lr=0.1"))
    add("train: nested key typo (train_dataloader.dataset.nmae)", "error", tr("train_dataloader.dataset.nmae=digits"))
    add("train: wrong value type (train_cfg.max_epochs=two)", "error", lambda: run_tool(
        "train.py", S4, "--work-dir", d / "w", "--cfg-options", *TINY, "train_cfg.max_epochs=two"))
    add("train: model.network.shadow_bn=no", "error", tr("model.network.shadow_bn=no"))
    add("train: model.network.m=four", "error", tr("model.network.m=four"))
    add("train: data_root given for embedded data", "error", tr("data_root=/data/cifar10"))
    add("train: unknown dataset name", "error", tr("train_dataloader.dataset.name=mnist6k"))
    add("train: load_from=http:// URL", "error", tr("load_from=http://127.0.0.1:9/p.pth"))
    add("train: work dir held by another run", "error", lock_then_train)
    add("train: --work-dir is a file", "error", lambda: run_tool("train.py", S4, "--work-dir", inp / "notes.pth",
                                                                  "--cfg-options", *TINY))
    # datasets
    add("train: CIFAR-10 folder missing", "error", tr_cifar(d / "nowhere"))
    add("train: CIFAR-10 label 10", "error", tr_cifar(cifar_label.parent))
    add("train: CIFAR-10 float64 pixels", "error", tr_cifar(cifar_float.parent))
    add("train: CIFAR-10 int16 pixels (300)", "error", tr_cifar(cifar_i16.parent))
    add("train: CIFAR-10 batches that are not pickles", "error", tr_cifar(inp / "cifar_garbage"))
    add("lib: CIFAR-10 valid folder", "ok", lambda: run_lib(lambda: __import__(
        "mixpath_bench.data.datasets", fromlist=["cifar10"]).cifar10(str(good_cifar), "test")))
    add("lib: ImageNet folder, valid JPEGs", "ok", imagenet("good"))
    add("lib: ImageNet truncated JPEG", "error", imagenet("truncated"))
    add("lib: ImageNet text file named .JPEG", "error", imagenet("text"))
    add("lib: ImageNet truncated JPEG, skip_corrupt=True", "ok", imagenet("truncated", skip=True))
    add("lib: ImageNet folder missing", "error", lambda: run_lib(lambda: __import__(
        "mixpath_bench.data.imagenet", fromlist=["x"]).ImageFolderUInt8(str(d / "none"), "val")))
    # checkpoints
    add("evaluate: valid checkpoint", "ok", ev(S4, ck))
    add("evaluate: vanilla-BN checkpoint with the SBN config", "ok", ev(S4, bn))
    add("evaluate: checkpoint missing", "error", ev(S4, d / "gone.pth"))
    add("evaluate: text file as checkpoint", "error", ev(S4, inp / "notes.pth"))
    add("evaluate: truncated checkpoint", "error", ev(S4, inp / "trunc.pth"))
    add("evaluate: NaN weights", "error", ev(S4, nan_ck))
    add("evaluate: shape-mismatched checkpoint (stem 16 vs 8)", "error", ev(S4, wide))
    add("evaluate: S1 checkpoint with the S4 config", "error", ev(S4, s1))
    add("evaluate: S1 checkpoint without record, S4 config", "error", ev(S4, s1_old))
    add("evaluate: pickle payload checkpoint", "error", ev(S4, inp / "pickle_payload.pth"))
    add("evaluate: config payload in meta.cfg", "ok", ev(S4, inp / "cfg_payload.pth"))
    add("evaluate: bad architecture string", "error", ev(S4, ck, "--arch", "S4:99"))
    add("evaluate: --device cuda:7 without that GPU", "error", lambda: run_tool(
        "evaluate.py", S4, ck, "--cfg-options", *TINY, "--device", "cuda:7"))
    add("analyze_sbn: pickle payload checkpoint", "error", lambda: run_tool(
        "analyze_sbn.py", inp / "pickle_payload.pth", "--work-dir", d / "sbn"))
    add("train --resume: forged trust marker + pickle payload", "error", payload_workdir_resume)
    add("train --resume: work dir moved after a run", "ok", moved_resume,
        lambda: (d / "moved" / "epoch_2.pth").is_file())
    add("train --resume: work dir copied (original changed since)", "ok", copied_resume,
        lambda: (d / "copy" / "epoch_2.pth").is_file())
    add("publish_model: pickle payload without --trust-checkpoint", "error", lambda: run_tool(
        "publish_model.py", inp / "pickle_payload.pth", "x", "--work-dir", d / "pub"))
    # architectures and search results
    for k in archs:
        add(f"train: model.arch names a bad architecture file ({k})", "error", lambda k=k: run_tool(
            "train.py", ROOT / "configs/cifar10_transfer/mixpath_a.py", "--work-dir", d / "wa", "--cfg-options",
            f"model.arch={inp / f'arch_{k}.json'}"))
    add("export: malformed architecture string", "error", lambda: run_tool(
        "export.py", "--arch", "S4:12x", "--name", "x", "--out", d / "x.json"))
    add("export: valid architecture string", "ok", lambda: run_tool(
        "export.py", "--arch", "S4:1200", "--name", "p", "--out", d / "p.json"), file_ok(d / "p.json"))
    add("export: pareto.json is not JSON", "error", lambda: run_tool(
        "export.py", "--pareto", pareto_bad, "--name", "x", "--out", d / "x.json"))
    add("export: pareto.json naming a missing checkpoint", "error", lambda: run_tool(
        "export.py", "--pareto", pareto_missing, "--name", "x", "--out", d / "x.json", "--with-weights"))
    # NAS-Bench-101 ground truth
    add("rank: valid tfrecord", "ok", rank(nb["good"]), lambda: (d / "rank" / "rank.json").is_file())
    add("rank: tfrecord missing", "error", rank(d / "gone.tfrecord"))
    add("rank: record with one evaluation (epoch-0 accuracy)", "error", rank(nb["one_eval"]))
    add("rank: two repeats per hash", "error", rank(nb["two_repeats"]))
    add("rank: accuracies in percent", "error", rank(nb["percent"]))
    add("rank: length field 2^60", "error", rank(nb["huge_length"]))
    add("rank: truncated tfrecord", "error", rank(inp / "trunc.tfrecord"))
    add("rank: --calib-batches 0 (refused before scoring)", "error", lambda: run_tool(
        "rank.py", S4, ck, "--truth", nb["good"], "--work-dir", d / "rank0", "--calib-batches", "0",
        "--device", "cpu", "--cfg-options", *TINY), lambda: not (d / "rank0" / "rank.json").exists())
    add("lib: NAS-Bench-101 file rewritten with same size and mtime", "ok", nb101_lib(stale_cache))
    add("lib: NAS-Bench-101 cache corrupt", "ok", nb101_lib(corrupt_cache))
    # model zoo
    for k in [k for k in manifests if k != "empty"]:
        add(f"download: manifest ({k})", "error", lambda k=k: run_tool("download.py", "tiny", env=zoo_env(k)))
    add("download: unknown entry", "error", lambda: run_tool("download.py", "nope", env=zoo_env("empty")))
    second_pass(d, inp, marker, ck, add)
    openmmlab_pass(d, inp, add)
    return P, inp, marker


def second_pass(d: Path, inp: Path, marker: Path, ck: Path, add) -> None:
    """Links, racing runs, edited inputs, numbers nobody should trust, option text as code."""
    from mixpath_bench import jsonio
    from mixpath_bench.bench.truth import TableTruth
    from mixpath_bench.engine.lock import lock_work_dir
    from mixpath_bench.pipeline.runner import Experiment
    from mixpath_bench.pipeline.sbn_job import resolve_checkpoint
    from mixpath_bench.pipeline.search_job import load_search_config
    from mixpath_bench.progress import tee_log

    demo, search = ROOT / "configs/experiment/demo.py", str(ROOT / "configs/search/s4_mnist5k.py")
    victim = inp / "victim_outside.txt"  # inside inputs/: any change to it is data loss
    victim.write_text("precious\n")

    def linked(name: str) -> Path:
        work = d / f"links_{name.replace('.', '_')}"
        work.mkdir(exist_ok=True)
        if not (work / name).is_symlink():
            (work / name).symlink_to(victim)
        return work

    add("lib: save_json_atomic onto a planted link", "ok",
        lambda: run_lib(lambda: jsonio.save_json_atomic(linked("rank.json") / "rank.json", {"tau": 1})),
        lambda: not (d / "links_rank_json" / "rank.json").is_symlink())
    add("lib: a link planted at the old temporary name", "ok",
        lambda: run_lib(lambda: jsonio.save_json_atomic(linked("pareto.json.tmp") / "pareto.json", [1])))
    add("lib: work-dir lock file is a link", "error", lambda: run_lib(lambda: lock_work_dir(linked(".lock"))))
    add("lib: experiment.log is a link", "error",
        lambda: run_lib(lambda: tee_log(lambda _: None, linked("experiment.log") / "experiment.log")("x")))

    def full_disk():
        real = jsonio.os.fsync
        jsonio.os.fsync = lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device"))
        try:
            jsonio.save_json_atomic(d / "full" / "metrics.json", {"a": 1})
        finally:
            jsonio.os.fsync = real

    add("lib: disk full while writing a result", "error", lambda: run_lib(full_disk),
        lambda: not any((d / "full").iterdir()))
    key = "x': exec(str(bytes([" + ",".join(str(b) for b in f"open({str(marker)!r}, 'w')".encode()) + "]), 'ascii')), 'y"
    add("experiment: supernet_options key holding Python", "error", lambda: run_tool(
        "experiment.py", ROOT / "configs/experiment/s1_cifar10.py", "--work-dir", d / "inject", "--until", "truth",
        "--cfg-options", f"supernet_options.data_root={d / 'nowhere'}", f"supernet_options.optim_wrapper.optimizer.{key}=1"))

    def locked(tool_args, work):
        def go():
            with lock_work_dir(work, "a live run"):
                return run_tool(*tool_args)
        return go

    add("experiment: into a live run's work dir, with supernet_options", "error", locked(
        ("experiment.py", demo, "--work-dir", d / "live", "--cfg-options", "supernet_options.optim_wrapper.optimizer.lr=9"),
        d / "live"), lambda: not (d / "live" / "supernet_config.json").exists())
    add("rank: into a live run's work dir", "error", locked(
        ("rank.py", S4, ck, "--truth", "standalone", "--work-dir", d / "live_rank", "--cfg-options", *TINY),
        d / "live_rank"), lambda: not (d / "live_rank" / "standalone").exists())
    rows = "arch,acc\nS4:1000,90.1\nS4:2000,91.5\nS4:3000,88.0\n"
    for label, extra in [("NaN", "S4:1100,nan"), ("inf", "S4:1100,inf"), ("-500", "S4:1100,-500"),
                         ("one network twice, two values", "S4:0001,95")]:
        path = inp / f"truth_{label.split()[0]}.csv"
        path.write_text(rows + extra + "\n")
        add(f"lib: truth table with {label}", "error", lambda path=path: run_lib(lambda: TableTruth(path)))
    (inp / "truth_fractions.csv").write_text("arch,acc\nS4:1000,0.901\nS4:2000,0.915\nS4:3000,0.88\n")
    add("lib: truth table in fractions", "error", lambda: run_lib(lambda: TableTruth(inp / "truth_fractions.csv")))
    for option in ({"ground_truth.seeds": [0, 0]}, {"ranking.n_boot": 5}, {"ranking.top_k": 1000},
                   {"ground_truth.holdout": 0.9}):
        add(f"lib: experiment {option}", "error", lambda option=option: run_lib(
            lambda: Experiment(demo, d / "exp_bad", option, log=lambda _: None)),
            lambda: not (d / "exp_bad").exists())
    for option in ({"evaluator.calib_batches": 0}, {"searchers.nsga2.generations": "abc"},
                   {"searchers.random.seed": 1.5}, {"constraints.min_acc": float("nan")}):
        add(f"lib: search config {option}", "error", lambda option=option: run_lib(
            lambda: load_search_config(search, option)))
    for option in ("model.network.m=2", "model.network.shadow_bn=False", "model.network.num_classes=7"):
        add(f"evaluate: {option} that the checkpoint's record overrides", "error", lambda option=option: run_tool(
            "evaluate.py", S4, ck, "--arch", "S4:1000", "--calib-batches", "1", "--cfg-options", *TINY, option))
    other = d / "other_run"
    other.mkdir()
    (other / "epoch_1.pth").write_bytes(ck.read_bytes())
    (d / "copied").mkdir()
    (d / "copied" / "last_checkpoint").write_text(str(other / "epoch_1.pth"))
    add("lib: analyze's last_checkpoint names another run's file", "error",
        lambda: run_lib(lambda: resolve_checkpoint(d / "copied")))
    (d / "garbled").mkdir()
    (d / "garbled" / "last_checkpoint").write_bytes(b"\xff\xfe\x00")
    add("lib: last_checkpoint that is not text", "error", lambda: run_lib(lambda: resolve_checkpoint(d / "garbled")))
    table = d / "truth_edited.csv"  # edited on purpose: kept out of inputs/ (whose changes count as data loss)
    table.write_text("arch,acc\n" + "".join(f"S4:{a},{80 + i}\n" for i, a in enumerate(
        ("1000", "2000", "3000", "1100", "2200"))))

    def edited_in_place():
        exp = Experiment(demo, d / "exp_edit", {"ground_truth.source": str(table), "ground_truth.metric": "val_acc"},
                         log=lambda _: None)
        before = exp.key("truth")[0]
        table.write_text(table.read_text().replace("80", "99"))
        if exp.key("truth")[0] == before:
            raise RuntimeError("the truth stage key did not change")

    add("lib: truth table edited in place", "ok", lambda: run_lib(edited_in_place))
    add("lib: stage record naming a file outside the work dir", "error", lambda: run_lib(
        lambda: Experiment(demo, d / "exp_rec", log=lambda _: None).ctx.path("../../victim_outside.txt")))


def openmmlab_pass(d: Path, inp: Path, add) -> None:
    """Config names, keys from bases, nested typos, logging backends, create_model: as an OpenMMLab user meets them."""
    import importlib.util

    from mixpath_bench.engine import load_config
    from mixpath_bench.zoo import publish
    from mixpath_bench.zoo.pretrained import create_model

    for name in ("mixpath_bench::../setup.py", "mixpath_bench::/etc/passwd", "mixpath_bench::supernet/s4_nb101_mnist.py",
                 "mixpath_bench::", "nopkg::supernet/s1_cifar10.py"):
        add(f"train: config named {name}", "error", lambda name=name: run_tool("train.py", name, "--work-dir", d / "nm"))
    for label, base in (("an unknown package", "nopkg::x/y.py"), ("a missing shipped config", "mixpath_bench::x/y.py"),
                        ("a missing local file", "./nothing_here.py")):
        path = inp / f"base_{label.split()[-2]}.py"
        path.write_text(f"_base_ = {base!r}\n")
        add(f"lib: _base_ naming {label}", "error", lambda path=path: run_lib(lambda: load_config(path)))
    (inp / "stock_tta.py").write_text("_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'\n"
                                      "custom_imports = dict(imports=['mixpath_bench.det'], allow_failed_imports=False)\n")
    add("lib: mmdet's retinanet_r50_fpn_1x_coco.py as a base", "ok",
        lambda: run_lib(lambda: load_config(inp / "stock_tta.py")))
    for option in ("optim_wrapper.optimizer.lrr=0.1", "model.network.type=S9Supernet", "model.data_preprocessor.mena=1",
                   "visualizer.vis_backends=[dict(type='TensorboardVisBackend')]"):
        add(f"train: --cfg-options {option}", "error", lambda option=option: run_tool(
            "train.py", "mixpath_bench::supernet/s4_nb101_mnist5k.py", "--work-dir", d / "opt", "--cfg-options", *TINY,
            option))
    for option in ("model.backbone.out_indice=[0,1]", "model.bbox_head.num_clases=3"):
        add(f"train (detection): --cfg-options {option}", "error", lambda option=option: run_tool(
            "train.py", ROOT / "configs/retinanet_mixpath_a_shapes.py", "--work-dir", d / "det", "--cfg-options", option))
    if importlib.util.find_spec("tensorboard") is None:
        add("train: TensorBoard backend without tensorboard installed", "error", lambda: run_tool(
            "train.py", "mixpath_bench::supernet/s4_nb101_mnist5k.py", "--work-dir", d / "tb", "--cfg-options", *TINY,
            "visualizer.vis_backends.0.type=TensorboardVisBackend"))
    add("lib: create_model('mixpath_a', pretrained=True) (no published weights)", "error",
        lambda: run_lib(lambda: create_model("mixpath_a", pretrained=True)))

    def wrong_weights():
        entry = publish(create_model("S4:3311").state_dict(), "wrong", d / "pub")
        entry.update(arch="S4:2100", url=(d / "pub" / entry["file"]).as_uri())
        (d / "wrong_zoo.json").write_text(json.dumps({"models": [entry]}))
        env = {"MIXPATH_ZOO_MANIFEST": str(d / "wrong_zoo.json"), "MIXPATH_ZOO_LOCAL": "1",
               "MIXPATH_CACHE": str(d / "cache")}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            create_model("wrong", pretrained=True)
        finally:
            for k, v in saved.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)

    add("lib: zoo weights of another architecture", "error", lambda: run_lib(wrong_weights))


def main() -> int:
    parser = argparse.ArgumentParser(description="probe the tools with bad inputs")
    parser.add_argument("--keep", help="folder to build the probes in (kept); default a temporary folder")
    parser.add_argument("--only", help="run only probes whose name contains this")
    args = parser.parse_args()
    d = Path(args.keep or tempfile.mkdtemp(prefix="mixpath_probe_"))
    d.mkdir(parents=True, exist_ok=True)
    start = time.time()
    plist, inp, marker = probes(d)
    counts: Counter = Counter()
    print(f"| # | probe | outcome | what the user saw |\n|---|---|---|---|")
    for i, (name, expect, action, check) in enumerate(plist, 1):
        if args.only and args.only not in name:
            continue
        before = fingerprint(inp)
        try:
            rc, err = action()
        except subprocess.TimeoutExpired:
            rc, err = 124, "timed out"
        try:
            result_ok = bool(check())
        except Exception:  # noqa: BLE001
            result_ok = False
        after = fingerprint(inp)
        lost = any(after.get(k) != v for k, v in before.items())
        outcome = classify(rc, err, expect, result_ok, lost, marker.exists())
        counts[outcome] += 1
        lines = [ln for ln in err.splitlines() if ln.strip()]
        shown = next((ln for ln in lines if ln.startswith("error:")), lines[-1] if lines else f"exit {rc}")
        shown = shown.replace(str(d), "<tmp>").replace(str(ROOT), "<repo>").replace("|", "\\|")[:150]
        print(f"| {i} | {name} | {outcome} | `{shown}` |", flush=True)
        marker.unlink(missing_ok=True)
    total = sum(counts.values())
    print(f"\n{total} probes in {time.time() - start:.0f} s: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
    if not args.keep:
        shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
