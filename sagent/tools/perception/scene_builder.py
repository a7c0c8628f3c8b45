"""Posed frames to scene memory: ground, lift, associate; cloud, floor and room on top.

`SceneBuilder` takes frames one at a time (a robot streaming them). Dense depth goes into voxel
grids of running sums (`association.ObjectMap`, the fused cloud), so memory follows the space the
scene covers, not the frames seen, and the same frames in any order build the same memory. Sparse
depth (structure from motion: a few keyframes, a few dozen points a detection) keeps its lifted
detections whole and fuses them when the memory is built; an object it lifted nothing of is placed
from its 2D boxes across the views (`triangulation`). A build is sparse when most of its frames
with depth are: one frame of a depth sensor with little depth (glass, out of range) is not.
"""

from __future__ import annotations

import io
import json
import logging
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import StrictInt

from sagent.memory.scene import Camera, MetricScale, Observation, Room, SceneMemory, SceneObject, SceneRecord
from sagent.memory.storage import atomic_write_bytes
from sagent.settings import Settings, knob
from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.geometry.footprints import overlap_ratio
from sagent.tools.io.frames import Detection2D, Frame, FramesError, FrameSet
from sagent.tools.perception.association import ObjectMap, sighting_from_state
from sagent.tools.perception.extent import complete_unseen_extents
from sagent.tools.perception.floor import estimate_up, floor_area, floor_height, frame_floor, up_from_level_cameras
from sagent.tools.perception.fusion import (Instance, drop_relabelled_surfaces, fuse, make_instance, merge_overlapping,
                                            rest_on_support)
from sagent.tools.perception.grounding import Grounder
from sagent.tools.perception.labels import same_group
from sagent.tools.perception.lifting import Observation3D, isolate_object, lift
from sagent.tools.perception.pointcloud import VoxelCloud, VoxelSums
from sagent.tools.perception.triangulation import BoxView, covers, triangulate
from sagent.tools.perception.tsdf import SurfaceFusion

# Depth cameras' scale error is around a percent; a reconstruction replaces this with its own scale.
SENSOR_SCALE = MetricScale(source="sensor depth", relative_uncertainty=0.01)


SPARSE_COVERAGE = 0.2  # a frame with depth at fewer of its pixels than this has sparse depth
CELL = 16  # pixels per cell of the per-frame nearest-depth grid used for occlusion
# How near the fused surface an object's voxels must be, in object voxels: the field's surface points
# are interpolated between voxels, and a whole voxel keeps a ring of the noise shell (noisy layout-QA
# on six rooms 93.2 -> 94.0, clean unchanged); half a voxel loses real edges and miscounts.
SURFACE_TOLERANCE = 0.7


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


def depth_precision(distance: np.ndarray) -> np.ndarray:
    """Float[N] weights of depth measurements at Float[N] distances (m): one over the variance of a
    depth camera's noise, which grows with the distance squared (1 at 1 m)."""
    return 1.0 / np.maximum(distance, 0.3) ** 4


log = logging.getLogger(__name__)


class BuildRecorder(Protocol):
    """Watches a build as it goes (sagent.tools.render.recording.Recording is one, for rerun's viewer)."""

    def frame(self, index: int, frame: Frame, detections: list[Detection2D],
              lifted: list[np.ndarray | None]) -> None:
        """Frame `index` before its pixels are released: its detections and, aligned with them, the
        Float[N 3] world points each lifted to (None where too few pixels had depth)."""

    def built(self, scene: SceneMemory) -> None:
        """The scene memory the build produced."""


