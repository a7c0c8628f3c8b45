"""The evaluation harness's pieces: where each scene comes from, one prediction per question, scores.

The run itself (builds, resume, streaming to the output file) is `eval_run.py`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import numpy as np

from sagent.agent.answer import Answer
from sagent.agent.ask import Planner, ask
from sagent.agent.baseline import VlmBaseline
from sagent.agent.options import parse_options
from sagent.agent.pictures import input_pictures, keyframes
from sagent.agent.scoring import DIRECTION_TASKS, ScoreTable, score_one, score_table
from sagent.errors import InputError, ModelError, ProviderError, SagentError
from sagent.memory.layouts import read_layouts, scene_from_meta
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.io.video import IMAGE_SUFFIXES, VIDEO_SUFFIXES


class LayoutScenes:
    """Scene memories by scene name from one or more meta_info files, built once each."""

    def __init__(self, paths: Iterable[str | Path]):
        self.raw: dict[str, tuple[dict, str]] = {}
        for path in paths:
            for name, scene in read_layouts(path).items():
                self.raw[name] = (scene, str(path))
        self.built: dict[str, SceneMemory] = {}

    def __getitem__(self, name: str) -> SceneMemory:
        if name not in self.built:
            if name not in self.raw:
                raise KeyError(f"scene {name!r} is in none of the layout files")
            scene, path = self.raw[name]
            self.built[name] = scene_from_meta(name, scene, source=f"layout:{path}")
        return self.built[name]


@dataclass
class Prediction:
    id: str
    question_type: str
    prediction: object
    ground_truth: object
    score: float | None
    program: str | None
    value: object
    unit: str | None
    error: str | None
    seconds: float
    scene: str | None = None
    trace: list | None = None  # the program's steps (op, inputs, output, seconds)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict) -> "Prediction":
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})


def scene_key(item: dict) -> str:
    return f"{item['dataset']}/{item['scene_name']}" if item.get("dataset") else str(item["scene_name"])


class Answerer(Protocol):
    needs_scene: bool  # False: answers from the input's frames alone (the VLM-only baseline)

    def answer(self, item: dict, scene: SceneMemory | None, spec: str | None) -> Prediction: ...


def make_prediction(item: dict, started: float, prediction=None, answer: Answer | None = None,
                    error: str | None = None) -> Prediction:
    """The prediction for `item`: `prediction` scored against its ground truth, with the answer's program,
    value, unit and trace (a VLM baseline's prediction is its own value)."""
    truth = item.get("ground_truth")
    score = score_one(prediction, truth, item.get("question_type")) if truth is not None else None
    program, value, unit, trace = (None, prediction, None, None) if answer is None else \
        (answer.program, answer.value, answer.unit, answer.trace)
    return Prediction(item["id"], item.get("question_type") or "unknown", prediction, truth, score, program, value,
                      unit, error, time.perf_counter() - started, scene=scene_key(item), trace=trace)


@dataclass
class PlannerAnswerer:
    planner: Planner
    needs_scene: bool = True

    def answer(self, item: dict, scene: SceneMemory | None, spec: str | None) -> Prediction:
        started = time.perf_counter()
        try:
            answer = ask(scene, item["question"], self.planner, item.get("options"))
        except ProviderError:
            raise  # the provider is down for every question: stop the run
        except SagentError as error:  # this question could not be answered; the run goes on
            return make_prediction(item, started, error=f"{type(error).__name__}: {error}")
        prediction = answer.choice if item.get("options") else answer.value
        return make_prediction(item, started, prediction, answer)


@dataclass
class BaselineAnswerer:
    baseline: VlmBaseline
    needs_scene: bool = False

    def answer(self, item: dict, scene: SceneMemory | None, spec: str | None) -> Prediction:
        started = time.perf_counter()
        options = parse_options(item.get("options"))
        pictures = input_pictures(spec) if spec else keyframes(scene, count=8) if scene is not None else []
        try:
            prediction, _ = self.baseline.predict_with(item["question"], pictures, options)
        except ModelError as error:  # a reply cut off, a prompt over the context, a timeout: this question only
            return make_prediction(item, started, error=f"{type(error).__name__}: {error}")
        return make_prediction(item, started, prediction)


def _answer_all(questions: list[dict], scenes, answerer: Answerer) -> Iterator[Prediction]:
    """Each question against its scene from `scenes` (a LayoutScenes or a name -> scene mapping)."""
    for item in questions:
        try:
            scene = scenes[item["scene_name"]]
        except KeyError as error:  # a scene the layouts lack: this question only
            yield make_prediction(item, time.perf_counter(), error=f"KeyError: {error}")
            continue
        yield answerer.answer(item, scene, None)


def predict(questions: list[dict], scenes, planner: Planner) -> Iterator[Prediction]:
    """Answer each question; a question that cannot be planned or run is recorded with its error."""
    return _answer_all(questions, scenes, PlannerAnswerer(planner))


def predict_baseline(questions: list[dict], scenes, baseline: VlmBaseline) -> Iterator[Prediction]:
    """The VLM-only baseline over the same questions (no program, no scene memory in the prompt)."""
    return _answer_all(questions, scenes, BaselineAnswerer(baseline))


def write_predictions(predictions: list[Prediction], path: str | Path) -> None:
    lines = "".join(json.dumps(p.to_dict()) + "\n" for p in predictions)
    atomic_write_bytes(Path(path), lines.encode())


def table_of(predictions: list[Prediction]) -> ScoreTable:
    return score_table([(p.question_type, p.score) for p in predictions if p.score is not None])


class InputFolderScenes:
    """Scene inputs under a folder, in VSI-Bench's layout: `DIR/{dataset}/{scene}.mp4` (with its detections
    sidecar `{scene}_detections.json` beside it when there is one), an image folder `DIR/{dataset}/{scene}/`,
    or posed frames `DIR/{dataset}/{scene}/frames.json`; the `{dataset}` level may be left out."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(f"--videos {root}: not a folder")

    def spec(self, item: dict) -> str | None:
        """The input for a question's scene, or None when the folder has none."""
        name = item["scene_name"]
        folders = [self.root / str(item["dataset"])] if item.get("dataset") else []
        for folder in [*folders, self.root]:
            if (folder / name / "frames.json").is_file():
                return str(folder / name / "frames.json")
            for video in sorted(folder.glob(f"{glob_escape(name)}.*")):
                if video.suffix.lower() in VIDEO_SUFFIXES:
                    return str(video)
            if (folder / name).is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in (folder / name).iterdir()):
                return str(folder / name)
        return None


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def read_predictions(path: str | Path) -> list[Prediction]:
    """The predictions a run wrote, one JSON object a line; a torn last line (an interrupted run) is skipped."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"prediction file not found: {path}")
    predictions = []
    for number, line in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue  # torn by an interruption: that question is answered again on resume
        if isinstance(data, dict) and "id" in data:
            predictions.append(Prediction.from_dict(data))
    return predictions


BOOTSTRAP_RESAMPLES = 2000


def bootstrap_gains(ours: dict[str, float], theirs: dict[str, float], tasks: dict[str, str],
                    resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> dict[str, tuple[float, float]]:
    """95 % intervals of the gain (ours - theirs, in points) per task and overall: the questions both
    answered resampled with replacement within each task (paired, seeded), the table recomputed
    each time (direction levels averaged, overall the mean of the tasks)."""
    rng = np.random.default_rng(seed)
    by_task: dict[str, list[str]] = {}
    for question_id, task in tasks.items():
        by_task.setdefault(task, []).append(question_id)
    ours_means, theirs_means = {}, {}
    for task, ids in sorted(by_task.items()):
        a = np.array([ours[i] for i in ids], float)
        b = np.array([theirs[i] for i in ids], float)
        picks = rng.integers(0, len(ids), size=(resamples, len(ids)))
        ours_means[task], theirs_means[task] = 100 * a[picks].mean(axis=1), 100 * b[picks].mean(axis=1)

    def overall(means: dict[str, np.ndarray]) -> np.ndarray:
        merged = {t: m for t, m in means.items() if t not in DIRECTION_TASKS}
        levels = [means[t] for t in DIRECTION_TASKS if t in means]
        if levels:
            merged["object_rel_direction"] = np.mean(levels, axis=0)
        return np.mean(list(merged.values()), axis=0)

    samples = {task: ours_means[task] - theirs_means[task] for task in ours_means}
    samples["overall"] = overall(ours_means) - overall(theirs_means)
    return {task: (float(np.percentile(g, 2.5)), float(np.percentile(g, 97.5))) for task, g in samples.items()}


def compare_tables(ours: list[Prediction], theirs: list[Prediction], names: tuple[str, str]) -> str:
    """Per task: both scores, the gain and its bootstrap 95 % interval, over the questions both files answered."""
    common = {p.id for p in ours} & {p.id for p in theirs}
    mine = [p for p in ours if p.id in common and p.score is not None]
    other = {p.id: p for p in theirs if p.id in common and p.score is not None}
    paired = [p for p in mine if p.id in other]
    a = table_of(paired)
    b = table_of([other[p.id] for p in paired])
    intervals = bootstrap_gains({p.id: p.score for p in paired}, {p.id: other[p.id].score for p in paired},
                                {p.id: p.question_type for p in paired}) if paired else {}
    tasks = sorted(set(a.tasks) | set(b.tasks))
    width = max([len(t) for t in tasks] + [len("overall")])

    def interval(task: str) -> str:
        low, high = intervals.get(task, (float("nan"), float("nan")))
        return f"[{low:+6.1f}, {high:+6.1f}]"

    header = (f"{'task'.ljust(width)}  {names[0][:12]:>12}  {names[1][:12]:>12}  {'gain':>7}  {'95% interval':>16}  "
              f"{'n':>5}")
    lines = [header]
    for task in tasks:
        x, y = a.tasks.get(task), b.tasks.get(task)
        gain = f"{x - y:+7.1f}" if x is not None and y is not None else f"{'':>7}"
        lines.append(f"{task.ljust(width)}  {x if x is not None else float('nan'):12.1f}  "
                     f"{y if y is not None else float('nan'):12.1f}  {gain}  {interval(task):>16}  {a.counts.get(task, 0):5d}")
    lines.append(f"{'overall'.ljust(width)}  {a.overall:12.1f}  {b.overall:12.1f}  {a.overall - b.overall:+7.1f}  "
                 f"{interval('overall'):>16}  {len(paired):5d}")
    lines.append(f"(95% intervals: {BOOTSTRAP_RESAMPLES} paired bootstrap resamples of the questions within each task)")
    return "\n".join(lines)
