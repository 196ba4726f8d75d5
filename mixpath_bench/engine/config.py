"""Loading and checking MMEngine configs: every key must be read by something.

Top level: the Runner's arguments, ``data_root`` and OpenMMLab's conventional keys (`OPENMMLAB_KEYS`,
what MMDetection's own configs define), so a config that inherits ``mmdet::`` bases loads unchanged.
Inside the sections the Runner builds (loops, dataloaders, ``optim_wrapper``, and ``model`` / datasets
whose type this package or MMEngine registered), a key the built class does not take is an error
naming the closest valid key, instead of a TypeError from deep inside the build.
"""
from __future__ import annotations

import ast
import contextlib
import difflib
import inspect
import os
import re
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from mmengine.config import Config, DictAction  # noqa: F401 - DictAction re-exported for tools
from mmengine.runner import Runner

from ..errors import ConfigError, DatasetError
from ..package_data import CONFIG_PREFIX, config_path, enable_config_names, is_file, missing_config_hint

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


def load_config(path: str | Path, options: dict | None = None, allowed: Iterable[str] | None = None,
                register: Callable[[Config], None] | None = None) -> Config:
    """Read a python config (a path, or ``mixpath_bench::folder/name.py`` for a shipped one), merge
    ``--cfg-options``, and reject keys that nothing reads.

    `register(cfg)` runs before the checks: what the config's scope needs registered so that its
    classes can be checked (the tools pass `mixpath_bench.cli.register_for_config`, which registers
    MMDetection's modules for ``default_scope='mmdet'``).

    Keys a ``_base_`` file brought in are the base's business: an unread one is a note naming the base,
    not an error (MMDetection's TTA bases define ``img_scales``, which only their own file reads).
    """
    enable_config_names()
    given = str(path)
    path = external_config_path(given) if "::" in given else config_path(given)
    if not is_file(path):
        raise ConfigError(f"config file {path} does not exist{missing_config_hint(path)}")
    try:
        with quiet_pkg_resources():
            cfg = Config.fromfile(str(path))
    except (SyntaxError, NameError, ImportError, KeyError, TypeError, ValueError, AssertionError, OSError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"config {path} could not be read: {text}") from None
    file_root = cfg.get("data_root")
    if options:
        cfg.merge_from_dict(options)
    if register is not None:
        register(cfg)
    # a file inside an installed package (``pkg::`` names one; OpenMMLab packages ship configs under .mim/)
    # is that package's: only the command line's keys are the user's own
    package_file = given if "::" in given or ".mim" in path.parts else None
    cli = {str(k).split(".")[0] for k in (options or {})}
    check_keys(cfg, runner_keys() | EXTRA_KEYS | OPENMMLAB_KEYS if allowed is None else allowed, path, package_file,
               cli)
    if allowed is None:
        check_nested_keys(cfg)
    apply_data_root(cfg, file_root, options)
    return cfg


