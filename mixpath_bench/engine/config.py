"""Loading and checking MMEngine configs: every key must be read by something.

Top level: the Runner's arguments, ``data_root`` and OpenMMLab's conventional keys (`OPENMMLAB_KEYS`,
what MMDetection's own configs define), so a config that inherits ``mmdet::`` bases loads unchanged.
Inside the sections the Runner builds (loops, dataloaders, ``optim_wrapper``, and ``model`` / datasets
whose type this package or MMEngine registered), a key the built class does not take is an error
naming the closest valid key, instead of a TypeError from deep inside the build.
"""
from __future__ import annotations

import difflib
import inspect
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from mmengine.config import Config, DictAction  # noqa: F401 - DictAction re-exported for tools
from mmengine.runner import Runner

from ..errors import ConfigError, DatasetError

#: Keys read by tools/train.py itself, beyond the Runner's constructor arguments.
EXTRA_KEYS = {"data_root"}
#: OpenMMLab's conventional top-level keys: read by MMEngine's Config (``custom_imports``), by
#: mmdet's tools (``runner_type``, ``tta_model``, ``tta_pipeline``), or by the other keys of the
#: file that defines them (MMDetection's ``_base_`` datasets, models and runtime define these).
OPENMMLAB_KEYS = {"custom_imports", "runner_type", "tta_model", "tta_pipeline", "dataset_type", "data_root",
                  "backend_args", "file_client_args", "train_pipeline", "test_pipeline", "metainfo", "vis_backends",
                  "norm_cfg", "img_scale"}
DATALOADERS = ("train_dataloader", "val_dataloader", "test_dataloader")
LOOP_SECTIONS = {"train_cfg": ("runner", "dataloader"), "val_cfg": ("runner", "dataloader", "evaluator"),
                 "test_cfg": ("runner", "dataloader", "evaluator")}
#: Dataloader keys the Runner takes out before calling torch's DataLoader with the rest.
RUNNER_LOADER_KEYS = {"dataset", "sampler", "batch_sampler", "collate_fn", "worker_init_fn", "num_batch_per_epoch"}


def runner_keys() -> set[str]:
    """Top-level config keys that MMEngine's Runner reads."""
    return set(inspect.signature(Runner.__init__).parameters) - {"self", "cfg"} | {"model_wrapper_cfg"}


