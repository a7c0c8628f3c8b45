"""Sparse depth (structure from motion: a few keyframes, a few dozen points a detection): the lifted
detections are kept whole and fused when the memory is built (`fusion.fuse`); then stray lifts are
dropped, an instance fused from two objects' boxes is split by them, and objects it lifted nothing of
are placed from their 2D boxes across the views (`triangulation`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Protocol

import numpy as np

from sagent.tools.geometry.footprints import overlap_ratio
from sagent.tools.perception.association import sighting_from_state
from sagent.tools.perception.fusion import Instance, fuse, make_instance, rest_on_support
from sagent.tools.perception.labels import same_group
from sagent.tools.perception.lifting import Observation3D
from sagent.tools.perception.triangulation import BoxView, covers, triangulate

STATE_VERSION = 1
SPARSE_COVERAGE = 0.2  # a frame with depth at fewer of its pixels than this has sparse depth
CELL = 16  # pixels per cell of the per-frame nearest-depth grid used for occlusion


def sparse_depth(depth: np.ndarray) -> bool:
    """Whether Float[H W] depth (0 = missing) is sparse: structure from motion's few points, not a sensor's."""
    return bool((depth > 0).mean() < SPARSE_COVERAGE)


def nearest_depth_cells(depth: np.ndarray) -> np.ndarray:
    """Float16[ceil(H/16) ceil(W/16)]: the nearest valid depth in each 16x16 cell (inf where none)."""
    h, w = depth.shape
    padded = np.full(((h + CELL - 1) // CELL * CELL, (w + CELL - 1) // CELL * CELL), np.inf, np.float32)
    padded[:h, :w] = np.where(depth > 0, depth, np.inf)
    cells = padded.reshape(padded.shape[0] // CELL, CELL, padded.shape[1] // CELL, CELL).min(axis=(1, 3))
    return cells.astype(np.float16)


class Views(Protocol):
    """What the sparse clean-ups ask of the build: each frame's 2D boxes, and how often an instance was detected."""

    boxes2d: list[list[tuple[str, tuple[float, float, float, float]]]]
    scores2d: list[list[float]]

    def view(self, frame: int, label: str, score: float, box: tuple[float, float, float, float]) -> BoxView: ...

    def detection_rate(self, instance: Instance) -> float: ...


