"""MMDetection integration on CPU with mmcv-lite: backbones, RetinaNet, train/test CLIs."""
import json
import subprocess
import sys

import pytest
import torch

pytest.importorskip("mmdet")

from mmengine.config import Config  # noqa: E402

from mixpath_bench.det import COMPILED_MMCV_OPS, DET_MODELS, MixPathBackbone, TimmBackbone  # noqa: E402
from mixpath_bench.det.mmcv_ops import batched_nms, sigmoid_focal_loss  # noqa: E402
from mixpath_bench.det.setup import register_detection  # noqa: E402

from ..conftest import ROOT  # noqa: E402

register_detection()


@pytest.mark.parametrize("arch", ["mixpath_a", "mixpath_b"])
def test_mixpath_backbone_features(arch):
    b = MixPathBackbone(arch).eval()
    outs = b(torch.randn(1, 3, 128, 160))
    assert [tuple(o.shape[1:]) for o in outs] == [(96, 32, 40), (240, 16, 20), (360, 8, 10), (1200, 4, 5)]
    assert [o.shape[1] for o in outs] == b.channels
    assert len(MixPathBackbone(arch, out_indices=(1, 3))(torch.randn(1, 3, 64, 64))) == 2


def test_backbone_features_are_the_declared_taps():
    """The FPN inputs equal what the adapter computed when it walked each block's children."""
    from mixpath_bench.models import MIXNET_M_STAGE_ENDS

    from ..models.test_modes import old_block_with_tap

    b = MixPathBackbone("S2:" + "-".join(["01"] * 18), out_indices=(0, 2, 3)).eval()
    x = torch.randn(1, 3, 64, 64)
    expected = []
    with torch.no_grad():
        outs = b(x)
        h = b.stem(x)
        for i, block in enumerate(b.blocks):
            if i in MIXNET_M_STAGE_ENDS:
                h, tap = old_block_with_tap(block, h)
                expected.append(tap)
            else:
                h = block(h)
    assert len(outs) == 3
    for out, ref in zip(outs, [expected[0], expected[2], expected[3]]):
        assert torch.equal(out, ref)
    assert b.channels == [o.shape[1] for o in outs] == [96, 360, 1200]


@pytest.mark.parametrize("name", ["mixnet_m", "mobilenetv3_large_100", "semnasnet_100"])
def test_timm_backbone_strides(name):
    b = TimmBackbone(name).eval()
    outs = b(torch.randn(1, 3, 128, 128))
    assert [o.shape[-1] for o in outs] == [32, 16, 8, 4] and [o.shape[1] for o in outs] == b.channels


def test_frozen_stages_and_norm_eval():
    b = MixPathBackbone("mixpath_a", frozen_stages=1, norm_eval=True)
    b.train()
    frozen = [p for m in b.stage_modules(0) + b.stage_modules(1) for p in m.parameters()]
    assert frozen and not any(p.requires_grad for p in frozen)
    assert all(p.requires_grad for m in b.stage_modules(2) for p in m.parameters())
    assert all(not m.training for m in b.modules() if isinstance(m, torch.nn.BatchNorm2d))
    b2 = MixPathBackbone("mixpath_a", frozen_stages=-1, norm_eval=False).train()
    assert all(m.training for m in b2.modules() if isinstance(m, torch.nn.BatchNorm2d))
    t = TimmBackbone("mixnet_m", frozen_stages=0, norm_eval=True).train()
    assert not any(p.requires_grad for p in t.body.conv_stem.parameters())
    assert all(not m.training for m in t.modules() if isinstance(m, torch.nn.BatchNorm2d))


def test_torch_ops_match_mmcv_semantics():
    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30]], dtype=torch.float)
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    dets, keep = batched_nms(boxes, scores, torch.tensor([0, 0, 1, 0]), dict(type="nms", iou_threshold=0.5))
    assert keep.tolist() == [0, 2, 3] and dets.shape == (3, 5)
    pred = torch.tensor([[2.0, -1.0], [0.0, 0.5]])
    loss = sigmoid_focal_loss(pred, torch.tensor([0, 2]), 2.0, 0.25, None, "none")
    p = pred.sigmoid()
    expected00 = -0.25 * (1 - p[0, 0]) ** 2 * torch.log(p[0, 0])
    expected11 = -0.75 * p[1, 1] ** 2 * torch.log(1 - p[1, 1])  # label 2 = background
    torch.testing.assert_close(loss[0, 0], expected00)
    torch.testing.assert_close(loss[1, 1], expected11)