class BuildSettings(Settings):
    voxel: float = knob(0.05, "fused cloud resolution, metres", gt=0)
    cloud_stride: StrictInt = knob(4, "every n-th pixel of each frame goes into the cloud", ge=1)
    max_points_per_detection: StrictInt = knob(1500, "pixels lifted per detection (far objects get up to 4 times "
                                               "as many, so their samples stay a voxel apart)", ge=1)
    overlap: float = knob(0.3, "objects whose boxes overlap this much (of the smaller box) are one object", ge=0, le=1)
    object_voxel: float = knob(0.02, "resolution of the objects' voxel grids, metres", gt=0)
    min_detection_rate: float = knob(0.2, "of the frames an instance was in view, the share it was detected in",
                                     ge=0, le=1)
    # 0: a box loose on one side and tight on another averages out over the views, while padding kept the
    # wall beside a wall-mounted object (BENCHMARKS.md, "Carving").
    carve_pad: float = knob(0.0, "carving: each side of a detection box moved out by this share of its size", ge=0)
    fuse_surfaces: bool = knob(True, "dense depth: objects' voxels off a TSDF of their boxes' pixels dropped (`tsdf`)")


class SceneBuilder:
    def __init__(self, grounder: Grounder, up: np.ndarray | None = None, labels: list[str] | None = None,
                 settings: BuildSettings | None = None, name: str = "scene", source: str = "",
                 recorder: BuildRecorder | None = None):
        self.grounder = grounder
        self.recorder = recorder  # None: nothing is recorded, at no cost
        self.up = None if up is None else np.asarray(up, float) / np.linalg.norm(up)
        self.labels = labels
        self.settings = settings or BuildSettings()
        self.name, self.source = name, source
        self.objects = ObjectMap(self.settings.object_voxel)  # dense depth, associated as it comes
        self.surfaces: SurfaceFusion | None = None  # dense depth's TSDF of the detections' pixels, made on first use
        self.observations: list[Observation3D] = []  # sparse depth, fused when built
        self.cameras: list[Camera] = []
        self.cloud = VoxelCloud(self.settings.voxel)
        self.boxes2d: list[list[tuple[str, tuple[float, float, float, float]]]] = []  # per frame: (label, box)
        self.scores2d: list[list[float]] = []  # per frame: the score of each of its boxes2d
        self.nearest: list[np.ndarray | None] = []  # per sparse frame: Float16[h/16 w/16] nearest depth per cell
        self._views: tuple = (None,)  # (frame count, poses, intrinsics, sizes) cached for projecting into every frame

    def add(self, frame: Frame) -> list[Observation3D]:
        """Ground and lift one frame; its pixels are released afterwards."""
        index = len(self.cameras)
        depth = frame.depth
        height, width = (depth.shape if depth is not None else (None, None))
        self.cameras.append(Camera(K=tuple(map(tuple, frame.K)), cam_to_world=tuple(map(tuple, frame.cam_to_world)),
                                   time=frame.time, width=width, height=height,
                                   image=str(frame.image_path) if frame.image_path else None))
        lifted, detections, points = [], [], []
        sparse = depth is not None and sparse_depth(depth)
        self.nearest.append(nearest_depth_cells(depth) if sparse else None)
        if depth is None:
            self.boxes2d.append([])
            self.scores2d.append([])
        else:
            # Sparse depth (structure from motion) has a few dozen points where a sensor has thousands.
            min_points = 8 if sparse else 30
            detections = self.grounder.detect(frame, self.labels)
            self.boxes2d.append([(d.label, tuple(map(float, d.box))) for d in detections])
            self.scores2d.append([float(d.score) for d in detections])
            seen = self._add_to_cloud(frame, depth)
            floor = frame_floor(seen, self.up) if self.up is not None and not sparse else None
            for detection in detections:
                observation = lift(frame, index, detection, self.settings.max_points_per_detection, min_points,
                                   spacing=self.settings.object_voxel)
                if observation is not None:
                    lifted.append(observation)
                    if not sparse:
                        self._associate(observation, floor)
                if self.recorder is not None:
                    points.append(None if observation is None else observation.points)
            if not sparse and lifted and self.settings.fuse_surfaces:
                if self.surfaces is None:
                    self.surfaces = SurfaceFusion(self.settings.object_voxel)
                self.surfaces.add(depth, frame.K, frame.cam_to_world, [o.box2d for o in lifted])
        if sparse:
            self.observations.extend(lifted)
        if self.recorder is not None:
            self.recorder.frame(index, frame, detections, points)
        frame.release()
        return lifted

    @property
    def sparse(self) -> bool:
        """Whether most frames with depth had sparse depth (structure from motion). One low-coverage
        frame of a depth sensor (glass, out of range) does not make a build sparse: in a dense build
        such a frame's lifts are dropped and it counts as a dense view."""
        depth_frames = sum(camera.width is not None for camera in self.cameras)
        return 2 * sum(n is not None for n in self.nearest) > depth_frames

    def _nearest(self, frame: int) -> np.ndarray | None:
        """The frame's nearest-depth cells where it is a sparse frame of a sparse build, else None."""
        return self.nearest[frame] if self.sparse else None

    def _associate(self, observation: Observation3D, floor: float | None) -> None:
        """The detection's own points (this frame's floor and the background in its box dropped) into the object map."""
        points = isolate_object(observation, self.up, floor, outliers=False)
        if len(points) >= 10:
            ranges = np.linalg.norm(points - observation.origin, axis=1)
            self.objects.add(observation.label, observation.sightings[0], points, depth_precision(ranges),
                             observation.masked)

    def _on_surface(self, instance: Instance, up: np.ndarray, floor: float | None) -> Instance:
        """The instance without the voxels off the fused surface (`tsdf`): the shell depth noise puts
        around an object makes its box a few centimetres too large; as it was where the field has
        too little of it (no field, or a state saved before fields were kept)."""
        if self.surfaces is None:
            return instance
        keep = self.surfaces.on_surface(instance.points, SURFACE_TOLERANCE * self.settings.object_voxel)
        if keep.all() or keep.sum() < 10:
            return instance
        return make_instance(instance.points[keep], up, floor, instance.sightings, instance.votes)

    def _gravity(self) -> tuple[np.ndarray, float | None]:
        """(up, floor height): given or found from the cloud so far."""
        cloud = self.cloud.array()
        if self.up is not None:
            return self.up, (floor_height(cloud[:, :3], self.up) if len(cloud) else None)
        if len(cloud) < 100:
            raise FramesError(f"cannot find the floor: the frames hold {len(cloud)} depth points, too few, and "
                              "give no up direction (add \"up\" to the manifest, or frames with more valid depth)")
        rotations = np.array([np.asarray(c.cam_to_world)[:3, :3] for c in self.cameras])
        level_up = up_from_level_cameras(rotations[:, :, 0], rotations[:, :, 1])
        return estimate_up(cloud[:, :3], rotations[:, :, 1].mean(axis=0), level_up=level_up)

    def _add_to_cloud(self, frame: Frame, depth: np.ndarray) -> np.ndarray:
        """Adds every `cloud_stride`-th pixel's world point to the cloud; returns Float[N 3] those points."""
        s = self.settings.cloud_stride
        rows, cols = np.nonzero(depth[::s, ::s] > 0)
        rows, cols = rows * s, cols * s
        if len(rows) < 0.05 * depth.size / s**2:  # sparse depth (structure from motion): every point counts
            rows, cols = np.nonzero(depth > 0)
        points = PinholeCamera(frame.K, frame.cam_to_world).backproject(depth, rows, cols)
        image = frame.image
        colours = image[rows, cols] / 255.0 if image is not None and image.shape[:2] == depth.shape else None
        self.cloud.add(points, colours, depth_precision(depth[rows, cols]))
        return points

    def _boxes_of(self, frame: int, label: str, pad: float = 0.0) -> np.ndarray:
        """Float[N 4] the frame's 2D boxes of `label`, each side moved out by `pad` of the box's size."""
        boxes = np.array([box for found, box in self.boxes2d[frame] if same_group(found, label)], float).reshape(-1, 4)
        size = np.concatenate([boxes[:, 2:] - boxes[:, :2]] * 2, axis=1)
        return boxes + pad * size * [-1, -1, 1, 1]

    def _in_view(self, frame: int, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pixels Float[N 2], depths Float[N], Bool[N] in front of frame's camera and inside its image)."""
        return PinholeCamera.of(self.cameras[frame]).in_view(points, near=0.1)

    def _centre_in_views(self, point: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pixels Float[F 2], depths Float[F], Bool[F] in front and inside the image) of one Float[3]
        point in every frame's camera at once (frames without pixels are never inside)."""
        if self._views[0] != len(self.cameras):
            poses = np.array([c.cam_to_world for c in self.cameras], float).reshape(-1, 4, 4)
            intrinsics = np.array([c.K for c in self.cameras], float).reshape(-1, 3, 3)
            sizes = np.array([(c.width or 0, c.height or 0) for c in self.cameras], float).reshape(-1, 2)
            self._views = (len(self.cameras), poses, intrinsics, sizes)
        _, poses, intrinsics, sizes = self._views
        local = np.einsum("fij,fi->fj", poses[:, :3, :3], point - poses[:, :3, 3])
        depth = local[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            uv = local[:, :2] / depth[:, None] * intrinsics[:, [0, 1], [0, 1]] + intrinsics[:, [0, 1], [2, 2]]
            inside = (depth > 0.1) & (uv >= -0.5).all(axis=1) & (uv < sizes - 0.5).all(axis=1)
        return uv, depth, inside

    def _detection_rate(self, instance) -> float:
        """Of the frames with the instance's centre in view, the share it was detected in.

        A wall patch lifted from a loose box wears a label in a frame or two while being in view
        in many: a real object is detected in a good share of the views that contain it. With
        dense depth, detected means lifted. Sparse depth often cannot lift a small object, so
        there a box of its label holding the centre counts, and views where something nearer
        hides the centre do not count (on dense depth these two let spurious instances through:
        benchmarks/bench_perception.py's rooms with exact counts fell from 5/5 to 4/5).
        """
        in_view = detected = 0
        margin = 0.6 * float(instance.box.extents_array.max()) + 0.1
        uv, depth, inside = self._centre_in_views(instance.box.center_array)
        for frame in np.nonzero(inside)[0]:
            nearest = self._nearest(frame)
            (u, v), ahead = uv[frame], depth[frame]
            if nearest is not None:  # a sparse frame
                if nearest[int(v) // CELL, int(u) // CELL] < ahead - margin:
                    continue  # something stands in front of it here: not a view it could be detected in
                detected += bool(_holding(self._boxes_of(frame, instance.label), u, v).any())
            in_view += 1
        return max(detected, instance.frames) / max(in_view, instance.frames, 1)

    def _seen_as_one(self, a: Instance, b: Instance) -> bool:
        """Whether, in most frames with both instances' centres in view and a box of their label holding
        either, one box holds both: the detector saw one object (two monitors or two boxes on shelves
        one above the other get a box each)."""
        uv_a, _, in_a = self._centre_in_views(a.box.center_array)
        uv_b, _, in_b = self._centre_in_views(b.box.center_array)
        either = both = 0
        for frame in np.nonzero(in_a & in_b)[0]:
            boxes = self._boxes_of(frame, a.label)
            holds_a, holds_b = _holding(boxes, *uv_a[frame]), _holding(boxes, *uv_b[frame])
            if holds_a.any() or holds_b.any():
                either += 1
                both += bool((holds_a & holds_b).any())
        return either > 0 and both >= 0.5 * either

    def _carve(self, instance: Instance, up: np.ndarray, floor: float | None, votes: int = 60) -> Instance:
        """The instance's points that fall inside a box of its label group in most frames that detected it.

        A loose box lifts some of what is around the object (wall, floor), and sparse depth too few
        of an object's own pixels for the depth cluster to tell it from what is behind; the views
        agree only on the object (space carving with the detections). At most `votes` views vote.
        """
        points = instance.points.astype(float)
        seen, inside = np.zeros(len(points)), np.zeros(len(points))
        centre_uv, _, centre_inside = self._centre_in_views(instance.box.center_array)
        detected = {}  # frame -> the box holding the centre (frames without one have no say about the points)
        for frame in np.nonzero(centre_inside)[0]:
            mine = self._boxes_of(frame, instance.label, pad=self.settings.carve_pad)
            holds = _holding(mine, *centre_uv[frame])
            if holds.any():
                detected[frame] = mine[holds][0]
        # A long stream: views evenly spread in time are as good a vote (and order-free).
        by_time = sorted(detected, key=lambda frame: (self.cameras[frame].time, frame))
        for frame in [by_time[i] for i in np.linspace(0, len(by_time) - 1, min(len(by_time), votes)).astype(int)]:
            x1, y1, x2, y2 = detected[frame]
            uv, _, visible = self._in_view(frame, points)
            seen += visible
            inside += visible & (uv[:, 0] >= x1) & (uv[:, 0] <= x2) & (uv[:, 1] >= y1) & (uv[:, 1] <= y2)
        keep = (seen < 2) | (inside >= 0.6 * seen)
        if keep.all() or keep.sum() < 10:
            return instance
        kept = points[keep]
        return make_instance(kept, up, floor, instance.sightings, instance.votes)

    def save_state(self, path: Path) -> None:
        """The object map, sparse observations, cameras and cloud so far, so that `load_state` can go on streaming."""
        observations = self.observations
        arrays = {f"points_{i}": o.points for i, o in enumerate(observations)}
        arrays.update({f"central_{i}": o.central for i, o in enumerate(observations)})
        arrays.update({f"cloud_{name}": value for name, value in self.cloud._grid.state().items()})
        arrays.update({f"nearest_{i}": n for i, n in enumerate(self.nearest) if n is not None})
        map_arrays, map_meta = self.objects.state()
        arrays.update(map_arrays)
        meta = {"cameras": [c.model_dump(mode="json") for c in self.cameras], "boxes2d": self.boxes2d,
                "scores2d": self.scores2d, "objects": map_meta,
                "observations": [{"label": o.label, "frame": o.frame, "time": o.time, "score": o.score,
                                  "box2d": list(o.box2d), "merged": [asdict(s) for s in o.merged],
                                  "masked": o.masked, "origin": None if o.origin is None else o.origin.tolist()}
                                 for o in observations]}
        surfaces = self.surfaces.state() if self.surfaces is not None else None
        if surfaces is not None:  # the TSDF that trims objects at the build goes on after a resume
            arrays["surfaces"] = np.frombuffer(surfaces, np.uint8)
            meta["surface_frames"] = self.surfaces.frames
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        atomic_write_bytes(Path(path), buffer.getvalue())

    def load_state(self, path: Path) -> None:
        with open(path, "rb") as handle, np.load(handle) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            self.cameras = [Camera.model_validate(c) for c in meta["cameras"]]
            self._views = (None,)
            self.boxes2d = [[(label, tuple(box)) for label, box in frame] for frame in meta.get("boxes2d", [])]
            self.boxes2d += [[] for _ in range(len(self.cameras) - len(self.boxes2d))]
            scores = meta.get("scores2d", [])  # saved before scores were kept: 1 each
            self.scores2d = scores + [[1.0] * len(boxes) for boxes in self.boxes2d[len(scores):]]
            self.nearest = [np.array(data[f"nearest_{i}"]) if f"nearest_{i}" in data else None
                            for i in range(len(self.cameras))]
            self.observations = [
                Observation3D(o["label"], o["frame"], o["time"], o["score"], tuple(o["box2d"]),
                              np.array(data[f"points_{i}"]), np.array(data[f"central_{i}"]),
                              tuple(sighting_from_state(s) for s in o["merged"]), o["masked"],
                              None if o["origin"] is None else np.asarray(o["origin"]))
                for i, o in enumerate(meta["observations"])]
            self.cloud = VoxelCloud(self.settings.voxel)
            if "objects" in meta:
                self.objects = ObjectMap.from_state(data, meta["objects"])
                self.cloud._grid = VoxelSums.from_state(self.settings.voxel, {
                    name: data[f"cloud_{name}"] for name in ("keys", "sums", "counts", "weights")})
                self.surfaces = None
                if "surfaces" in data:
                    self.surfaces = SurfaceFusion(self.settings.object_voxel)
                    self.surfaces.restore(bytes(data["surfaces"]), meta.get("surface_frames", 0))
            else:  # saved before the object map: its observations are fused whole when built
                self.objects = ObjectMap(self.settings.object_voxel)
                cloud = np.array(data["cloud"])
                if len(cloud):
                    self.cloud.add(cloud[:, :3], cloud[:, 3:])

    def instances(self, up: np.ndarray, floor: float | None) -> list[Instance]:
        """The objects so far: the object map's and the fused sparse observations, then the merge
        pass and the clean-ups (surfaces relabelled by an occluded object's box, unseen bottoms)."""
        instances = self.objects.instances(up, floor)
        if self.observations and self.sparse:  # a dense build drops its few low-coverage frames' lifts
            instances += fuse(self.observations, up, floor, self.settings.overlap)
        # Trimmed to the fused surface after the merge: the merge's overlaps were tuned on untrimmed boxes.
        instances = merge_overlapping(instances, up, floor, self.settings.overlap, seen_as_one=self._seen_as_one)
        instances = [self._on_surface(i, up, floor) for i in instances]
        instances = drop_relabelled_surfaces(instances)
        instances = rest_on_support([self._carve(i, up, floor) for i in instances], up, floor)
        instances = [i for i in instances if self._detection_rate(i) >= self.settings.min_detection_rate]
        return self._with_unlifted(instances, up, floor) if self.sparse else instances

    def _with_unlifted(self, instances: list[Instance], up: np.ndarray, floor: float | None) -> list[Instance]:
        """Sparse depth: stray lifts dropped, and the objects it lifted nothing of (or only what stands
        in front of them) added from their detections' boxes across the views (`triangulation`)."""
        instances = [part for i in instances if not self._relifted(i, instances) for part in self._split(i, up, floor)]
        found = [i for i in triangulate(self._unexplained(instances), up, floor)
                 if not any(same_group(i.label, o.label) and overlap_ratio(i.box, o.box, up) > 0.1 for o in instances)]
        found = rest_on_support(instances + found, up, floor)[len(instances):]
        return instances + [i for i in found if self._detection_rate(i) >= self.settings.min_detection_rate]

    def _view(self, frame: int, label: str, score: float, box: tuple[float, float, float, float]) -> BoxView:
        return BoxView(frame, self.cameras[frame].time, label, score, box, PinholeCamera.of(self.cameras[frame]))

    def _relifted(self, instance: Instance, instances: list[Instance], few: int = 4) -> bool:
        """Whether a sparse instance seen in fewer than `few` frames is a stray lift of boxes that a
        better-seen instance of its label group covers in every one of its frames (sparse depth can
        put a box's few points on whatever lies behind the object)."""
        if instance.frames >= few or self._nearest(instance.sightings[0].frame) is None:
            return False
        better = [o for o in instances if o.frames > instance.frames and same_group(o.label, instance.label)]
        views = [self._view(s.frame, instance.label, s.score, s.box2d) for s in instance.sightings]
        return bool(better) and all(any(covers(view, o.box) for o in better) for view in views)

    def _split(self, instance: Instance, up: np.ndarray, floor: float | None, frames: int = 3) -> list[Instance]:
        """A sparse instance holding two boxes of one frame in at least `frames` frames, as the objects
        its boxes place (`triangulation`), each with the instance's points nearest to it; or as it was.
        Sparse depth gives two neighbours' lifts few points, which fuse into one loose box."""
        by_frame = Counter(s.frame for s in instance.sightings)
        if sum(count > 1 for count in by_frame.values()) < frames or self._nearest(instance.sightings[0].frame) is None:
            return [instance]
        views = [self._view(s.frame, instance.label, s.score, s.box2d) for s in instance.sightings]
        parts = triangulate(views, up, floor)
        if len(parts) < 2:
            return [instance]
        points = instance.points.astype(float)
        flat = points - np.outer(points @ up, up)
        centres = np.array([p.box.center_array - (p.box.center_array @ up) * up for p in parts])
        nearest = np.linalg.norm(flat[:, None] - centres[None], axis=2).argmin(axis=1)
        return [make_instance(points[nearest == k], up, floor, part.sightings, part.votes) if (nearest == k).sum() >= 10
                else part for k, part in enumerate(parts)]

    def _unexplained(self, instances: list[Instance]) -> list[BoxView]:
        """The sparse frames' detections that no instance of their label group covers in the image
        (its projected box fills half of the detection's box, or of its own): objects sparse depth
        could not lift (too few points in the box, or only what stands in front of them)."""
        views = []
        for frame, boxes in enumerate(self.boxes2d):
            if self._nearest(frame) is None or not boxes:
                continue
            for (label, box), score in zip(boxes, self.scores2d[frame]):
                view = self._view(frame, label, score, box)
                if not any(covers(view, i.box) for i in instances if same_group(i.label, label)):
                    views.append(view)
        return views

    def build(self, metric: bool = True) -> SceneMemory:
        """The scene memory of every frame so far. `metric`: the frames are in metres (sensor depth), so
        sides never seen whole are completed from typical sizes here; an up-to-scale reconstruction
        completes them once its scale is decided."""
        cloud = self.cloud.array()
        up, floor = self._gravity()
        instances = self.instances(up, floor)
        objects, points = [], {}
        counters: dict[str, int] = {}
        for instance in instances:
            label = instance.label
            number = counters[label] = counters.get(label, -1) + 1
            object_id = f"{label.replace(' ', '_')}_{number}"
            observations = tuple(Observation(frame=s.frame, box=s.box2d, score=s.score) for s in instance.sightings)
            objects.append(SceneObject(id=object_id, label=label, box=instance.box,
                                       confidence=instance.confidence, observations=observations,
                                       first_seen=instance.first_seen))
            points[object_id] = instance.points
        area, outline = (floor_area(cloud[:, :3], up, weights=self.cloud.weights(), ratio=0.3) if len(cloud)
                         else (None, None))
        room = Room(floor_area=area, footprint=tuple(outline) if outline else None)
        record = SceneRecord(name=self.name, source=self.source, up=tuple(map(float, up)), objects=objects,
                             cameras=self.cameras, room=room, scale=SENSOR_SCALE)
        scene = SceneMemory(record=record, object_points=points, point_cloud=cloud if len(cloud) else None)
        if metric:
            scene = complete_unseen_extents(scene)
        if self.recorder is not None:
            self.recorder.built(scene)
        return scene


def _holding(boxes: np.ndarray, u: float, v: float) -> np.ndarray:
    """Bool[N]: which of the Float[N 4] boxes hold the pixel (u, v)."""
    return (boxes[:, 0] <= u) & (u <= boxes[:, 2]) & (boxes[:, 1] <= v) & (v <= boxes[:, 3])


def build_scene(frames: FrameSet, grounder: Grounder, labels: list[str] | None = None,
                settings: BuildSettings | None = None, name: str = "scene", progress: bool = False,
                recorder: BuildRecorder | None = None, metric: bool = True) -> SceneMemory:
    """All frames through a SceneBuilder; `progress` shows a bar on stderr; `recorder` watches;
    `metric`: see SceneBuilder.build."""
    from tqdm import tqdm

    builder = SceneBuilder(grounder, frames.up, labels, settings, name, frames.source, recorder)
    log.info("grounding (%s) and lifting %d frames", grounder.name, len(frames.frames))
    for frame in tqdm(frames.frames, desc="building scene memory", unit="frame", disable=not progress):
        builder.add(frame)
    return builder.build(metric)
