"""`mixpath_bench.create_model` / `list_models` as timm users expect them, ``pretrained=True`` through the model
zoo's verified files, and the same names in timm's own registry."""
import json
import subprocess
import sys

import pytest
import torch

import mixpath_bench
from mixpath_bench.errors import ConfigError
from mixpath_bench.zoo import ZooError, publish

TINY = "S4:2100"


def out_features(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1].out_features


def write_zoo(tmp_path, monkeypatch, weights_arch=TINY, classes=10):
    """An architecture folder with `tiny_s4` (S4:2100) and a zoo serving weights for it from a local mirror."""
    archs = tmp_path / "archs"
    archs.mkdir(exist_ok=True)
    (archs / "tiny_s4.json").write_text(json.dumps({"name": "tiny_s4", "arch": TINY}))
    (archs / "mixnet_m.json").write_text(json.dumps({"name": "mixnet_m", "arch": TINY}))  # a name timm has
    torch.manual_seed(0)
    source = mixpath_bench.create_model(weights_arch, num_classes=classes)
    entry = publish(source.state_dict(), "tiny_s4", tmp_path / "pub")
    entry.update(arch="tiny_s4", url=(tmp_path / "pub" / entry["file"]).as_uri())
    manifest = tmp_path / "zoo.json"
    manifest.write_text(json.dumps({"models": [entry, {"name": "unpublished", "arch": "tiny_s4", "url": None,
                                                       "sha256": None, "weights_note": "train it yourself"}]}))
    env = {"MIXPATH_ARCH_DIR": str(archs), "MIXPATH_ZOO_MANIFEST": str(manifest), "MIXPATH_ZOO_LOCAL": "1",
           "MIXPATH_CACHE": str(tmp_path / "cache")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return source, env


def test_create_model_and_list_models_where_timm_users_look():
    from mixpath_bench.models import create_model as build
    from mixpath_bench.zoo.pretrained import create_model, list_models

    assert mixpath_bench.create_model is create_model and mixpath_bench.list_models is list_models
    assert {"mixpath_a", "mixpath_b"} <= set(list_models())
    assert out_features(build("mixpath_a", num_classes=7)) == 7  # the weightless builder
    assert out_features(mixpath_bench.create_model("mixpath_a", num_classes=7)) == 7
    with pytest.raises(AttributeError):
        mixpath_bench.no_such_function  # noqa: B018


def test_import_stays_light():
    code = "import sys, mixpath_bench; assert 'torch' not in sys.modules and 'timm' not in sys.modules"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_pretrained_loads_the_zoos_verified_weights(tmp_path, monkeypatch):
    source, _ = write_zoo(tmp_path, monkeypatch)
    assert mixpath_bench.list_models(pretrained=True) == ["tiny_s4"]
    model = mixpath_bench.create_model("tiny_s4", pretrained=True)
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    fresh = mixpath_bench.create_model("tiny_s4", pretrained=True, num_classes=3)  # a new classifier, as in timm
    assert out_features(fresh) == 3
    same = [k for k in source.state_dict() if not k.startswith("classifier.")]
    assert same and all(torch.equal(fresh.state_dict()[k], source.state_dict()[k]) for k in same)


@pytest.mark.parametrize("name,kwargs,error,message", [
    ("nothing_like_it", {}, ZooError, "unknown model 'nothing_like_it'"),
    ("unpublished", {}, ZooError, "no weights are published for unpublished (train it yourself)"),
    ("tiny_s4", {"pretrained": "yes"}, ConfigError, "pretrained must be True or False"),
    ("tiny_s4", {"pretrained": False, "num_classes": 0}, ConfigError, "num_classes must be a positive integer"),
    ("tiny_s4", {"pretrained": False, "widht": 3}, ConfigError, "architecture tiny_s4"),
])
def test_create_model_mistakes_are_one_line(tmp_path, monkeypatch, name, kwargs, error, message):
    write_zoo(tmp_path, monkeypatch)
    kwargs = {"pretrained": True, **kwargs}
    with pytest.raises(error) as err:
        mixpath_bench.create_model(name, **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("weights_arch,classes", [("S4:3311", 10), (TINY, 5)])
def test_weights_that_do_not_fit_are_refused(tmp_path, monkeypatch, weights_arch, classes):
    """Weights of another architecture, or of another class count without asking for a new classifier."""
    write_zoo(tmp_path, monkeypatch, weights_arch=weights_arch, classes=classes)
    with pytest.raises(ZooError, match="the zoo's weights for tiny_s4 do not fit its architecture"):
        mixpath_bench.create_model("tiny_s4", pretrained=True)


TIMM = """
import sys
{first}
import torch
m = timm.create_model('tiny_s4', pretrained=True, num_classes=3)
print(type(m).__name__, [x for x in m.modules() if isinstance(x, torch.nn.Linear)][-1].out_features)
print(type(timm.create_model('mixnet_m')).__name__)  # timm's own name is never replaced
print(','.join(sorted(timm.list_models('*tiny_s4*'))))
"""


@pytest.mark.parametrize("first", ["import mixpath_bench\nimport timm", "import timm\nimport mixpath_bench",
                                   "import importlib.util, mixpath_bench\nassert importlib.util.find_spec('timm')\n"
                                   "import timm"],
                         ids=["mixpath_bench-first", "timm-first", "looked-up-first"])
def test_timm_create_model_knows_our_names(tmp_path, monkeypatch, first):
    _, env = write_zoo(tmp_path, monkeypatch)
    proc = subprocess.run([sys.executable, "-c", TIMM.format(first=first)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env={**dict(__import__("os").environ), **env})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["S4Standalone", "3", "EfficientNet", "tiny_s4"]
