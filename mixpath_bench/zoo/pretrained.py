"""timm's convention for this package's models: ``create_model(name, pretrained=False, num_classes=None)``
and ``list_models()``, with ``pretrained=True`` loading the model zoo's verified weights.

`mixpath_bench.create_model` and `mixpath_bench.list_models` are these; timm's registry gets the same
names (`mixpath_bench.timm_models`).  Building without weights is `mixpath_bench.models.create_model`.
"""
from __future__ import annotations

from torch import nn

from ..errors import ConfigError
from ..models import named
from .hub import ZooError, get_entry, load_manifest, load_pretrained


def create_model(name: str, pretrained: bool = False, num_classes: int | None = None,
                 **network_overrides) -> nn.Module:
    """The stand-alone network of a named (or given) architecture, timm's way.

    `name`: a registered name (`list_models`), an architecture file (``.json``) or string.
    ``pretrained=True`` loads the model zoo's verified weights for that name: an unknown name, a
    name with no published weights, or weights that do not fit are one-line errors.  With
    `num_classes` other than the weights', the classifier starts fresh (as in timm).
    """
    if not isinstance(pretrained, bool):
        raise ConfigError(f"create_model({name!r}): pretrained must be True or False, got {pretrained!r}")
    if not pretrained:
        return named.create_model(name, num_classes, **network_overrides)
    entry = get_entry(name)  # one line for a name the zoo does not have
    model = named.create_model(str(entry.get("arch") or name), num_classes, **network_overrides)
    load_zoo_weights(model, name, new_classifier=num_classes is not None)
    return model


def load_zoo_weights(model: nn.Module, name: str, new_classifier: bool = False) -> None:
    """Load the zoo's weights for `name` into `model`; with `new_classifier`, a classifier whose shape
    differs keeps its fresh initialisation.  Anything else that does not fit is a `ZooError`."""
    state = load_pretrained(name)
    own = model.state_dict()
    unexpected = sorted(set(state) - set(own))
    mismatched = sorted(k for k in set(state) & set(own) if tuple(state[k].shape) != tuple(own[k].shape))
    fresh = [k for k in mismatched if new_classifier and k.startswith("classifier.")]
    wrong = [k for k in mismatched if k not in fresh]
    missing = sorted(k for k in set(own) - set(state) if not k.endswith("num_batches_tracked"))
    if unexpected or wrong or missing:
        detail = "; ".join(f"{what}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}" for what, keys in
                           (("unexpected", unexpected), ("other shape", wrong), ("missing", missing)) if keys)
        raise ZooError(f"the zoo's weights for {name} do not fit its architecture ({detail})")
    model.load_state_dict({k: v for k, v in state.items() if k not in fresh}, strict=False)


def list_models(pretrained: bool = False) -> list[str]:
    """Names `create_model` takes (the named architectures); ``pretrained=True``: only those whose
    weights the model zoo publishes."""
    names = named.list_archs()
    if not pretrained:
        return names
    entries = load_manifest()
    return [n for n in names if n in entries and entries[n].get("url") and entries[n].get("sha256")]
