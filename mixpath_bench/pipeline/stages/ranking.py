"""Stage 3, ``ranking``: every architecture scored by each supernet (every variant and seed) before
and after BN calibration; every ranking metric as mean +- std over supernet seeds with a pooled
interval; the SBN - BN difference paired on the same networks; baseline scorers (parameters,
multiply-adds, zero-cost proxies) on the same list and metrics; and, with ``protocol='reference'``,
the reference code's protocol beside ours, one choice at a time."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...bench.ranking import (METRICS, PERCENT_ONLY, kendall_tau, method_difference, paired_difference,
                              paired_metric_difference, seed_metrics)
from ...bench.truth import TruthTable
from ...errors import ConfigError
from ...jsonio import json_round_trip, save_json_atomic
from ...spaces import NASBENCH_SPACE, get_space
from ..plots import plot_taus
from ..report import difference_cell, md_table, metric_cell, source_line, with_ci
from ..rank_job import RankSettings, Scoring, run_rank_job, score_checkpoints
from ..stage import Context, Stage, register_stage

COMPLEXITY_BASELINES = ("params", "madds")
VERSUS_METRICS = ("kendall_tau", "spearman_rho", "precision_at_k")  # supernet vs each baseline
MODES = ("uncalibrated", "calibrated")


@dataclass(frozen=True)
class RankingSettings:
    calib_batches: int = 8
    calib_batch_size: int = 256
    n_boot: int = 1000
    fast: bool = False
    top_k: int = 5  # K of the top-K metrics
    baselines: tuple[str, ...] = ("params", "madds", "grad_norm", "snip", "synflow", "jacov", "naswot")
    proxy_batch: int = 64  # training images the zero-cost proxies see
    protocol: str = "ours"  # 'reference': also the reference code's protocol, and each of its choices alone
    reference_samples: int = 1000
    reference_drop: int = 30
    reference_draws: int = 20

    def __post_init__(self) -> None:
        if min(self.calib_batches, self.calib_batch_size, self.n_boot, self.top_k, self.proxy_batch,
               self.reference_draws) < 1:
            raise ValueError("calib_batches, calib_batch_size, n_boot, top_k, proxy_batch and reference_draws "
                             "must be >= 1")
        if self.protocol not in ("ours", "reference"):
            raise ValueError(f"protocol must be 'ours' or 'reference', got {self.protocol!r}")
        if not 0 <= self.reference_drop <= self.reference_samples - 3:
            raise ValueError(f"reference_drop must be between 0 and reference_samples - 3, got {self.reference_drop}")
        if self.n_boot < 20:
            raise ValueError(f"n_boot must be >= 20 (an interval from fewer resamples means nothing), got {self.n_boot}")
        if len(set(self.baselines)) != len(self.baselines):
            raise ValueError(f"baselines names a scorer twice: {list(self.baselines)}")


@dataclass(frozen=True)
class RankingOutput:
    """The files it wrote (work-dir relative; '' where not computed) and their content."""

    rank_json: str
    figure: str
    tau_figure: str
    differences: str
    variants: list
    sbn_minus_bn: dict
    metrics: str
    baselines: str
    protocol: str
    rank: dict  # rank.json
    metric_values: dict  # metrics.json
    per_seed_kendall_tau: dict  # differences.json's per-seed part
    baseline_values: dict | None  # baselines.json
    protocol_values: dict | None  # protocol.json
    # SBN - BN as methods (supernet seeds and networks resampled; `bench.ranking.method_difference`), per mode
    sbn_minus_bn_method: dict = field(default_factory=dict)


def scoring(ctx: Context, settings: RankingSettings) -> Scoring:
    """How this stage's supernets score architectures."""
    return Scoring(settings.calib_batches, settings.calib_batch_size, ctx.device, settings.fast)


def _known_baselines() -> tuple[str, ...]:
    from ...bench.proxies import PROXIES

    return (*COMPLEXITY_BASELINES, *PROXIES)


