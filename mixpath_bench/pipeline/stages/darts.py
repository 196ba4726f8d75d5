"""Stage 5, ``darts``: the search stage on a config of searchers that train their own weights (the
DARTS baseline, `configs/darts/*.py`), per seed, on the experiment's supernet config."""
from __future__ import annotations

from dataclasses import dataclass

from mmengine.config import Config

from ..search_job import searcher_params
from ..stage import Context, register_stage
from .search import SearchStage, check_trains_weights


@dataclass(frozen=True)
class DartsStageSettings:
    config: str  # a config of searchers that train their own weights (configs/darts/*.py)
    seeds: tuple[int, ...] = (0,)
    epochs: int | None = None  # default: the config's

    def __post_init__(self) -> None:
        if self.epochs is not None and self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")


@register_stage
class DartsStage(SearchStage):
    name, section, Settings = "darts", "darts", DartsStageSettings
    needs = ()

    def load(self, ctx: Context, settings: DartsStageSettings) -> Config:
        """The search stage's config, with ``epochs`` set for every searcher that takes it; only searchers
        that train their own weights."""
        cfg = super().load(ctx, settings)
        if settings.epochs:
            cfg.searchers = {name: dict(s or {}, epochs=settings.epochs) if "epochs" in searcher_params(name) else s
                             for name, s in dict(cfg.searchers).items()}
        check_trains_weights(cfg, self.section)
        return cfg
