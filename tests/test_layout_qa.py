"""Layout QA on real scenes: the shared VSI-Bench-style set, the same questions phrased other ways,
and questions generated over the other datasets' layouts with ground truth computed here."""

from __future__ import annotations

import json
import math
import random
import re

import numpy as np
import pytest

from sagent.agent import RulesPlanner
from sagent.agent.evaluate import LayoutScenes, predict, table_of
from sagent.memory.box import OrientedBox
from sagent.tools.geometry import box_distance
from tests.conftest import LAYOUT_QA, SCANNET_LAYOUTS, SHARED, require_shared

PLANNER = RulesPlanner()


def run(questions, layout_files):
    predictions = list(predict(questions, LayoutScenes(layout_files), PLANNER))
    return table_of(predictions), predictions


def assert_bar(table, overall=98.0, per_task=95.0):
    assert table.overall >= overall, table.render()
    assert all(score >= per_task for score in table.tasks.values()), table.render()


@pytest.fixture(scope="module")
def bench():
    require_shared(LAYOUT_QA)
    return [json.loads(line) for line in LAYOUT_QA.read_text().splitlines() if line.strip()]


def test_shared_layout_qa_meets_the_bar(bench):
    table, predictions = run(bench, [SCANNET_LAYOUTS])
    assert len(predictions) == 908
    assert_bar(table)


# --- the same questions, other phrasings -------------------------------------------------------

def _plural(word):
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")


REPHRASE = {
    "object_counting": (r"How many (.+)\(s\) are in this room\?", [
        lambda m: f"Count the {_plural(m[1])} in this room.",
        lambda m: f"What is the number of {_plural(m[1])} in the room?",
        lambda m: f"How many {_plural(m[1])} can you see here?",
        lambda m: f"{m[1]}: how many are there in the room?",
        lambda m: f"How many instances of {m[1]} are present?",
    ]),
    "object_abs_distance": (r"between the (.+) and the (.+) \(in meters\)\?", [
        lambda m: f"How far apart are the {m[1]} and the {m[2]}, in meters?",
        lambda m: f"What's the distance from the {m[1]} to the {m[2]} in metres?",
        lambda m: f"How far is the {m[2]} from the {m[1]} (meters)?",
        lambda m: f"How close are the {m[1]} and the {m[2]} to each other, in meters?",
    ]),
    "object_size_estimation": (r"of the (.+), measured in centimeters\?", [
        lambda m: f"How long is the longest side of the {m[1]}, in centimeters?",
        lambda m: f"What is the largest dimension of the {m[1]} in cm?",
        lambda m: f"What's the size of the {m[1]} in centimetres?",
    ]),
    "room_size_estimation": (r"What is the size of this room", [
        lambda m: "How many square meters is this room?",
        lambda m: "What is the floor area of this room in square meters?",
        lambda m: "How big is the room, in m2?",
        lambda m: "How much floor area does the space have?",
    ]),
    "object_rel_distance": (r"which of these objects \((.+)\) is the closest to the (.+)\?", [
        lambda m: f"Which object is nearest to the {m[2]}?",
        lambda m: f"Of the {m[1]}, which one is closest to the {m[2]}?",
        lambda m: f"Which of these is closer to the {m[2]} than the others?",
        lambda m: f"Which of these objects has the smallest distance to the {m[2]}?",
    ]),
    "object_rel_direction_easy": (r"standing by the (.+) and facing the (.+), is the (.+) to the left or the right of", [
        lambda m: f"If I stand next to the {m[1]} and look towards the {m[2]}, is the {m[3]} on my left or on my right?",
        lambda m: f"Imagine you're beside the {m[1]}, facing the {m[2]}. Is the {m[3]} to your left or right?",
        lambda m: f"Facing the {m[2]} from the {m[1]}, which side is the {m[3]} on: left or right?",
    ]),
    "object_rel_direction_medium": (r"standing by the (.+) and facing the (.+), is the (.+) to my left, right, or back\?", [
        lambda m: f"Standing beside the {m[1]} and facing the {m[2]}, is the {m[3]} to my left, my right, or behind me? "
                  "Behind means a turn of 135 degrees or more.",
        lambda m: f"I am at the {m[1]} looking at the {m[2]}. Is the {m[3]} on my left, on my right, or at my back "
                  "(turning at least 135 degrees)?",
    ]),
    "object_rel_direction_hard": (r"standing by the (.+) and facing the (.+), is the (.+) to my front-left", [
        lambda m: f"Imagine standing at the {m[1]}, facing the {m[2]}. In which quadrant is the {m[3]}: front-left, "
                  "front-right, back-left or back-right?",
        lambda m: f"From the {m[1]}, looking toward the {m[2]}, where is the {m[3]} - front left, front right, back "
                  "left or back right?",
    ]),
}