@register_stage
class RankingStage(Stage):
    name, section, Settings, Output = "ranking", "ranking", RankingSettings, RankingOutput
    needs = ("truth", "supernets")

    def validate(self, ctx: Context, settings: RankingSettings, everything: dict) -> None:
        variants = everything["supernets"].variants
        default = bool(ctx.supernet_cfg.model.network.get("shadow_bn", True))
        kinds = {bool(v.get("shadow_bn", default)) for v in variants.values()}
        if kinds != {True, False}:
            raise ConfigError("ranking compares a Shadow-BN and a vanilla-BN supernet: supernets.variants needs one "
                              "with shadow_bn=True and one with shadow_bn=False")
        if settings.top_k >= len(ctx.archs):
            raise ConfigError(f"ranking.top_k={settings.top_k} but the list has {len(ctx.archs)} networks; the top-K "
                              "metrics need K smaller than the list")
        unknown = [b for b in settings.baselines if b not in _known_baselines()]
        if unknown:
            raise ConfigError(f"ranking.baselines: unknown scorer {unknown[0]!r}; known: "
                              f"{', '.join(_known_baselines())}")
        if settings.protocol == "reference" and ctx.archs[0].space != NASBENCH_SPACE:
            raise ConfigError(f"ranking.protocol='reference' samples the node-position choices of the NAS-Bench-101 "
                              f"space ({NASBENCH_SPACE}); this experiment ranks {ctx.archs[0].space}")

    def run(self, ctx: Context, settings: RankingSettings, upstream: dict, folder: Path) -> RankingOutput:
        truth, supernets = upstream["truth"], upstream["supernets"]
        names = list(supernets.variants)
        runs = [(n, seed, ckpt) for n in names
                for seed, ckpt in zip(supernets.variants[n].seeds, supernets.variants[n].checkpoints)]
        rank = RankSettings(scoring(ctx, settings), settings.n_boot, labels=tuple(n for n, _, _ in runs),
                            checkpoint_seeds=tuple(s for _, s, _ in runs),
                            sources={"config": ctx.supernet_config, "truth": truth.table})
        summary = run_rank_job(ctx.supernet_cfg, [str(ctx.path(c)) for _, _, c in runs], truth.ground_truth(),
                               folder, rank, list(ctx.archs), ctx.executor, ctx.log)
        t, k, n_boot = summary["truth_acc"], settings.top_k, settings.n_boot
        lists = {n: {mode: [e[mode] for e in summary["checkpoints"] if e["variant"] == n]
                     for mode in ("uncalibrated", "calibrated")} for n in names}
        ctx.log(f"ranking: {len(METRICS)} metrics x {len(runs)} supernets x 2, {n_boot} bootstrap resamples")
        metrics = {"k": k, "n_boot": n_boot, "variants": {n: {mode: seed_metrics(lists[n][mode], t, k, n_boot)
                                                              for mode in lists[n]} for n in names}}
        sbn, bn = supernets.named(True), supernets.named(False)
        diff = {mode: {stat: paired_metric_difference(lists[sbn][mode], lists[bn][mode], t, stat, k, n_boot)
                       for stat in METRICS} for mode in MODES}
        per_seed = {mode: [dict(seed=s, **paired_difference(a, b, t, kendall_tau, n_boot))
                           for s, a, b in zip(supernets.variants[sbn].seeds, lists[sbn][mode], lists[bn][mode])]
                    for mode in MODES}
        method = {mode: method_difference(lists[sbn][mode], lists[bn][mode], t, "kendall_tau", k, n_boot)
                  for mode in MODES}
        save_json_atomic(folder / "differences.json", {"pooled_over_seeds": diff, "per_seed_kendall_tau": per_seed,
                                                       "method_kendall_tau": method})
        save_json_atomic(folder / "metrics.json", metrics)
        baselines = self.baselines(ctx, settings, summary, lists[sbn]["calibrated"], t, folder)
        protocol = self.reference(ctx, settings, runs, summary, truth.values, folder) \
            if settings.protocol == "reference" else None
        plot_taus(summary, truth.data["noise"], folder / "tau.png")
        rel = {f: ctx.rel(folder / f) for f in ("rank.json", "rank.png", "tau.png", "differences.json",
                                                "metrics.json", "baselines.json", "protocol.json")}
        return RankingOutput(rel["rank.json"], rel["rank.png"], rel["tau.png"], rel["differences.json"], names,
                             json_round_trip(diff), rel["metrics.json"], rel["baselines.json"] if baselines else "",
                             rel["protocol.json"] if protocol else "", json_round_trip(summary),
                             json_round_trip(metrics), json_round_trip(per_seed), baselines, protocol,
                             json_round_trip(method))

    @staticmethod
    def baselines(ctx: Context, settings: RankingSettings, summary: dict, supernet_lists: list, t: list,
                  folder: Path) -> dict | None:
        """Scores of every baseline on the ranked list, their metrics, and the SBN supernet (calibrated,
        all seeds) against each, paired on the same networks."""
        if not settings.baselines:
            return None
        scores = {b: summary[b] for b in settings.baselines if b in COMPLEXITY_BASELINES}
        proxies = [b for b in settings.baselines if b not in COMPLEXITY_BASELINES]
        if proxies:
            from mmengine.registry import DATASETS, MODELS

            from ...bench.evaluator import dataset_batches
            from ...bench.proxies import proxy_scores

            cfg = ctx.supernet_cfg
            batch = dataset_batches(DATASETS.build(cfg.train_dataloader.dataset), settings.proxy_batch, 1, seed=0)[0]
            scores.update(proxy_scores(dict(cfg.model.network), MODELS.build(dict(cfg.model.data_preprocessor)),
                                       list(ctx.archs), batch["inputs"], batch["data_samples"], tuple(proxies),
                                       seed=0, log=ctx.log))
        k, n_boot = settings.top_k, settings.n_boot
        out = {"k": k, "n_boot": n_boot, "scores": scores,
               "metrics": {b: seed_metrics([s], t, k, n_boot, names=tuple(m for m in METRICS if m not in PERCENT_ONLY))
                           for b, s in scores.items()},
               "supernet_minus_baseline": {b: {stat: paired_metric_difference(supernet_lists, [s], t, stat, k, n_boot)
                                               for stat in VERSUS_METRICS} for b, s in scores.items()}}
        save_json_atomic(folder / "baselines.json", out)
        return json_round_trip(out)

    @staticmethod
    def reference(ctx: Context, settings: RankingSettings, runs: list, summary: dict, values: TruthTable,
                  folder: Path) -> dict:
        """Tau under our protocol, each reference choice alone and the reference protocol, per supernet.

        Every encoding of the listed networks (S4: 255 for the 34) is scored as given by every
        supernet twice: our way (training-batch calibration, validation split) and the reference's
        (momentum updates over the test split, test split), each before and after calibration."""
        import numpy as np

        from ...bench.protocol import ROWS, Scores, protocol_taus

        space = get_space(ctx.archs[0].space, summary["checkpoints"][0]["m"])
        keys = [space.canonical_key(a) for a in ctx.archs]
        listed = set(keys)
        encodings = [a for a in space.enumerate() if space.canonical_key(a) in listed]
        names = [a.to_string() for a in encodings]
        scored = score_checkpoints(ctx.supernet_cfg, [(str(ctx.path(c)), split) for _, _, c in runs
                                                      for split in ("val", "test")], encodings,
                                   scoring(ctx, settings), ctx.executor, ctx.log, count_costs=False, per_encoding=True)
        truth = dict(zip(keys, map(list, values.per_seed)))
        training = values.training_images
        truth_training = dict(zip(keys, map(list, training))) if training is not None else None
        per_run = []
        for i, (name, seed, _) in enumerate(runs):
            val, test = scored[2 * i], scored[2 * i + 1]
            scores = Scores(ours=dict(zip(names, zip(val["calibrated"], val["uncalibrated"]))),
                            test=dict(zip(names, zip(test["calibrated"], test["uncalibrated"]))))
            taus = protocol_taus(space, list(ctx.archs), scores, truth, truth_training, settings.reference_samples,
                                 settings.reference_drop, settings.reference_draws, seed=0)
            per_run.append({"variant": name, "seed": seed, "encodings": names,
                            "scores": {"ours": val, "test": test}, **taus})
        variants = {}
        for name in dict.fromkeys(r["variant"] for r in per_run):
            mine = [r for r in per_run if r["variant"] == name]
            variants[name] = {row: {"mean": float(np.mean([r["rows"][row]["mean"] for r in mine])),
                                    "std": float(np.std([v for r in mine for v in r["rows"][row]["values"]]))}
                              for row in ROWS}
            ours = variants[name]["ours"]["mean"]
            for row in ROWS:
                variants[name][row]["moves_tau_by"] = variants[name][row]["mean"] - ours
        first = per_run[0]
        out = {**{k: first[k] for k in ("samples", "drop", "drop_distinct", "draws", "m", "candidates",
                                        "one_repeat_available", "training_truth_available")},
               "notes": sorted({n for r in per_run for n in r["notes"]}),
               "training_truth": values.training_description if training is not None else None,
               "variants": variants, "runs": per_run}
        save_json_atomic(folder / "protocol.json", out)
        for note in out["notes"]:
            ctx.log(f"ranking: reference protocol: {note}")
        for name, rows in variants.items():
            ctx.log(f"ranking: {name}: Kendall tau {rows['ours']['mean']:.3f} (ours) vs "
                    f"{rows['reference']['mean']:.3f} (reference protocol)")
        return json_round_trip(out)

    # -- report ------------------------------------------------------------------------------------
    title = "Ranking"

    def report(self, ctx: Context, output: RankingOutput, outputs: dict) -> list[str]:
        rank, diff = output.rank, output.sbn_minus_bn
        rows = [(entry.get("variant", ""), entry.get("seed", ""), "yes" if entry["shadow_bn"] else "no",
                 "after" if mode == "calibrated" else "before", with_ci(entry["correlation"][mode], "kendall_tau"),
                 with_ci(entry["correlation"][mode], "spearman_rho"))
                for entry in rank["checkpoints"] for mode in MODES]
        lines = [f"Each of the {len(rank['archs'])} architectures scored by each supernet on the validation split, "
                 "before and after BN calibration, against the ground truth above.", "",
                 *md_table(("supernet", "seed", "Shadow BN", "BN calibration", "Kendall tau-b [95% CI]",
                            "Spearman rho [95% CI]"), rows)]
        lines += metrics_lines(output.metric_values) + ["", "Paired differences SBN - BN, seed means on the same "
                                                        "resampled architectures (lower is better for BR@K / WR@K):",
                                                        ""]
        for mode in MODES:
            lines.append(f"- {'before' if mode == 'uncalibrated' else 'after'} calibration: "
                         + "; ".join(f"{METRIC_LABELS.get(stat, stat)} {difference_cell(d)}"
                                     for stat, d in diff[mode].items()))
        if len(output.per_seed_kendall_tau.get("calibrated", [])) > 1:
            lines.append("- per seed, Kendall tau after calibration: " + "; ".join(
                f"seed {d['seed']} {difference_cell(d)}" for d in output.per_seed_kendall_tau["calibrated"]))
        sbn_cal = next(e for e in rank["checkpoints"] if e["shadow_bn"])["correlation"]["calibrated"]
        lines += ["", ranking_verdict(diff, "calibrated"), "", ranking_verdict(diff, "uncalibrated"), "",
                  *[line for mode in ("calibrated", "uncalibrated") if output.sbn_minus_bn_method
                    for line in (method_verdict(output.sbn_minus_bn_method, mode), "")],
                  f"The paper reports Kendall tau {PAPER_TAU} for its SBN supernet on the full NAS-Bench-101 ground "
                  f"truth (CIFAR-10, 200 epochs) with the reference protocol; here it is {sbn_cal['kendall_tau']:.3f} "
                  f"on {len(rank['archs'])} architectures of a small CPU experiment, so the two are not directly "
                  "comparable.", "", f"![ranking]({output.figure})", "", f"![Kendall tau]({output.tau_figure})", ""]
        if output.baseline_values:
            lines += baselines_lines(output.baseline_values)
        if output.protocol_values:
            lines += protocol_lines(output.protocol_values)
        files = [output.rank_json, output.differences, output.metrics, output.baselines, output.protocol]
        return lines + [source_line(*[f for f in files if f]), ""]

    def verdicts(self, ctx: Context, output: RankingOutput, outputs: dict) -> list[str]:
        lines = [ranking_verdict(output.sbn_minus_bn, "uncalibrated"), ranking_verdict(output.sbn_minus_bn)]
        if output.sbn_minus_bn_method:
            lines += [method_verdict(output.sbn_minus_bn_method, mode) for mode in ("uncalibrated", "calibrated")]
        if output.baseline_values:
            lines.append(baselines_verdict(output.baseline_values))
        if output.protocol_values:
            lines.append(protocol_verdict(output.protocol_values))
        return lines

    def summary_source(self, output: RankingOutput) -> str:
        return output.rank_json


