"""Writes the everyday question set: `rooms.json` (generated rooms, VSI-Bench meta_info format) and
`questions.jsonl` (questions over those rooms, the example living room and real VSI-Bench layouts),
with ground truth computed here from the boxes (geometry.py), not by sagent's planner or DSL ops.

    .venv/bin/python benchmarks/everyday/make_questions.py [--seed 7] [--per-category 16]

Deterministic for a given seed. Needs ../shared/data/vsibench_meta_info/ for the real scenes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import questions_measures as qm  # noqa: E402
import questions_reference as qf  # noqa: E402
import questions_relations as qr  # noqa: E402
import rooms  # noqa: E402
from context import Ctx  # noqa: E402
from scenes import ROOT, Scene, read_meta  # noqa: E402

ROOMS_FILE = "benchmarks/everyday/rooms.json"
QUESTIONS_FILE = HERE / "questions.jsonl"
META = "../shared/data/vsibench_meta_info/"
SCENES = [(ROOMS_FILE, plan.name) for plan in rooms.PLANS] + [
    ("examples/living_room/layout.json", "living_room"),
    (META + "scannet_meta_info_val.json", "scene0207_02"),
    (META + "scannet_meta_info_val.json", "scene0356_00"),
    (META + "arkitscenes_meta_info_val.json", "47333457"),
    (META + "arkitscenes_meta_info_val.json", "47331972"),
    (META + "scannetpp_meta_info_val.json", "3db0a1c8f3"),
    (META + "scannetpp_meta_info_val.json", "c49a8c6cff"),
]
CATEGORIES = {
    "existence": qm.existence, "counting": qm.counting, "distance": qm.distance,
    "horizontal_distance": qm.horizontal_distance, "vertical_distance": qm.vertical_distance, "size": qm.size,
    "elevation": qm.elevation, "size_comparison": qm.size_comparison, "superlative": qm.superlative,
    "nearest_farthest": qm.nearest_farthest, "closer_farther": qm.closer_farther, "support": qr.support,
    "support_listing": qr.support_listing, "proximity": qr.proximity, "between": qr.between,
    "difference": qr.difference, "ratio": qr.ratio, "threshold": qr.threshold, "clearance": qr.clearance,
    "referring": qf.referring, "room_area": qm.room_area, "viewpoint": qf.viewpoint,
    "multiple_choice": qf.multiple_choice,
}


def write_rooms() -> None:
    text = json.dumps(rooms.all_rooms(), indent=1)
    (ROOT / ROOMS_FILE).write_text(text + "\n")
    read_meta.cache_clear()


def _pick(queue: list[dict], tally: Counter) -> dict:
    """The next candidate, preferring a yes/no truth that has been picked less often so far."""
    if queue[0]["kind"] == "yes_no" and queue[0]["options"] is None:
        wanted = tally[True] > tally[False]
        for i, item in enumerate(queue):
            if item["ground_truth"] is not wanted:
                return queue.pop(i)
    return queue.pop(0)


def select(candidates: dict[str, list[dict]], target: int, rotate: int) -> list[dict]:
    """Round-robin over the scenes (starting at a different one per category) up to `target` questions."""
    names = list(candidates)
    names = names[rotate % len(names):] + names[:rotate % len(names)]
    chosen, seen, tally = [], set(), Counter()
    while len(chosen) < target and any(candidates[n] for n in names):
        for name in names:
            queue = candidates[name]
            while queue and len(chosen) < target:
                item = _pick(queue, tally)
                key = (item["scene_name"], item["question"])
                if key in seen:
                    continue
                seen.add(key)
                chosen.append(item)
                if item["kind"] == "yes_no" and item["options"] is None:
                    tally[item["ground_truth"]] += 1
                break
    return chosen


def build(seed: int, per_category: int) -> list[dict]:
    scenes = [Scene.load(file, name) for file, name in SCENES]
    questions = []
    for rotate, (category, generate) in enumerate(CATEGORIES.items()):
        candidates = {s.name: generate(Ctx(s, random.Random(f"{seed}:{category}:{s.name}"))) for s in scenes}
        picked = select(candidates, per_category, rotate)
        for number, item in enumerate(picked):
            questions.append({"id": f"{category}-{number:02d}", **item})
    return questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-category", type=int, default=16)
    args = parser.parse_args()
    if not (ROOT / META).is_dir():
        sys.exit(f"needs the real layouts at {(ROOT / META).resolve()}")
    write_rooms()
    questions = build(args.seed, args.per_category)
    with QUESTIONS_FILE.open("w") as out:
        for item in questions:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    by_category = Counter(q["category"] for q in questions)
    by_scene = Counter(q["scene_name"] for q in questions)
    print(f"{len(questions)} questions over {len(by_scene)} scenes -> {QUESTIONS_FILE.relative_to(ROOT)}")
    for category in CATEGORIES:
        scenes = len({q["scene_name"] for q in questions if q["category"] == category})
        print(f"  {category:20s} {by_category[category]:3d}  ({scenes} scenes)")
    for scene, n in by_scene.items():
        print(f"  {scene:20s} {n:3d}")


if __name__ == "__main__":
    main()
