"""Floor footprints of boxes: convex hulls, polygon areas, overlaps, gaps, containment, the
minimum-area rectangle, and 3D IoU. Polygons are Float[K 2] floor-plane points (`floor_xy`),
counter-clockwise, metres."""

from __future__ import annotations

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.boxes import segment_distances
from sagent.tools.geometry.floor_plane import floor_basis, floor_xy


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


def footprint_polygon(box: OrientedBox, up: np.ndarray) -> np.ndarray:
    """Float[K 2] the convex floor polygon of any box: its 8 corners projected on the floor plane
    (a rectangle for an upright box, up to a hexagon for a tilted one)."""
    return convex_hull(floor_xy(box.corners(), up))


def convex_overlap(p: np.ndarray, q: np.ndarray) -> float:
    """Area shared by two convex counter-clockwise polygons (clipping p by each edge of q)."""
    clipped = p
    for i in range(len(q)):
        if len(clipped) == 0:
            return 0.0
        clipped = _clip(clipped, q[i], q[(i + 1) % len(q)])
    return polygon_area(clipped)


def inside_convex(point: np.ndarray, polygon: np.ndarray, tolerance: float = 1e-9) -> bool:
    """Whether a Float[2] point lies in a convex counter-clockwise polygon (its boundary included)."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    offsets = point - polygon
    return bool(np.all(edges[:, 0] * offsets[:, 1] - edges[:, 1] * offsets[:, 0] >= -tolerance))


def convex_gap(p: np.ndarray, q: np.ndarray) -> float:
    """Smallest distance between two convex counter-clockwise polygons (0 when they touch or overlap)."""
    if inside_convex(p[0], q) or inside_convex(q[0], p):
        return 0.0  # one holds the other (or a point of it): no edges need to cross
    ip, iq = np.meshgrid(np.arange(len(p)), np.arange(len(q)), indexing="ij")
    ip, iq = ip.ravel(), iq.ravel()

    def flat(points):  # the segment distances are 3D: the floor plane at height 0
        return np.column_stack([points, np.zeros(len(points))])

    p0, p1 = flat(p[ip]), flat(np.roll(p, -1, axis=0)[ip])
    q0, q1 = flat(q[iq]), flat(np.roll(q, -1, axis=0)[iq])
    return float(segment_distances(p0, p1, q0, q1).min())


def min_area_rectangle(points: np.ndarray) -> tuple[float, float]:
    """(long side, short side) of the smallest-area rectangle holding Float[N 2] points, any
    orientation: one of its sides lies on an edge of their convex hull (Freeman and Shapira, 1975)."""
    hull = convex_hull(points)
    best = None
    for i in range(len(hull)):
        edge = hull[(i + 1) % len(hull)] - hull[i]
        norm = float(np.linalg.norm(edge))
        if norm < 1e-12:
            continue
        u = edge / norm
        along, across = hull @ u, hull @ np.array([-u[1], u[0]])
        sides = (float(np.ptp(along)), float(np.ptp(across)))
        if best is None or sides[0] * sides[1] < best[0] * best[1]:
            best = sides
    if best is None:
        return 0.0, 0.0
    return max(best), min(best)


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
