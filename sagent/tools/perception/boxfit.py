"""Fitting gravity-aligned oriented boxes to points."""

from __future__ import annotations

import math

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.floor_plane import floor_basis
from sagent.tools.geometry.footprints import convex_hull


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
