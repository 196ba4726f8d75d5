"""The experiment's independent jobs behind one interface, on local processes or on Ray.

A `Job` is a plain call of a module-level function with its arguments, the resources it needs
(CPU threads, GPUs) and its log file.  A job writes its own outputs (atomically, under the work
dir, which every node must see); the driver only collects what the function returns and never
writes a job's files.  Two backends run a list of jobs and return their results in job order,
logging progress with an ETA:

* `LocalExecutor` (the default, no dependency): on CPU, ``workers`` processes at a time, each
  with its job's thread count; on CUDA, one process per visible GPU (``CUDA_VISIBLE_DEVICES`` set
  per worker) when there are several, else one job after the other in the driver.
* `RayExecutor`: each job a Ray task (``num_cpus`` / ``num_gpus`` from the job) on
  ``ray.init(address=...)`` (``'auto'``: a running cluster; None: a local one).  A job whose worker
  dies is retried (``max_retries``) and, being deterministic and resumable, ends identical.

A job that fails for a real reason stops the run with one line naming the job, its arguments and
its log file.  Thread counts are part of a job, so both backends give bit-identical results.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..errors import ConfigError, MissingDependencyError



class JobFailed(ConfigError):
    """A job raised: its name, arguments and log file are in the message."""


@dataclass(frozen=True)
class Job:
    """One independent job: ``fn(*args)`` in a worker, with `threads` CPU threads and `gpus` GPUs."""

    name: str  # what progress lines and errors call it, e.g. 'truth S4:2210 seed 0'
    fn: Callable[..., Any]  # a module-level function (workers import it by name)
    args: tuple = ()
    threads: int = 1  # torch / OpenMP threads; Ray: num_cpus
    gpus: int = 0  # Ray: num_gpus; local: one worker per visible GPU
    log: str = ""  # the job's log file ('' if it has none)
    shown_args: tuple = field(default=(), compare=False)  # what an error shows of the arguments (default: args)


def run_job(job: Job) -> Any:
    """Run `job` in this process with its thread count (the body of every worker)."""
    import torch

    os.environ["OMP_NUM_THREADS"] = str(job.threads)
    torch.set_num_threads(job.threads)
    return job.fn(*job.args)


def failure(job: Job, exc: BaseException) -> JobFailed:
    """The one line a failed job stops the run with."""
    shown = job.shown_args or job.args
    what = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return JobFailed(f"job '{job.name}' failed: {what[:300]}; arguments {str(shown)[:200]}"
                     + (f"; log {job.log}" if job.log else ""))


class _Progress:
    """'what: k/N name (elapsed; about X s left)' after each finished job."""

    def __init__(self, what: str, total: int, log: Callable[[str], None]) -> None:
        self.what, self.total, self.log, self.done, self.start = what, total, log, 0, time.perf_counter()

    def step(self, job: Job) -> None:
        self.done += 1
        spent = time.perf_counter() - self.start
        left = spent / self.done * (self.total - self.done)
        self.log(f"{self.what}: {self.done}/{self.total} {job.name} done ({spent:.0f} s"
                 + (f"; about {left:.0f} s left)" if self.done < self.total else ")"))


def _visible_gpus() -> list[str]:
    import torch

    if not torch.cuda.is_available():
        return []
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = [d.strip() for d in env.split(",") if d.strip()] if env else [str(i) for i in range(torch.cuda.device_count())]
    return ids[:torch.cuda.device_count()]


def die_with_parent() -> None:
    """Linux: this process ends when its parent does (even by SIGKILL), so no stray worker or
    trainer goes on writing into a work dir after the experiment process was killed."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _init_worker(queue) -> None:
    die_with_parent()
    if queue is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = queue.get()