@contextlib.contextmanager
def quiet_pkg_resources():
    """MMEngine resolves ``mmdet::`` bases through pkg_resources, whose import warns that it is deprecated
    (once per base): not the user's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        yield


def external_config_path(name: str) -> Path:
    """``pkg::folder/file.py``: a shipped config of this package or, through MMEngine, of an installed
    OpenMMLab package (``mmdet::retinanet/retinanet_r50_fpn_1x_coco.py``)."""
    if name.startswith(CONFIG_PREFIX):
        return config_path(name)
    try:
        with quiet_pkg_resources():
            return Path(Config._get_cfg_path(name, "")[0])
    except (AssertionError, ValueError, ImportError, FileNotFoundError, OSError, RuntimeError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"config {name} could not be found: {text}") from None


class ConfigFile(NamedTuple):
    """A config file read as text, never run: the top-level names it assigns and reads, its ``_base_`` entries."""
    name: str  # as the chain names it: "./base.py (via mmdet::x.py)"; the file itself: its file name
    path: Path
    assigned: frozenset
    used: frozenset  # variables (``max_epochs`` in ``dict(max_epochs=max_epochs)``), ``_base_.x``, ``{{_base_.x}}``
    bases: tuple


def read_config_file(path: Path, name: str) -> ConfigFile:
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, OSError, ValueError):
        return ConfigFile(name, path, frozenset(), frozenset(), ())
    assigned: set[str] = set()
    bases: tuple = ()
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
        for target in targets:
            assigned |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_base_" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = ()
            bases = (value,) if isinstance(value, str) else tuple(v for v in value if isinstance(v, str))
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
             and n.value.id == "_base_"}
    used |= set(re.findall(r"\{\{\s*_base_\.([A-Za-z_]\w*)", text))
    return ConfigFile(name, path, frozenset(assigned), frozenset(used), bases)


def config_files(path: Path, name: str | None = None, depth: int = 0) -> list[ConfigFile]:
    """A config file, then every base file of it (depth first, each named as its chain names it), each read once."""
    me = read_config_file(path, name or path.name)
    out = [me]
    for base in me.bases if depth <= 16 else ():
        try:
            with quiet_pkg_resources():
                base_path = Path(Config._get_cfg_path(base, str(path))[0])
        except Exception:  # noqa: BLE001 - a base MMEngine itself resolved; naming it is best effort
            continue
        first, *deeper = config_files(base_path, base, depth + 1)
        out += [first, *(f._replace(name=f"{f.name} (via {base})") for f in deeper)]
    return out


def _drop_variables(unknown: list[str], files: list[ConfigFile], own_file: set[str], cli: set[str]) -> list[str]:
    """The unknown keys that are not variables.  A variable is read in the file that assigns it
    (``max_epochs = 12`` ... ``dict(max_epochs=max_epochs)``).  Setting a variable again - with
    ``--cfg-options``, or in a child when only a base reads it - changes nothing (the values that use it
    were computed when its file was read): one line that says so."""
    me, left = files[0], []
    for key in unknown:
        readers = [f.name for f in files if key in f.used]
        if key in cli and readers:
            raise ConfigError(f"config key {key!r} set on the command line changes nothing: it is a variable that "
                              f"{readers[0]} reads when it is loaded; set the settings that use it instead")
        if key in own_file and key in me.used:
            continue  # the file's own variable
        if key in own_file and readers:
            raise ConfigError(f"config key {key!r} set in {me.name} changes nothing: it is a variable that "
                              f"{readers[0]} reads when it is loaded; set the settings that use it instead")
        if key not in own_file and key not in cli and readers:
            continue  # a base's own variable
        left.append(key)
    return left


def check_keys(cfg: Config, allowed: Iterable[str], path: str | Path | None = None, package_file: str | None = None,
               cli: Iterable[str] = ()) -> None:
    """Raise `ConfigError` naming every top-level key that is not in `allowed`.

    With the config's `path`: a key the file or one of its bases reads as a variable is not a setting and
    passes; an unread key that came from an installed package's file - a ``pkg::`` base, or the whole
    file when `package_file` names it so - is a note on stderr naming that file; one from a local base
    file stays an error, naming that file.  Keys the file itself and the command line (`cli`) set are
    the user's own.
    """
    allowed = set(allowed)
    # names starting with "_" are config-local helpers (substituted when the file is read)
    unknown = sorted(k for k in cfg.keys() if k not in allowed and not k.startswith("_"))
    origin: dict[str, str] = {}
    if unknown and path is not None:
        files, cli = config_files(Path(path)), set(cli)
        own_file = set() if package_file is not None else set(files[0].assigned)
        unknown = _drop_variables(unknown, files, own_file, cli)
        for key in [k for k in unknown if k not in own_file | cli]:
            base = next((f.name for f in files[1:] if key in f.assigned), None) or package_file
            if base is not None and ("::" in base or package_file is not None):  # an installed package's file
                print(f"note: config key {key!r} comes from {base} and nothing here reads it; ignored",
                      file=sys.stderr, flush=True)
                unknown.remove(key)
            elif base is not None:
                origin[key] = base
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"{key!r}" + (f" (set in {origin[key]})" if key in origin else "")
                         + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"config key(s) {', '.join(hints)} are not read by anything; remove or rename them "
                          "(a helper: start its name with '_', or read it in the file, as in dict(max_epochs=max_epochs))")


def _forwards_kwargs(klass: type) -> bool:
    """Whether `klass.__init__` hands its ``**kwargs`` to another ``__init__`` (a base's), read from its
    parsed code; one that keeps them (MMDetection's QuasiDenseTrackHead ignores extra keys) takes anything."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass.__init__)))
    except (OSError, TypeError, SyntaxError):
        return False
    var_kw = next((p.name for p in _params(klass) if p.kind is p.VAR_KEYWORD), None)
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
               and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == var_kw for k in node.keywords)
               for node in ast.walk(tree))


def _params(klass: type) -> list[inspect.Parameter]:
    return list(inspect.signature(klass.__init__).parameters.values())


