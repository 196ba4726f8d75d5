"""Mutation testing of the core modules (`make mutate`; docs/mutation.md).

A development script, not one of the user tools (the leading underscore keeps it out of `mixpath`'s
list).  It runs mutmut (3.x) once per group of modules below, each against only the tests that cover
that group, in its own folder `.mutate/<group>/` (mutmut works in the current folder: it copies the
package there into `mutants/`, mutates the copy and runs pytest on it).  Inside a group mutmut also
records which test calls which function, so a mutant runs only the tests that reach it.

    python tools/_mutate.py                 # every group, fresh
    python tools/_mutate.py search nn       # some groups
    python tools/_mutate.py --rerun search  # re-test only the mutants a previous run left alive
    python tools/_mutate.py --report        # the table of the last runs, no testing

The table (killed / survived / timeout / no tests / total, score) is printed and written to
`.mutate/summary.md`; mutmut's own output goes to `.mutate/<group>/mutmut.log`.  The surviving
mutants of a group: `cd .mutate/<group> && ../../.venv/bin/mutmut results`; one mutant's diff:
`../../.venv/bin/mutmut show <name>` there.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutate"
PKG = "mixpath_bench"

# group -> (modules to mutate, tests that cover them).  Tests that run the code only in a child process
# (the command-line tools, tests/security/test_checkpoint_payloads.py) are left out: the child imports
# the unmutated package, so they cannot kill a mutant, and they take seconds each (a supernet is
# trained per test session, i.e. per mutant); SUBPROCESS_ONLY deselects those in the listed files.
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "spaces": (["spaces/spaces.py", "spaces/graph.py", "spaces/nasbench.py", "spaces/arch.py"],
               ["tests/spaces", "tests/known_answers/test_nasbench101_hash.py", "tests/search/test_operators.py"]),
    "nn": (["nn/shadow_bn.py", "nn/multipath.py", "nn/ops.py"],
           ["tests/nn", "tests/models/test_modes.py", "tests/models/test_supernets.py"]),
    "search": (["search/operators.py", "search/nsga2.py", "search/baselines.py", "search/local.py",
                "search/registry.py", "search/result.py", "search/state.py"],
               ["tests/search/test_searchers.py", "tests/search/test_operators.py",
                "tests/search/test_algorithm1_steps.py", "tests/search/test_mutants_search.py"]),
    "data": (["data/nasbench101.py"],
             ["tests/known_answers/test_crc32c.py", "tests/known_answers/test_tfrecord_format.py",
              "tests/bench/test_nasbench101.py", "tests/faults/test_nasbench101_faults.py",
              "tests/data/test_mutants_nasbench101.py"]),
    "engine": (["engine/checkpoint.py", "engine/record.py"],
               ["tests/faults/test_models_and_checkpoints.py", "tests/engine/test_mutants_checkpoint.py"]),
    # the zoo's end-to-end tests (tests/zoo/test_hub.py, tests/security/test_zoo_hostile.py) build a
    # model and start an HTTP server per test, ~7 s per mutant here: left out for time
    "zoo": (["zoo/hub.py"], ["tests/zoo/test_offline_env.py", "tests/zoo/test_mutants_hub.py"]),
}
SUBPROCESS_ONLY = {"engine": "not shadow_bn_no_from_the_command_line"}
ALSO_COPY = ["configs", "model_zoo", "tools", "pytest.ini"]  # what the tests read beside tests/
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"}
COLUMNS = ("killed", "survived", "timeout", "no tests", "other")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Mutation testing of the core modules with mutmut.",
                                     allow_abbrev=False)
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=f"groups to run (default all: {', '.join(GROUPS)})")
    parser.add_argument("--rerun", action="store_true",
                        help="keep the previous run's results and re-test only its surviving / untested mutants")
    parser.add_argument("--report", action="store_true", help="only print the table of the last runs")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--ignore", action="append", default=[], metavar="TEST_FILE",
                        help="leave this test file out (e.g. to score the suite without a new test file)")
    return parser


def existing_tests(tests: list[str]) -> list[str]:
    return [t for t in tests if (ROOT / t).exists()]


def prepare(group: str, keep_mutants: bool = False, ignore: tuple[str, ...] = ()) -> Path:
    """`.mutate/<group>/` with links to the package and test files and mutmut's setup.cfg (written
    afresh: the test list may have grown); fresh unless `keep_mutants`."""
    modules, tests = GROUPS[group]
    folder = WORK / group
    if not keep_mutants:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name in [PKG, "tests", *ALSO_COPY]:
            (folder / name).symlink_to(Path("..", "..", name))
        mim = folder / "mutants" / PKG / ".mim"  # the package's links to configs/, model_zoo/, tools/
        mim.mkdir(parents=True)
        for name in ("configs", "model_zoo", "tools"):
            (mim / name).symlink_to(ROOT / name, target_is_directory=True)
    lines = ["[mutmut]", f"source_paths = {PKG}", "only_mutate ="]
    lines += [f"    {PKG}/{m}" for m in modules]
    lines += ["also_copy ="] + [f"    {name}" for name in ALSO_COPY]
    selection = [t for t in existing_tests(tests) if t not in ignore]
    if group in SUBPROCESS_ONLY:
        selection += ["-k", SUBPROCESS_ONLY[group]]
    lines += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in selection]
    lines += ["pytest_add_cli_args =", "    -m", "    not slow and not gpu", "    -p", "    no:cacheprovider"]
    (folder / "setup.cfg").write_text("\n".join(lines) + "\n")
    return folder


def results(group: str) -> dict[str, dict[str, str]]:
    """{module: {mutant name: status}} of a group's last run."""
    out = {}
    for module in GROUPS[group][0]:
        meta = WORK / group / "mutants" / PKG / f"{module}.meta"
        codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.is_file() else {}
        out[module] = {name: STATUS.get(code, "other") if code is not None else "not checked"
                       for name, code in codes.items()}
    return out


