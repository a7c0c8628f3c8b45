"""The everyday set's ground truth geometry: plain numpy over meta_info boxes, written here on purpose
(nothing from sagent's geometry or DSL ops), following the definitions of the everyday spec.

Frames and units: world frame of the layout file, metres, z up. A box is its centre, its three unit
axes (ROWS of `normalizedAxes`) and its full side lengths (`axesLengths`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

UP = np.array([0.0, 0.0, 1.0])
_SIGNS = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], float)
_EDGES = [(i, j) for i in range(8) for j in range(i + 1, 8) if np.abs(_SIGNS[i] - _SIGNS[j]).sum() == 2]

# Relation thresholds of the spec (metres, fractions).
ABOVE_GAP, ABOVE_REACH = 0.05, 0.3
ON_GAP, ON_OVERLAP = 0.10, 0.5
UNDER_OVERLAP, UNDER_DROP = 0.5, 0.05
NEXT_TO, NEAR = 0.5, 1.0
# How far from a threshold a case must be to be asked (left-out near-threshold cases).
MARGIN_M, MARGIN_FRACTION = 0.02, 0.05


# ----------------------------------------------------------------------------------------------- 2D
def convex_hull(points: np.ndarray) -> np.ndarray:
    """Float[K 2], counter-clockwise, no repeated or collinear points (Andrew's monotone chain)."""
    pts = sorted(set(map(tuple, np.round(np.asarray(points, float), 9))))
    if len(pts) <= 2:
        return np.array(pts, float)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 1e-12:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 1e-12:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1], float)


def polygon_area(poly: np.ndarray) -> float:
    """Shoelace area of a simple polygon, Float[K 2]."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def signed_inside(point: np.ndarray, poly: np.ndarray) -> float:
    """Distance from `point` to the boundary of the CCW convex polygon: positive inside, negative outside."""
    point = np.asarray(point, float)
    edges = np.roll(poly, -1, axis=0) - poly
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1) / np.linalg.norm(edges, axis=1)[:, None]  # outward
    outside = np.einsum("ij,ij->i", point - poly, normals)  # signed distance to each edge line
    if outside.max() <= 0:
        return float(-outside.max())
    return -float(min(_point_segment(point, a, b) for a, b in zip(poly, np.roll(poly, -1, axis=0))))


def _point_segment(p, a, b) -> float:
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / max(np.dot(ab, ab), 1e-18), 0, 1))
    return float(np.linalg.norm(p - (a + t * ab)))


def _separated_2d(p: np.ndarray, q: np.ndarray) -> bool:
    for poly in (p, q):
        edges = np.roll(poly, -1, axis=0) - poly
        for e in edges:
            n = np.array([e[1], -e[0]])
            if np.linalg.norm(n) < 1e-12:
                continue
            a, b = p @ n, q @ n
            if a.max() < b.min() - 1e-12 or b.max() < a.min() - 1e-12:
                return True
    return False


def polygon_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Smallest distance between two convex polygons (0 when they meet)."""
    if not _separated_2d(p, q):
        return 0.0
    best = math.inf
    for a_poly, b_poly in ((p, q), (q, p)):
        for v in a_poly:
            for a, b in zip(b_poly, np.roll(b_poly, -1, axis=0)):
                best = min(best, _point_segment(v, a, b))
    return best


def clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Intersection of two CCW convex polygons (Sutherland-Hodgman)."""
    output = [tuple(v) for v in subject]
    for a, b in zip(clip, np.roll(clip, -1, axis=0)):
        if not output:
            break
        edge = b - a

        def inside(v):
            return edge[0] * (v[1] - a[1]) - edge[1] * (v[0] - a[0]) >= -1e-12

        def crossing(s, e):
            s, e = np.asarray(s), np.asarray(e)
            d = e - s
            denom = edge[0] * d[1] - edge[1] * d[0]
            t = (edge[1] * (s[0] - a[0]) - edge[0] * (s[1] - a[1])) / denom
            return tuple(s + t * d)

        source, output = output, []
        for i, current in enumerate(source):
            previous = source[i - 1]
            if inside(current):
                if not inside(previous):
                    output.append(crossing(previous, current))
                output.append(current)
            elif inside(previous):
                output.append(crossing(previous, current))
    return np.array(output, float).reshape(-1, 2)


# ----------------------------------------------------------------------------------------------- 3D
def _segment_segment(p1, q1, p2, q2) -> float:
    """Closest distance between segments p1q1 and p2q2 (Ericson, Real-Time Collision Detection 5.1.9)."""
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a, e, f = d1 @ d1, d2 @ d2, d2 @ r
    c, b = d1 @ r, d1 @ d2
    denom = a * e - b * b
    s = float(np.clip((b * f - c * e) / denom, 0, 1)) if denom > 1e-12 else 0.0
    t = (b * s + f) / e
    if t < 0:
        t, s = 0.0, float(np.clip(-c / a, 0, 1))
    elif t > 1:
        t, s = 1.0, float(np.clip((b - c) / a, 0, 1))
    return float(np.linalg.norm((p1 + d1 * s) - (p2 + d2 * t)))


@dataclass(eq=False)
class Box:
    """One annotated object: label, centre Float[3], axes Float[3 3] (rows), extents Float[3] (full sides)."""

    label: str
    center: np.ndarray
    axes: np.ndarray
    extents: np.ndarray
    index: int = 0  # instance number within its label

    @classmethod
    def from_meta(cls, label: str, entry: dict, index: int = 0) -> "Box":
        axes = np.reshape(np.asarray(entry["normalizedAxes"], float), (3, 3))
        u, _, vt = np.linalg.svd(axes)  # stored at float precision: the nearest orthonormal rows
        return cls(label, np.asarray(entry["centroid"], float), u @ vt, np.asarray(entry["axesLengths"], float), index)

    @cached_property
    def key(self) -> bytes:
        """The box's content (what a cached distance is filed under)."""
        return np.concatenate([self.center, self.axes.ravel(), self.extents]).tobytes()

    @cached_property
    def corners(self) -> np.ndarray:
        """Float[8 3]: centre + sum over axes of +-extent/2 along each axis row."""
        return self.center + (_SIGNS * self.extents / 2) @ self.axes

    @cached_property
    def bottom(self) -> float:
        return float((self.corners @ UP).min())

    @cached_property
    def top(self) -> float:
        return float((self.corners @ UP).max())

    @cached_property
    def footprint(self) -> np.ndarray:
        """The convex polygon of the corners projected on the floor plane, CCW, Float[K 2]."""
        return convex_hull(self.corners[:, :2])

    @cached_property
    def area(self) -> float:
        return polygon_area(self.footprint)

    @cached_property
    def up_axis(self) -> int:
        return int(np.argmax(np.abs(self.axes @ UP)))

    @cached_property
    def uprightness(self) -> float:
        """|cos| of the angle between the axis closest to up and up (1 for an upright box)."""
        return float(np.abs(self.axes @ UP).max())

    def measure(self, dim: str) -> float:
        """height / length / width / longest (m), footprint (m2), volume (m3)."""
        if dim == "height":
            return self.top - self.bottom
        if dim in ("length", "width"):
            sides = sorted((self.extents[i] for i in range(3) if i != self.up_axis), reverse=True)
            return float(sides[0] if dim == "length" else sides[1])
        if dim == "longest":
            return float(self.extents.max())
        if dim == "footprint":
            return self.area
        if dim == "volume":
            return float(np.prod(self.extents))
        raise ValueError(dim)

    def contains(self, point: np.ndarray, pad: float = 0.0) -> bool:
        local = (point - self.center) @ self.axes.T
        return bool((np.abs(local) <= self.extents / 2 + pad).all())

    def point_distance(self, point: np.ndarray) -> float:
        local = (point - self.center) @ self.axes.T
        half = self.extents / 2
        return float(np.linalg.norm(local - np.clip(local, -half, half)))

    @property
    def edges(self) -> list[tuple[np.ndarray, np.ndarray]]:
        c = self.corners
        return [(c[i], c[j]) for i, j in _EDGES]


def boxes_intersect(a: Box, b: Box) -> bool:
    """Separating-axis test for two oriented boxes (touching counts as meeting)."""
    axes = list(a.axes) + list(b.axes)
    axes += [np.cross(u, v) for u in a.axes for v in b.axes]
    for axis in axes:
        n = np.linalg.norm(axis)
        if n < 1e-9:
            continue
        axis = axis / n
        pa, pb = a.corners @ axis, b.corners @ axis
        if pa.max() < pb.min() - 1e-9 or pb.max() < pa.min() - 1e-9:
            return False
    return True


