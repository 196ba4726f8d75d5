"""A fake evaluator over S4 whose score depends only on the network (the multiset of node ops).

It counts evaluations per network key, so a test can tell whether a searcher evaluated two
encodings of one network.  The landscape is smooth: accuracy falls with the L1 distance of the
op counts (conv1x1, conv3x3, maxpool) from a target, so local moves can climb it.
"""
from collections import Counter

from mixpath_bench.spaces import get_space

S4 = get_space("S4")


class NetworkEvaluator:
    def __init__(self, target=(1, 2, 1), space=S4):
        self.space, self.target = space, target
        self.calls = Counter()  # network key -> evaluations

    @staticmethod
    def counts(arch):
        (nodes,) = arch.layers
        return tuple(sum(v == op for v in nodes) for op in (1, 2, 3))

    def complexity(self, arch):
        c1, c3, _ = self.counts(arch)
        return {"madds": float(1 + c1 + 9 * c3), "params": float(1 + c1 + 9 * c3)}

    def accuracy(self, arch):
        distance = sum(abs(c - t) for c, t in zip(self.counts(arch), self.target))
        return 90.0 - 2.0 * distance

    def __call__(self, archs):
        out = []
        for arch in archs:
            self.calls[self.space.canonical_key(arch)] += 1
            out.append({"acc": self.accuracy(arch), **self.complexity(arch)})
        return out
