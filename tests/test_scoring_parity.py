"""sagent's VSI-Bench scorer against the official definitions (lmms-eval's vsibench task), written
out here from the published scorer: multiple-choice and numeric tasks by question type, the
prediction's first word, a case-free letter match, float() of text truth, MRA over numpy's 10
thresholds from 0.50 to 0.95, the three direction levels averaged, overall the mean of the tasks.
Checked on a few hundred predictions of every kind, truth as text and as numbers."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sagent.agent.scoring import MULTIPLE_CHOICE_TASKS, NUMERIC_TASKS, score_one, score_table

OFFICIAL_MCA = ["object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard",
                "object_rel_distance", "route_planning", "obj_appearance_order"]
OFFICIAL_NA = ["object_abs_distance", "object_counting", "object_size_estimation", "room_size_estimation"]


def official_first_word(prediction: str) -> str:
    return prediction.split(" ")[0].rstrip(".").strip()


def official_float(text):
    try:
        return float(text)
    except BaseException:
        return None


def official_mra(prediction, target) -> float:
    thresholds = np.linspace(0.5, 0.95, int((0.95 - 0.5) / 0.05 + 2))
    return float((abs(prediction - target) / target <= 1 - thresholds).mean())


def official_score(prediction: str, truth: str, question_type: str) -> float:
    if question_type in OFFICIAL_MCA:
        return 1.0 if official_first_word(prediction).lower() == truth.lower() else 0.0
    try:
        return official_mra(official_float(official_first_word(prediction)), official_float(truth))
    except TypeError:  # no number in the prediction: the worst case
        return 0.0


def official_table(rows: list[tuple[str, float]]) -> dict[str, float]:
    by_type: dict[str, list[float]] = {}
    for question_type, score in rows:
        by_type.setdefault(question_type, []).append(score)
    output = {t: float(np.mean(s)) for t, s in by_type.items()}
    directions = [output.pop(t) for t in OFFICIAL_MCA[:3]]
    output["object_rel_direction"] = sum(directions) / 3.0
    output["overall"] = sum(output.values()) / len(output)
    return output


def _predictions(seed: int = 0, per_type: int = 40) -> list[tuple[object, str, str]]:
    """(prediction as sagent writes it, truth as the benchmark's files hold it, question type)."""
    rng = random.Random(seed)
    rows = []
    for question_type in OFFICIAL_MCA:
        for _ in range(per_type):
            truth = rng.choice("ABCD")
            prediction = rng.choice([truth, truth.lower(), f"{truth}.", f"{truth}. sofa", rng.choice("ABCD"),
                                     None, f"the answer is {truth}", ""])
            rows.append((prediction, truth, question_type))
    for question_type in OFFICIAL_NA:
        for _ in range(per_type):
            truth = rng.choice([rng.randint(1, 9), round(rng.uniform(0.2, 30), rng.choice([1, 2]))])
            factor = rng.choice([1.0, 1.1, 0.9, 1.3, 0.75, 1.5, 2.0, rng.uniform(0.4, 1.8)])
            prediction = rng.choice([truth * factor, round(truth * factor, 2), int(round(truth * factor)), None,
                                     f"{truth * factor:.2f} m", "about two", 0.0])
            rows.append((prediction, str(truth), question_type))
    return rows


def test_the_task_lists_are_the_official_ones():
    assert list(MULTIPLE_CHOICE_TASKS) == OFFICIAL_MCA and list(NUMERIC_TASKS) == OFFICIAL_NA


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_score_equals_the_official_one_truth_as_text_and_as_numbers(seed):
    rows = _predictions(seed)
    assert len(rows) == 400
    for prediction, truth, question_type in rows:
        official = official_score("" if prediction is None else str(prediction), truth, question_type)
        # the official scorer reads a missing prediction as "" (no word): 0
        assert score_one(prediction, truth, question_type) == official, (prediction, truth, question_type)
        if question_type in OFFICIAL_NA:  # the truth as a number, as sagent's own files hold it
            assert score_one(prediction, float(truth), question_type) == official


def test_the_table_equals_the_official_aggregate():
    rows = _predictions(3)
    ours = score_table([(t, score_one(p, truth, t)) for p, truth, t in rows])
    official = official_table([(t, official_score("" if p is None else str(p), truth, t)) for p, truth, t in rows])
    assert ours.overall == pytest.approx(100 * official["overall"], abs=1e-9)
    for task, value in official.items():
        if task != "overall" and task in ours.tasks:
            assert ours.tasks[task] == pytest.approx(100 * value, abs=1e-9)


def test_boundaries_are_compared_as_the_official_code_compares_them():
    # 10 % off sits on a threshold: numpy's 0.8999999999999999 lets it pass, as in the official scorer
    assert score_one(11.0, "10", "object_counting") == official_score("11.0", "10", "object_counting") == 0.9
    assert score_one(1.05, "1.5", "object_abs_distance") == official_score("1.05", "1.5", "object_abs_distance")


def test_sagent_eval_scores_vsibench_s_parquet_with_text_truth(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sagent.cli import main
    from tests.conftest import EXAMPLE_LAYOUT

    table = pa.table({
        "id": [1, 2, 3], "dataset": ["x", "x", "x"], "scene_name": ["living_room"] * 3,
        "question_type": ["object_counting", "object_abs_distance", "object_rel_distance"],
        "question": ["How many chairs are in this room?", "How far apart are the tv and the sofa (in meters)?",
                     "Which is closer to the sofa?"],
        "options": pa.array([None, None, ["A. door", "B. lamp"]], type=pa.list_(pa.string())),
        "ground_truth": ["2", "2.86", "B"],
    })
    questions = tmp_path / "test.parquet"
    pq.write_table(table, questions)
    assert main(["eval", str(questions), "--layouts", str(EXAMPLE_LAYOUT), "--out", str(tmp_path / "p.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "overall" in out and out.split("overall")[1].split()[0] == "100.0", out