PAPER_TAU = 0.597  # NAS-Bench-101 Kendall tau of the SBN supernet (MixPath abstract, v3)
METRIC_LABELS = {"kendall_tau": "tau-b", "sparse_kendall_tau_truth": "sparse tau (Yu)",
                 "sparse_kendall_tau_predictions": "sparse tau (NB301)", "spearman_rho": "Spearman",
                 "pearson_r": "Pearson", "kendall_tau_predicted_top_k": "tau pred. top-K",
                 "kendall_tau_true_top_k": "tau true top-K", "precision_at_k": "P@K",
                 "best_rank_at_k": "BR@K", "worst_rank_at_k": "WR@K"}
BASELINE_NAMES = {"params": "parameters", "madds": "multiply-adds", "grad_norm": "grad_norm", "snip": "snip",
                  "synflow": "synflow", "jacov": "jacov", "naswot": "NASWOT"}
VOTES = {"a": "better", "b": "worse", "undecided": "no clear difference", "undefined": "undefined"}


def metrics_lines(met: dict) -> list[str]:
    """Every metric per supernet variant and calibration mode (mean +- std over seeds [pooled CI])."""
    some = next(iter(met["variants"].values()))["calibrated"]
    rows = [(variant, "after" if mode == "calibrated" else "before",
             *(metric_cell(modes[mode]["metrics"][n]) for n in METRIC_LABELS))
            for variant, modes in met["variants"].items() for mode in ("calibrated", "uncalibrated")]
    return ["", f"Every metric, mean +- std over {some['seeds']} supernet seed(s) [pooled 95% bootstrap interval of "
            f"the seed mean]; K = {met['k']} of {some['n']}; BR@K / WR@K are the best / worst true rank among the "
            f"predicted top K as a fraction of the list (1/{some['n']} = the best network; lower is better). Sparse "
            "tau (Yu) rounds the truth to 0.1 pp (Yu et al. 2020), sparse tau (NB301) the scores (NAS-Bench-301's "
            "code); tau pred. top-K is tau among the K networks the supernet ranks best (Ning et al. 2021), tau "
            "true top-K among the K truly best. Intervals: value +- 1.96 bootstrap standard deviations, networks "
            "resampled with repetition (coverage measured in docs/ranking.md).", "",
            *md_table(("supernet", "calibration", *METRIC_LABELS.values()), rows)]


