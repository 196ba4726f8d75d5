"""The reference code's ranking protocol as that code runs it, beside ours, one choice at a time.

The public MixPath code (``NasBench101/nas_train_search.py`` and ``nas_utils.py``) measured its
NAS-Bench-101 Kendall tau (0.597) like this:

1. **Sampled choices.**  ``random_choice(m)`` draws k ~ U{1..m}, k of the first m node positions in
   random order and an operation for each; ``validate_search`` redraws while the choice was seen
   (``while choice in check_dict``), 1,000 times.  The candidates are 1,000 *distinct choices*
   (position order included: ``[0, 2]`` and ``[2, 0]`` are two), each scored with the weights of
   its own node positions - several choices are one network.
2. **Test split, momentum BN.**  Before calibration the accuracy is measured on the CIFAR-10 test
   split; "calibration" runs the whole test split through the network in train mode, updating the
   running BN statistics by momentum from the trained ones, and scores on the test split again.
3. **Truth on training images, one repeat.**  The truth is NAS-Bench-101's ``validation_accuracy``
   (CIFAR-10 ``data_batch_5``, inside the supernet's own training images) of ``query()``, which
   returns one of the three training repeats at random.
4. **Drop by the uncalibrated score.**  The candidates are sorted by the accuracy *before*
   calibration and the 30 lowest of that order are left out of both taus (before and after).

Ours ranks every distinct network once (its canonical encoding), calibrates BN as an exact average
over training batches and scores on the validation split, takes the mean over seeds/repeats of a
held-out truth, and drops nothing.  `protocol_taus` computes Kendall tau (after calibration) for
ours, for each reference choice alone and for all of them; the random parts (the sample, the
repeat drawn) are redrawn ``draws`` times.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..spaces import Arch, SearchSpace
from .ranking import kendall_tau

CHOICES = ("sampled_choices", "test_split", "truth_on_training_images", "one_repeat", "drop_by_uncalibrated")
ROWS = ("ours", *CHOICES, "reference")
DESCRIPTIONS = {
    "ours": "ours: every distinct network once; BN recalibrated on training batches, scored on the validation "
            "split; truth: mean over seeds on held-out images; nothing dropped",
    "sampled_choices": "1,000 distinct random path choices (the reference sampler), each scored with the weights "
                       "of its own node positions",
    "test_split": "accuracy on the test split, BN statistics updated by momentum over the whole test split",
    "truth_on_training_images": "ground truth measured on images the supernet trained on (as NAS-Bench-101's "
                                "validation accuracy is)",
    "one_repeat": "one random training run per candidate as ground truth (NAS-Bench-101's query())",
    "drop_by_uncalibrated": "the candidates with the lowest accuracy before BN calibration left out (30 of 1,000)",
    "reference": "all of the above: the reference code's protocol",
}


def distinct_choice_count(m: int, ops: int = 3) -> int:
    """Distinct choices ``random_choice(m)`` can return: ordered k-subsets of m positions x ops^k."""
    return sum(math.perm(m, k) * ops ** k for k in range(1, m + 1))


@dataclass(frozen=True)
class Choice:
    """One ``random_choice`` result: node positions in drawn order and an operation index (0..ops-1) each."""

    path: tuple[int, ...]
    op: tuple[int, ...]

    def arch(self, space: SearchSpace) -> Arch:
        """The encoding this choice runs in our supernet (position p on with operation op + 1)."""
        digits = [0] * space.kind.nodes
        for p, o in zip(self.path, self.op):
            digits[p] = o + 1
        return space.validate(Arch(space.name, (tuple(digits),)))


def reference_choices(m: int, n: int, seed: int, ops: int = 3) -> tuple[list[Choice], str | None]:
    """`n` distinct choices in the order the reference loop finds them, with its random calls
    (``np.random.randint`` for k, ``random.sample`` for the positions and each operation) on
    generators seeded with `seed` as its ``set_seed`` does.  When `n` exceeds the number of distinct
    choices the reference loop would never end; here every choice is used, and the note says so."""
    total = distinct_choice_count(m, ops)
    note = None
    if n > total:
        note = (f"the reference loop asks for {n} distinct choices, but m={m} has only {total}; it would never "
                f"end - all {total} are used")
        n = total
    legacy, py = np.random.RandomState(seed), random.Random(seed)
    seen: set[Choice] = set()
    out: list[Choice] = []
    while len(out) < n:
        k = int(legacy.randint(low=1, high=m + 1, size=1)[0])
        path = tuple(py.sample(range(m), k))
        choice = Choice(path, tuple(py.sample(range(ops), 1)[0] for _ in range(k)))
        if choice not in seen:
            seen.add(choice)
            out.append(choice)
    return out, note


def drop_lowest(order_scores: np.ndarray, count: int) -> np.ndarray:
    """Indices kept after removing the `count` lowest of `order_scores` (ties: the earlier candidate
    goes first, as Python's stable sort does in the reference)."""
    if count >= len(order_scores) - 2:
        raise ValueError(f"dropping {count} of {len(order_scores)} candidates leaves fewer than 3")
    return np.sort(np.argsort(order_scores, kind="stable")[count:])


@dataclass(frozen=True)
class Scores:
    """Per-encoding accuracies of one supernet: encoding string -> (after, before) BN calibration."""

    ours: dict  # calibrated on training batches (exact average), scored on the validation split
    test: dict  # the reference's: momentum updates over the test split, scored on the test split


def candidate_tau(encodings: Sequence[str], keys: Sequence[str], scores: dict, truth: dict, one_repeat: bool,
                  drop: int, rng: np.random.Generator) -> float:
    """Kendall tau-b after calibration over candidates (`encodings`, their network `keys`).

    `scores`: encoding -> (after, before) calibration; `truth`: key -> per-seed/repeat values.  With
    `one_repeat` each candidate's truth is one of its repeats drawn at random, else their mean.
    `drop`: how many candidates with the lowest score *before* calibration are left out.
    """
    after = np.array([scores[e][0] for e in encodings], dtype=float)
    before = np.array([scores[e][1] for e in encodings], dtype=float)
    t = np.array([truth[k][rng.integers(len(truth[k]))] if one_repeat else np.mean(truth[k]) for k in keys],
                 dtype=float)
    keep = drop_lowest(before, drop) if drop else np.arange(len(after))
    return kendall_tau(after[keep], t[keep])


def protocol_taus(space: SearchSpace, distinct: Sequence[Arch], scores: Scores, truth: dict,
                  truth_training: dict | None, samples: int = 1000, drop: int = 30, draws: int = 20,
                  seed: int = 0) -> dict:
    """Tau of every row of `ROWS` for one supernet: mean and std over `draws` redraws of the random parts.

    `distinct`: our list (canonical encodings); `truth` / `truth_training`: network key -> per-seed
    values of the held-out truth / of the truth on images the supernet trained on (None: not
    available; that row then keeps ours).  `drop` counts candidates of a `samples`-long sample; on
    our distinct list the same fraction is dropped (at least one), so each choice alone changes one
    thing only.
    """
    m = space.m
    drop_distinct = max(1, int(round(len(distinct) * drop / samples)))
    ours_enc = [a.to_string() for a in distinct]
    ours_keys = [space.canonical_key(a) for a in distinct]
    notes: list[str] = []
    out = {"samples": samples, "drop": drop, "drop_distinct": drop_distinct, "draws": draws, "m": m,
           "one_repeat_available": all(len(truth[k]) > 1 for k in ours_keys),
           "training_truth_available": truth_training is not None, "rows": {}}
    sizes = []
    for row in ROWS:
        on = set(CHOICES) if row == "reference" else {row} - {"ours"}
        values = []
        for d in range(draws):
            rng = np.random.default_rng([seed, d])
            if "sampled_choices" in on:
                choices, note = reference_choices(m, samples, int(rng.integers(1 << 31)), space.kind.ops)
                if note and note not in notes:
                    notes.append(note)
                archs = [c.arch(space) for c in choices]
                enc, keys = [a.to_string() for a in archs], [space.canonical_key(a) for a in archs]
                if not set(keys) <= set(ours_keys):  # a cut-down list: only the choices of listed networks
                    kept = [(e, k) for e, k in zip(enc, keys) if k in truth]
                    enc, keys = [e for e, _ in kept], [k for _, k in kept]
                    note = f"a cut-down list: only the sampled choices of its {len(distinct)} networks are scored"
                    if note not in notes:
                        notes.append(note)
                if len(enc) < 3:
                    raise ValueError(f"only {len(enc)} sampled choices are networks of the list; the reference "
                                     "protocol needs more (rank the whole space)")
                sizes.append(len(enc))
            else:
                enc, keys = ours_enc, ours_keys
            dropped = (round(drop * len(enc) / samples) if "sampled_choices" in on else drop_distinct) \
                if "drop_by_uncalibrated" in on else 0
            t = truth_training if "truth_on_training_images" in on and truth_training is not None else truth
            values.append(candidate_tau(enc, keys, scores.test if "test_split" in on else scores.ours, t,
                                        "one_repeat" in on, int(dropped), rng))
            if not on & {"sampled_choices", "one_repeat"}:
                break  # nothing random: one draw is every draw
        out["rows"][row] = {"mean": float(np.mean(values)), "std": float(np.std(values)), "values": values}
    out["candidates"] = int(min(sizes)) if sizes else len(distinct)
    out["notes"] = notes
    return out
