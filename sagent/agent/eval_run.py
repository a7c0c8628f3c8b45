"""One evaluation run over a question set: each scene built once (in workers or on Ray), its questions
answered, predictions appended to the output as they come, and a resumed run skipping what is done.

Builds finish in any order; predictions are written in the order of the question file's scenes, so a
run gives the same file however its builds were spread (timings aside), and a run interrupted and
resumed gives the same file as one that was not.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import StrictInt

from sagent.agent.evaluate import (
    Answerer,
    BaselineAnswerer,  # noqa: F401 - the run's answerers, importable from here as before
    InputFolderScenes,
    LayoutScenes,
    PlannerAnswerer,  # noqa: F401
    Prediction,
    make_prediction,
    read_predictions,
    scene_key,
)
from sagent.agent.run_header import run_header
from sagent.errors import SagentError
from sagent.memory.cache import CacheSettings
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.io.progress import bar
from sagent.tools.pipeline.build_jobs import BuildJob, BuildResult, run_builds
from sagent.settings import Settings, knob
from sagent.tools.pipeline.settings import PerceptionSettings


@dataclass
class SceneReport:
    key: str
    questions: int
    seconds: float  # building the scene memory (0 when loaded for free, e.g. a layout)
    peak_mib: float  # the build's own peak resident memory
    error: str | None = None


@dataclass
class EvalRun:
    predictions: list[Prediction]  # every question's, in question-file order (earlier runs' included)
    scenes: list[SceneReport] = field(default_factory=list)
    resumed: int = 0  # predictions found in the output from an earlier run


class PredictionLog:
    """The output file: the run's header line first, then predictions appended one line at a time, each
    flushed to disk, so an interrupted run loses at most the line being written (torn, and cut off again,
    atomically, when the run resumes)."""

    def __init__(self, path: Path | None, header: dict | None = None):
        self.path = path
        self.done: dict[str, Prediction] = {}
        if path is None:
            return
        if not path.exists() or not path.stat().st_size:
            if header is not None:
                atomic_write_bytes(path, (json.dumps({"header": header}, default=str) + "\n").encode())
            return
        data = path.read_bytes()
        if not data.endswith(b"\n"):  # the torn last line of an interrupted run; a crash now leaves the old file
            atomic_write_bytes(path, data[: data.rfind(b"\n") + 1])
        self.done = {p.id: p for p in read_predictions(path)}

    def append(self, predictions: list[Prediction]) -> None:
        if self.path is None or not predictions:
            return
        lines = "".join(json.dumps(p.to_dict(), default=str) + "\n" for p in predictions).encode()
        with open(self.path, "ab") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())


class EvalSettings(Settings):
    perception: PerceptionSettings = knob(default_factory=PerceptionSettings, description="how scenes are built")
    cache: CacheSettings | None = knob(None, "where scene memories built from frames and videos are cached (None: "
                                             "not cached)")
    workers: StrictInt = knob(1, "scene builds in this many local processes", cli=True, ge=1)
    ray: str | None = knob(None, "scene builds as Ray tasks (a local Ray, or the cluster at ADDRESS); pip install "
                           "'sagent[ray]'", flag="--ray", nargs="?", const="", metavar="ADDRESS")

    def cache_dir(self) -> str | None:
        return None if self.cache is None or self.cache.off else str(self.cache.root())


def _scenes_in_order(questions: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for item in questions:
        groups.setdefault(scene_key(item), []).append(item)
    return groups


def run_evaluation(questions: list[dict], source: LayoutScenes | InputFolderScenes, answerer: Answerer,
                   out: Path | None = None, settings: EvalSettings | None = None,
                   on_scene: Callable[[SceneReport], None] | None = None) -> EvalRun:
    """Answer `questions` over the scenes of `source`; see the module's docstring."""
    settings = settings or EvalSettings()
    log = PredictionLog(out, run_header(settings, answerer))
    todo = [item for item in questions if item["id"] not in log.done]
    groups = _scenes_in_order(todo)
    order = list(groups)
    finished: dict[str, list[Prediction]] = {}
    reports: list[SceneReport] = []
    questions_bar = bar(total=len(todo), desc="questions", unit="q")

    def scene_done(key: str, scene: SceneMemory | None, spec: str | None, report: SceneReport) -> None:
        items = groups[key]
        if report.error:
            finished[key] = [make_prediction(item, time.perf_counter(), error=report.error) for item in items]
        else:
            finished[key] = [answerer.answer(item, scene, spec) for item in items]
        questions_bar.update(len(items))
        reports.append(report)
        if on_scene:
            on_scene(report)
        while order and order[0] in finished:  # write in the question file's scene order
            log.append(finished[order.pop(0)])

    jobs, specs = [], {}
    for key, items in groups.items():
        if isinstance(source, LayoutScenes):
            try:
                scene, error = source[items[0]["scene_name"]], None
            except (KeyError, SagentError) as problem:
                scene, error = None, f"{type(problem).__name__}: {problem}"
            scene_done(key, scene, None, SceneReport(key, len(items), 0.0, 0.0, error))
            continue
        spec = specs[key] = source.spec(items[0])
        if spec is None:
            error = f"InputError: no input for scene {items[0]['scene_name']!r} under {source.root}"
            scene_done(key, None, None, SceneReport(key, len(items), 0.0, 0.0, error))
        elif not answerer.needs_scene:
            scene_done(key, None, spec, SceneReport(key, len(items), 0.0, 0.0))
        else:
            jobs.append(BuildJob(key, spec, settings.perception, settings.cache_dir()))
    result: BuildResult
    for result in run_builds(jobs, settings.workers, settings.ray or None, settings.ray is not None):
        scene_done(result.key, result.scene, specs[result.key],
                   SceneReport(result.key, len(groups[result.key]), result.seconds, result.peak_mib, result.error))
    questions_bar.close()
    by_id = {**log.done, **{p.id: p for predictions in finished.values() for p in predictions}}
    ordered = [by_id[item["id"]] for item in questions if item["id"] in by_id]
    return EvalRun(ordered, reports, resumed=len(log.done))
