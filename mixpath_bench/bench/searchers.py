"""`register_searchers()`: the one place that fills the searcher registry (`mixpath_bench.search.SEARCHERS`).

Importing a module runs its ``@register_searcher`` decorators, so registering means importing every
module that has them (as `engine.register_all_modules` does for MMEngine's registries).  The search
job and Table 2 call this before they look a searcher up; ``import mixpath_bench.search`` alone
stays torch-free (DARTS' module imports torch).
"""
from __future__ import annotations


def register_searchers() -> None:
    """Register every searcher a config can name; idempotent.

    Scoring candidates with a trained supernet: ``nsga2``, ``random``, ``evolution``, ``local``.
    Training their own weights: ``darts``.
    """
    from ..darts import searcher  # noqa: F401
    from ..search import baselines, local, nsga2  # noqa: F401
