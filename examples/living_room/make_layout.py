"""Writes `layout.json`: a small living room designed for sagent's demo, in the VSI-Bench
meta_info format (metres, z up, `normalizedAxes` rows are the box axes).

    python examples/living_room/make_layout.py

The room is 5 m (x) by 4 m (y) with its floor at z = 0; every box below is (label, centre,
size along its own axes, yaw in degrees about z).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

ROOM = {"name": "living_room", "size_x": 5.0, "size_y": 4.0}

FURNITURE = [
    ("sofa", (2.5, 0.5, 0.42), (2.1, 0.9, 0.84), 0),
    ("coffee table", (2.5, 1.6, 0.22), (1.1, 0.6, 0.44), 0),
    ("tv", (2.5, 3.85, 1.1), (1.23, 0.08, 0.71), 0),
    ("tv stand", (2.5, 3.78, 0.25), (1.6, 0.4, 0.5), 0),
    ("lamp", (0.35, 0.4, 0.8), (0.4, 0.4, 1.6), 0),
    ("door", (4.95, 3.2, 1.02), (0.9, 0.05, 2.04), 90),
    ("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9), 30),
    ("chair", (4.1, 1.9, 0.45), (0.55, 0.55, 0.9), -20),
    ("plant", (0.4, 3.6, 0.6), (0.5, 0.5, 1.2), 0),
    ("bookshelf", (0.2, 1.5, 0.95), (0.8, 0.35, 1.9), 90),
    ("window", (2.5, 0.0, 1.5), (1.4, 0.1, 1.2), 0),
]


def box_entry(centre, size, yaw_degrees) -> dict:
    yaw = math.radians(yaw_degrees)
    axes = np.array([[math.cos(yaw), math.sin(yaw), 0.0], [-math.sin(yaw), math.cos(yaw), 0.0], [0.0, 0.0, 1.0]])
    half = np.abs(axes).T @ (np.asarray(size) / 2)  # world half-extent of the rotated box
    return {
        "centroid": list(centre),
        "axesLengths": list(size),
        "normalizedAxes": [round(float(v), 12) for v in axes.ravel()],
        "min": [round(float(v), 12) for v in np.asarray(centre) - half],
        "max": [round(float(v), 12) for v in np.asarray(centre) + half],
    }


def layout() -> dict:
    boxes: dict[str, list] = {}
    for label, centre, size, yaw in FURNITURE:
        boxes.setdefault(label, []).append(box_entry(centre, size, yaw))
    return {
        ROOM["name"]: {
            "room_size": ROOM["size_x"] * ROOM["size_y"],
            "room_center": [ROOM["size_x"] / 2, ROOM["size_y"] / 2, 0.0],
            "object_counts": {label: len(entries) for label, entries in boxes.items()},
            "object_bbox": boxes,
            "dataset": "sagent-example",
        }
    }


def main() -> None:
    path = Path(__file__).with_name("layout.json")
    path.write_text(json.dumps(layout(), indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
