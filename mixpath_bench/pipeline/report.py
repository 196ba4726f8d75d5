"""The experiment report: ``report.md`` (tables, figures, verdicts) and ``results.json``.

Every table and statement names the file (relative to the work dir) its numbers come from, and
the verdicts are computed from the measurements: when SBN does not improve the ranking at this
scale, the report says so.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..jsonio import load_json, save_json_atomic, write_text_atomic
from ..provenance import provenance
from ..spaces import S4_OPS, parse_arch
from .stage import Context, output_to_json


@dataclass(frozen=True)
class StageRecord:
    """What the report knows of a stage: its key, the seconds of the run that produced it, its output."""

    key: str
    seconds: float
    output: Any


Outputs = dict  # stage name -> its typed output

PAPER_TAU = 0.597  # NAS-Bench-101 Kendall tau of the SBN supernet (MixPath abstract, v3)
SHORT_OPS = {"conv1x1-bn-relu": "1x1", "conv3x3-bn-relu": "3x3", "maxpool3x3": "pool"}


def _read(ctx: Context, rel: str) -> dict:
    return load_json(ctx.path(rel), ConfigError)


def _ci(c: dict, key: str) -> str:
    lo, hi = c[f"{key}_ci95"]
    return f"{c[key]:.3f} [{lo:.3f}, {hi:.3f}]"


def describe(arch_text: str) -> str:
    """'S4:2210' -> '3x3 x2 + 1x1' (S4); the encoding itself for other spaces."""
    arch = parse_arch(arch_text)
    if arch.space != "S4":
        return arch_text
    ops = Counter(SHORT_OPS[S4_OPS[v]] for layer in arch.layers for v in layer if v)
    return " + ".join(f"{op} x{n}" if n > 1 else op for op, n in sorted(ops.items()))


def _source(*files: str) -> str:
    return "Source: " + ", ".join(f"`{f}`" for f in files) + "."


def truth_section(ctx: Context, out: Outputs) -> list[str]:
    t = _read(ctx, out["truth"].truth_json)
    n = t["noise"]
    lines = ["## 1. Ground truth", "", f"{len(t['archs'])} architectures, {t['description']}.", ""]
    seeds = t["seeds"] or ["-"]
    lines += ["| rank | architecture | cell ops | " + " | ".join(f"seed {s}" for s in seeds) + " | mean (%) |",
              "|---|---|---|" + "---|" * len(seeds) + "---|"]
    order = sorted(range(len(t["archs"])), key=lambda i: -t["acc"][i])
    for r, i in enumerate(order, 1):
        lines.append(f"| {r} | {t['archs'][i]} | {describe(t['archs'][i])} | "
                     + " | ".join(f"{v:.2f}" for v in t["per_seed"][i]) + f" | {t['acc'][i]:.2f} |")
    lines += ["", f"Spread of the means: std {n['spread_std']:.2f} pp, range {n['range']:.2f} pp."]
    if "seed_noise_std" in n:
        ss = n["seed_vs_seed"]
        verdict = "larger than" if n["spread_over_noise"] > 1 else "NOT larger than"
        lines += [f"Seed noise (pooled within-architecture std): {n['seed_noise_std']:.2f} pp, so the spread is "
                  f"{n['spread_over_noise']:.1f}x the seed noise ({verdict} it). Two seeds of the same recipe rank "
                  f"the architectures with Kendall tau {_ci(ss, 'kendall_tau')}: no supernet can be expected to "
                  "agree with this ground truth better than that."]
    else:
        lines.append("Seed noise: not measured (one value per architecture from the table).")
    lines += ["", f"![ground truth]({out['truth'].figure})", "", _source(out["truth"].truth_json), ""]
    return lines


def supernet_section(ctx: Context, out: Outputs) -> list[str]:
    s = out["supernets"].variants
    lines = ["## 2. Supernets", "", "| variant | overrides | seed | training time (s) | checkpoint |",
             "|---|---|---|---|---|"]
    for name, v in s.items():
        over = ", ".join(f"{k}={val}" for k, val in v.overrides.items())
        for seed, secs, ckpt in zip(v.seeds, v.train_seconds, v.checkpoints):
            lines.append(f"| {name} | {over} | {seed} | {f'{secs:.0f}' if secs is not None else 'n/a'} | `{ckpt}` |")
    lines += ["", f"Same config (`{ctx.supernet_config}`) and budget for every variant; each seed sets the weights, "
              "the data order and the path sampling.", _source("supernets/stage.json", *[lg for v in s.values()
                                                                                          for lg in v.logs]), ""]
    return lines


def ranking_verdict(diff: dict, mode: str = "calibrated") -> str:
    """One sentence on whether SBN ranked better than vanilla BN, from the paired tau difference."""
    d = diff[mode]["kendall_tau"]
    lo, hi = d["ci95"]
    what = "after BN calibration" if mode == "calibrated" else "before BN calibration"
    if lo > 0:
        return (f"**SBN ranked better than vanilla BN {what}**: tau difference {d['difference']:+.3f}, "
                f"95% paired bootstrap interval [{lo:+.3f}, {hi:+.3f}] excludes 0.")
    if hi < 0:
        return (f"**SBN ranked worse than vanilla BN {what}**: tau difference {d['difference']:+.3f} "
                f"[{lo:+.3f}, {hi:+.3f}]; at this scale this contradicts the paper's claim.")
    return (f"**No measurable difference between SBN and vanilla BN {what}**: tau difference "
            f"{d['difference']:+.3f}, 95% paired bootstrap interval [{lo:+.3f}, {hi:+.3f}] includes 0; at this "
            "scale the paper's claim that SBN improves the ranking is neither confirmed nor refuted.")


METRIC_LABELS = {"kendall_tau": "tau-b", "sparse_kendall_tau": "sparse tau", "spearman_rho": "Spearman",
                 "pearson_r": "Pearson", "kendall_tau_top_k": "tau top-K", "precision_at_k": "P@K",
                 "best_rank_at_k": "BR@K", "worst_rank_at_k": "WR@K"}


def _m(m: dict, spread: bool = True) -> str:
    lo, hi = m["ci95"]
    std = f" +- {m['std']:.2f}" if spread else ""
    return f"{m['value']:.2f}{std} [{lo:.2f}, {hi:.2f}]"


def _d(d: dict) -> str:
    lo, hi = d["ci95"]
    return f"{d['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def ranking_section(ctx: Context, out: Outputs) -> list[str]:
    ranking = out["ranking"]
    rank = _read(ctx, ranking.rank_json)
    diff = ranking.sbn_minus_bn
    lines = ["## 3. Ranking", "", f"Each of the {len(rank['archs'])} architectures scored by each supernet on the "
             "validation split, before and after BN calibration, against the ground truth above.", "",
             "| supernet | seed | Shadow BN | BN calibration | Kendall tau-b [95% CI] | Spearman rho [95% CI] |",
             "|---|---|---|---|---|---|"]
    for entry in rank["checkpoints"]:
        for mode in ("uncalibrated", "calibrated"):
            c = entry["correlation"][mode]
            lines.append(f"| {entry.get('variant', '')} | {entry.get('seed', '')} | "
                         f"{'yes' if entry['shadow_bn'] else 'no'} | {'after' if mode == 'calibrated' else 'before'} | "
                         f"{_ci(c, 'kendall_tau')} | {_ci(c, 'spearman_rho')} |")
    sources = [ranking.rank_json, ranking.differences]
    if ranking.metrics:
        met = _read(ctx, ranking.metrics)
        names = list(METRIC_LABELS)
        some = next(iter(met["variants"].values()))["calibrated"]
        lines += ["", f"Every metric, mean +- std over {some['seeds']} supernet seed(s) [pooled 95% bootstrap "
                  f"interval of the seed mean]; K = {met['k']} of {some['n']}; BR@K / WR@K are the best / worst true "
                  f"rank among the predicted top K as a fraction of the list (1/{some['n']} = the best network; "
                  "lower is better); sparse tau rounds the truth to 0.1 pp.", "",
                  "| supernet | calibration | " + " | ".join(METRIC_LABELS[n] for n in names) + " |",
                  "|---|---|" + "---|" * len(names)]
        for variant, modes in met["variants"].items():
            for mode in ("calibrated", "uncalibrated"):
                ms = modes[mode]["metrics"]
                lines.append(f"| {variant} | {'after' if mode == 'calibrated' else 'before'} | "
                             + " | ".join(_m(ms[n]) for n in names) + " |")
        sources.append(ranking.metrics)
    lines += ["", "Paired differences SBN - BN, seed means on the same resampled architectures "
              "(lower is better for BR@K / WR@K):", ""]
    for mode in ("uncalibrated", "calibrated"):
        lines.append(f"- {'before' if mode == 'uncalibrated' else 'after'} calibration: "
                     + "; ".join(f"{METRIC_LABELS.get(stat, stat)} {_d(d)}" for stat, d in diff[mode].items()))
    per_seed = _read(ctx, ranking.differences).get("per_seed_kendall_tau", {})
    if len(per_seed.get("calibrated", [])) > 1:
        lines.append("- per seed, Kendall tau after calibration: " + "; ".join(
            f"seed {d['seed']} {_d(d)}" for d in per_seed["calibrated"]))
    sbn_cal = next(e for e in rank["checkpoints"] if e["shadow_bn"])["correlation"]["calibrated"]
    lines += ["", ranking_verdict(diff, "calibrated"), "", ranking_verdict(diff, "uncalibrated"), "",
              f"The paper reports Kendall tau {PAPER_TAU} for its SBN supernet on the full NAS-Bench-101 ground "
              f"truth (CIFAR-10, 200 epochs) with the reference protocol; here it is {sbn_cal['kendall_tau']:.3f} on "
              f"{len(rank['archs'])} architectures of a small CPU experiment, so the two are not directly "
              "comparable.", "", f"![ranking]({ranking.figure})", "", f"![Kendall tau]({ranking.tau_figure})", ""]
    if ranking.baselines:
        lines += baselines_lines(_read(ctx, ranking.baselines))
        sources.append(ranking.baselines)
    if ranking.protocol:
        lines += protocol_lines(_read(ctx, ranking.protocol))
        sources.append(ranking.protocol)
    return lines + [_source(*sources), ""]


BASELINE_NAMES = {"params": "parameters", "madds": "multiply-adds", "grad_norm": "grad_norm", "snip": "snip",
                  "synflow": "synflow", "jacov": "jacov", "naswot": "NASWOT"}


def baselines_lines(b: dict) -> list[str]:
    """Baseline scorers on the same list and metrics, and the SBN supernet against each."""
    lines = ["### Baselines a supernet must beat", "",
             "Scorers that need no supernet, on the same architectures and metrics: stand-alone parameters and "
             "multiply-adds (larger = predicted better) and zero-cost proxies of the freshly initialised network "
             "on one training batch. Last columns: the SBN supernet (calibrated, mean over its seeds) minus "
             "the baseline, paired on the same resampled networks.", "",
             "| scorer | tau-b | Spearman | P@K | WR@K | SBN - it, tau-b | SBN - it, P@K | SBN ranks |",
             "|---|---|---|---|---|---|---|---|"]
    for name, res in b["metrics"].items():
        ms, vs = res["metrics"], b["supernet_minus_baseline"][name]
        verdict = {"a": "better", "b": "worse", "undecided": "no clear difference"}[vs["kendall_tau"]["better"]]
        lines.append(f"| {BASELINE_NAMES.get(name, name)} | {_m(ms['kendall_tau'], False)} | "
                     f"{_m(ms['spearman_rho'], False)} | {_m(ms['precision_at_k'], False)} | "
                     f"{_m(ms['worst_rank_at_k'], False)} | {_d(vs['kendall_tau'])} | {_d(vs['precision_at_k'])} | "
                     f"{verdict} |")
    lines += ["", baselines_verdict(b), ""]
    return lines


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
    from ..bench.protocol import DESCRIPTIONS, ROWS

    variants = list(p["variants"])
    lines = ["### The reference protocol beside ours", "",
             f"Kendall tau-b of the same supernets against the same ground truth, mean over supernet seeds "
             f"(+- std over seeds and {p['draws']} redraws of the random parts). The reference protocol samples "
             f"{p['samples']} encodings (duplicates kept), calibrates and scores on the test split, takes one random "
             f"seed per candidate as truth and drops the {p['drop']} lowest-scored candidates; alone, the drop "
             f"removes the same fraction ({p['drop_distinct']}) of our list.", "",
             "| protocol | " + " | ".join(f"{v}: tau | {v}: moves tau by" for v in variants) + " |",
             "|---|" + "---|---|" * len(variants)]
    for row in ROWS:
        cells = " | ".join(f"{p['variants'][v][row]['mean']:.3f} +- {p['variants'][v][row]['std']:.3f} | "
                           f"{p['variants'][v][row]['moves_tau_by']:+.3f}" for v in variants)
        lines.append(f"| {row}: {DESCRIPTIONS[row]} | {cells} |")
    if not p["one_repeat_available"]:
        lines.append("")
        lines.append("The ground truth has one value per network here, so 'one_repeat' equals ours.")
    lines += ["", protocol_verdict(p), ""]
    return lines


def protocol_verdict(p: dict) -> str:
    from ..bench.protocol import CHOICES

    parts = []
    for name, rows in p["variants"].items():
        biggest = max(CHOICES, key=lambda c: abs(rows[c]["moves_tau_by"]))
        parts.append(f"{name}: tau {rows['ours']['mean']:.3f} with ours, {rows['reference']['mean']:.3f} with the "
                     f"reference protocol ({rows['reference']['moves_tau_by']:+.3f}); the largest single choice is "
                     f"'{biggest}' ({rows[biggest]['moves_tau_by']:+.3f})")
    return "**Protocol**: " + "; ".join(parts) + "."


def search_section(ctx: Context, out: Outputs) -> list[str]:
    t2 = out["table2"]
    table = _read(ctx, t2.table_json)
    rank_key = next((k for r in table["rows"] for k in r if k.startswith("rank_of_")), "rank")
    best = max(_read(ctx, out["truth"].truth_json)["acc"])
    lines = ["## 4. Search (supplementary Table 2)", "",
             "Every configured searcher on the Shadow-BN supernet (NSGA-II: its most accurate pick; the others: "
             "their best; budgets count distinct networks, and a searcher without its own budget gets NSGA-II's), "
             "and DARTS, one run per seed. Search cost = supernet training + the method's own candidate "
             "evaluations (DARTS: its whole run), measured. "
             f"Best ground truth among the ranked architectures: {best:.2f}%.", "",
             ctx.path(t2.table_md).read_text().strip(), ""]
    for method, s in table["summary"].items():
        ranks = [r[rank_key] for r in table["rows"] if r["method"] == method and rank_key in r]
        lines.append(f"- {method}: {s['mean']:.2f} +- {s['std']:.2f}% over {s['runs']} run(s), "
                     f"{best - s['mean']:.2f} pp below the best; ranks {ranks}.")
    lines += ["", search_verdict(table["summary"]), ""]
    figures = [out[k].figure for k in ("search", "darts") if k in out]
    lines += [""] + [f"![{Path(f).stem}]({f})" for f in figures] + ["", _source(t2.table_json), ""]
    return lines


def search_verdict(summary: dict) -> str:
    """Each supernet searcher against DARTS, next to the paper's Table 2 (94.22 +- 0.06 vs 79.42 +- 0.23)."""
    mixpath = {m: s for m, s in summary.items() if s.get("family") == "supernet"}
    darts = next(((m, s) for m, s in summary.items() if s.get("family") == "darts"), None)
    if not mixpath or darts is None:
        return "Table 2 needs both a supernet search and DARTS; one of them was not configured."
    name, d = darts
    parts = []
    for method, mix in mixpath.items():
        gap = mix["mean"] - d["mean"]
        overlap = abs(gap) <= mix["std"] + d["std"]
        parts.append(f"{method} {mix['mean']:.2f} ({gap:+.2f} pp, ranges {'overlap' if overlap else 'apart'})")
    above = [m for m, s in mixpath.items() if s["mean"] > d["mean"] and s["mean"] - d["mean"] > s["std"] + d["std"]]
    below = [m for m, s in mixpath.items() if d["mean"] > s["mean"] and d["mean"] - s["mean"] > s["std"] + d["std"]]
    verdict = (f"**{len(above)} of {len(mixpath)} supernet searches ended clearly above {name}, {len(below)} clearly "
               f"below** (mean +- std ranges apart)")
    return (f"{verdict}: {name} {d['mean']:.2f}; " + "; ".join(parts) + ". The paper's Table 2 has MixPath 14.8 pp "
            "above DARTS (94.22 +- 0.06 vs 79.42 +- 0.23); "
            + ("this run agrees with that direction." if above and not below else
               "this run does not reproduce that direction." if not above else "this run is mixed."))


