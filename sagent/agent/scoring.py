"""VSI-Bench scoring: exact option letters for multiple choice, Mean Relative Accuracy for numbers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

THRESHOLDS = tuple(round(0.50 + 0.05 * i, 2) for i in range(10))  # 0.50, 0.55, ..., 0.95
DIRECTION_TASKS = ("object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard")


def mean_relative_accuracy(prediction: float | None, truth: float) -> float:
    """Share of thresholds t in 0.50..0.95 with |prediction - truth| / |truth| <= 1 - t (0 if no prediction)."""
    if prediction is None or truth == 0:
        return float(prediction == truth)
    relative_error = abs(float(prediction) - float(truth)) / abs(float(truth))
    return sum(relative_error <= 1 - t + 1e-12 for t in THRESHOLDS) / len(THRESHOLDS)


def score_one(prediction, truth) -> float:
    """1/0 for an option letter, MRA for a number."""
    if isinstance(truth, str):
        return float(isinstance(prediction, str) and prediction.strip().upper() == truth.strip().upper())
    try:
        number = None if prediction is None else float(prediction)
    except (TypeError, ValueError):
        number = None
    return mean_relative_accuracy(number, float(truth))


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


def score_table(rows: list[tuple[str, float]]) -> ScoreTable:
    """Aggregate (task, score) pairs into VSI-Bench's table."""
    by_task: dict[str, list[float]] = defaultdict(list)
    for task, score in rows:
        by_task[task].append(score)
    tasks = {task: 100 * sum(s) / len(s) for task, s in sorted(by_task.items())}
    counts = {task: len(s) for task, s in sorted(by_task.items())}
    merged = {t: v for t, v in tasks.items() if t not in DIRECTION_TASKS}
    levels = [tasks[t] for t in DIRECTION_TASKS if t in tasks]
    if levels:
        merged["object_rel_direction"] = sum(levels) / len(levels)
    overall = sum(merged.values()) / len(merged) if merged else 0.0
    return ScoreTable(tasks=tasks, counts=counts, overall=overall)
