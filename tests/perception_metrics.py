"""Matching built objects to ground truth, and the errors the perception claims are made of."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from sagent.memory.scene import SceneMemory


def match(scene: SceneMemory, truth_path: Path) -> list[tuple[dict, object]]:
    """(ground-truth object, built object) pairs, per label by least total centre distance."""
    truth = json.loads(Path(truth_path).read_text())["objects"]
    pairs = []
    for label in sorted({t["label"] for t in truth}):
        gts = [t for t in truth if t["label"] == label]
        built = scene.instances(label)
        if not built:
            continue
        cost = np.array([[np.linalg.norm(b.box.center_array - np.array(g["center"])) for b in built] for g in gts])
        for i, j in zip(*linear_sum_assignment(cost)):
            pairs.append((gts[i], built[j]))
    return pairs


def errors(scene: SceneMemory, truth_path: Path) -> dict:
    pairs = match(scene, truth_path)
    centre = [np.linalg.norm(b.box.center_array - np.array(g["center"])) for g, b in pairs]
    longest = [abs(max(b.box.extents) - max(g["size"])) / max(g["size"]) for g, b in pairs]
    return {"matched": len(pairs), "centre_median_m": float(np.median(centre)),
            "longest_median_rel": float(np.median(longest))}
