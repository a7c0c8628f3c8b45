"""VSI-Bench scoring as its official scorer computes it (lmms-eval's vsibench task): the task kind
comes from the question type, a prediction is read by its first word, multiple choice is a
case-free match of that word with the letter, and numbers (ground truth as distributed is text,
"2" or "1.5") are converted with float before the Mean Relative Accuracy over thresholds
0.50, 0.55, ..., 0.95. A question type the benchmark does not list is scored by its truth: a
number (or text that reads as one) by MRA, anything else by exact match.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

MULTIPLE_CHOICE_TASKS = ("object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard",
                         "object_rel_distance", "route_planning", "obj_appearance_order")
NUMERIC_TASKS = ("object_abs_distance", "object_counting", "object_size_estimation", "room_size_estimation")
DIRECTION_TASKS = ("object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard")
# The official thresholds: numpy's linspace from 0.50 to 0.95 in 10 points; compared in floating point
# exactly as the official code does, so a prediction on a boundary scores the same.
THRESHOLDS = tuple(float(t) for t in np.linspace(0.50, 0.95, 10))


def first_word(prediction) -> str:
    """The prediction as the official scorer reads it: the text before the first space, without a
    trailing full stop ("B. sofa" -> "B", "2.5 m" -> "2.5")."""
    return str(prediction).split(" ")[0].rstrip(".").strip()


def as_number(value) -> float | None:
    """float(value) when it reads as a finite number, else None (the official to_float, which
    also leaves NaN and infinities to fail the comparison)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def mean_relative_accuracy(prediction: float | None, truth: float) -> float:
    """Share of thresholds t with |prediction - truth| / truth <= 1 - t; 0 without a prediction.
    A truth of 0 (no benchmark task has one) scores 1 only for a prediction of 0."""
    if prediction is None:
        return 0.0
    if truth == 0:
        return float(prediction == 0)
    relative_error = abs(prediction - truth) / truth
    return float(np.mean(relative_error <= 1 - np.asarray(THRESHOLDS)))


def is_multiple_choice(question_type: str | None, truth) -> bool:
    if question_type in MULTIPLE_CHOICE_TASKS:
        return True
    if question_type in NUMERIC_TASKS:
        return False
    return as_number(truth) is None


def score_one(prediction, truth, question_type: str | None = None) -> float:
    """One question's score in 0..1: exact match of the first word with the letter for multiple
    choice, MRA for numbers (both read from text where they come as text)."""
    if is_multiple_choice(question_type, truth):
        if prediction is None:
            return 0.0
        return float(first_word(prediction).lower() == str(truth).strip().lower())
    number = as_number(first_word(prediction)) if prediction is not None else None
    truth_number = as_number(truth)
    if truth_number is None:
        raise ValueError(f"the ground truth of a {question_type or 'numeric'} question is not a number: {truth!r}")
    return mean_relative_accuracy(number, truth_number)


@dataclass
class ScoreTable:
    """Scores in percent by task, and the overall mean (direction levels averaged into one task)."""

    tasks: dict[str, float]
    counts: dict[str, int]
    overall: float

    def render(self) -> str:
        width = max([len(t) for t in self.tasks] + [len("overall")])
        lines = [f"{'task'.ljust(width)}  {'score':>6}  {'n':>5}"]
        for task, score in self.tasks.items():
            lines.append(f"{task.ljust(width)}  {score:6.1f}  {self.counts[task]:5d}")
        lines.append(f"{'overall'.ljust(width)}  {self.overall:6.1f}  {sum(self.counts.values()):5d}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"tasks": self.tasks, "counts": self.counts, "overall": self.overall}


def task_means(rows: list[tuple[str, float]]) -> dict[str, float]:
    """Mean score in percent of each task as the official table has them: the three direction levels
    averaged into object_rel_direction."""
    by_task: dict[str, list[float]] = defaultdict(list)
    for task, score in rows:
        by_task[task].append(score)
    tasks = {task: 100 * sum(s) / len(s) for task, s in sorted(by_task.items())}
    merged = {t: v for t, v in tasks.items() if t not in DIRECTION_TASKS}
    levels = [tasks[t] for t in DIRECTION_TASKS if t in tasks]
    if levels:
        merged["object_rel_direction"] = sum(levels) / len(levels)
    return merged


def score_table(rows: list[tuple[str, float]]) -> ScoreTable:
    """Aggregate (task, score) pairs into VSI-Bench's table."""
    by_task: dict[str, list[float]] = defaultdict(list)
    for task, score in rows:
        by_task[task].append(score)
    tasks = {task: 100 * sum(s) / len(s) for task, s in sorted(by_task.items())}
    counts = {task: len(s) for task, s in sorted(by_task.items())}
    merged = task_means(rows)
    overall = sum(merged.values()) / len(merged) if merged else 0.0
    return ScoreTable(tasks=tasks, counts=counts, overall=overall)