def load_config(path: str | Path, options: dict | None = None, allowed: Iterable[str] | None = None) -> Config:
    """Read a python config, merge ``--cfg-options``, and reject keys that nothing reads."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        cfg = Config.fromfile(str(path))
    except (SyntaxError, NameError, ImportError, KeyError, TypeError) as exc:
        raise ConfigError(f"config {path} could not be read: {exc}") from None
    file_root = cfg.get("data_root")
    if options:
        cfg.merge_from_dict(options)
    if allowed is None:
        check_keys(cfg, runner_keys() | EXTRA_KEYS | OPENMMLAB_KEYS)
        check_nested_keys(cfg)
    else:
        check_keys(cfg, allowed)
    apply_data_root(cfg, file_root, options)
    return cfg


def check_keys(cfg: Config, allowed: Iterable[str]) -> None:
    """Raise `ConfigError` naming every top-level key that is not in `allowed`."""
    allowed = set(allowed)
    # names starting with "_" are config-local helpers (substituted when the file is read)
    unknown = sorted(k for k in cfg.keys() if k not in allowed and not k.startswith("_"))
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"config key(s) {', '.join(hints)} are not read by anything; remove or rename them "
                          "(a helper used only inside the file: start its name with '_')")


def init_keys(builder: Any) -> set[str] | None:
    """The keyword arguments a registered class (following ``**kwargs`` up its bases) or factory
    function takes; None when open-ended."""
    if not isinstance(builder, type):
        params = inspect.signature(builder).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params):
            return None
        return {p.name for p in params if p.kind is not p.VAR_POSITIONAL}
    names: set[str] = set()
    for klass in builder.__mro__:
        if klass is object:
            return None
        if "__init__" not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        names |= {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            return names - {"self"}
    return None


def _registered(registry: Any, kind: Any) -> Any:
    """The class (or function) a ``type`` names in MMEngine's root `registry` (None: another scope's,
    or unknown)."""
    if callable(kind):
        return kind
    if not isinstance(kind, str) or "." in kind:  # "mmdet.RetinaNet": another scope, built by its own registry
        return None
    try:
        return registry.get(kind)
    except Exception:  # noqa: BLE001 - a name this check cannot resolve is left to the build
        return None


def _check_section(section: Mapping, name: str, accepted: set[str], owner: str) -> None:
    for key in section:
        if key not in accepted and not key.startswith("_"):  # _delete_, _scope_: MMEngine's markers
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f"did you mean {name}.{close[0]}?" if close else f"it takes {', '.join(sorted(accepted))}"
            raise ConfigError(f"config key {name}.{key} is not a setting of {owner} ({hint})")


def _check_typed(section: Any, name: str, registry: Any, extra: Iterable[str] = (), default: str | None = None) -> None:
    """Check a ``dict(type=..., ...)`` against its registered class, then its typed sub-dicts."""
    if not isinstance(section, Mapping):
        return
    cls = _registered(registry, section.get("type", default))
    accepted = init_keys(cls) if cls is not None else None
    if accepted is None:
        return
    _check_section(section, name, accepted | {"type"} | set(extra), getattr(cls, "__name__", str(cls)))
    for key, value in section.items():
        if isinstance(value, Mapping) and "type" in value:
            _check_typed(value, f"{name}.{key}", registry)


def _check_numbers(section: Mapping, name: str, cls: type) -> None:
    """A value given for a parameter annotated ``int`` / ``float`` must be a number (``max_epochs='two'``
    would fail deep inside the loop)."""
    params = inspect.signature(cls.__init__).parameters
    for key, value in section.items():
        param = params.get(key)
        annotation = getattr(param, "annotation", None)
        kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if kind in ("int", "float") and (isinstance(value, bool) or not isinstance(value, (int, float))
                                         or (kind == "int" and not isinstance(value, int))):
            raise ConfigError(f"config key {name}.{key} must be {'an integer' if kind == 'int' else 'a number'}, "
                              f"got {value!r}")


def check_nested_keys(cfg: Config) -> None:
    """Keys inside the loops, dataloaders, ``optim_wrapper``, and the model / datasets of our types."""
    from mmengine.registry import DATASETS, LOOPS, MODELS, OPTIM_WRAPPERS
    from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop, TestLoop, ValLoop
    from torch.utils.data import DataLoader

    from .setup import register_all_modules

    register_all_modules()
    defaults = {"train_cfg": EpochBasedTrainLoop, "val_cfg": ValLoop, "test_cfg": TestLoop}
    for name, fixed in LOOP_SECTIONS.items():
        loop = cfg.get(name)
        if not isinstance(loop, Mapping) or not loop:
            continue
        cls = _registered(LOOPS, loop["type"]) if "type" in loop else defaults[name]
        if name == "train_cfg" and "type" not in loop and loop.get("by_epoch") is False:
            cls = IterBasedTrainLoop
        accepted = init_keys(cls) if cls is not None else None
        if accepted is not None:
            _check_section(loop, name, accepted - set(fixed) | {"type", "by_epoch"}, cls.__name__)
            _check_numbers(loop, name, cls)
    loader_keys = init_keys(DataLoader) | RUNNER_LOADER_KEYS
    for name in DATALOADERS:
        loader = cfg.get(name)
        if isinstance(loader, Mapping):
            _check_section(loader, name, loader_keys, "the dataloader")
            _check_typed(loader.get("dataset"), f"{name}.dataset", DATASETS)
    _check_typed(cfg.get("model"), "model", MODELS)
    _check_typed(cfg.get("optim_wrapper"), "optim_wrapper", OPTIM_WRAPPERS,
                 extra=("optimizer", "constructor", "paramwise_cfg"), default="OptimWrapper")


def apply_data_root(cfg: Config, file_root: str | None = None, options: Mapping | None = None) -> None:
    """``data_root = X`` sets every dataloader dataset's ``root`` / ``data_root`` (one key moves a whole
    dataset) and moves the evaluators' ``ann_file`` paths that lay under the old root.

    An ``ann_file`` is otherwise used as written, as MMDetection's tools do (relative to the current
    directory): write it ``data_root + 'annotations/...'``.  A dataset key given in `options` wins.
    """
    root = cfg.get("data_root")
    if root is None:
        return
    datasets = [(cfg.get(name) or {}).get("dataset", {}) for name in DATALOADERS]
    if any(datasets) and not any(key in d for d in datasets for key in ("root", "data_root")):
        kinds = ", ".join(sorted({str(d.get("type")) for d in datasets if d}))
        raise ConfigError(f"data_root = {root!r} is set but no dataset here reads a folder ({kinds} ship "
                          "their data); remove data_root or use a dataset that takes one")
    given = set(options or {})
    old_roots = {str(file_root)} if file_root else set()
    for name in DATALOADERS:
        dataset = (cfg.get(name) or {}).get("dataset", {})
        for key in ("root", "data_root"):
            if key in dataset and f"{name}.dataset.{key}" not in given:
                if dataset[key]:
                    old_roots.add(str(dataset[key]))
                dataset[key] = root
    old_roots = {r.rstrip("/") + "/" for r in old_roots if r.rstrip("/") not in ("", ".", str(root).rstrip("/"))}
    moved: set[int] = set()
    for name in ("val_evaluator", "test_evaluator"):
        evaluator = cfg.get(name)
        if not isinstance(evaluator, Mapping) or not evaluator.get("ann_file") or id(evaluator) in moved:
            continue
        ann = str(evaluator["ann_file"])
        old = next((r for r in sorted(old_roots, key=len, reverse=True) if ann.startswith(r)), None)
        if old is not None and f"{name}.ann_file" not in given:
            evaluator["ann_file"] = os.path.join(str(root), ann[len(old):])
            moved.add(id(evaluator))


def dataset_files(cfg: Config, loaders: Iterable[str]) -> list[str]:
    """The annotation files and image folders the datasets of `loaders` (and their evaluators) read."""
    paths: list[str] = []
    for name in loaders:
        loader = cfg.get(name)
        dataset = loader.get("dataset") if isinstance(loader, Mapping) else None
        if not isinstance(dataset, Mapping) or not dataset.get("ann_file"):
            continue
        root = str(dataset.get("data_root") or "")
        paths.append(os.path.join(root, str(dataset["ann_file"])))
        prefix = dataset.get("data_prefix") or {}
        paths += [os.path.join(root, str(p)) for p in (prefix.values() if isinstance(prefix, Mapping) else [prefix])
                  if p]
        evaluator = cfg.get(name.replace("_dataloader", "_evaluator"))
        if isinstance(evaluator, Mapping) and evaluator.get("ann_file"):
            paths.append(str(evaluator["ann_file"]))
    return list(dict.fromkeys(p for p in paths if "://" not in p))


def check_data_files(cfg: Config, loaders: Iterable[str]) -> None:
    """One line naming the missing files and the expected layout, before the Runner starts (and logs)."""
    expected = dataset_files(cfg, loaders)
    missing = [p for p in expected if not os.path.exists(p)]
    if not missing:
        return
    root = str(cfg.get("data_root") or "")
    shown = [os.path.relpath(p, root) + ("/" if p.endswith("/") else "") if root and p.startswith(root) else p
             for p in expected]
    where = f"under data_root={root}: " if root else ""
    folder = os.path.basename(root.rstrip("/")) or "dataset"
    fix = (f"point at your copy with --cfg-options data_root=/path/to/{folder}/" if root else
           "fix the dataset paths in the config or with --cfg-options")
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    raise DatasetError(f"dataset not found: {missing[0]} is missing{more}; expected {where}{', '.join(shown)}; {fix}")


def construct(cls: type, kwargs: dict, section: str, **fixed: Any) -> Any:
    """``cls(**fixed, **kwargs)`` with unknown keys reported as a config error naming the section."""
    allowed = set(inspect.signature(cls).parameters) - set(fixed)
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ConfigError(f"{section}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return cls(**fixed, **kwargs)