class SparseMapper:
    def __init__(self):
        self.observations: list[Observation3D] = []
        self.nearest: dict[int, np.ndarray] = {}  # sparse frame -> its nearest-depth cells (for occlusion)

    def add(self, frame: int, depth: np.ndarray, lifted: list[Observation3D]) -> None:
        self.nearest[frame] = nearest_depth_cells(depth)
        self.observations.extend(lifted)

    def occluders(self, frame: int) -> np.ndarray | None:
        """The frame's nearest-depth cells, None for a frame that is not sparse."""
        return self.nearest.get(frame)

    def candidates(self, up: np.ndarray, floor: float | None, overlap: float, voxel: float) -> list[Instance]:
        return fuse(self.observations, up, floor, overlap, voxel) if self.observations else []

    def with_unlifted(self, instances: list[Instance], views: Views, up: np.ndarray, floor: float | None,
                      min_detection_rate: float) -> list[Instance]:
        """Stray lifts dropped, and the objects it lifted nothing of (or only what stands in front of them)
        added from their detections' boxes across the views (`triangulation`)."""
        instances = [part for i in instances if not self._relifted(i, instances, views)
                     for part in self._split(i, views, up, floor)]
        found = [i for i in triangulate(self._unexplained(instances, views), up, floor)
                 if not any(same_group(i.label, o.label) and overlap_ratio(i.box, o.box, up) > 0.1 for o in instances)]
        found = rest_on_support(instances + found, up, floor)[len(instances):]
        return instances + [i for i in found if views.detection_rate(i) >= min_detection_rate]

    def _relifted(self, instance: Instance, instances: list[Instance], views: Views, few: int = 4) -> bool:
        """Whether an instance seen in fewer than `few` frames is a stray lift of boxes that a better-seen
        instance of its label group covers in every one of its frames (sparse depth can put a box's few
        points on whatever lies behind the object)."""
        if instance.frames >= few or self.occluders(instance.sightings[0].frame) is None:
            return False
        better = [o for o in instances if o.frames > instance.frames and same_group(o.label, instance.label)]
        seen = [views.view(s.frame, instance.label, s.score, s.box2d) for s in instance.sightings]
        return bool(better) and all(any(covers(view, o.box) for o in better) for view in seen)

    def _split(self, instance: Instance, views: Views, up: np.ndarray, floor: float | None,
               frames: int = 3) -> list[Instance]:
        """An instance holding two boxes of one frame in at least `frames` frames, as the objects its boxes
        place (`triangulation`), each with the instance's points nearest to it; or as it was. Sparse
        depth gives two neighbours' lifts few points, which fuse into one loose box."""
        by_frame = Counter(s.frame for s in instance.sightings)
        if sum(count > 1 for count in by_frame.values()) < frames or self.occluders(instance.sightings[0].frame) is None:
            return [instance]
        parts = triangulate([views.view(s.frame, instance.label, s.score, s.box2d) for s in instance.sightings],
                            up, floor)
        if len(parts) < 2:
            return [instance]
        points = instance.points.astype(float)
        flat = points - np.outer(points @ up, up)
        centres = np.array([p.box.center_array - (p.box.center_array @ up) * up for p in parts])
        nearest = np.linalg.norm(flat[:, None] - centres[None], axis=2).argmin(axis=1)
        return [make_instance(points[nearest == k], up, floor, part.sightings, part.votes) if (nearest == k).sum() >= 10
                else part for k, part in enumerate(parts)]

    def _unexplained(self, instances: list[Instance], views: Views) -> list[BoxView]:
        """The sparse frames' detections that no instance of their label group covers in the image (its
        projected box fills half of the detection's box, or of its own): objects sparse depth could not
        lift (too few points in the box, or only what stands in front of them)."""
        found = []
        for frame, boxes in enumerate(views.boxes2d):
            if self.occluders(frame) is None or not boxes:
                continue
            for (label, box), score in zip(boxes, views.scores2d[frame]):
                view = views.view(frame, label, score, box)
                if not any(covers(view, i.box) for i in instances if same_group(i.label, label)):
                    found.append(view)
        return found

    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays = {f"points_{i}": o.points for i, o in enumerate(self.observations)}
        arrays.update({f"central_{i}": o.central for i, o in enumerate(self.observations)})
        arrays.update({f"nearest_{frame}": cells for frame, cells in self.nearest.items()})
        meta = {"version": STATE_VERSION, "nearest_frames": sorted(self.nearest),
                "observations": [{"label": o.label, "frame": o.frame, "time": o.time, "score": o.score,
                                  "box2d": list(o.box2d), "merged": [asdict(s) for s in o.merged],
                                  "masked": o.masked, "origin": None if o.origin is None else o.origin.tolist()}
                                 for o in self.observations]}
        return arrays, meta

    def restore(self, data, meta: dict) -> None:
        if meta.get("version") != STATE_VERSION:
            raise ValueError(f"sparse mapper state version {meta.get('version')}, expected {STATE_VERSION}")
        self.nearest = {frame: np.array(data[f"nearest_{frame}"]) for frame in meta["nearest_frames"]}
        self.observations = [
            Observation3D(o["label"], o["frame"], o["time"], o["score"], tuple(o["box2d"]),
                          np.array(data[f"points_{i}"]), np.array(data[f"central_{i}"]),
                          tuple(sighting_from_state(s) for s in o["merged"]), o["masked"],
                          None if o["origin"] is None else np.asarray(o["origin"]))
            for i, o in enumerate(meta["observations"])]
