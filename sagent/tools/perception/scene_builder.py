"""Posed frames to scene memory: ground, lift, fuse; cloud, floor and room on top.

`SceneBuilder` takes frames one at a time (a robot streaming them), keeping only per-detection
point samples and a voxel cloud, so memory stays bounded as frames grow.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from sagent.memory.scene import Camera, MetricScale, Observation, Room, SceneMemory, SceneObject, SceneRecord
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.io.frames import Detection2D, Frame, FrameSet
from sagent.tools.perception.boxfit import fit_gravity_box
from sagent.tools.perception.floor import estimate_up, floor_area, floor_height, up_from_level_cameras
from sagent.tools.perception.fusion import Instance, fuse, rest_on_support
from sagent.tools.perception.grounding import Grounder
from sagent.tools.perception.lifting import Observation3D, Sighting, lift
from sagent.tools.perception.pointcloud import VoxelCloud

# Depth cameras' scale error is around a percent; a reconstruction replaces this with its own scale.
SENSOR_SCALE = MetricScale(source="sensor depth", relative_uncertainty=0.01)


CELL = 16  # pixels per cell of the per-frame nearest-depth grid used for occlusion


def nearest_depth_cells(depth: np.ndarray) -> np.ndarray:
    """Float16[ceil(H/16) ceil(W/16)]: the nearest valid depth in each 16x16 cell (inf where none)."""
    h, w = depth.shape
    padded = np.full(((h + CELL - 1) // CELL * CELL, (w + CELL - 1) // CELL * CELL), np.inf, np.float32)
    padded[:h, :w] = np.where(depth > 0, depth, np.inf)
    cells = padded.reshape(padded.shape[0] // CELL, CELL, padded.shape[1] // CELL, CELL).min(axis=(1, 3))
    return cells.astype(np.float16)


class BuildRecorder(Protocol):
    """Watches a build as it goes (sagent.tools.render.recording.Recording is one, for rerun's viewer)."""

    def frame(self, index: int, frame: Frame, detections: list[Detection2D],
              lifted: list[np.ndarray | None]) -> None:
        """Frame `index` before its pixels are released: its detections and, aligned with them, the
        Float[N 3] world points each lifted to (None where too few pixels had depth)."""

    def built(self, scene: SceneMemory) -> None:
        """The scene memory the build produced."""


@dataclass
class BuildSettings:
    voxel: float = 0.05  # fused cloud resolution, metres
    cloud_stride: int = 4  # every n-th pixel of each frame goes into the cloud
    max_points_per_detection: int = 1500
    overlap: float = 0.3  # observations overlapping this much (of the smaller box) are one object
    compact_every: int = 25  # frames between folding observations into instances (bounds memory)
    min_detection_rate: float = 0.2  # of the frames an instance was in view, the share it was detected in

    def to_dict(self) -> dict:
        return dict(self.__dict__)


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
        self.observations: list[Observation3D] = []
        self.cameras: list[Camera] = []
        self.cloud = VoxelCloud(self.settings.voxel)
        self.boxes2d: list[list[tuple[str, tuple[float, float, float, float]]]] = []  # per frame: (label, box)
        self.nearest: list[np.ndarray | None] = []  # per sparse frame: Float16[h/16 w/16] nearest depth per cell
        self.sparse = False  # some frame had sparse depth (structure from motion)
        self._rng = np.random.default_rng(0)

    def add(self, frame: Frame) -> list[Observation3D]:
        """Ground and lift one frame; its pixels are released afterwards."""
        index = len(self.cameras)
        depth = frame.depth
        height, width = (depth.shape if depth is not None else (None, None))
        self.cameras.append(Camera(K=tuple(map(tuple, frame.K)), cam_to_world=tuple(map(tuple, frame.cam_to_world)),
                                   time=frame.time, width=width, height=height,
                                   image=str(frame.image_path) if frame.image_path else None))
        lifted, detections, points = [], [], []
        sparse = depth is not None and bool((depth > 0).mean() < 0.2)
        self.sparse = self.sparse or sparse
        self.nearest.append(nearest_depth_cells(depth) if sparse else None)
        if depth is None:
            self.boxes2d.append([])
        else:
            # Sparse depth (structure from motion) has a few dozen points where a sensor has thousands.
            min_points = 8 if sparse else 30
            detections = self.grounder.detect(frame, self.labels)
            self.boxes2d.append([(d.label, tuple(map(float, d.box))) for d in detections])
            for detection in detections:
                observation = lift(frame, index, detection, self.settings.max_points_per_detection, min_points,
                                   rng=self._rng)
                if observation is not None:
                    lifted.append(observation)
                if self.recorder is not None:
                    points.append(None if observation is None else observation.points)
            self._add_to_cloud(frame, depth)
        self.observations.extend(lifted)
        if self.recorder is not None:
            self.recorder.frame(index, frame, detections, points)
        frame.release()
        if self.settings.compact_every and len(self.cameras) % self.settings.compact_every == 0:
            self.compact()
        return lifted

    def _gravity(self) -> tuple[np.ndarray, float | None]:
        """(up, floor height): given or found from the cloud so far."""
        cloud = self.cloud.array()
        if self.up is not None:
            return self.up, (floor_height(cloud[:, :3], self.up) if len(cloud) else None)
        if len(cloud) < 100:
            raise ValueError("cannot find the floor: too few depth points and no `up` given")
        rotations = np.array([np.asarray(c.cam_to_world)[:3, :3] for c in self.cameras])
        level_up = up_from_level_cameras(rotations[:, :, 0], rotations[:, :, 1])
        return estimate_up(cloud[:, :3], rotations[:, :, 1].mean(axis=0), level_up=level_up)

    def compact(self) -> None:
        """Fold the observations so far into one per instance: memory then grows with the objects
        in the scene, not with the frames seen."""
        if not self.observations:
            return
        up, floor = self._gravity()
        self.observations = [inst.as_observation() for inst in fuse(self.observations, up, floor, self.settings.overlap)]

    def _add_to_cloud(self, frame: Frame, depth: np.ndarray) -> None:
        s = self.settings.cloud_stride
        rows, cols = np.nonzero(depth[::s, ::s] > 0)
        rows, cols = rows * s, cols * s
        if len(rows) < 0.05 * depth.size / s**2:  # sparse depth (structure from motion): every point counts
            rows, cols = np.nonzero(depth > 0)
        points = PinholeCamera(frame.K, frame.cam_to_world).backproject(depth, rows, cols)
        image = frame.image
        colours = image[rows, cols] / 255.0 if image is not None and image.shape[:2] == depth.shape else None
        self.cloud.add(points, colours)

    def _boxes_of(self, frame: int, label: str, pad: float = 0.0) -> np.ndarray:
        """Float[N 4] the frame's 2D boxes of `label`, each side moved out by `pad` of the box's size."""
        boxes = np.array([box for found, box in self.boxes2d[frame] if found == label], float).reshape(-1, 4)
        size = np.concatenate([boxes[:, 2:] - boxes[:, :2]] * 2, axis=1)
        return boxes + pad * size * [-1, -1, 1, 1]

    @staticmethod
    def _in_view(camera: Camera, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pixels Float[N 2], depths Float[N], Bool[N] in front of the camera and inside its image)."""
        return PinholeCamera.of(camera).in_view(points, near=0.1)

    def _detection_rate(self, instance) -> float:
        """Of the frames with the instance's centre in view, the share it was detected in.

        A wall patch lifted from a loose box wears a label in a frame or two while being in view
        in many: a real object is detected in a good share of the views that contain it. With
        dense depth, detected means lifted. Sparse depth often cannot lift a small object, so
        there a box of its label holding the centre counts, and views where something nearer
        hides the centre do not count (on dense depth these two let spurious instances through:
        benchmarks/bench_perception.py's rooms with exact counts fell from 5/5 to 4/5).
        """
        centre = instance.box.center_array[None]
        in_view = detected = 0
        margin = 0.6 * float(instance.box.extents_array.max()) + 0.1
        for frame, (camera, nearest) in enumerate(zip(self.cameras, self.nearest)):
            if camera.width is None:
                continue
            uv, depth, inside = self._in_view(camera, centre)
            (u, v), ahead = uv[0], depth[0]
            if not inside[0]:
                continue
            if nearest is not None:  # a sparse frame
                if nearest[int(v) // CELL, int(u) // CELL] < ahead - margin:
                    continue  # something stands in front of it here: not a view it could be detected in
                detected += bool(_holding(self._boxes_of(frame, instance.label), u, v).any())
            in_view += 1
        return max(detected, instance.frames) / max(in_view, instance.frames, 1)

    def _carve(self, instance: Instance, up: np.ndarray, floor: float | None) -> Instance:
        """The instance's points that fall inside a box of its label in most frames that detected it.

        Sparse depth lifts too few of an object's own pixels for the depth cluster to tell it from
        what is behind; the views agree only on the object (space carving with the detections).
        """
        points = instance.points.astype(float)
        seen, inside = np.zeros(len(points)), np.zeros(len(points))
        centre = instance.box.center_array[None]
        for frame, camera in enumerate(self.cameras):
            mine = self._boxes_of(frame, instance.label, pad=0.05)
            if camera.width is None or not len(mine):
                continue
            uv, depth, _ = self._in_view(camera, centre)
            (u, v), ahead = uv[0], depth[0]
            holds = _holding(mine, u, v)
            if ahead <= 0.1 or not holds.any():
                continue  # not detected in this frame: no say about its points
            x1, y1, x2, y2 = mine[holds][0]
            uv, _, visible = self._in_view(camera, points)
            seen += visible
            inside += visible & (uv[:, 0] >= x1) & (uv[:, 0] <= x2) & (uv[:, 1] >= y1) & (uv[:, 1] <= y2)
        keep = (seen < 2) | (inside >= 0.6 * seen)
        if keep.all() or keep.sum() < 10:
            return instance
        kept = points[keep]
        return Instance(instance.label, fit_gravity_box(kept, up, floor), kept.astype(np.float32), instance.observations)

    def save_state(self, path: Path) -> None:
        """The observations, cameras and cloud so far, so that `load_state` can go on streaming."""
        observations = self.observations
        arrays = {f"points_{i}": o.points for i, o in enumerate(observations)}
        arrays.update({f"central_{i}": o.central for i, o in enumerate(observations)})
        arrays["cloud"] = self.cloud.array()
        arrays.update({f"nearest_{i}": n for i, n in enumerate(self.nearest) if n is not None})
        meta = {"cameras": [c.model_dump(mode="json") for c in self.cameras], "boxes2d": self.boxes2d,
                "sparse": self.sparse,
                "observations": [{"label": o.label, "frame": o.frame, "time": o.time, "score": o.score,
                                  "box2d": list(o.box2d), "merged": [list(s.__dict__.values()) for s in o.merged],
                                  "masked": o.masked, "origin": None if o.origin is None else o.origin.tolist()}
                                 for o in observations]}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        atomic_write_bytes(Path(path), buffer.getvalue())

    def load_state(self, path: Path) -> None:
        with open(path, "rb") as handle, np.load(handle) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            self.cameras = [Camera.model_validate(c) for c in meta["cameras"]]
            self.boxes2d = [[(label, tuple(box)) for label, box in frame] for frame in meta.get("boxes2d", [])]
            self.boxes2d += [[] for _ in range(len(self.cameras) - len(self.boxes2d))]
            self.sparse = meta.get("sparse", False)
            self.nearest = [np.array(data[f"nearest_{i}"]) if f"nearest_{i}" in data else None
                            for i in range(len(self.cameras))]
            self.observations = [
                Observation3D(o["label"], o["frame"], o["time"], o["score"], tuple(o["box2d"]),
                              np.array(data[f"points_{i}"]), np.array(data[f"central_{i}"]),
                              tuple(Sighting(f, t, sc, tuple(b)) for f, t, sc, b in o["merged"]), o["masked"],
                              None if o["origin"] is None else np.asarray(o["origin"]))
                for i, o in enumerate(meta["observations"])]
            cloud = np.array(data["cloud"])
        self.cloud = VoxelCloud(self.settings.voxel)
        if len(cloud):
            self.cloud.add(cloud[:, :3], cloud[:, 3:])

    def build(self) -> SceneMemory:
        cloud = self.cloud.array()
        up, floor = self._gravity()
        instances = fuse(self.observations, up, floor, self.settings.overlap) if self.observations else []
        if self.sparse:
            instances = rest_on_support([self._carve(i, up, floor) for i in instances], up, floor)
        instances = [i for i in instances if self._detection_rate(i) >= self.settings.min_detection_rate]
        objects, points = [], {}
        counters: dict[str, int] = {}
        for instance in instances:
            number = counters[instance.label] = counters.get(instance.label, -1) + 1
            object_id = f"{instance.label.replace(' ', '_')}_{number}"
            observations = tuple(Observation(frame=s.frame, box=s.box2d, score=s.score) for s in instance.sightings)
            objects.append(SceneObject(id=object_id, label=instance.label, box=instance.box,
                                       confidence=instance.confidence, observations=observations,
                                       first_seen=instance.first_seen))
            points[object_id] = instance.points
        area, outline = floor_area(cloud[:, :3], up) if len(cloud) else (None, None)
        room = Room(floor_area=area, footprint=tuple(outline) if outline else None)
        record = SceneRecord(name=self.name, source=self.source, up=tuple(map(float, up)), objects=objects,
                             cameras=self.cameras, room=room, scale=SENSOR_SCALE)
        scene = SceneMemory(record=record, object_points=points, point_cloud=cloud if len(cloud) else None)
        if self.recorder is not None:
            self.recorder.built(scene)
        return scene


def _holding(boxes: np.ndarray, u: float, v: float) -> np.ndarray:
    """Bool[N]: which of the Float[N 4] boxes hold the pixel (u, v)."""
    return (boxes[:, 0] <= u) & (u <= boxes[:, 2]) & (boxes[:, 1] <= v) & (v <= boxes[:, 3])


def build_scene(frames: FrameSet, grounder: Grounder, labels: list[str] | None = None,
                settings: BuildSettings | None = None, name: str = "scene", progress: bool = False,
                recorder: BuildRecorder | None = None) -> SceneMemory:
    """All frames through a SceneBuilder; `progress` shows a bar on stderr; `recorder` watches."""
    from tqdm import tqdm

    builder = SceneBuilder(grounder, frames.up, labels, settings, name, frames.source, recorder)
    for frame in tqdm(frames.frames, desc="building scene memory", unit="frame", disable=not progress):
        builder.add(frame)
    return builder.build()
