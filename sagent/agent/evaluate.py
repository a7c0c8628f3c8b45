"""The evaluation harness: answer a question set over layouts, write predictions, score them."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from sagent.agent.ask import Planner, ask
from sagent.agent.baseline import VlmBaseline
from sagent.agent.llm_planner import RepairBudgetExhausted
from sagent.agent.options import parse_options
from sagent.agent.rules_planner import PlanningError
from sagent.agent.scoring import ScoreTable, score_one, score_table
from sagent.dsl import DslError
from sagent.errors import InputError
from sagent.memory.layouts import read_layouts, scene_from_meta
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import atomic_write_bytes


class QuestionFileError(InputError):
    """A question set could not be read."""


def read_questions(path: str | Path) -> list[dict]:
    """One JSON object a line: id, scene_name, question_type, question, options, ground_truth."""
    path = Path(path)
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{path}:{number}: not JSON ({exc.msg})") from None
        missing = {"id", "scene_name", "question"} - set(item)
        if missing:
            raise QuestionFileError(f"{path}:{number}: missing {', '.join(sorted(missing))}")
        questions.append(item)
    return questions


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

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def predict(questions: list[dict], scenes: LayoutScenes, planner: Planner) -> Iterator[Prediction]:
    """Answer each question; a question that cannot be planned or run is recorded with its error."""
    for item in questions:
        started = time.perf_counter()
        program = value = unit = prediction = error = None
        try:
            scene = scenes[item["scene_name"]]
            answer = ask(scene, item["question"], planner, item.get("options"))
            program, value, unit = answer.program, answer.value, answer.unit
            prediction = answer.choice if item.get("options") else answer.value
        except (PlanningError, DslError, RepairBudgetExhausted, KeyError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        truth = item.get("ground_truth")
        score = score_one(prediction, truth) if truth is not None else None
        yield Prediction(str(item["id"]), item.get("question_type", "unknown"), prediction, truth, score, program,
                         value, unit, error, time.perf_counter() - started)


def predict_baseline(questions: list[dict], scenes: LayoutScenes, baseline: VlmBaseline) -> Iterator[Prediction]:
    """The VLM-only baseline over the same questions (no program, no scene memory in the prompt)."""
    for item in questions:
        started = time.perf_counter()
        options = parse_options(item.get("options"))
        error = prediction = None
        try:
            prediction, _ = baseline.predict(item["question"], scenes[item["scene_name"]], options)
        except KeyError as exc:
            error = f"KeyError: {exc}"
        truth = item.get("ground_truth")
        score = score_one(prediction, truth) if truth is not None else None
        yield Prediction(str(item["id"]), item.get("question_type", "unknown"), prediction, truth, score, None,
                         prediction, None, error, time.perf_counter() - started)


def write_predictions(predictions: list[Prediction], path: str | Path) -> None:
    lines = "".join(json.dumps(p.to_dict()) + "\n" for p in predictions)
    atomic_write_bytes(Path(path), lines.encode())


def table_of(predictions: list[Prediction]) -> ScoreTable:
    return score_table([(p.question_type, p.score) for p in predictions if p.score is not None])
