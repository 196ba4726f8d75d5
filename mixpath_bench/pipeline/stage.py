"""What a pipeline stage is: frozen settings in, a typed output out, and what the runner gives it.

A stage is a class registered with `register_stage` that declares

* ``name`` (its folder in the work dir), ``section`` (its config section, or None) and
  ``Settings`` (a frozen dataclass: every default in one place);
* ``needs`` / ``uses``: the upstream stages whose outputs it reads, always / when they run (the
  runner passes them explicitly);
* ``key_inputs(ctx, settings)``: what else changes its results (config files' contents), for
  its cache key; logging settings stay out of it;
* ``run(ctx, settings, upstream, folder) -> Output``, where ``Output`` is a frozen dataclass
  holding what the stage found as loaded data (downstream stages and the report use it as it is,
  never re-reading a file) and the files it wrote, as paths relative to the work dir (so a work
  dir can be moved);
* ``title``, ``report(ctx, output, outputs)`` and ``verdicts(ctx, output, outputs)``: its report
  section and its one-line verdicts for the report's summary (`report.py` only assembles them).

The runner (`runner.py`) alone owns keys, caching, locking, moving changed stages aside and
resume; a stage never sees another stage's folder except through an upstream output.  Adding a
stage is one module with a registered class, imported in ``stages/__init__.py``.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar

from mmengine.config import Config

from ..errors import ConfigError
from ..spaces import Arch

STAGES: dict[str, type] = {}  # in pipeline order
#: Config keys that change what is logged, not what is computed: kept out of every key.
LOGGING_KEYS = ("log_level", "log_processor", "visualizer", "vis_backends", "default_hooks.logger", "work_dir")


def register_stage(cls: type) -> type:
    """Class decorator: add a stage to the pipeline (stages run in registration order)."""
    if cls.name in STAGES:
        raise ValueError(f"stage {cls.name!r} is registered twice")
    STAGES[cls.name] = cls
    return cls


@dataclass(frozen=True)
class NoSettings:
    """Settings of a stage without a config section."""


@dataclass(frozen=True)
class Context:
    """What every stage may read: the run's place, device and the supernet config (loaded once)."""

    work: Path
    device: str
    workers: int
    supernet_config: str  # the file stages and training processes read (a merged copy with supernet_options)
    supernet_cfg: Config
    archs: tuple[Arch, ...]  # the architectures to rank (S4: the 34 networks)
    log: Callable[[str], None] = print
    executor: Any = None  # where independent jobs run (`pipeline.executor`); the runner sets it

    @property
    def cache_dir(self) -> Path:
        """Stand-alone runs live outside the stage folders: they are keyed by their own settings."""
        return self.work / "standalone_cache"

    def path(self, rel: str) -> Path:
        """A work-dir-relative path of an output, as a path to open; one that leads outside the work
        dir (an edited record, a link) is refused."""
        path = self.work / rel
        if not self.inside(path):
            raise ConfigError(f"{rel!r}, named in a stage record, lies outside the work dir {self.work}; the record "
                              "was edited or is not this run's - run with --force for that stage")
        return path

    def inside(self, path: str | Path) -> bool:
        """Does `path` (links resolved) lie inside the work dir?"""
        return Path(path).resolve().is_relative_to(self.work.resolve())

    def rel(self, path: str | Path) -> str:
        """`path` relative to the work dir (outputs store these)."""
        return Path(path).resolve().relative_to(self.work.resolve()).as_posix()


class Stage:
    """Base of the registered stages: the declarations with their defaults (see the module doc)."""

    name: ClassVar[str]
    section: ClassVar[str | None] = None
    Settings: ClassVar[type] = NoSettings
    Output: ClassVar[type]
    needs: ClassVar[tuple[str, ...]] = ()  # upstream stages it reads (they must be enabled)
    uses: ClassVar[tuple[str, ...]] = ()  # upstream stages it reads when enabled
    optional: ClassVar[bool] = False  # runs only when its section is in the config (or, sectionless, a `uses` is on)

    def key_inputs(self, ctx: Context, settings: Any) -> dict:
        return {}

    def experiment_archs(self, supernet_cfg: Config, settings: Any) -> tuple[Arch, ...] | None:
        """The experiment's architectures, if this stage decides them (the first stage that does wins)."""
        return None

    def validate(self, ctx: Context, settings: Any, everything: dict[str, Any]) -> None:
        """Checks beyond the settings' types (files it will read, other sections it relies on), run
        for every enabled stage before the first one starts; `everything` maps stage -> settings."""

    def run(self, ctx: Context, settings: Any, upstream: dict[str, Any], folder: Path) -> Any:
        raise NotImplementedError

    # -- its part of the report --------------------------------------------------------------------
    title: ClassVar[str | None] = None  # heading of its report section; None: no section

    def report(self, ctx: Context, output: Any, outputs: dict[str, Any]) -> list[str]:
        """Markdown lines of its section (below the heading); `outputs`: every stage that ran."""
        return []

    def verdicts(self, ctx: Context, output: Any, outputs: dict[str, Any]) -> list[str]:
        """One-line verdicts for the summary at the top of the report."""
        return []

    def summary_source(self, output: Any) -> str | None:
        """The file its verdicts come from (named in the summary)."""
        return None


def output_to_json(output: Any) -> dict:
    return json.loads(json.dumps(dataclasses.asdict(output)))


def output_from_json(cls: type, data: dict) -> Any:
    """Rebuild an output dataclass (nested dataclass fields via their own ``from_json``)."""
    if hasattr(cls, "from_json"):
        return cls.from_json(data)
    try:
        return cls(**data)
    except TypeError as exc:  # written by another version of the stage
        raise ConfigError(f"a stage record does not match this version's {cls.__name__} ({exc}); "
                          "re-run the stage with --force") from None


def config_digest(cfg: Config, drop: tuple[str, ...] = ()) -> dict:
    """A config's full (inherited and merged) content as plain data, without the dotted keys in `drop`."""
    data = json.loads(json.dumps(cfg.to_dict(), sort_keys=True, default=str))
    for dotted in drop:
        *parents, leaf = dotted.split(".")
        node = data
        for p in parents:
            node = node.get(p) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(leaf, None)
    return data


def content_digest(path: str | Path, cache: str | Path | None = None) -> str:
    """sha256 of a file's content, for stage keys (a file edited in place is a new input; its path
    alone would make the stage reuse stale results).  With `cache` (a JSON file), a digest is reused
    while the file's size and modification time are unchanged, so large files are read once."""
    import hashlib

    from ..jsonio import save_json_atomic

    path = Path(path).resolve()
    stat = path.stat()
    ident = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    known = {}
    if cache is not None and Path(cache).is_file():
        try:
            known = json.loads(Path(cache).read_text())
        except (OSError, ValueError):
            known = {}
    if isinstance(known, dict) and isinstance(known.get(ident), str):
        return known[ident]
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    digest = h.hexdigest()
    if cache is not None:
        save_json_atomic(cache, {k: v for k, v in (known if isinstance(known, dict) else {}).items()
                                 if not k.startswith(f"{path}|")} | {ident: digest})
    return digest