def analysis_section(ctx: Context, out: Outputs) -> list[str]:
    a = _read(ctx, out["analysis"].json)
    lines = ["## 5. What Shadow BN does", "",
             "Fitted ratios of SBN_k's running mean and variance to SBN_1's (the paper expects about k and k^2):", "",
             "| layer | k | mean ratio (expect k) | variance ratio (expect k^2) |", "|---|---|---|---|"]
    for layer in a["layers"]:
        for k, mean_ratio in sorted(layer["ratios"]["mean"].items(), key=lambda kv: int(kv[0])):
            if int(k) > 1:
                lines.append(f"| {layer['name']} | {k} | {mean_ratio:.2f} | {layer['ratios']['var'][k]:.2f} |")
    before = ", ".join(f"{v:.2f}" for v in a["amplitude_before"])
    after = ", ".join(f"{v:.2f}" for v in a["amplitude_after"])
    lines += ["", f"Feature amplitudes of the path combinations {a['combinations']}: before the norm {before}; "
              f"after Shadow BN {after}"]
    if "compare" in a:
        lines[-1] += "; after vanilla BN " + ", ".join(f"{v:.2f}" for v in a["compare"]["amplitude_after"])
    lines[-1] += "."
    lines += [""] + [f"![{Path(f).stem}]({f})" for f in out["analysis"].figures] + [
        "", _source(out["analysis"].json), ""]
    return lines


