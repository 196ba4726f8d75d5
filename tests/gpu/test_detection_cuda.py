"""RetinaNet on a CUDA GPU with the PyTorch stand-in for mmcv.ops (gpu: skipped without CUDA).

On CUDA, mmdet's FocalLoss calls the compiled `mmcv.ops.sigmoid_focal_loss`; with mmcv-lite that is
the stand-in of mixpath_bench/det/mmcv_ops.py.  "Without the stand-in" is mmdet's own PyTorch
focal loss (`py_sigmoid_focal_loss`, what it uses on the CPU): both must give the same losses.
"""
import copy

import pytest
import torch

from ..conftest import ROOT


def build_retinanet(config: str = "retinanet_mixpath_a.py"):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mixpath_bench.det import DET_MODELS
    from mixpath_bench.det.setup import register_detection

    register_detection()
    DefaultScope.get_instance(f"gpu-test-{config}", scope_name="mmdet")
    cfg = Config.fromfile(str(ROOT / "configs" / config))
    cfg.model.backbone.pop("init_cfg", None)
    cfg.model.test_cfg.score_thr = 0.0  # an untrained head scores everything low: keep its boxes
    torch.manual_seed(0)
    return DET_MODELS.build(cfg.model)


def batch(n: int = 2):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    gen = torch.Generator().manual_seed(0)
    imgs, samples = [], []
    for _ in range(n):
        imgs.append(torch.randint(0, 255, (3, 128, 128), dtype=torch.uint8, generator=gen))
        s = DetDataSample(metainfo=dict(img_shape=(128, 128), ori_shape=(128, 128), scale_factor=(1.0, 1.0),
                                        pad_shape=(128, 128), batch_input_shape=(128, 128)))
        s.gt_instances = InstanceData(bboxes=torch.tensor([[10.0, 20.0, 70.0, 90.0], [40.0, 8.0, 120.0, 60.0]]),
                                      labels=torch.tensor([3, 7]))
        samples.append(s)
    return {"inputs": imgs, "data_samples": samples}


def pytorch_focal_loss(pred, target, weight=None, gamma=2.0, alpha=0.25, reduction="mean", avg_factor=None):
    """mmdet's CPU route: one-hot targets through its own `py_sigmoid_focal_loss`."""
    from mmdet.models.losses import focal_loss

    onehot = torch.nn.functional.one_hot(target, num_classes=pred.size(1) + 1)[:, :pred.size(1)]
    return focal_loss.py_sigmoid_focal_loss(pred, onehot, weight, gamma=gamma, alpha=alpha, reduction=reduction,
                                            avg_factor=avg_factor)


@pytest.mark.gpu
def test_retinanet_loss_and_predict_on_cuda_with_and_without_stand_in(monkeypatch):
    pytest.importorskip("mmdet")
    from mixpath_bench.det import COMPILED_MMCV_OPS  # first: puts the stand-in in place of mmcv.ops

    from mmdet.models.losses import focal_loss

    if COMPILED_MMCV_OPS:
        pytest.skip("a full mmcv with compiled ops is installed: the stand-in is not in use")
    cpu_model = build_retinanet()
    model = copy.deepcopy(cpu_model).cuda()
    data = model.data_preprocessor(batch(), True)
    total, with_stand_in = model.parse_losses(model(**data, mode="loss"))
    total.backward()
    assert torch.isfinite(total)
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    with monkeypatch.context() as m:
        m.setattr(focal_loss, "sigmoid_focal_loss", pytorch_focal_loss)
        without = model.parse_losses(model(**data, mode="loss"))[1]
    for key in ("loss_cls", "loss_bbox"):
        torch.testing.assert_close(with_stand_in[key], without[key], rtol=1e-4, atol=1e-6, msg=key)
    cpu_losses = cpu_model.parse_losses(cpu_model(**cpu_model.data_preprocessor(batch(), True), mode="loss"))[1]
    for key in ("loss_cls", "loss_bbox"):  # CPU route of the whole model; TF32 convolutions on CUDA
        torch.testing.assert_close(with_stand_in[key].cpu(), cpu_losses[key], rtol=2e-2, atol=1e-4, msg=key)

    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch(1), False), mode="predict")
    pred = out[0].pred_instances
    assert pred.bboxes.is_cuda and pred.bboxes.shape[-1] == 4 and len(pred.bboxes) > 0
    assert torch.isfinite(pred.bboxes).all() and (pred.scores[:-1] >= pred.scores[1:]).all()


@pytest.mark.gpu
def test_stand_in_nms_on_cuda_keeps_what_it_keeps_on_cpu():
    pytest.importorskip("mmdet")
    from mixpath_bench.det.mmcv_ops import batched_nms

    gen = torch.Generator().manual_seed(0)
    xy = torch.rand(300, 2, generator=gen) * 100
    boxes = torch.cat([xy, xy + 5 + torch.rand(300, 2, generator=gen) * 30], 1)
    scores = torch.rand(300, generator=gen)
    labels = torch.randint(0, 5, (300,), generator=gen)
    cfg = dict(type="nms", iou_threshold=0.5)
    dets_cpu, keep_cpu = batched_nms(boxes, scores, labels, cfg)
    dets_cuda, keep_cuda = batched_nms(boxes.cuda(), scores.cuda(), labels.cuda(), cfg)
    assert keep_cuda.is_cuda and torch.equal(keep_cuda.cpu(), keep_cpu)
    torch.testing.assert_close(dets_cuda.cpu(), dets_cpu)
