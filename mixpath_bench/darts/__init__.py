"""DARTS (Liu et al., ICLR 2019), the paper's Table 2 baseline: a searcher that trains its own weights.

`relaxation`: the continuous relaxation over a supernet (torch; each supernet owns its
`forward_weighted`, `derive`, `one_hot`) and DARTS' first- and second-order architecture gradients.
`searcher`: the registered ``darts`` searcher (`DartsSearch`, settings `DartsSettings`) that the
search job runs like any other.  Importing this package imports torch; `mixpath_bench.search` stays
torch-free.
"""
from .relaxation import DartsNetwork, has_relaxation, one_hot_weights
from .searcher import DartsSearch, DartsSettings

__all__ = ["DartsNetwork", "DartsSearch", "DartsSettings", "has_relaxation", "one_hot_weights"]
