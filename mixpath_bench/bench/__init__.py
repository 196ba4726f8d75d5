"""Benchmarking: complexity (multiply-adds, params); ranking correlation and reports come later."""
from .complexity import arch_complexity, count_complexity

__all__ = ["arch_complexity", "count_complexity"]
