"""The reference code's ranking protocol beside ours, one choice at a time.

The public MixPath code measured its NAS-Bench-101 Kendall tau (0.597) by (1) scoring 1,000
encodings sampled uniformly from the space - duplicates and isomorphic encodings of only 34
distinct S4 networks - as separate candidates, (2) calibrating BN and scoring on the test split,
(3) taking one random training repeat per query as the truth (NAS-Bench-101's ``query()``), and
(4) computing tau after dropping the 30 lowest-scored candidates.  Our protocol ranks every
distinct network once, calibrates on training batches and scores on the validation split, uses
the mean over seeds/repeats as truth and drops nothing.

`protocol_taus` computes tau for ours, for each reference choice alone and for all of them (the
reference protocol), so a report can say how much each choice alone moves the number.  The random
parts (the sample, the repeat drawn) are redrawn ``draws`` times; each row is a mean and a std.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..spaces import SearchSpace
from .ranking import kendall_tau

CHOICES = ("samples", "test_split", "one_repeat", "drop_lowest")
ROWS = ("ours", *CHOICES, "reference")
DESCRIPTIONS = {
    "ours": "every distinct network once; train-split calibration, validation scoring; mean of seeds; drop none",
    "samples": "sampled encodings with duplicates instead of the distinct networks",
    "test_split": "BN calibration and scoring on the test split",
    "one_repeat": "one random seed/repeat per candidate as truth instead of the mean",
    "drop_lowest": "tau after dropping the lowest-scored candidates",
    "reference": "all four: the reference code's protocol",
}


def sample_encodings(space: SearchSpace, n: int, seed: int, among: set[str] | None = None) -> list[str]:
    """`n` encodings drawn uniformly (duplicates kept), as network keys: what the reference scores.
    `among`: keep only encodings of these networks (a cut-down list), drawing until there are `n`."""
    rng = np.random.default_rng(seed)
    keys: list[str] = []
    while len(keys) < n:
        key = space.canonical_key(space.sample(rng))
        if among is None or key in among:
            keys.append(key)
    return keys


def drop_lowest(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices kept after removing the `count` lowest scores (ties: the earlier candidate goes first)."""
    if count >= len(scores) - 2:
        raise ValueError(f"dropping {count} of {len(scores)} candidates leaves fewer than 3")
    return np.sort(np.argsort(scores, kind="stable")[count:])


def protocol_tau(items: Sequence[str], scores: dict, repeats: dict, one_repeat: bool, drop: int,
                 rng: np.random.Generator) -> float:
    """Kendall tau-b over the candidates `items` (network keys, duplicates allowed).

    `scores`: key -> score; `repeats`: key -> the truth's repeats/seeds.  With `one_repeat` each
    candidate's truth is one repeat drawn at random (per candidate, as ``query()`` does), else the
    mean.  `drop`: how many of the lowest-scored candidates are left out.
    """
    s = np.array([scores[k] for k in items], dtype=float)
    t = np.array([repeats[k][rng.integers(len(repeats[k]))] if one_repeat else np.mean(repeats[k]) for k in items],
                 dtype=float)
    keep = drop_lowest(s, drop) if drop else np.arange(len(s))
    return kendall_tau(s[keep], t[keep])


def protocol_taus(space: SearchSpace, distinct: Sequence[str], scores_ours: dict, scores_test: dict, repeats: dict,
                  samples: int = 1000, drop: int = 30, draws: int = 20, seed: int = 0) -> dict:
    """Tau of every row of `ROWS`: mean and std over `draws` redraws of the random parts.

    `distinct`: the keys of our ranking list; `scores_ours` / `scores_test`: key -> score under our
    calibration/scoring split and under the test split.  `drop` counts candidates of a `samples`-long
    sample; on our distinct list the same fraction is dropped (at least one), so each choice alone
    changes one thing only.
    """
    drop_distinct = max(1, int(round(len(distinct) * drop / samples)))
    out = {"samples": samples, "drop": drop, "drop_distinct": drop_distinct, "draws": draws,
           "one_repeat_available": all(len(repeats[k]) > 1 for k in distinct), "rows": {}}
    for row in ROWS:
        on = set(CHOICES) if row == "reference" else {row} - {"ours"}
        values = []
        for d in range(draws):
            rng = np.random.default_rng([seed, d])
            items = sample_encodings(space, samples, int(rng.integers(1 << 31)), set(distinct)) \
                if "samples" in on else list(distinct)
            dropped = (drop if "samples" in on else drop_distinct) if "drop_lowest" in on else 0
            values.append(protocol_tau(items, scores_test if "test_split" in on else scores_ours, repeats,
                                       "one_repeat" in on, dropped, rng))
            if not on & {"samples", "one_repeat"}:
                break  # nothing random: one draw is every draw
        out["rows"][row] = {"mean": float(np.mean(values)), "std": float(np.std(values)), "values": values}
    return out
