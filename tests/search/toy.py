"""A cheap deterministic evaluator over S1: bigger kernels/expansions cost more and score higher."""
import hashlib

import numpy as np

from mixpath_bench.spaces import S1_CANDIDATES


class ToyEvaluator:
    def __init__(self, fail_after=None):
        self.calls = 0
        self.fail_after = fail_after

    def complexity(self, arch):
        madds = sum(S1_CANDIDATES[c][0] ** 2 * S1_CANDIDATES[c][1] for layer in arch.layers for c in layer)
        return {"madds": float(madds), "params": float(len(arch.layers))}

    def __call__(self, archs):
        out = []
        for arch in archs:
            if self.fail_after is not None and self.calls >= self.fail_after:
                raise KeyboardInterrupt
            self.calls += 1
            cost = self.complexity(arch)
            noise = int(hashlib.md5(arch.to_string().encode()).hexdigest()[:6], 16) / 16**6
            acc = 60 + 30 * (1 - np.exp(-cost["madds"] / 2000)) + 3 * noise
            out.append({"acc": float(acc), **cost})
        return out
