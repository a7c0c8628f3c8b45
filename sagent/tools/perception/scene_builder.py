"""Posed frames to scene memory: ground, lift, associate; cloud, floor and room on top.

`SceneBuilder` takes frames one at a time (a robot streaming them): each frame's detections are
grounded and lifted, its depth goes into the fused cloud, and its lifts go to the mapper for its
kind of depth: `dense_mapper` (a sensor, a depth model: associated as they come, so the same frames
in any order build the same memory) or `sparse_mapper` (structure from motion: fused when built,
objects it lifted nothing of placed from their boxes). The build's mapper is the one most frames
with depth went to, chosen once when the memory is built: one frame of a depth sensor with little
depth (glass, out of range) does not make a build sparse. Each part saves a versioned state.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import StrictInt

from sagent.memory.scene import Camera, MetricScale, Observation, Room, SceneMemory, SceneObject, SceneRecord
from sagent.memory.storage import atomic_write_bytes
from sagent.settings import Settings, knob
from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.io.frames import Detection2D, Frame, FramesError, FrameSet
from sagent.tools.io.progress import bar
from sagent.tools.perception.dense_mapper import DenseMapper
from sagent.tools.perception.extent import complete_unseen_extents
from sagent.tools.perception.floor import estimate_up, floor_area, floor_height, up_from_level_cameras
from sagent.tools.perception.fusion import Instance, drop_relabelled_surfaces, make_instance, merge_overlapping, rest_on_support
from sagent.tools.perception.grounding import Grounder
from sagent.tools.perception.labels import same_group
from sagent.tools.perception.lifting import Observation3D, depth_precision, lift
from sagent.tools.perception.pointcloud import VoxelCloud
from sagent.tools.perception.sparse_mapper import CELL, SparseMapper, sparse_depth
from sagent.tools.perception.triangulation import BoxView

# Depth cameras' scale error is around a percent; a reconstruction replaces this with its own scale.
SENSOR_SCALE = MetricScale(source="sensor depth", relative_uncertainty=0.01)


STATE_VERSION = 2  # of save_state: cameras, boxes and cloud here, each mapper's own state beside them


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
        self.dense = DenseMapper(self.settings.object_voxel, self.settings.fuse_surfaces, self.up)
        self.sparse_frames = SparseMapper()
        self.cameras: list[Camera] = []
        self.cloud = VoxelCloud(self.settings.voxel)
        self.boxes2d: list[list[tuple[str, tuple[float, float, float, float]]]] = []  # per frame: (label, box)
        self.scores2d: list[list[float]] = []  # per frame: the score of each of its boxes2d
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
        if depth is None:
            self.boxes2d.append([])
            self.scores2d.append([])
        else:
            sparse = sparse_depth(depth)
            # Sparse depth (structure from motion) has a few dozen points where a sensor has thousands.
            min_points = 8 if sparse else 30
            detections = self.grounder.detect(frame, self.labels)
            self.boxes2d.append([(d.label, tuple(map(float, d.box))) for d in detections])
            self.scores2d.append([float(d.score) for d in detections])
            seen = self._add_to_cloud(frame, depth)
            for detection in detections:
                observation = lift(frame, index, detection, self.settings.max_points_per_detection, min_points,
                                   spacing=self.settings.object_voxel)
                if observation is not None:
                    lifted.append(observation)
                if self.recorder is not None:
                    points.append(None if observation is None else observation.points)
            if sparse:
                self.sparse_frames.add(index, depth, lifted)
            else:
                self.dense.add(depth, frame.K, frame.cam_to_world, seen, lifted)
        if self.recorder is not None:
            self.recorder.frame(index, frame, detections, points)
        frame.release()
        return lifted

    @property
    def sparse(self) -> bool:
        """Whether most frames with depth had sparse depth (structure from motion): the build's mapper.
        One low-coverage frame of a depth sensor (glass, out of range) does not make a build sparse: in a
        dense build such a frame's lifts are dropped and it counts as a dense view."""
        depth_frames = sum(camera.width is not None for camera in self.cameras)
        return 2 * len(self.sparse_frames.nearest) > depth_frames

    def _occluders(self, frame: int) -> np.ndarray | None:
        """The frame's nearest-depth cells where it is a sparse frame of a sparse build, else None."""
        return self.sparse_frames.occluders(frame) if self.sparse else None

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

    def detection_rate(self, instance) -> float:
        """Of the frames with the instance's centre in view, the share it was detected in.

        A wall patch lifted from a loose box wears a label in a frame or two while being in view
        in many: a real object is detected in a good share of the views that contain it. With
        dense depth, detected means lifted. Sparse depth often cannot lift a small object, so
        there a box of its label holding the centre counts, and views where something nearer
        hides the centre do not count (on dense depth these two let spurious instances through:
        BENCHMARKS.md, "Tuning history").
        """
        in_view = detected = 0
        margin = 0.6 * float(instance.box.extents_array.max()) + 0.1
        uv, depth, inside = self._centre_in_views(instance.box.center_array)
        for frame in np.nonzero(inside)[0]:
            nearest = self._occluders(frame)
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
        """Cameras, boxes, cloud and both mappers so far, so that `load_state` can go on streaming."""
        dense_arrays, dense_meta = self.dense.state()
        sparse_arrays, sparse_meta = self.sparse_frames.state()
        arrays = {**{f"cloud_{name}": value for name, value in self.cloud.state().items()},
                  **{f"dense_{name}": value for name, value in dense_arrays.items()},
                  **{f"sparse_{name}": value for name, value in sparse_arrays.items()}}
        meta = {"version": STATE_VERSION, "cameras": [c.model_dump(mode="json") for c in self.cameras],
                "boxes2d": self.boxes2d, "scores2d": self.scores2d, "dense": dense_meta, "sparse": sparse_meta}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        atomic_write_bytes(Path(path), buffer.getvalue())

    def load_state(self, path: Path) -> None:
        """Goes on from a state `save_state` wrote (FramesError for another version's: rebuild from the frames)."""
        with open(path, "rb") as handle, np.load(handle) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("version") != STATE_VERSION:
                raise FramesError(f"{path}: saved by another version of sagent (state version {meta.get('version', 1)}, "
                                  f"this one reads {STATE_VERSION}); build it again from the frames")
            self.cameras = [Camera.model_validate(c) for c in meta["cameras"]]
            self._views = (None,)
            self.boxes2d = [[(label, tuple(box)) for label, box in frame] for frame in meta["boxes2d"]]
            self.scores2d = meta["scores2d"]
            self.cloud = VoxelCloud.from_state(self.settings.voxel, _prefixed(data, "cloud_"))
            self.dense.restore(_prefixed(data, "dense_"), meta["dense"])
            self.sparse_frames.restore(_prefixed(data, "sparse_"), meta["sparse"])

    def instances(self, up: np.ndarray, floor: float | None) -> list[Instance]:
        """The objects so far: the dense mapper's and, in a sparse build, the fused sparse lifts; then the
        merge pass and the clean-ups (surfaces relabelled by an occluded object's box, unseen bottoms)."""
        sparse = self.sparse  # the build's mapper, chosen once
        instances = self.dense.candidates(up, floor)
        if sparse:  # a dense build drops its few low-coverage frames' lifts
            instances += self.sparse_frames.candidates(up, floor, self.settings.overlap, self.settings.object_voxel)
        # Trimmed to the fused surface after the merge: the merge's overlaps were tuned on untrimmed boxes.
        instances = merge_overlapping(instances, up, floor, self.settings.overlap, self.settings.object_voxel,
                                      seen_as_one=self._seen_as_one)
        instances = [self.dense.on_surface(i, up, floor) for i in instances]
        instances = drop_relabelled_surfaces(instances)
        instances = rest_on_support([self._carve(i, up, floor) for i in instances], up, floor)
        instances = [i for i in instances if self.detection_rate(i) >= self.settings.min_detection_rate]
        if not sparse:
            return instances
        return self.sparse_frames.with_unlifted(instances, self, up, floor, self.settings.min_detection_rate)

    def view(self, frame: int, label: str, score: float, box: tuple[float, float, float, float]) -> BoxView:
        return BoxView(frame, self.cameras[frame].time, label, score, box, PinholeCamera.of(self.cameras[frame]))

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