@pytest.mark.parametrize("config", ["retinanet_mixpath_a.py", "retinanet_mixpath_b.py", "retinanet_mixnet_m.py",
                                    "retinanet_mobilenetv3.py", "retinanet_mnasnet_a1.py"])
def test_retinanet_loss_backward_predict(config):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from mmengine.registry import DefaultScope

    DefaultScope.get_instance(f"test-{config}", scope_name="mmdet")
    cfg = Config.fromfile(str(ROOT / "configs" / config))
    cfg.model.backbone.pop("init_cfg", None)
    if cfg.model.backbone.type == "TimmBackbone":
        cfg.model.backbone.pretrained = False
    model = DET_MODELS.build(cfg.model)
    img = torch.randint(0, 255, (3, 128, 128), dtype=torch.uint8)
    sample = DetDataSample(metainfo=dict(img_shape=(128, 128), ori_shape=(128, 128), scale_factor=(1.0, 1.0),
                                         pad_shape=(128, 128), batch_input_shape=(128, 128)))
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[10.0, 20.0, 70.0, 90.0]]), labels=torch.tensor([3]))
    data = model.data_preprocessor({"inputs": [img, img], "data_samples": [sample, sample]}, True)
    losses = model(**data, mode="loss")
    total, _ = model.parse_losses(losses)
    total.backward()
    assert torch.isfinite(total)
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.backbone.parameters())
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor({"inputs": [img], "data_samples": [sample]}, False), mode="predict")
    assert out[0].pred_instances.bboxes.shape[-1] == 4


def test_train_and_test_cli_on_tiny_shapes(tmp_path):
    data = tmp_path / "shapes"
    subprocess.run([sys.executable, str(ROOT / "tools/make_shapes.py"), str(data), "--train", "16", "--val", "8"],
                   check=True, cwd=ROOT, capture_output=True)
    options = [f"data_root={data}/", "train_cfg.max_epochs=1", "train_dataloader.batch_size=4",
               "default_hooks.logger.interval=1"]
    work = tmp_path / "work"
    proc = subprocess.run([sys.executable, str(ROOT / "tools/train.py"),
                           str(ROOT / "configs/retinanet_mixpath_a_shapes.py"), "--work-dir", str(work),
                           "--cfg-options", *options], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / "epoch_1.pth").is_file()
    out = tmp_path / "metrics.json"
    proc = subprocess.run([sys.executable, str(ROOT / "tools/test.py"),
                           str(ROOT / "configs/retinanet_mixpath_a_shapes.py"), str(work / "epoch_1.pth"),
                           "--work-dir", str(tmp_path / "test"), "--metrics-out", str(out), "--cfg-options",
                           f"data_root={data}/", "model.test_cfg.score_thr=0.0"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads(out.read_text())["metrics"]
    assert "coco/bbox_mAP_50" in metrics and 0.0 <= metrics["coco/bbox_mAP_50"] <= 1.0


def test_mmcv_ops_mode_is_reported():
    import importlib.util

    # mmcv.ops loads its kernels from the compiled extension mmcv._ext (a full mmcv has it, mmcv-lite not)
    assert COMPILED_MMCV_OPS is (importlib.util.find_spec("mmcv._ext") is not None)
    import mmcv.ops

    if not COMPILED_MMCV_OPS:
        with pytest.raises(Exception, match="needs the compiled ops of a full mmcv"):
            mmcv.ops.RoIAlign(7)


def test_zoo_weights_load_into_backbone_via_init_cfg(tmp_path, monkeypatch):
    """publish -> serve on 127.0.0.1 -> zoo://mixpath_a in init_cfg -> identical backbone weights."""
    import http.server
    import threading

    from mixpath_bench.models.named import create_model
    from mixpath_bench.zoo import publish, register_zoo_scheme

    source = create_model("mixpath_a")
    entry = publish({f"network.{k}": v for k, v in source.state_dict().items()}, "mixpath_a", tmp_path / "pub")
    body = (tmp_path / "pub" / entry["file"]).read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{entry['file']}"
        (tmp_path / "zoo.json").write_text(json.dumps({"models": [dict(entry, url=url, arch="mixpath_a")]}))
        monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(tmp_path / "zoo.json"))
        monkeypatch.setenv("MIXPATH_CACHE", str(tmp_path / "cache"))
        register_zoo_scheme()
        backbone = MixPathBackbone("mixpath_a", init_cfg=dict(type="Pretrained", checkpoint="zoo://mixpath_a"))
        backbone.init_weights()
    finally:
        httpd.shutdown()
    for name, tensor in backbone.state_dict().items():
        if not name.endswith("num_batches_tracked"):
            torch.testing.assert_close(tensor, source.state_dict()[name], msg=name)
