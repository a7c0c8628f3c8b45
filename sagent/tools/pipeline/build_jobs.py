"""Scene builds as jobs: in this process, in local worker processes, or as Ray tasks on a cluster.

A job names an input (anything `load_input` reads) and the settings to build it with; a result carries
the scene memory or the error that stopped it, with the build's time and peak memory. Whichever way
the jobs run, each builds through the same `load_input` (and the same cache), so the memories agree:
the ways differ only in how many threads COLMAP's feature extraction and matching get, and the
reconstruction does not depend on that (tools/reconstruction/colmap.py; benchmarks/bench_determinism.py).
"""

from __future__ import annotations

import os
import resource
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from sagent.errors import InputError, SagentError
from sagent.memory.cache import SceneCache
from sagent.memory.scene import SceneMemory
from sagent.tools.io.progress import progress_bars
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.pipeline.settings import PerceptionSettings


@dataclass(frozen=True)
class BuildJob:
    key: str  # what the caller calls this scene (e.g. "arkitscenes/41069025")
    spec: str  # the input: a video, an image folder, frames.json, META.json:SCENE, scene.npz
    perception: PerceptionSettings = field(default_factory=PerceptionSettings)
    cache_dir: str | None = None  # None: no cache

    @property
    def wants_gpu(self) -> bool:
        return self.perception.video.backend == "vggt"


@dataclass
class BuildResult:
    key: str
    scene: SceneMemory | None
    error: str | None  # one line: why the scene could not be built
    seconds: float
    peak_mib: float  # this build's own peak resident memory (see BuildPeak)


class BuildPeak:
    """The peak resident memory of one build: on Linux the process's high-water mark is reset before
    the build (/proc/self/clear_refs, "5") and read after it (VmHWM), so a run of many scenes reports
    each scene's own peak, not the largest so far; elsewhere the process's peak so far (ru_maxrss)."""

    def __enter__(self) -> "BuildPeak":
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.own = True
        except OSError:
            self.own = False
        return self

    def __exit__(self, *exc) -> None:
        self.mib = self._hwm_mib() if self.own else None
        if self.mib is None:
            self.mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB

    @staticmethod
    def _hwm_mib() -> float | None:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        except (OSError, ValueError, IndexError):
            pass
        return None


def build_one(job: BuildJob) -> BuildResult:
    """Build one scene; an input or setup problem becomes the result's error, never an exception."""
    started = time.perf_counter()
    cache = SceneCache(Path(job.cache_dir) / "scenes") if job.cache_dir else None
    with BuildPeak() as peak, progress_bars(False):  # the run's own bar counts the questions
        try:
            scene = load_input(job.spec, cache, job.perception)
            error = None
        except SagentError as problem:
            scene, error = None, f"{type(problem).__name__}: {problem}"
        except Exception as problem:  # a bug while building one scene must not stop the other scenes
            scene, error = None, f"internal error: {type(problem).__name__}: {problem}"
    return BuildResult(job.key, scene, error, time.perf_counter() - started, peak.mib)


def _in_process(jobs: list[BuildJob]) -> Iterator[BuildResult]:
    for job in jobs:
        yield build_one(job)


def _with_threads(job: BuildJob, threads: int) -> BuildJob:
    """The job with COLMAP's extraction and matching on `threads` threads: parallel builds would otherwise
    each take every core. Only the speed depends on it (mapping always runs on one thread)."""
    video = job.perception.video
    colmap = video.colmap.model_copy(update={"threads": threads})
    perception = job.perception.model_copy(update={"video": video.model_copy(update={"colmap": colmap})})
    return replace(job, perception=perception)


def _in_processes(jobs: list[BuildJob], workers: int) -> Iterator[BuildResult]:
    jobs = [_with_threads(job, max(1, (os.cpu_count() or 1) // workers)) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending = {pool.submit(build_one, job) for job in jobs}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


def _import_ray():
    try:
        import ray  # optional: pip install 'sagent[ray]'
    except ImportError:
        raise InputError("--ray needs Ray: pip install 'sagent[ray]'") from None
    return ray


def _on_ray(jobs: list[BuildJob], address: str | None) -> Iterator[BuildResult]:
    ray = _import_ray()
    if not ray.is_initialized():
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        except Exception as error:  # a wrong address or a cluster that refuses us
            raise InputError(f"could not start or reach Ray{' at ' + address if address else ''}: {error}") from None
    remote = ray.remote(build_one)
    # One core a task (COLMAP's extraction and matching on one thread), so Ray spreads builds over the
    # cluster's cores without oversubscribing them; a vggt build also asks for a GPU.
    pending = [remote.options(num_cpus=1, num_gpus=1 if job.wants_gpu else 0).remote(_with_threads(job, 1))
               for job in jobs]
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        for reference in done:
            yield ray.get(reference)


def run_builds(jobs: list[BuildJob], workers: int = 1, ray_address: str | None = None,
               use_ray: bool = False) -> Iterator[BuildResult]:
    """Results as builds finish (not in job order). `workers` > 1: local processes; `use_ray`: Ray tasks,
    on the cluster at `ray_address` or a local one; each vggt build asks Ray for a GPU."""
    if workers < 1:
        raise InputError(f"--workers must be 1 or more, got {workers}")
    if use_ray:
        return _on_ray(jobs, ray_address)
    if workers > 1 and len(jobs) > 1:
        return _in_processes(jobs, workers)
    return _in_process(jobs)
