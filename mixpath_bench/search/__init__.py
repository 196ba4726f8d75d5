"""Searchers on plain `Arch` values and numpy arrays (no torch): NSGA-II (Algorithm 1), random, evolution."""
from .baselines import RandomSearch, RegularizedEvolution
from .nsga2 import Constraints, NSGA2Search
from .operators import (binary_tournament, equispaced_picks, non_dominated_fronts, rank_and_crowding, select_survivors,
                        weighted_crowding_distance)
from .state import Evaluator, SearchError, save_json_atomic

__all__ = ["NSGA2Search", "RandomSearch", "RegularizedEvolution", "Constraints", "Evaluator", "SearchError",
           "save_json_atomic", "weighted_crowding_distance", "non_dominated_fronts", "rank_and_crowding",
           "select_survivors", "binary_tournament", "equispaced_picks"]
