"""Searchers on plain `Arch` values and numpy arrays (no torch), behind one registry.

`SEARCHERS` maps a name to its class: ``nsga2`` (Algorithm 1), ``random``, ``evolution`` and
``local`` are here (importing this package registers them), ``darts`` in `mixpath_bench.darts`;
`mixpath_bench.bench.searchers.register_searchers` registers every one.  Each returns a
`SearchResult`; those here run the one checkpointed loop `CheckpointedSearch` (DARTS, which trains
weights, checkpoints its torch state itself).
"""
from .baselines import BudgetedSearch, RandomSearch, RegularizedEvolution
from .local import LocalSearch
from .loop import CheckpointedSearch
from .nsga2 import Constraints, NSGA2Search, NSGA2Settings
from .operators import (binary_tournament, equispaced_picks, non_dominated_fronts, rank_and_crowding, select_survivors,
                        weighted_crowding_distance)
from .registry import SEARCHERS, Searcher, build_searcher, register_searcher
from .result import SearchResult
from .state import Evaluator, SearchError, save_json_atomic

__all__ = ["NSGA2Search", "NSGA2Settings", "RandomSearch", "RegularizedEvolution", "LocalSearch", "BudgetedSearch",
           "CheckpointedSearch", "Constraints", "Evaluator", "SearchError", "SearchResult", "Searcher", "SEARCHERS",
           "build_searcher", "register_searcher",
           "save_json_atomic", "weighted_crowding_distance", "non_dominated_fronts", "rank_and_crowding",
           "select_survivors", "binary_tournament", "equispaced_picks"]
