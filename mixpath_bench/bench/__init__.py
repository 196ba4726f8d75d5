"""Benchmarking: complexity (multiply-adds, params), supernet evaluation, ranking, ground truth, reports."""
from .complexity import arch_complexity, count_complexity, count_madds, layer_cost_table
from .evaluator import Score, SupernetEvaluator, build_evaluator, dataset_batches

__all__ = ["arch_complexity", "count_complexity", "count_madds", "layer_cost_table", "Score", "SupernetEvaluator", "build_evaluator", "dataset_batches"]