def msweep_section(ctx: Context, out: Outputs) -> list[str]:
    sweep = _read(ctx, out["msweep"].json)
    lines = ["## 6. Number of active paths m, with and without Shadow BN", "",
             f"For each m, a Shadow-BN and a vanilla-BN supernet per seed ({', '.join(map(str, sweep['seeds']))}), "
             "each ranking the networks of its own space against the same ground truth (BN calibration on, "
             "mean over seeds [pooled 95% interval]); SBN - BN is paired on the same networks. With m = 1 the "
             "two are the same network, a control.", "",
             "| m | networks | SBN tau-b | BN tau-b | SBN - BN, tau-b | SBN - BN, P@K |", "|---|---|---|---|---|---|"]
    for m, row in sweep["m"].items():
        d = row["sbn_minus_bn"]
        lines.append(f"| {m} | {len(row['archs'])} | {_m(row['sbn']['metrics']['kendall_tau'])} | "
                     f"{_m(row['bn']['metrics']['kendall_tau'])} | {_d(d['kendall_tau'])} | {_d(d['precision_at_k'])} |")
    lines += ["", msweep_verdict(sweep), "", f"![m sweep]({out['msweep'].figure})", "",
              _source(out["msweep"].json, *[row["rank_json"] for row in sweep["m"].values()]), ""]
    return lines