def method_verdict(method: dict, mode: str = "calibrated") -> str:
    """One sentence on SBN against vanilla BN as *methods* (`bench.ranking.method_difference`: supernet
    seeds and networks resampled), with how many seeds would decide where these do not."""
    d = method[mode]
    what = "after BN calibration" if mode == "calibrated" else "before BN calibration"
    head = f"**SBN against vanilla BN as methods, {what}"
    if d.get("undefined"):
        return f"{head}: undefined** (Kendall tau: {d['undefined']})."
    if d["ci95"][0] is None:
        return (f"{head}: undecided** - {d['reason']}; the interval above resamples networks only and speaks "
                "about these trained supernets.")
    lo, hi = d["ci95"]
    interval = (f"tau difference {d['difference']:+.3f}, 95% interval over {d['seeds'][0]} + {d['seeds'][1]} supernet "
                f"seeds and resampled networks [{lo:+.3f}, {hi:+.3f}]")
    if d["better"] == "a":
        return f"{head}: SBN ranks better** ({interval})."
    if d["better"] == "b":
        return f"{head}: SBN ranks worse** ({interval}); this contradicts the paper's claim."
    need = d.get("seeds_to_decide")
    more = (f"about {need} seeds per variant would decide at the measured variances" if need else
            "more seeds would not decide at these variances: the list of networks is the limit" if d["difference"]
            else "the difference is 0")
    return f"{head}: undecided** ({interval} includes 0; {more})."


