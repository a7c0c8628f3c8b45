"""Fitting gravity-aligned oriented boxes to points, and how much two such boxes overlap."""

from __future__ import annotations

import math

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry import floor_basis


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


def min_area_rectangle(points: np.ndarray, slack: float = 0.1, band: float = 0.02) -> tuple[np.ndarray, float, np.ndarray]:
    """(centre Float[2], angle of the first side in radians, side lengths Float[2]) of a tight
    rectangle around Float[N 2] points, one side on a hull edge (rotating calipers).

    Among rectangles within `slack` of the smallest area, the one with most points within `band`
    of its sides wins: a partly seen object (a front face and a bit of one side) has several
    near-minimal rectangles, and the right one lies along the faces that were seen.
    """
    hull = convex_hull(points)
    if len(hull) < 3:
        low, high = points.min(axis=0), points.max(axis=0)
        return (low + high) / 2, 0.0, np.maximum(high - low, 1e-3)
    candidates = []
    for edge in np.roll(hull, -1, axis=0) - hull:
        length = np.linalg.norm(edge)
        if length < 1e-9:
            continue
        u = edge / length
        v = np.array([-u[1], u[0]])
        a, b = points @ u, points @ v
        area = (a.max() - a.min()) * (b.max() - b.min())
        on_sides = ((np.minimum(a - a.min(), a.max() - a) < band) | (np.minimum(b - b.min(), b.max() - b) < band)).sum()
        centre = u * (a.max() + a.min()) / 2 + v * (b.max() + b.min()) / 2
        candidates.append((area, on_sides, centre, float(np.arctan2(u[1], u[0])),
                           np.array([a.max() - a.min(), b.max() - b.min()])))
    smallest = min(c[0] for c in candidates)
    _, _, centre, angle, sides = max((c for c in candidates if c[0] <= smallest * (1 + slack)), key=lambda c: c[1])
    return centre, angle, np.maximum(sides, 1e-3)


def fit_gravity_box(points: np.ndarray, up: np.ndarray, floor_height: float | None = None,
                    snap: float = 0.06) -> OrientedBox:
    """The smallest box around Float[N 3] points whose third axis is `up`. A bottom within `snap`
    of the floor is put on it: objects stand on the floor, whose last centimetres hide in the floor."""
    x, y = floor_basis(up)
    flat = np.stack([points @ x, points @ y], axis=1)
    centre2, angle, sides = min_area_rectangle(flat)
    heights = points @ up
    low, high = float(heights.min()), float(heights.max())
    if floor_height is not None and 0 < low - floor_height < snap:
        low = floor_height
    u = math.cos(angle) * x + math.sin(angle) * y
    v = np.cross(up, u)
    centre = centre2[0] * x + centre2[1] * y + (low + high) / 2 * up
    return OrientedBox(center=tuple(centre), axes=(tuple(u), tuple(v), tuple(up)),
                       extents=(float(sides[0]), float(sides[1]), max(high - low, 1e-3)))


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