def dist3(a: Box, b: Box) -> float:
    """Closest-point distance between two oriented boxes (0 when they meet): vertex-to-box both ways
    and edge-to-edge cover every closest-feature pair of two disjoint convex polyhedra."""
    key = (a.key, b.key) if a.key <= b.key else (b.key, a.key)
    if key not in _DIST3:
        if boxes_intersect(a, b):
            _DIST3[key] = 0.0
        else:
            _DIST3[key] = min(min(b.point_distance(p) for p in a.corners), min(a.point_distance(p) for p in b.corners),
                              min(_segment_segment(p1, q1, p2, q2) for p1, q1 in a.edges for p2, q2 in b.edges))
    return _DIST3[key]


_DIST3: dict[tuple[bytes, bytes], float] = {}  # by box content, so equal boxes share it


def hdist(a: Box, b: Box) -> float:
    """Smallest floor-plane distance between the two footprints."""
    return polygon_distance(a.footprint, b.footprint)


def vdist(a: Box, b: Box) -> float:
    return max(0.0, a.bottom - b.top, b.bottom - a.top)


def overlap(a: Box, b: Box) -> float:
    return polygon_area(clip_convex(a.footprint, b.footprint))


def center_distance_2d(a: Box, b: Box) -> float:
    return float(np.linalg.norm(a.center[:2] - b.center[:2]))


# ------------------------------------------------------------------------------------------ relations
# Each relation takes `loose`: -1 tightens every threshold by the margin, +1 loosens it. A case is
# asked only when the tight and the loose reading agree (so it is not within the margin of a threshold).
def above(a: Box, b: Box, loose: int = 0) -> bool:
    m = loose * MARGIN_M
    return a.bottom >= b.top - ABOVE_GAP - m and hdist(a, b) <= ABOVE_REACH + m


def below(a: Box, b: Box, loose: int = 0) -> bool:
    return above(b, a, loose)


def on(a: Box, b: Box, loose: int = 0) -> bool:
    m, f = loose * MARGIN_M, loose * MARGIN_FRACTION
    return (abs(a.bottom - b.top) <= ON_GAP + m and overlap(a, b) >= (ON_OVERLAP - f) * a.area
            and a.top > b.top - m)


def under(a: Box, b: Box, loose: int = 0) -> bool:
    m, f = loose * MARGIN_M, loose * MARGIN_FRACTION
    return overlap(a, b) >= (UNDER_OVERLAP - f) * min(a.area, b.area) and a.top < b.top - UNDER_DROP + m


def next_to(a: Box, b: Box, loose: int = 0) -> bool:
    return dist3(a, b) <= NEXT_TO + loose * MARGIN_M


def near(a: Box, b: Box, loose: int = 0) -> bool:
    return dist3(a, b) <= NEAR + loose * MARGIN_M


def between(t: Box, a: Box, b: Box, loose: int = 0) -> bool:
    """t's footprint centre inside the hull of a's and b's footprints and inside neither footprint."""
    m = loose * MARGIN_M
    centre = t.center[:2]
    hull = convex_hull(np.vstack([a.footprint, b.footprint]))
    return (signed_inside(centre, hull) >= -m and signed_inside(centre, a.footprint) < m
            and signed_inside(centre, b.footprint) < m)


RELATIONS = {"above": above, "below": below, "on": on, "under": under, "next_to": next_to, "near": near}


def relation_state(relation, pairs) -> bool | None:
    """Whether the relation holds for ANY pair (tuples of boxes): True / False, or None when the tight
    and loose readings differ (too close to a threshold to ask)."""
    tight = any(relation(*p, loose=-1) for p in pairs)
    loose = any(relation(*p, loose=1) for p in pairs)
    return tight if tight == loose else None


# ------------------------------------------------------------------------------------------- observer
def bearing(at: Box, facing: Box, target: Box) -> float:
    """Degrees in the floor plane from the facing direction (at's centre to facing's centre) to the
    target's centre, seen from at's centre; positive is to the left (counter-clockwise, z up)."""
    f = facing.center[:2] - at.center[:2]
    t = target.center[:2] - at.center[:2]
    return math.degrees(math.atan2(f[0] * t[1] - f[1] * t[0], f @ t))
