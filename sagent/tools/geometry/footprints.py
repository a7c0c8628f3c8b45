"""Floor footprints of gravity-aligned boxes: convex hulls, polygon areas, overlaps and 3D IoU."""

from __future__ import annotations

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.floor_plane import floor_basis


def convex_hull(points: np.ndarray) -> np.ndarray:
    """Float[K 2] counter-clockwise hull of Float[N 2] points (Qhull); degenerate sets return their extremes."""
    from scipy.spatial import ConvexHull, QhullError

    points = np.asarray(points, float)
    if len(points) < 3:
        return points
    try:
        return points[ConvexHull(points).vertices]
    except QhullError:  # all on a line (or one point): the two ends
        direction = points[-1] - points[0] if np.ptp(points, axis=0).any() else np.array([1.0, 0.0])
        t = points @ direction
        return points[[int(t.argmin()), int(t.argmax())]]


def _clip(polygon: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Part of a convex polygon left of the directed line a->b (Sutherland-Hodgman, one edge)."""
    def side(p):
        return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])

    out = []
    for i in range(len(polygon)):
        p, q = polygon[i], polygon[(i + 1) % len(polygon)]
        sp, sq = side(p), side(q)
        if sp >= 0:
            out.append(p)
        if sp * sq < 0:
            out.append(p + (q - p) * (sp / (sp - sq)))
    return np.asarray(out)


def polygon_area(polygon: np.ndarray) -> float:
    if len(polygon) < 3:
        return 0.0
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def footprint(box: OrientedBox, up: np.ndarray, grow: float = 0.0) -> np.ndarray:
    """Float[4 2] counter-clockwise floor rectangle of a gravity-aligned box, grown by `grow` metres."""
    x, y = floor_basis(up)
    c = np.array([box.center_array @ x, box.center_array @ y])
    u = np.array([box.axes_array[0] @ x, box.axes_array[0] @ y])
    v = np.array([-u[1], u[0]])
    a, b = box.extents[0] / 2 + grow, box.extents[1] / 2 + grow
    return np.array([c - a * u - b * v, c + a * u - b * v, c + a * u + b * v, c - a * u + b * v])


def footprint_overlap(a: OrientedBox, b: OrientedBox, up: np.ndarray, grow: float = 0.0) -> float:
    """Area in m² shared by the floor footprints of two gravity-aligned boxes (each grown by `grow`)."""
    clipped, pb = footprint(a, up, grow), footprint(b, up, grow)
    for i in range(4):
        if len(clipped) == 0:
            return 0.0
        clipped = _clip(clipped, pb[i], pb[(i + 1) % 4])
    return polygon_area(clipped)


def _intersection_volume(a: OrientedBox, b: OrientedBox, up: np.ndarray, grow: float) -> float:
    ha, hb = a.center_array @ up, b.center_array @ up
    ea, eb = a.extents[2] / 2 + grow, b.extents[2] / 2 + grow
    return footprint_overlap(a, b, up, grow) * max(0.0, min(ha + ea, hb + eb) - max(ha - ea, hb - eb))


def _volume(box: OrientedBox, grow: float = 0.0) -> float:
    return float(np.prod(box.extents_array + 2 * grow))


def overlap_ratio(a: OrientedBox, b: OrientedBox, up: np.ndarray, grow: float = 0.05) -> float:
    """Intersection volume over the smaller volume, both boxes grown by `grow` (gravity-aligned boxes)."""
    return _intersection_volume(a, b, up, grow) / min(_volume(a, grow), _volume(b, grow))


def iou_3d(a: OrientedBox, b: OrientedBox, up: np.ndarray) -> float:
    """Intersection over union of two gravity-aligned boxes."""
    inter = _intersection_volume(a, b, up, 0.0)
    return inter / (_volume(a) + _volume(b) - inter)
