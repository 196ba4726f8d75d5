"""Benchmarking: complexity (multiply-adds, params), supernet evaluation, ranking, ground truth, reports.

The names below load their modules on first use, so a torch-free module of this package (the
reference table `bench.reference`) imports without torch or mmengine (`tools/gpu_check.py` reads
it on a bare machine before it installs mmengine).
"""
from importlib import import_module

_EXPORTS = {"arch_complexity": "complexity", "count_complexity": "complexity", "count_madds": "complexity",
            "layer_cost_table": "complexity", "Score": "evaluator", "SupernetEvaluator": "evaluator",
            "build_evaluator": "evaluator", "dataset_batches": "evaluator"}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