def threads_per_job(workers: int) -> int:
    """Each job's share of this machine's cores when `workers` run at once (both backends use it, so
    a job computes the same numbers wherever it runs)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class LocalExecutor:
    """Jobs in local worker processes (`workers` at a time on CPU, one per visible GPU on CUDA)."""

    name = "local"

    def __init__(self, workers: int = 1, device: str = "cpu") -> None:
        self.workers, self.device = workers, str(device)
        self.threads = threads_per_job(workers)

    def slots(self) -> int:
        """How many jobs run at once."""
        if self.device.startswith("cuda"):
            return max(1, len(_visible_gpus()))
        return max(1, self.workers)

    def run(self, jobs: Sequence[Job], what: str, log: Callable[[str], None] = print) -> list:
        progress, results = _Progress(what, len(jobs), log), [None] * len(jobs)
        at_once = min(self.slots(), len(jobs))
        if any(job.gpus > 1 for job in jobs):  # a job over several GPUs (torchrun) has them all
            at_once = 1
        if at_once <= 1:
            for i, job in enumerate(jobs):
                try:
                    results[i] = job.fn(*job.args)  # in the driver: its threads as they are
                except (Exception, SystemExit) as exc:
                    raise failure(job, exc) from None
                progress.step(job)
            return results
        ctx = multiprocessing.get_context("spawn")
        queue = None
        if self.device.startswith("cuda"):
            queue = ctx.Queue()
            for gpu in _visible_gpus()[:at_once]:
                queue.put(gpu)
        with ProcessPoolExecutor(at_once, mp_context=ctx, initializer=_init_worker, initargs=(queue,)) as pool:
            futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except (Exception, SystemExit) as exc:
                    for other in futures:
                        other.cancel()
                    raise failure(jobs[i], exc) from None
                progress.step(jobs[i])
        return results


class RayExecutor:
    """Jobs as Ray tasks on the cluster at `address` ('auto': a running one; None: start a local one)."""

    name = "ray"

    def __init__(self, address: str | None = None, max_retries: int = 3, workers: int = 1) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError(f"executor.max_retries must be an integer >= 0, got {max_retries!r}")
        if address is not None and not isinstance(address, str):
            raise ConfigError(f"executor.address must be a string ('auto', 'ray://HOST:PORT', HOST:PORT), got {address!r}")
        self.address, self.max_retries = address, max_retries
        self.threads = threads_per_job(workers)  # num_cpus of each task: the local executor's thread share
        self.nodes: list[tuple[str, str]] = []  # (job name, the Ray node it ran on) of every finished job

    def slots(self) -> int:
        return 1 << 30  # the cluster schedules by resources

    def _ray(self):
        try:
            import ray
        except ImportError:
            raise MissingDependencyError("executor 'ray' needs Ray: pip install 'mixpath-bench[ray]'") from None
        if not ray.is_initialized():
            try:
                ray.init(address=self.address, log_to_driver=True, include_dashboard=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(f"executor 'ray': cannot connect to a Ray cluster at {self.address!r} ({exc})") \
                    from None
        return ray

    def run(self, jobs: Sequence[Job], what: str, log: Callable[[str], None] = print) -> list:
        ray = self._ray()
        task = ray.remote(_ray_job)
        refs = {task.options(num_cpus=job.threads, num_gpus=job.gpus, max_retries=self.max_retries,
                             retry_exceptions=False, name=job.name[:100]).remote(job): i
                for i, job in enumerate(jobs)}
        progress, results, pending, used = _Progress(what, len(jobs), log), [None] * len(jobs), list(refs), set()
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            i = refs[ready[0]]
            try:
                node, results[i] = ray.get(ready[0])
            except ray.exceptions.RayTaskError as exc:
                for ref in pending:
                    ray.cancel(ref, force=True)
                raise failure(jobs[i], exc.cause if getattr(exc, "cause", None) else exc) from None
            self.nodes.append((jobs[i].name, node))
            used.add(node)
            progress.step(jobs[i])
        log(f"{what}: {len(jobs)} job(s) on {len(used)} Ray node(s)")
        return results


def _ray_job(job: Job) -> tuple[str, Any]:
    """A Ray task: (the node it ran on, the job's result)."""
    import ray

    return ray.get_runtime_context().get_node_id(), run_job(job)


def _local(options: dict, workers: int, device: str) -> LocalExecutor:
    return LocalExecutor(workers, device)


def _ray(options: dict, workers: int, device: str) -> RayExecutor:
    return RayExecutor(**options, workers=workers)


#: the executor section of an experiment config: type -> (the keyword arguments it takes, its builder
#: (options, workers, device) -> executor); a new backend is its class and one entry here
EXECUTORS: dict[str, tuple[tuple[str, ...], Callable[[dict, int, str], Any]]] = {
    "local": ((), _local), "ray": (("address", "max_retries"), _ray)}


def build_executor(spec: dict | None, workers: int = 1, device: str = "cpu"):
    """The executor an experiment config's ``executor`` section names (default: local)."""
    spec = dict(spec or {"type": "local"})
    kind = spec.pop("type", "local")
    if kind not in EXECUTORS:
        raise ConfigError(f"executor.type must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    options = EXECUTORS[kind][0]
    unknown = sorted(set(spec) - set(options))
    if unknown:
        raise ConfigError(f"executor: unknown key(s) {', '.join(unknown)} for type {kind!r}; allowed: "
                          f"{', '.join(options) or 'none'}")
    return EXECUTORS[kind][1](spec, workers, device)
