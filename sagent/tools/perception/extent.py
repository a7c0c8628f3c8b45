"""Sides never seen whole: a box fitted to the visible surfaces of a partial view is as short as what
the sensor saw. Where a horizontal side of an object was only ever measured in depth from one side
(its back hidden), or its silhouette was cut (image border, depth lost against the background), that
side is at least what was measured and typically what the category measures (memory/typical_sizes):
it is grown to the typical size, away from the cameras, and the object's size uncertainty says so.

Runs on a metric scene (sensor depth, or after metric scale is decided: typical sizes are in metres).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.memory.scene import SceneMemory, SceneObject
from sagent.memory.typical_sizes import TypicalSize, typical_size
from sagent.tools.geometry.camera import PinholeCamera, touches_border

# A side more aligned with the line of sight than this is measured in depth (front face only).
DEPTH_MEASURED_COS = math.cos(math.radians(45))
# A side this aligned with the line of sight, not seen whole, lies mostly beyond what was seen: it grows
# away from the camera (a bed seen from its foot, its footboard hiding the mattress, is cut behind).
ALONG_SIGHT_COS = math.cos(math.radians(70))
# A silhouette is whole when the fitted box spans this share of the 2D detection across the image.
SILHOUETTE_COVERAGE = 0.85


@dataclass(frozen=True)
class View:
    """One sighting of an object: the camera and the detection's pixel box [x1, y1, x2, y2]."""

    camera: PinholeCamera
    box2d: tuple[float, float, float, float]


@dataclass(frozen=True)
class CompletedExtent:
    box: OrientedBox
    completed: tuple[bool, bool, bool]  # per box axis: the extent is the category's typical size
    relative_uncertainty: float  # 1-sigma, of the completed extents (0 when every side was seen whole)


def _silhouette_whole(box: OrientedBox, view: View) -> bool:
    """The fitted box spans the detection across the image, and the detection is not cut by the border."""
    if touches_border(view.box2d, view.camera.width, axis=0):
        return False
    uv, depth = view.camera.project(box.corners())
    if not (depth > 1e-3).all():
        return False
    x1, _, x2, _ = view.box2d
    covered = min(uv[:, 0].max(), x2) - max(uv[:, 0].min(), x1)
    return covered >= SILHOUETTE_COVERAGE * max(x2 - x1, 1.0)


def _seen_whole(box: OrientedBox, axis: np.ndarray, up: np.ndarray, views: list[View]) -> tuple[bool, float]:
    """(whether some view saw the side whole, along `axis`: from both ends in depth or as a whole
    silhouette; the summed direction the views within ALONG_SIGHT_COS look along it, to grow away from them)."""
    sides_seen, away = set(), 0.0
    for view in views:
        line = box.center_array - view.camera.position
        line -= (line @ up) * up
        if np.linalg.norm(line) < 1e-6:
            continue
        cos = float(line @ axis / np.linalg.norm(line))
        if abs(cos) >= DEPTH_MEASURED_COS:
            sides_seen.add(cos > 0)
        elif _silhouette_whole(box, view):
            return True, 0.0
        if abs(cos) >= ALONG_SIGHT_COS:
            away += cos
    return len(sides_seen) == 2, away


def _names(extents: np.ndarray, horizontal: list[int], whole: dict[int, bool], typical: TypicalSize) -> dict[int, str]:
    """Which horizontal side is the category's length and which its width: the pairing that fits the
    sides seen whole best, in the category's spreads (a length varies less than a width), an open side
    only counting against it when longer than typical."""
    def misfit(pairing: dict[int, str]) -> float:
        cost = 0.0
        for i, name in pairing.items():
            size = typical.along(name)
            ratio = math.log(extents[i] / size.metres) / max(size.spread, 0.05)
            cost += abs(ratio) if whole[i] else max(ratio, 0.0)
        return cost

    longest_first = sorted(horizontal, key=lambda i: -extents[i])
    pairings = [dict(zip(longest_first, ("length", "width"))), dict(zip(longest_first, ("width", "length")))]
    return min(pairings, key=misfit)  # ties keep the longer side as the length


def complete_extent(box: OrientedBox, up: np.ndarray, views: list[View], typical: TypicalSize | None) -> CompletedExtent:
    """The box with each horizontal side that no view saw whole grown to the typical size (never shrunk)."""
    if typical is None or not views:
        return CompletedExtent(box, (False, False, False), 0.0)
    axes, extents, centre = box.axes_array, box.extents_array.copy(), box.center_array.copy()
    up = np.asarray(up, float) / np.linalg.norm(up)
    vertical = int(np.argmax(np.abs(axes @ up)))
    horizontal = [i for i in range(3) if i != vertical]
    seen = {i: _seen_whole(box, axes[i], up, views) for i in horizontal}
    names = _names(extents, horizontal, {i: seen[i][0] for i in horizontal}, typical)
    completed, spreads = [False, False, False], []
    for i in horizontal:
        (whole, away), size = seen[i], typical.along(names[i])
        if whole or extents[i] >= size.metres:
            continue
        centre += axes[i] * np.sign(away) * (size.metres - extents[i]) / 2  # the seen face stays; a cut silhouette grows both ways
        extents[i] = size.metres
        completed[i] = True
        spreads.append(size.spread)
    if not spreads:
        return CompletedExtent(box, (False, False, False), 0.0)
    grown = OrientedBox(center=tuple(centre), axes=box.axes, extents=tuple(extents))
    return CompletedExtent(grown, tuple(completed), max(spreads))


def _views(obj: SceneObject, scene: SceneMemory) -> list[View]:
    return [View(PinholeCamera.of(scene.cameras[o.frame]), o.box) for o in obj.observations
            if o.frame < len(scene.cameras)]


def complete_unseen_extents(scene: SceneMemory) -> SceneMemory:
    """The scene with every object's unseen horizontal sides completed from its category's typical size."""
    up = np.asarray(scene.record.up, float)
    objects = []
    for obj in scene.objects:
        result = complete_extent(obj.box, up, _views(obj, scene), typical_size(obj.label))
        if any(result.completed):
            obj = obj.model_copy(update={"box": result.box, "size_uncertainty": result.relative_uncertainty})
        objects.append(obj)
    return scene.with_objects(objects)