def msweep_verdict(sweep: dict) -> str:
    """Where SBN ranked better / worse / undecided by the paired tau interval, per m >= 2."""
    words = {"a": "better", "b": "worse", "undecided": "no clear difference"}
    parts = [f"m={m}: {words[row['sbn_minus_bn']['kendall_tau']['better']]}" for m, row in sweep["m"].items()
             if int(m) >= 2]
    return ("**m sweep, SBN vs vanilla BN by Kendall tau**: " + ("; ".join(parts) if parts else "no m >= 2 run")
            + ". The paper's claim is that SBN ranks better for every m >= 2.")


def sbn_ratio_verdict(analysis: dict, tolerance: float = 0.3) -> str:
    """Are SBN_k's fitted mean / variance ratios to SBN_1 about k / k^2 (within `tolerance`, relative)?"""
    parts = []
    for key, power, name in (("mean", 1, "running mean"), ("var", 2, "running variance")):
        values: dict[int, list[float]] = {}
        for layer in analysis["layers"]:
            for k, v in layer["ratios"][key].items():
                if int(k) > 1:
                    values.setdefault(int(k), []).append(float(v))
        if not values:
            continue
        ok = all(abs(v / k ** power - 1) <= tolerance for k, vs in values.items() for v in vs)
        ranges = ", ".join(f"k={k}: {min(vs):.2f}-{max(vs):.2f}" for k, vs in sorted(values.items()))
        expect = "k" if power == 1 else "k^2"
        parts.append(f"SBN_k's {name} is {'about' if ok else 'not about'} {expect} times SBN_1's "
                     f"(paper: {expect}; here {ranges})")
    return "; ".join(parts) + "." if parts else "No Shadow BN with several paths to analyse."