def rephrased(questions, seed=0):
    rng = random.Random(seed)
    out = []
    for item in questions:
        pattern, forms = REPHRASE[item["question_type"]]
        match = re.search(pattern, item["question"])
        assert match, item["question"]
        out.append({**item, "question": rng.choice(forms)(match)})
    return out


def test_rephrased_layout_qa_meets_the_bar(bench):
    table, predictions = run(rephrased(bench), [SCANNET_LAYOUTS])
    failures = [p for p in predictions if p.error]
    assert not failures, failures[:3]
    assert_bar(table)


# --- other datasets' layouts, ground truth computed independently here -----------------------

def _box(entry) -> OrientedBox:
    axes = np.asarray(entry["normalizedAxes"], float).reshape(3, 3)
    u, _, vt = np.linalg.svd(axes)
    return OrientedBox(center=tuple(entry["centroid"]), axes=tuple(map(tuple, u @ vt)), extents=tuple(entry["axesLengths"]))


def _floor_angle(at, facing, target) -> float:
    f = np.subtract(facing, at)[:2]
    t = np.subtract(target, at)[:2]
    return math.degrees(math.atan2(f[0] * t[1] - f[1] * t[0], f @ t))


def generated_questions(layout_file, per_scene=6, seed=1):
    rng = random.Random(seed)
    scenes = json.loads(layout_file.read_text())
    questions = []
    for name in sorted(scenes):
        scene = scenes[name]
        boxes = scene["object_bbox"]
        unique = sorted(label for label, entries in boxes.items() if len(entries) == 1 and scene["object_counts"].get(label) == 1)
        qid = lambda: f"{name}-{len(questions)}"
        label = rng.choice(sorted(scene["object_counts"]))
        questions.append({"id": qid(), "scene_name": name, "question_type": "object_counting", "options": None,
                          "question": f"How many {label}(s) are in this room?", "ground_truth": scene["object_counts"][label]})
        questions.append({"id": qid(), "scene_name": name, "question_type": "room_size_estimation", "options": None,
                          "question": "What is the size of this room (in square meters)?", "ground_truth": scene["room_size"]})
        if len(unique) < 3:
            continue
        for _ in range(per_scene // 3):
            a, b, c = rng.sample(unique, 3)
            ca, cb, cc = (boxes[x][0]["centroid"] for x in (a, b, c))
            size = max(boxes[a][0]["axesLengths"]) * 100
            questions.append({"id": qid(), "scene_name": name, "question_type": "object_size_estimation", "options": None,
                              "question": f"What is the length of the longest dimension (length, width, or height) of "
                                          f"the {a}, measured in centimeters?", "ground_truth": size})
            distance = box_distance(_box(boxes[a][0]), _box(boxes[b][0]))
            if distance > 0.05:
                questions.append({"id": qid(), "scene_name": name, "question_type": "object_abs_distance", "options": None,
                                  "question": f"Measuring from the closest point of each object, what is the direct "
                                              f"distance between the {a} and the {b} (in meters)?", "ground_truth": distance})
            angle = _floor_angle(ca, cb, cc)
            if 5 < abs(angle) < 175 and abs(abs(angle) - 90) > 5:
                letter = "A" if angle > 0 else "B"
                questions.append({"id": qid(), "scene_name": name, "question_type": "object_rel_direction_easy",
                                  "question": f"If I am standing by the {a} and facing the {b}, is the {c} to the left or "
                                              f"the right of the {b}?", "options": ["A. left", "B. right"], "ground_truth": letter})
                quadrant = ("front-" if abs(angle) < 90 else "back-") + ("left" if angle > 0 else "right")
                options = ["front-left", "front-right", "back-left", "back-right"]
                rng.shuffle(options)
                questions.append({"id": qid(), "scene_name": name, "question_type": "object_rel_direction_hard",
                                  "question": f"If I am standing by the {a} and facing the {b}, is the {c} to my "
                                              "front-left, front-right, back-left, or back-right?",
                                  "options": [f"{chr(65 + i)}. {o}" for i, o in enumerate(options)],
                                  "ground_truth": chr(65 + options.index(quadrant))})
    return questions


@pytest.mark.parametrize("dataset", ["arkitscenes", "scannetpp"])
def test_generated_questions_on_other_datasets(dataset):
    layout_file = require_shared(SHARED / "data" / "vsibench_meta_info" / f"{dataset}_meta_info_val.json")
    questions = generated_questions(layout_file)
    assert len(questions) > 200
    table, predictions = run(questions, [layout_file])
    failures = [p for p in predictions if p.error]
    assert not failures, failures[:3]
    assert_bar(table)