def _prefixed(data, prefix: str) -> dict[str, np.ndarray]:
    """The arrays of a saved state under `prefix`, without it."""
    return {name[len(prefix):]: np.array(data[name]) for name in data.files if name.startswith(prefix)}


def _holding(boxes: np.ndarray, u: float, v: float) -> np.ndarray:
    """Bool[N]: which of the Float[N 4] boxes hold the pixel (u, v)."""
    return (boxes[:, 0] <= u) & (u <= boxes[:, 2]) & (boxes[:, 1] <= v) & (v <= boxes[:, 3])


def build_scene(frames: FrameSet, grounder: Grounder, labels: list[str] | None = None,
                settings: BuildSettings | None = None, name: str = "scene",
                recorder: BuildRecorder | None = None, metric: bool = True) -> SceneMemory:
    """All frames through a SceneBuilder (a bar on stderr where bars are shown: `io.progress`);
    `recorder` watches; `metric`: see SceneBuilder.build."""
    builder = SceneBuilder(grounder, frames.up, labels, settings, name, frames.source, recorder)
    log.info("grounding (%s) and lifting %d frames", grounder.name, len(frames.frames))
    for frame in bar(frames.frames, desc="building scene memory", unit="frame"):
        builder.add(frame)
    return builder.build(metric)