def summary_section(ctx: Context, out: Outputs) -> list[str]:
    """The verdicts of the sections below, in one place."""
    lines = ["## Summary", ""]
    if "truth" in out:
        n = _read(ctx, out["truth"].truth_json)["noise"]
        if "seed_noise_std" in n:
            lines.append(f"- Ground truth: the architectures differ by {n['spread_std']:.2f} pp (std), "
                         f"{n['spread_over_noise']:.1f}x the seed noise; two seeds agree with Kendall tau "
                         f"{n['seed_vs_seed']['kendall_tau']:.3f}.")
    if "ranking" in out:
        diff = out["ranking"].sbn_minus_bn
        lines += [f"- {ranking_verdict(diff, 'uncalibrated')}", f"- {ranking_verdict(diff, 'calibrated')}"]
        if out["ranking"].baselines:
            lines.append(f"- {baselines_verdict(_read(ctx, out['ranking'].baselines))}")
        if out["ranking"].protocol:
            lines.append(f"- {protocol_verdict(_read(ctx, out['ranking'].protocol))}")
    if "table2" in out:
        lines.append(f"- {search_verdict(_read(ctx, out['table2'].table_json)['summary'])}")
    if "analysis" in out:
        lines.append(f"- {sbn_ratio_verdict(_read(ctx, out['analysis'].json))}")
    if "msweep" in out:
        lines.append(f"- {msweep_verdict(_read(ctx, out['msweep'].json))}")
    sources = [getattr(out[k], f) for k, f in (("truth", "truth_json"), ("ranking", "rank_json"),
                                               ("table2", "table_json"), ("analysis", "json"),
                                               ("msweep", "json")) if k in out]
    return lines + ["", _source(*sources), ""] if sources else []


