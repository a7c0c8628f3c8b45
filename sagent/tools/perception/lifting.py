"""Lifting 2D detections to 3D: the pixels of a box (or mask) with depth become world points.

Robust to what a box also contains (floor, wall, the object behind): the depth cluster that fills
the middle of the box wins, and isolated points are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.io.frames import Detection2D, Frame
from sagent.tools.perception.components import component_labels


@dataclass(frozen=True)
class Sighting:
    """Where and when an object was detected: frame index, time (s), score, pixel box."""

    frame: int
    time: float
    score: float
    box2d: tuple[float, float, float, float]


@dataclass
class Observation3D:
    """One detection lifted to the world frame, or several already fused (their sightings listed)."""

    label: str
    frame: int
    time: float
    score: float
    box2d: tuple[float, float, float, float]
    points: np.ndarray  # Float32[N 3] world, metres
    central: np.ndarray  # Bool[N]: the point came from the middle half of the 2D box
    merged: tuple[Sighting, ...] = ()
    masked: bool = False  # pixels came from an instance mask (an occluder may split them in parts)
    origin: np.ndarray | None = None  # Float[3] camera centre the points were seen from (None once fused)

    @property
    def sightings(self) -> tuple[Sighting, ...]:
        return self.merged or (Sighting(self.frame, self.time, self.score, tuple(self.box2d)),)



def depth_precision(distance: np.ndarray) -> np.ndarray:
    """Float[N] weights of depth measurements at Float[N] distances (m): one over the variance of a
    depth camera's noise, which grows with the distance squared (1 at 1 m)."""
    return 1.0 / np.maximum(distance, 0.3) ** 4


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


def remove_outliers(points: np.ndarray, ranges: np.ndarray | None = None, neighbours: int = 8,
                    ratio: float = 2.0) -> np.ndarray:
    """Bool[N]: points whose mean distance to their nearest neighbours, relative to their distance
    from the camera (`ranges`; far surfaces are sampled more sparsely), is not far above the typical."""
    if len(points) <= neighbours + 1:
        return np.ones(len(points), bool)
    distances, _ = cKDTree(points).query(points, k=neighbours + 1)
    spread = distances[:, 1:].mean(axis=1) / (ranges if ranges is not None else 1.0)
    return spread <= spread.mean() + ratio * spread.std()


FAR_SAMPLES_CAP = 4  # times max_points: the most a detection is sampled to keep its far samples `spacing` apart


def lift(frame: Frame, index: int, detection: Detection2D, max_points: int = 3000,
         min_points: int = 30, spacing: float | None = None) -> Observation3D | None:
    """Lift one detection; None when too few pixels have depth.

    Pixels are taken on a regular grid inside the box (every n-th row and column, n chosen for
    about `max_points`), so the result depends on the frame alone, and the cost on the box's pixels
    only once. With `spacing` (metres), n is also small enough that neighbouring samples on the far
    part of the object lie at most that far apart (up to FAR_SAMPLES_CAP times `max_points`): an
    object's voxels must touch to be one object, and a far surface sampled sparser than the voxels, in
    a depth sensor's steps, falls apart into terraces.
    """
    depth = frame.depth
    if depth is None:
        return None
    height, width = depth.shape
    x1, y1, x2, y2 = detection.box
    c1, r1 = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
    c2, r2 = min(int(np.ceil(x2)), width), min(int(np.ceil(y2)), height)
    if c2 <= c1 or r2 <= r1:
        return None
    valid = depth[r1:r2, c1:c2] > 0
    if detection.mask is not None:
        valid &= detection.mask[r1:r2, c1:c2]
    count = int(np.count_nonzero(valid))
    if count < min_points:
        return None
    step = max(1, int(np.sqrt(count / max_points)))
    if spacing is not None and step > 1:
        far = float(np.percentile(depth[r1:r2, c1:c2][valid], 75))
        step = max(1, min(step, int(spacing * frame.K[0, 0] / far)))
        step = max(step, int(np.ceil(np.sqrt(count / (FAR_SAMPLES_CAP * max_points)))))
        max_points = max(max_points, int(np.ceil(count / step**2)))
    rows, cols = np.nonzero(valid[::step, ::step])
    rows, cols = rows * step + r1, cols * step + c1
    # "Central" pixels: the middle half of the box, where the object is, not the background.
    cx, cy, hw, hh = (c1 + c2) / 2, (r1 + r2) / 2, (c2 - c1) / 4, (r2 - r1) / 4
    central = (np.abs(cols - cx) <= hw) & (np.abs(rows - cy) <= hh)
    keep = dominant_depth_cluster(depth[rows, cols], central)
    if len(rows) > max_points:
        keep = np.nonzero(keep)[0]
        keep = keep[np.linspace(0, len(keep) - 1, min(len(keep), max_points)).astype(int)]
    rows, cols, central = rows[keep], cols[keep], central[keep]
    points = PinholeCamera(frame.K, frame.cam_to_world).backproject(depth, rows, cols)
    return Observation3D(detection.label, index, frame.time, detection.score, tuple(detection.box),
                         points.astype(np.float32), central, masked=detection.mask is not None,
                         origin=frame.cam_to_world[:3, 3].copy())


def isolate_object(observation: "Observation3D", up: np.ndarray, floor: float | None,
                   floor_margin: float = 0.02, outliers: bool = True) -> np.ndarray:
    """The object's own world points among an observation's.

    Floor points go first. Points link when closer than a few times their typical spacing, which
    grows with the distance from the camera; of the connected parts, the one holding most central
    pixels is the object (a wall or a neighbour touching it only through the floor falls away).
    With a mask every sizeable part is the object's (an occluder in front splits it). Isolated
    points go last (with `outliers` False they stay: a voxel map drops them when it finds its parts).
    """
    points, central = observation.points.astype(float), observation.central
    ranges = (np.linalg.norm(points - observation.origin, axis=1) if observation.origin is not None
              else np.ones(len(points)))
    if floor is not None:
        above = points @ up > floor + floor_margin
        if above.sum() >= 10:
            points, central, ranges = points[above], central[above], ranges[above]
    if len(points) > 20 and not observation.masked:
        tree = cKDTree(points)
        gaps = tree.query(points, k=2)[0][:, 1] / ranges
        radius = np.maximum(3 * np.median(gaps) * ranges, 0.02)
        pairs = tree.query_pairs(r=float(radius.max()), output_type="ndarray")
        if len(pairs):
            lengths = np.linalg.norm(points[pairs[:, 0]] - points[pairs[:, 1]], axis=1)
            pairs = pairs[lengths <= np.maximum(radius[pairs[:, 0]], radius[pairs[:, 1]])]
        component = component_labels(len(points), pairs)
        votes = np.bincount(component[central] if central.any() else component)
        keep = component == votes.argmax()
        points, ranges = points[keep], ranges[keep]
    return points[remove_outliers(points, ranges)] if outliers else points