def init_keys(builder: Any) -> set[str] | None:
    """The keyword arguments a registered class (following ``**kwargs`` up its bases while each class
    passes them on) or factory function takes; None when open-ended."""
    if not isinstance(builder, type):
        params = inspect.signature(builder).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params):
            return None
        return {p.name for p in params if p.kind is not p.VAR_POSITIONAL}
    names: set[str] = set()
    if any(len(klass.__bases__) > 1 for klass in builder.__mro__):
        # several bases: which __init__ the **kwargs reach depends on each class's super() call (MMDetection's
        # VFNetHead skips one of its bases), so take every class's arguments
        for klass in builder.__mro__:
            if "__init__" not in vars(klass) or klass is object:
                continue
            params = _params(klass)
            # torch.nn.Module takes *args/**kwargs for its own bookkeeping: not a sign of an open signature
            if (any(p.kind is p.VAR_KEYWORD for p in params) and klass.__module__.split(".")[0] != "torch"
                    and not _forwards_kwargs(klass)):
                return None
            names |= {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        return names - {"self"}
    for klass in builder.__mro__:
        if klass is object:
            return None
        if "__init__" not in vars(klass):
            continue
        params = _params(klass)
        names |= {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            return names - {"self"}
        if not _forwards_kwargs(klass):
            return None
    return None


def _registered(registry: Any, kind: Any, scope: str | None = None) -> Any:
    """The class (or function) a ``type`` names in `registry` under `scope` (the config's
    ``default_scope`` or a dict's ``_scope_``; None: MMEngine's root); None when not found."""
    if callable(kind):
        return kind
    if not isinstance(kind, str):
        return None
    try:
        if scope and scope != "mmengine":
            # as the Runner's build does: the scope's registry (imported by MMEngine, with the modules it names)
            with registry.switch_scope_and_registry(scope) as scoped:
                return scoped.get(kind)
        return registry.get(kind)
    except Exception:  # noqa: BLE001 - a name this check cannot resolve is left to the build
        return None


def _check_section(section: Mapping, name: str, accepted: set[str], owner: str) -> None:
    for key in section:
        if key not in accepted and not key.startswith("_"):  # _delete_, _scope_: MMEngine's markers
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f"did you mean {name}.{close[0]}?" if close else f"it takes {', '.join(sorted(accepted))}"
            raise ConfigError(f"config key {name}.{key} is not a setting of {owner} ({hint})")


def _check_typed(section: Any, name: str, registry: Any, extra: Iterable[str] = (), default: str | None = None,
                 scope: str | None = None, fixed: Iterable[str] = (), depth: int = 1) -> None:
    """Check a ``dict(type=..., ...)`` against its registered class, then (`depth` levels) its typed
    sub-dicts, looked up in the same registry (a type found only in another one is left alone).

    One level: a model's backbone, neck, heads and network.  Deeper dicts are often edited by their
    parent before they are built (MMDetection's DETR head takes ``bg_cls_weight`` out of ``loss_cls``),
    so checking them against the class alone would refuse valid configs."""
    if not isinstance(section, Mapping):
        return
    scope = section.get("_scope_", scope)
    cls = _registered(registry, section.get("type", default), scope)
    accepted = init_keys(cls) if cls is not None else None
    if accepted is None:
        return
    _check_section(section, name, (accepted - set(fixed)) | {"type"} | set(extra), getattr(cls, "__name__", str(cls)))
    for key, value in section.items():
        # an ``*_cfg`` (norm_cfg, act_cfg, init_cfg) goes through a builder function with keys of its own
        # (``requires_grad``), not straight into the class its type names
        if depth > 0 and isinstance(value, Mapping) and "type" in value and not key.endswith("_cfg"):
            _check_typed(value, f"{name}.{key}", registry, scope=scope, depth=depth - 1)


def _check_numbers(section: Mapping, name: str, cls: type) -> None:
    """A value given for a parameter annotated ``int`` / ``float`` must be a number (``max_epochs='two'``
    would fail deep inside the loop)."""
    params = inspect.signature(cls.__init__).parameters
    for key, value in section.items():
        param = params.get(key)
        annotation = getattr(param, "annotation", None)
        kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if kind in ("int", "float") and (isinstance(value, bool) or not isinstance(value, (int, float))
                                         or (kind == "int" and isinstance(value, float) and not value.is_integer())):
            raise ConfigError(f"config key {name}.{key} must be {'an integer' if kind == 'int' else 'a number'}, "
                              f"got {value!r}")


def check_nested_keys(cfg: Config) -> None:
    """Keys inside the loops, dataloaders, ``optim_wrapper``, and the model / datasets of our types."""
    from mmengine.registry import DATASETS, LOOPS, MODELS, OPTIM_WRAPPERS, OPTIMIZERS
    from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop, TestLoop, ValLoop
    from torch.utils.data import DataLoader

    from .setup import register_all_modules

    register_all_modules()
    scope = cfg.get("default_scope")
    defaults = {"train_cfg": EpochBasedTrainLoop, "val_cfg": ValLoop, "test_cfg": TestLoop}
    for name, fixed in LOOP_SECTIONS.items():
        loop = cfg.get(name)
        if not isinstance(loop, Mapping) or not loop:
            continue
        cls = _registered(LOOPS, loop["type"], scope) if "type" in loop else defaults[name]
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
            _check_typed(loader.get("dataset"), f"{name}.dataset", DATASETS, scope=scope)
    _check_typed(cfg.get("model"), "model", MODELS, scope=scope)
    wrapper = cfg.get("optim_wrapper")
    _check_typed(wrapper, "optim_wrapper", OPTIM_WRAPPERS, extra=("optimizer", "constructor", "paramwise_cfg"),
                 default="OptimWrapper", scope=scope)
    if isinstance(wrapper, Mapping) and isinstance(wrapper.get("optimizer"), Mapping):
        # the Runner passes the parameters itself
        _check_typed(wrapper["optimizer"], "optim_wrapper.optimizer", OPTIMIZERS, scope=scope, fixed=("params",))


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
