"""Lifting 2D detections to 3D: the pixels of a box (or mask) with depth become world points.

Robust to what a box also contains (floor, wall, the object behind): the depth cluster that fills
the middle of the box wins, and isolated points are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sagent.tools.frames import Detection2D, Frame


@dataclass
class Observation3D:
    """One detection lifted to the world frame."""

    label: str
    frame: int
    time: float
    score: float
    box2d: tuple[float, float, float, float]
    points: np.ndarray  # Float32[N 3] world, metres
    central: np.ndarray  # Bool[N]: the point came from the middle half of the 2D box


def backproject(depth: np.ndarray, K: np.ndarray, cam_to_world: np.ndarray, rows: np.ndarray,
                cols: np.ndarray) -> np.ndarray:
    """Float[N 3] world points of the given pixels (depth in metres along the optical axis)."""
    z = depth[rows, cols]
    cam = np.stack([(cols - K[0, 2]) / K[0, 0] * z, (rows - K[1, 2]) / K[1, 1] * z, z], axis=1)
    return cam @ cam_to_world[:3, :3].T + cam_to_world[:3, 3]


def dominant_depth_cluster(z: np.ndarray, central: np.ndarray) -> np.ndarray:
    """Bool[N]: the depth cluster holding most of the box's central pixels.

    Depths split into clusters where sorted values jump by more than 5 cm + 4 % of the depth.
    """
    order = np.argsort(z)
    sorted_z = z[order]
    gaps = np.diff(sorted_z) > 0.05 + 0.04 * sorted_z[:-1]
    labels_sorted = np.concatenate([[0], np.cumsum(gaps)])
    labels = np.empty_like(labels_sorted)
    labels[order] = labels_sorted
    votes = np.bincount(labels[central], minlength=labels.max() + 1) if central.any() else np.bincount(labels)
    return labels == int(votes.argmax())


def remove_outliers(points: np.ndarray, neighbours: int = 8, ratio: float = 2.0) -> np.ndarray:
    """Drop points whose mean distance to their nearest neighbours is far above the typical one."""
    if len(points) <= neighbours + 1:
        return points
    from scipy.spatial import cKDTree

    distances, _ = cKDTree(points).query(points, k=neighbours + 1)
    mean = distances[:, 1:].mean(axis=1)
    keep = mean <= mean.mean() + ratio * mean.std()
    return points[keep]


def lift(frame: Frame, index: int, detection: Detection2D, max_points: int = 3000, min_points: int = 30, rng: np.random.Generator | None = None) -> Observation3D | None:
    """Lift one detection; None when too few pixels have depth."""
    depth = frame.depth
    if depth is None:
        return None
    height, width = depth.shape
    x1, y1, x2, y2 = detection.box
    c1, r1 = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
    c2, r2 = min(int(np.ceil(x2)), width), min(int(np.ceil(y2)), height)
    if c2 <= c1 or r2 <= r1:
        return None
    region = np.zeros((height, width), bool)
    region[r1:r2, c1:c2] = True
    if detection.mask is not None:
        region &= detection.mask
    region &= depth > 0
    rows, cols = np.nonzero(region)
    if len(rows) < min_points:
        return None
    # "Central" pixels: the middle half of the box, where the object is, not the background.
    cx, cy, hw, hh = (c1 + c2) / 2, (r1 + r2) / 2, (c2 - c1) / 4, (r2 - r1) / 4
    central = (np.abs(cols - cx) <= hw) & (np.abs(rows - cy) <= hh)
    keep = dominant_depth_cluster(depth[rows, cols], central)
    rows, cols = rows[keep], cols[keep]
    central = central[keep]
    if len(rows) > max_points:
        pick = (rng or np.random.default_rng(index)).choice(len(rows), max_points, replace=False)
        rows, cols, central = rows[pick], cols[pick], central[pick]
    points = backproject(depth, frame.K, frame.cam_to_world, rows, cols)
    return Observation3D(detection.label, index, frame.time, detection.score, tuple(detection.box),
                         points.astype(np.float32), central)


def isolate_object(points: np.ndarray, central: np.ndarray, up: np.ndarray, floor: float | None,
                   floor_margin: float = 0.02) -> np.ndarray:
    """The object's own points among an observation's: floor points dropped, then the 3D connected
    part that holds most central points kept (a wall or a neighbour touching only through the floor
    falls away), then isolated points dropped."""
    if floor is not None:
        above = points @ up > floor + floor_margin
        if above.sum() >= 10:
            points, central = points[above], central[above]
    if len(points) > 20:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components
        from scipy.spatial import cKDTree

        tree = cKDTree(points)
        spacing = np.median(tree.query(points, k=2)[0][:, 1])
        pairs = tree.query_pairs(r=max(3 * spacing, 0.02), output_type="ndarray")
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(points), len(points)))
        _, component = connected_components(graph, directed=False)
        votes = np.bincount(component[central] if central.any() else component)
        points = points[component == votes.argmax()]
    return remove_outliers(points)