SECTIONS = (("truth", truth_section), ("supernets", supernet_section), ("ranking", ranking_section),
            ("table2", search_section), ("analysis", analysis_section), ("msweep", msweep_section))


def write_report(ctx: Context, config_path: str, config: dict, records: dict[str, StageRecord],
                 seconds: float) -> dict:
    """Write ``report.md`` and ``results.json`` for the stages that have run (`records`, in order)."""
    prov = provenance({"experiment_config": config_path, "config": config}, ctx.device)
    out = {name: r.output for name, r in records.items()}
    lines = [f"# MixPath experiment: `{config_path}`", "",
             f"Device: {prov['device']}; code {prov['git_commit']}; written {prov['time']}.", "",
             "| stage | seconds | input key |", "|---|---|---|"]
    lines += [f"| {name} | {r.seconds:.0f} | `{r.key}` |" for name, r in records.items()]
    lines += ["", f"This invocation took {seconds:.0f} s (stages reused from earlier runs cost nothing).",
              "Stage seconds are those of the run that produced each stage.", ""]
    lines += summary_section(ctx, out)
    for stage, section in SECTIONS:
        if stage in out:
            lines += section(ctx, out)
    text = "\n".join(lines) + "\n"
    write_text_atomic(ctx.work / "report.md", text)
    results = {"stages": {name: {"key": r.key, "seconds": r.seconds, "outputs": output_to_json(r.output)}
                          for name, r in records.items()}, "seconds_this_run": seconds, "provenance": prov}
    save_json_atomic(ctx.work / "results.json", results)
    return results
