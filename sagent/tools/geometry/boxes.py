"""Exact geometry on oriented boxes: closest-point distances and overlap.

All inputs are in the world frame, metres; `up` is a unit vector.
"""

from __future__ import annotations

import numpy as np

from sagent.memory.box import OrientedBox

_EPS = 1e-12


def point_box_distance(points: np.ndarray, box: OrientedBox) -> np.ndarray:
    """Float[N] Euclidean distance from each of Float[N 3] points to the solid box (0 inside)."""
    local = box.to_local(points)
    half = box.extents_array / 2
    outside = np.maximum(np.abs(local) - half, 0.0)
    return np.linalg.norm(outside, axis=1)


def vertical_span(box: OrientedBox, up: np.ndarray) -> tuple[float, float]:
    """(bottom, top): the lowest and highest of the box's corners along `up`, metres."""
    heights = box.corners() @ up
    return float(heights.min()), float(heights.max())


def horizontal_sides(box: OrientedBox, up: np.ndarray) -> tuple[float, float]:
    """(length, width): the longer and shorter of the box's own horizontal sides, the two axes other
    than the one closest to `up` (a tilted box keeps its own sides, not its shadow's)."""
    vertical_axis = int(np.abs(box.axes_array @ up).argmax())
    sides = sorted(float(e) for i, e in enumerate(box.extents) if i != vertical_axis)
    return sides[1], sides[0]


def segment_distances(p0: np.ndarray, p1: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> np.ndarray:
    """Float[N] closest distance between segments p0-p1 and q0-q1 (each Float[N 3]).

    The clamped closed form for two segments (Ericson, Real-Time Collision Detection, 5.1.9),
    vectorised over N pairs.
    """
    d1, d2, r = p1 - p0, q1 - q0, p0 - q0
    a = np.einsum("ij,ij->i", d1, d1)
    e = np.einsum("ij,ij->i", d2, d2)
    b = np.einsum("ij,ij->i", d1, d2)
    c = np.einsum("ij,ij->i", d1, r)
    f = np.einsum("ij,ij->i", d2, r)
    safe_a = np.where(a > _EPS, a, 1.0)
    safe_e = np.where(e > _EPS, e, 1.0)
    denom = a * e - b * b
    # General case: both segments have length.
    s = np.where(denom > _EPS, np.clip((b * f - c * e) / np.where(denom > _EPS, denom, 1.0), 0, 1), 0.0)
    t = (b * s + f) / safe_e
    s = np.where(t < 0, np.clip(-c / safe_a, 0, 1), np.where(t > 1, np.clip((b - c) / safe_a, 0, 1), s))
    t = np.clip(t, 0, 1)
    # Degenerate cases: q is a point (t = 0), p is a point (s = 0), or both.
    point_q, point_p = e <= _EPS, a <= _EPS
    s = np.where(point_q, np.clip(-c / safe_a, 0, 1), s)
    t = np.where(point_q, 0.0, t)
    t = np.where(point_p, np.clip(f / safe_e, 0, 1), t)
    s = np.where(point_p, 0.0, s)
    t = np.where(point_p & point_q, 0.0, t)
    closest_p = p0 + d1 * s[:, None]
    closest_q = q0 + d2 * t[:, None]
    return np.linalg.norm(closest_p - closest_q, axis=1)


def boxes_overlap(a: OrientedBox, b: OrientedBox) -> bool:
    """True when the solid boxes share a point (separating axis test over 15 axes)."""
    axes_a, axes_b = a.axes_array, b.axes_array
    candidates = [*axes_a, *axes_b]
    for u in axes_a:
        for v in axes_b:
            cross = np.cross(u, v)
            norm = np.linalg.norm(cross)
            if norm > 1e-9:
                candidates.append(cross / norm)
    offset = b.center_array - a.center_array
    half_a, half_b = a.extents_array / 2, b.extents_array / 2
    for axis in candidates:
        radius_a = np.abs(axes_a @ axis) @ half_a
        radius_b = np.abs(axes_b @ axis) @ half_b
        if abs(offset @ axis) > radius_a + radius_b + 1e-12:
            return False
    return True


def box_distance(a: OrientedBox, b: OrientedBox) -> float:
    """Distance in metres between the closest points of two solid oriented boxes (0 if they touch).

    For disjoint convex polytopes the closest pair lies on a vertex-face or an edge-edge pair,
    so the minimum over corner-to-box and edge-to-edge distances is exact.
    """
    if boxes_overlap(a, b):
        return 0.0
    vertex_face = min(point_box_distance(a.corners(), b).min(), point_box_distance(b.corners(), a).min())
    edges_a, edges_b = a.edges(), b.edges()
    ia, ib = np.meshgrid(np.arange(12), np.arange(12), indexing="ij")
    ea, eb = edges_a[ia.ravel()], edges_b[ib.ravel()]
    edge_edge = segment_distances(ea[:, 0], ea[:, 1], eb[:, 0], eb[:, 1]).min()
    return float(min(vertex_face, edge_edge))