def ranking_verdict(diff: dict, mode: str = "calibrated") -> str:
    """One sentence on whether SBN ranked better than vanilla BN, from the paired tau difference: a
    statement about these trained supernets (networks resampled, supernets held fixed)."""
    d = diff[mode]["kendall_tau"]
    what = "after BN calibration" if mode == "calibrated" else "before BN calibration"
    if d.get("undefined"):
        return f"**SBN against vanilla BN {what}: undefined** (Kendall tau is undefined here: {d['undefined']})."
    lo, hi = d["ci95"]
    if lo > 0:
        return (f"**SBN ranked better than vanilla BN {what}** (these supernets): tau difference "
                f"{d['difference']:+.3f}, 95% paired bootstrap interval over networks [{lo:+.3f}, {hi:+.3f}] excludes 0.")
    if hi < 0:
        return (f"**SBN ranked worse than vanilla BN {what}** (these supernets): tau difference "
                f"{d['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]; at this scale this contradicts the paper's claim.")
    return (f"**No measurable difference between SBN and vanilla BN {what}** (these supernets): tau difference "
            f"{d['difference']:+.3f}, 95% paired bootstrap interval over networks [{lo:+.3f}, {hi:+.3f}] includes 0; "
            "at this scale the paper's claim that SBN improves the ranking is neither confirmed nor refuted.")