def run_group(group: str, rerun: bool, jobs: int, ignore: tuple[str, ...] = ()) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)]
    before = results(group) if rerun and (WORK / group / "mutants").is_dir() else {}
    alive = [name for statuses in before.values() for name, status in statuses.items()
             if status not in ("killed", "timeout")]
    if before and not alive:
        return 0.0
    folder = prepare(group, keep_mutants=bool(before), ignore=ignore)
    start = time.monotonic()
    with open(folder / "mutmut.log", "w") as log:  # mutmut's progress spinner: kept out of the terminal
        done = subprocess.run(command + alive, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        print(f"mutmut failed for group {group} (exit {done.returncode}); see {folder / 'mutmut.log'}",
              file=sys.stderr)
    if before:  # a changed test list makes mutmut forget all verdicts: restore the ones not re-tested
        merge(group, before)
    return time.monotonic() - start


def merge(group: str, before: dict[str, dict[str, str]]) -> None:
    for module, statuses in before.items():
        meta = WORK / group / "mutants" / PKG / f"{module}.meta"
        data = json.loads(meta.read_text())
        for name, code in data["exit_code_by_key"].items():
            if code is None and statuses.get(name) in ("killed", "timeout"):
                data["exit_code_by_key"][name] = 1 if statuses[name] == "killed" else 36
        meta.write_text(json.dumps(data, indent=4))


def table(groups: list[str]) -> str:
    rows = ["| module | killed | survived | timeout | no tests | other | total | score |",
            "|---|---|---|---|---|---|---|---|"]
    for group in groups:
        for module, statuses in results(group).items():
            counts = {c: sum(1 for s in statuses.values() if (s if s in COLUMNS else "other") == c) for c in COLUMNS}
            total = len(statuses)
            score = f"{100 * (counts['killed'] + counts['timeout']) / total:.1f} %" if total else "-"
            rows.append(f"| {module} | " + " | ".join(str(counts[c]) for c in COLUMNS) + f" | {total} | {score} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    unknown = sorted(set(args.groups) - set(GROUPS))
    if unknown:
        build_parser().error(f"unknown group(s) {', '.join(unknown)}; groups: {', '.join(GROUPS)}")
    groups = args.groups or list(GROUPS)
    if not args.report:
        for group in groups:
            seconds = run_group(group, args.rerun, args.jobs, tuple(args.ignore))
            print(f"group {group}: {seconds / 60:.1f} min", flush=True)
    groups = [g for g in groups if (WORK / g / "mutants").is_dir()]
    text = table(groups)
    print(text)
    WORK.mkdir(exist_ok=True)
    (WORK / "summary.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
