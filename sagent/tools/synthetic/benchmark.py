"""A small benchmark in VSI-Bench's layout, generated with exact ground truth.

    OUT/videos/synthetic/synthetic_1.mp4             textured RGB video
    OUT/videos/synthetic/synthetic_1_detections.json its 2D detections (ground-truth boxes)
    OUT/frames/synthetic/synthetic_1/frames.json     the same frames as posed RGB-D
    OUT/meta_info.json                               the rooms' layouts (VSI-Bench meta_info)
    OUT/questions.jsonl                              questions with exact ground truth

`sagent eval OUT/questions.jsonl --videos OUT/videos` runs the whole pipeline on the videos,
`--videos OUT/frames` on RGB-D, `--layouts OUT/meta_info.json` on the ground-truth layouts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sagent.memory.storage import atomic_write_bytes
from sagent.tools.synthetic.generator import RoomSpec, generate
from sagent.tools.synthetic.questions import room_questions

DATASET = "synthetic"


def write_benchmark(out: str | Path, rooms: int = 8, frames: int = 48, width: int = 320, height: int = 240,
                    first_seed: int = 1, per_kind: int = 2) -> dict:
    """Write the benchmark (see the module docstring); returns counts of rooms and questions."""
    out = Path(out)
    videos, layouts, questions = out / "videos" / DATASET, {}, []
    videos.mkdir(parents=True, exist_ok=True)
    for seed in range(first_seed, first_seed + rooms):
        scene = f"synthetic_{seed}"
        folder = out / "frames" / DATASET / scene
        truth = generate(folder, RoomSpec(seed=seed, frames=frames, width=width, height=height, textured=True,
                                          video=True))
        shutil.move(str(folder / "video.mp4"), videos / f"{scene}.mp4")
        shutil.move(str(folder / "video_detections.json"), videos / f"{scene}_detections.json")
        layouts.update(json.loads((folder / "layout.json").read_text()))
        questions += room_questions(truth, DATASET, seed=seed, per_kind=per_kind)
    atomic_write_bytes(out / "meta_info.json", json.dumps(layouts, indent=1).encode())
    atomic_write_bytes(out / "questions.jsonl", "".join(json.dumps(q) + "\n" for q in questions).encode())
    return {"rooms": rooms, "questions": len(questions)}
