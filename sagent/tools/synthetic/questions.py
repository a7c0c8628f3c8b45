"""VSI-Bench-style questions about a generated room, with exact ground truth from the generator's boxes.

Phrasings follow VSI-Bench's templates. Questions whose answer sits near a decision boundary (two
candidates nearly as close, a direction near a quadrant edge, objects first seen at the same time)
are left out: a benchmark's ground truth must not hinge on rounding.
"""

from __future__ import annotations

import math
import random

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.boxes import box_distance

QUADRANT_NOTE = ("The directions refer to the quadrants of a Cartesian plane (if I am standing at the origin and "
                 "facing along the positive y-axis).")
BACK_NOTE = "An object is to my back if I would have to turn at least 135 degrees in order to face it."


def _box(entry: dict) -> OrientedBox:
    return OrientedBox(center=tuple(entry["center"]), axes=tuple(map(tuple, entry["axes"])), extents=tuple(entry["size"]))


def _angle(at, facing, target) -> float:
    """Degrees from facing to target seen from `at` in the floor plane (z up); positive is left."""
    f, t = np.subtract(facing, at)[:2], np.subtract(target, at)[:2]
    return math.degrees(math.atan2(f[0] * t[1] - f[1] * t[0], f @ t))


def _lettered(options: list[str]) -> list[str]:
    return [f"{chr(65 + i)}. {option}" for i, option in enumerate(options)]


def room_questions(truth: dict, dataset: str = "synthetic", seed: int = 0, per_kind: int = 2) -> list[dict]:
    """Questions about one generated room (`ground_truth.json`'s content), ids `{scene}-{n}`."""
    rng = random.Random(seed)
    scene = truth["scene"]
    objects = truth["objects"]
    counts: dict[str, int] = {}
    for entry in objects:
        counts[entry["label"]] = counts.get(entry["label"], 0) + 1
    unique = sorted(label for label, n in counts.items() if n == 1)
    by_label = {entry["label"]: entry for entry in objects if entry["label"] in unique}
    questions: list[dict] = []

    def add(kind: str, question: str, truth_value, options: list[str] | None = None) -> None:
        questions.append({"id": f"{scene}-{len(questions)}", "dataset": dataset, "scene_name": scene,
                          "question_type": kind, "question": question, "options": options,
                          "ground_truth": truth_value})

    for label in rng.sample(sorted(counts), min(per_kind, len(counts))):
        add("object_counting", f"How many {label}(s) are in this room?", counts[label])
    width, length = truth["room"]
    add("room_size_estimation", "What is the size of this room (in square meters)? If multiple rooms are shown, "
        "estimate the size of the combined space.", round(width * length, 2))
    for label in rng.sample(unique, min(per_kind, len(unique))):
        add("object_size_estimation", f"What is the length of the longest dimension (length, width, or height) of "
            f"the {label}, measured in centimeters?", round(100 * max(by_label[label]["size"]), 1))
    pairs = [(a, b) for i, a in enumerate(unique) for b in unique[i + 1:]]
    for a, b in rng.sample(pairs, min(per_kind, len(pairs))):
        distance = box_distance(_box(by_label[a]), _box(by_label[b]))
        if distance > 0.1:
            add("object_abs_distance", f"Measuring from the closest point of each object, what is the direct distance "
                f"between the {a} and the {b} (in meters)?", round(distance, 2))
    if len(unique) >= 5:
        for _ in range(per_kind):
            target, *candidates = rng.sample(unique, 5)
            distances = sorted((box_distance(_box(by_label[target]), _box(by_label[c])), c) for c in candidates)
            if distances[1][0] - distances[0][0] < 0.15:
                continue
            shuffled = rng.sample(candidates, len(candidates))
            add("object_rel_distance", f"Measuring from the closest point of each object, which of these objects "
                f"({', '.join(candidates)}) is the closest to the {target}?", chr(65 + shuffled.index(distances[0][1])),
                _lettered(shuffled))
    if len(unique) >= 3:
        for _ in range(per_kind):
            a, b, c = rng.sample(unique, 3)
            angle = _angle(*(by_label[x]["center"] for x in (a, b, c)))
            near_edge = min(abs(abs(angle) - edge) for edge in (0, 90, 135, 180))
            if near_edge < 10:
                continue
            side = "left" if angle > 0 else "right"
            add("object_rel_direction_easy", f"If I am standing by the {a} and facing the {b}, is the {c} to the left "
                f"or the right of the {b}?", "A" if side == "left" else "B", ["A. left", "B. right"])
            medium = "back" if abs(angle) >= 135 else side
            add("object_rel_direction_medium", f"If I am standing by the {a} and facing the {b}, is the {c} to my "
                f"left, right, or back? {BACK_NOTE}", "ABC"["left right back".split().index(medium)],
                ["A. left", "B. right", "C. back"])
            quadrant = ("front-" if abs(angle) < 90 else "back-") + side
            order = rng.sample(["front-left", "front-right", "back-left", "back-right"], 4)
            add("object_rel_direction_hard", f"If I am standing by the {a} and facing the {b}, is the {c} to my "
                f"front-left, front-right, back-left, or back-right? {QUADRANT_NOTE}", chr(65 + order.index(quadrant)),
                _lettered(order))
    seen = sorted((by_label[label]["first_seen"], label) for label in unique
                  if by_label[label].get("first_seen") is not None)
    distinct = [label for i, (time, label) in enumerate(seen) if all(abs(time - t) > 0.4 for t, _ in seen[:i] + seen[i + 1:])]
    if len(distinct) >= 4:
        chosen = rng.sample(distinct, 4)
        right = sorted(chosen, key=lambda label: by_label[label]["first_seen"])
        orders = [right] + [rng.sample(right, 4) for _ in range(12)]
        unique_orders = list(dict.fromkeys(tuple(o) for o in orders))[:4]
        shuffled = rng.sample(unique_orders, len(unique_orders))
        add("obj_appearance_order", f"What will be the first-time appearance order of the following categories in "
            f"the video: {', '.join(chosen)}?", chr(65 + shuffled.index(tuple(right))),
            _lettered([", ".join(o) for o in shuffled]))
    return questions