def baselines_lines(b: dict) -> list[str]:
    """Baseline scorers on the same list and metrics, and the SBN supernet against each."""
    rows = []
    for name, res in b["metrics"].items():
        ms, vs = res["metrics"], b["supernet_minus_baseline"][name]
        rows.append((BASELINE_NAMES.get(name, name), *(metric_cell(ms[m], False) for m in (
            "kendall_tau", "spearman_rho", "precision_at_k", "worst_rank_at_k")), difference_cell(vs["kendall_tau"]),
            difference_cell(vs["precision_at_k"]), VOTES[vs["kendall_tau"]["better"]]))
    return ["### Baselines a supernet must beat", "",
            "Scorers that need no supernet, on the same architectures and metrics: stand-alone parameters and "
            "multiply-adds (larger = predicted better) and zero-cost proxies of the freshly initialised network "
            "on one training batch. Last columns: the SBN supernet (calibrated, mean over its seeds) minus "
            "the baseline, paired on the same resampled networks.", "",
            *md_table(("scorer", "tau-b", "Spearman", "P@K", "WR@K", "SBN - it, tau-b", "SBN - it, P@K",
                       "SBN ranks"), rows), "", baselines_verdict(b), ""]


def baselines_verdict(b: dict) -> str:
    """How many baselines the SBN supernet out-ranks by Kendall tau (paired interval excludes 0)."""
    votes = {name: v["kendall_tau"]["better"] for name, v in b["supernet_minus_baseline"].items()}
    better = [BASELINE_NAMES.get(n, n) for n, v in votes.items() if v == "a"]
    worse = [BASELINE_NAMES.get(n, n) for n, v in votes.items() if v == "b"]
    return (f"**By Kendall tau the SBN supernet ranks better than {len(better)} of {len(votes)} baselines"
            + (f" ({', '.join(better)})" if better else "") + f", worse than {len(worse)}"
            + (f" ({', '.join(worse)})" if worse else "") + "**; for the rest the paired interval includes 0.")


def protocol_lines(p: dict) -> list[str]:
    """Reference protocol vs ours on the same supernets and truth, and each choice alone."""
    from ...bench.protocol import DESCRIPTIONS, ROWS

    variants = list(p["variants"])
    rows = [(DESCRIPTIONS[row], *(cell for v in variants for cell in (
        f"{p['variants'][v][row]['mean']:.3f} +- {p['variants'][v][row]['std']:.3f}",
        f"{p['variants'][v][row]['moves_tau_by']:+.3f}"))) for row in ROWS]
    lines = ["### The reference protocol beside ours", "",
             "Kendall tau-b after BN calibration of the same supernets against the same ground truth, mean over "
             f"supernet seeds (+- std over seeds and {p['draws']} redraws of the random parts). The reference code "
             f"samples {p['samples']} distinct path choices with its own sampler (m = {p['m']}; here "
             f"{p['candidates']} candidates), scores each with the weights of its node positions on the test split "
             "before and after momentum BN updates over the test split, takes one random training run of the "
             "truth measured on images the supernet trained on, and leaves out the "
             f"{p['drop']} candidates with the lowest accuracy before calibration; alone, the drop removes the same "
             f"fraction ({p['drop_distinct']}) of our list.", "",
             *md_table(("protocol", *(c for v in variants for c in (f"{v}: tau", f"{v}: moves tau by"))), rows)]
    if not p["one_repeat_available"]:
        lines += ["", "The ground truth has one value per network here, so 'one random training run' equals ours."]
    if p["training_truth"]:
        lines += ["", f"Truth on training images: {p['training_truth']}."]
    else:
        lines += ["", "No truth on images the supernet trained on is available here (stand-alone truth needs "
                      "ground_truth.holdout > 0), so that row equals ours."]
    lines += [f"Note: {n}." for n in p["notes"]]
    return lines + ["", protocol_verdict(p), ""]


def protocol_verdict(p: dict) -> str:
    from ...bench.protocol import CHOICES, DESCRIPTIONS

    parts = []
    for name, rows in p["variants"].items():
        biggest = max(CHOICES, key=lambda c: abs(rows[c]["moves_tau_by"]))
        parts.append(f"{name}: tau {rows['ours']['mean']:.3f} with ours, {rows['reference']['mean']:.3f} with the "
                     f"reference protocol ({rows['reference']['moves_tau_by']:+.3f}); the largest single choice is "
                     f"'{DESCRIPTIONS[biggest]}' ({rows[biggest]['moves_tau_by']:+.3f})")
    return "**Protocol**: " + "; ".join(parts) + "."
