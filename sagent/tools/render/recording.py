"""A rerun recording of what sagent sees: every build and every answer, to scrub through in rerun's
viewer (`pip install 'sagent[viewer]'`, then `rerun FILE.rrd`).

Entities (world frame in metres, `up` as the scene has it; OpenCV cameras):

- on the `frame` timeline (and `time`, seconds into the input), one step per input view:
  `world/camera` (pose and pinhole), `world/camera/image`, `world/camera/depth`,
  `world/camera/detections` (2D boxes, label and score), `world/lifted` (the points each detection
  lifted to, coloured by label), `world/trajectory` (camera centres so far);
- once the scene is built (at frame = the number of views): `world/objects/LABEL` (oriented boxes,
  "id confidence" labels) with `world/objects/LABEL/points`, `world/cloud` (the fused cloud),
  `world/floor`, `world/cameras` (every view's centre, "view i") and `world/cameras/facing`;
- per question (the `question` timeline, trace steps on `step`): `answers/N/question` (question and
  answer), `answers/N/program`, `answers/N/trace` (one line per op call), and `world/evidence`
  (the objects the answer used, highlighted) with `world/evidence/observer`.

rerun is imported only when a recording is opened; without it that is one InputError saying what
to install. Nothing here starts a viewer unless asked (`Recording.open(spawn=True)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from sagent.errors import InputError
from sagent.memory.box import OrientedBox
from sagent.memory.scene import Camera, SceneMemory
from sagent.tools.geometry import floor_basis
from sagent.tools.geometry.floor_plane import floor_xy
from sagent.tools.geometry.footprints import convex_hull
from sagent.tools.io.frames import Frame
from sagent.tools.render.bev import EVIDENCE, OBSERVER, PALETTE

INSTALL = "pip install 'sagent[viewer]'"
MAX_CLOUD_POINTS = 300_000  # the fused cloud is subsampled to this many points in a recording


def rerun_module():
    """The rerun SDK, or one InputError naming the extra to install."""
    try:
        import rerun
    except ImportError:
        raise InputError(f"recording for the viewer needs the rerun SDK: {INSTALL}") from None
    return rerun


def _entity(label: str) -> str:
    """A label as one entity path part: spaces and slashes become underscores."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)


def _world_axes(rr, up: np.ndarray):
    """rerun's world view coordinates for the axis nearest `up` (right-handed)."""
    axis = int(np.argmax(np.abs(up)))
    sign = "UP" if up[axis] > 0 else "DOWN"
    return getattr(rr.ViewCoordinates, f"RIGHT_HAND_{'XYZ'[axis]}_{sign}")


def box_quaternion(box: OrientedBox) -> np.ndarray:
    """Float[4] x, y, z, w: the rotation taking the box's local axes to its world axes (a left-handed
    axis set has its third axis flipped: the box is the same)."""
    rotation = box.axes_array.T.copy()
    if np.linalg.det(rotation) < 0:
        rotation[:, 2] *= -1
    return Rotation.from_matrix(rotation).as_quat()


def floor_polygon(scene: SceneMemory) -> np.ndarray:
    """Float[K 3] the floor's outline in the world: the room's footprint at the floor height, or,
    without one, the rectangle around the objects and cameras."""
    up = scene.up
    x, y = floor_basis(up)
    cloud = scene.point_cloud
    if cloud is not None and len(cloud):
        height = float(np.percentile(cloud[:, :3] @ up, 2))
    elif scene.objects:
        height = float(min((o.box.corners() @ up).min() for o in scene.objects))
    else:
        height = float(min((c.position @ up for c in scene.cameras), default=0.0))
    if scene.room.footprint and len(scene.room.footprint) >= 3:
        outline = convex_hull(np.asarray(scene.room.footprint, float))
    else:
        points = [floor_xy(o.box.corners(), up) for o in scene.objects]
        points += [floor_xy(c.position, up)[None] for c in scene.cameras]
        if not points:
            return np.zeros((0, 3))
        flat = np.concatenate(points)
        (x0, y0), (x1, y1) = flat.min(axis=0) - 0.3, flat.max(axis=0) + 0.3
        outline = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    return outline[:, :1] * x + outline[:, 1:] * y + height * up


class Recording:
    """One rerun recording stream and what sagent keeps beside it (label colours, the trajectory, the
    question counter). Also the scene builder's recorder: `frame(...)` and `built(scene)`."""

    def __init__(self, stream: Any, images: bool = True, depth: bool = True, jpeg_quality: int | None = 85):
        self.rr = rerun_module()
        self.stream = stream
        self.images, self.depth, self.jpeg_quality = images, depth, jpeg_quality
        self.class_ids: dict[str, int] = {}
        self.trajectory: list[np.ndarray] = []
        self.questions = 0
        self._up: np.ndarray | None = None

    @classmethod
    def open(cls, path: str | Path | None = None, spawn: bool = False, name: str = "sagent",
             **options) -> "Recording":
        """A new recording, saved to `path` (an .rrd file), shown in a viewer started now (`spawn`), or
        kept in memory (neither: read it with `rrd_bytes()`). `options`: images, depth, jpeg_quality."""
        rr = rerun_module()
        stream = rr.RecordingStream("sagent")
        stream.send_recording_name(name)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if spawn:
            stream.spawn(connect=path is None)  # starts the viewer process
            if path is not None:
                stream.set_sinks(rr.GrpcSink(), rr.FileSink(str(path)))
        elif path is not None:
            stream.save(str(path))
        recording = cls(stream, **options)
        if path is None and not spawn:
            recording._memory = stream.memory_recording()
        return recording

    @property
    def frames_logged(self) -> bool:
        """Whether any view has been logged (by a builder watching frames arrive, or by record_scene)."""
        return bool(self.trajectory)

    def rrd_bytes(self) -> bytes:
        """The recording so far as .rrd bytes (an in-memory recording only)."""
        memory = getattr(self, "_memory", None)
        if memory is None:
            raise InputError("this recording is not kept in memory: it was opened with a path or a viewer")
        self.stream.flush()
        return memory.drain_as_bytes()

    def close(self) -> None:
        """Flush everything to the file or viewer and stop writing."""
        self.stream.flush()
        self.stream.disconnect()

    def __enter__(self) -> "Recording":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------------

    def at(self, frame: int | None = None, seconds: float | None = None, **sequences: int) -> None:
        """Set the times what is logged next carries; every other timeline is cleared."""
        self.stream.reset_time()
        if frame is not None:
            self.stream.set_time("frame", sequence=int(frame))
        if seconds is not None:
            self.stream.set_time("time", duration=float(seconds))
        for timeline, value in sequences.items():
            self.stream.set_time(timeline, sequence=int(value))

    def log(self, path: str, *archetypes, static: bool = False) -> None:
        for archetype in archetypes:
            self.stream.log(path, archetype, static=static)

    def world(self, up: np.ndarray) -> None:
        """The world's axes, once."""
        if self._up is None:
            self._up = np.asarray(up, float)
            self.log("world", _world_axes(self.rr, self._up), static=True)

    def ids(self, labels: Iterable[str]) -> list[int]:
        """Class ids of `labels`; a label seen for the first time gets the next palette colour, and the
        annotation context (label names and colours for every entity) is sent again."""
        labels = list(labels)
        new = [label for label in dict.fromkeys(labels) if label not in self.class_ids]
        for label in new:
            self.class_ids[label] = len(self.class_ids)
        if new:
            context = [(i, label, PALETTE[i % len(PALETTE)]) for label, i in self.class_ids.items()]
            self.log("/", self.rr.AnnotationContext(context), static=True)
        return [self.class_ids[label] for label in labels]

    def camera(self, K, cam_to_world, width: int | None, height: int | None) -> None:
        """The current view's pose and pinhole at `world/camera`."""
        pose = np.asarray(cam_to_world, float)
        self.log("world/camera", self.rr.Transform3D(translation=pose[:3, 3], mat3x3=pose[:3, :3]))
        if width and height:
            self.log("world/camera", self.rr.Pinhole(image_from_camera=np.asarray(K, float), resolution=[width, height],
                                                     camera_xyz=self.rr.ViewCoordinates.RDF, image_plane_distance=0.3))
        self.trajectory.append(pose[:3, 3])
        self.log("world/trajectory", self.rr.LineStrips3D([np.array(self.trajectory)], colors=[(40, 40, 40)]))

    def image(self, rgb: np.ndarray | None = None, path: str | None = None) -> None:
        if not self.images:
            return
        if rgb is not None:
            image = self.rr.Image(np.ascontiguousarray(rgb, np.uint8))
            self.log("world/camera/image", image.compress(self.jpeg_quality) if self.jpeg_quality else image)
        elif path is not None and Path(path).is_file():
            self.log("world/camera/image", self.rr.EncodedImage(path=path))

    def depth_image(self, depth: np.ndarray | None) -> None:
        if self.depth and depth is not None:
            millimetres = np.clip(np.nan_to_num(depth) * 1000, 0, 65535).astype(np.uint16)
            self.log("world/camera/depth", self.rr.DepthImage(millimetres, meter=1000.0))

    def detections(self, labels: Sequence[str], boxes: Sequence[Sequence[float]], texts: Sequence[str]) -> None:
        boxes = np.asarray(boxes, float).reshape(-1, 4)
        self.log("world/camera/detections", self.rr.Boxes2D(array=boxes, array_format=self.rr.Box2DFormat.XYXY,
                                                            labels=list(texts), class_ids=self.ids(labels)))

    # -- the scene builder's recorder --------------------------------------------------------------

    def frame(self, index: int, frame: Frame, detections: Sequence = (),
              lifted: Sequence[np.ndarray | None] | None = None) -> None:
        """One input view as it arrives: pose, pixels, 2D detections and (aligned with them) each
        detection's lifted world points (None where it lifted none). Call before its pixels are released."""
        record_frame(self, index, frame, detections, lifted)

    def built(self, scene: SceneMemory) -> None:
        """The finished scene memory: boxes, points, cloud, floor and cameras."""
        record_built(self, scene)


def record_frame(recording: Recording, index: int, frame: Frame, detections: Sequence = (),
                 lifted: Sequence[np.ndarray | None] | None = None) -> None:
    """Log one posed frame at `frame` = `index`. `detections` have .label, .box (x1, y1, x2, y2 pixels)
    and .score (sagent's Detection2D or the manifest's entries)."""
    depth = frame.depth
    image = frame.image if recording.images else None
    shape = depth.shape if depth is not None else (image.shape[:2] if image is not None else (None, None))
    recording.at(frame=index, seconds=frame.time)
    recording.camera(frame.K, frame.cam_to_world, shape[1], shape[0])
    recording.image(image)
    recording.depth_image(depth)
    labels = [d.label for d in detections]
    recording.detections(labels, [d.box for d in detections], [f"{d.label} {d.score:.2f}" for d in detections])
    if lifted is not None:
        kept = [(label, points) for label, points in zip(labels, lifted) if points is not None and len(points)]
        points = np.concatenate([p for _, p in kept]).astype(np.float32) if kept else np.zeros((0, 3), np.float32)
        ids = np.concatenate([np.full(len(p), i) for i, (_, p) in zip(recording.ids(k[0] for k in kept), kept)]) \
            if kept else np.zeros(0, int)
        recording.log("world/lifted", recording.rr.Points3D(points, class_ids=ids, radii=0.01))


def _camera_size(camera: Camera) -> tuple[int | None, int | None]:
    if camera.width and camera.height:
        return camera.width, camera.height
    K = np.asarray(camera.K, float)  # no size recorded: the principal point is near the middle
    return int(round(2 * K[0, 2] + 1)), int(round(2 * K[1, 2] + 1))


def record_scene(recording: Recording, scene: SceneMemory, frames: Sequence[Frame] | None = None) -> None:
    """Log a scene memory: each camera on the `frame` timeline (with `frames`' pixels and detections
    when given, else the camera's image file and the 2D sightings of the scene's objects), then the
    built scene (`record_built`)."""
    recording.world(scene.up)
    sightings: dict[int, list[tuple[str, tuple, str]]] = {}
    for obj in scene.objects:
        for seen in obj.observations:
            text = obj.id if seen.score is None else f"{obj.id} {seen.score:.2f}"
            sightings.setdefault(seen.frame, []).append((obj.label, seen.box, text))
    for index, camera in enumerate(scene.cameras):
        frame = frames[index] if frames is not None and index < len(frames) else None
        if frame is not None:
            entries = frame.given or frame.detections or []
            record_frame(recording, index, frame, entries)
            frame.release()
            continue
        recording.at(frame=index, seconds=camera.time)
        recording.camera(camera.K, camera.cam_to_world, *_camera_size(camera))
        recording.image(path=camera.image)
        seen = sightings.get(index, [])
        recording.detections([s[0] for s in seen], [s[1] for s in seen], [s[2] for s in seen])
    record_built(recording, scene)


def record_built(recording: Recording, scene: SceneMemory) -> None:
    """Log the scene memory's boxes (per label), object points, fused cloud, floor and cameras at
    `frame` = the number of views."""
    rr = recording.rr
    recording.world(scene.up)
    recording.at(frame=len(scene.cameras))
    for label in scene.labels():
        objects = scene.instances(label)
        class_id = recording.ids([label])[0]
        recording.log(f"world/objects/{_entity(label)}", rr.Boxes3D(
            centers=[o.box.center_array for o in objects], half_sizes=[o.box.extents_array / 2 for o in objects],
            quaternions=[rr.Quaternion(xyzw=box_quaternion(o.box)) for o in objects],
            labels=[f"{o.id} {o.confidence:.2f}" for o in objects], class_ids=[class_id] * len(objects)))
        points = [scene.object_points[o.id] for o in objects if len(scene.object_points.get(o.id, ()))]
        if points:
            recording.log(f"world/objects/{_entity(label)}/points",
                          rr.Points3D(np.concatenate(points)[:, :3], class_ids=class_id, radii=0.008))
    cloud = scene.point_cloud
    if cloud is not None and len(cloud):
        if len(cloud) > MAX_CLOUD_POINTS:
            cloud = cloud[np.random.default_rng(0).choice(len(cloud), MAX_CLOUD_POINTS, replace=False)]
        colours = np.clip(cloud[:, 3:6] * 255, 0, 255).astype(np.uint8) if cloud.shape[1] >= 6 else None
        recording.log("world/cloud", rr.Points3D(cloud[:, :3], colors=colours, radii=0.01))
    outline = floor_polygon(scene)
    if len(outline) >= 3:
        fan = [[0, i, i + 1] for i in range(1, len(outline) - 1)]  # the outline is convex
        recording.log("world/floor", rr.Mesh3D(vertex_positions=outline, triangle_indices=fan,
                                               albedo_factor=(200, 190, 170, 90)))
        recording.log("world/floor/outline", rr.LineStrips3D([np.vstack([outline, outline[:1]])],
                                                             colors=[(120, 110, 90)]))
    if scene.cameras:
        positions = np.array([c.position for c in scene.cameras])
        recording.log("world/cameras", rr.Points3D(positions, labels=[f"view {i}" for i in range(len(positions))],
                                                   colors=[(30, 30, 30)], radii=0.03))
        recording.log("world/cameras/facing", rr.Arrows3D(origins=positions, vectors=[0.3 * c.forward for c in scene.cameras],
                                                          colors=[(30, 30, 30)]))
        recording.log("world/trajectory", rr.LineStrips3D([positions], colors=[(40, 40, 40)]))


def _step_line(step: Any) -> tuple[str, str]:
    """(one line, level) for a trace step: a dict (an answer's trace) or an object with the same fields."""
    fields = step if isinstance(step, dict) else getattr(step, "__dict__", {"op": str(step)})
    inputs = ", ".join(f"{k}={v}" for k, v in (fields.get("inputs") or {}).items())
    line = f"line {fields.get('line', '?')}: {fields.get('op', '?')}({inputs})"
    if fields.get("error"):
        return f"{line} failed: {fields['error']}", "ERROR"
    seconds = fields.get("seconds")
    timing = f"  [{1000 * seconds:.2f} ms]" if isinstance(seconds, (int, float)) else ""
    return f"{line} -> {fields.get('output', '')}{timing}", "INFO"


def record_answer(recording: Recording, scene: SceneMemory, question: str, program: str, trace: Sequence,
                  objects: Sequence[str], answer: str | None = None,
                  observer: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """Log one answered question on the `question` timeline: the question (and `answer` text), the
    program, each trace step (on `step`), and its evidence objects highlighted in the world (with the
    observer, (position, facing), as an arrow). Plain values only; returns the question's number."""
    rr = recording.rr
    number = recording.questions
    recording.questions += 1
    recording.world(scene.up)
    recording.at(frame=len(scene.cameras), question=number)
    evidence = [scene.get(i) for i in dict.fromkeys(objects) if any(o.id == i for o in scene.objects)]
    lines = [f"**Question:** {question}"]
    if answer is not None:
        lines.append(f"**Answer:** {answer}")
    lines.append("**Evidence:** " + (", ".join(o.id for o in evidence) or "none"))
    root = f"answers/{number}"
    recording.log(f"{root}/question", rr.TextDocument("\n\n".join(lines), media_type=rr.MediaType.MARKDOWN))
    recording.log(f"{root}/program", rr.TextDocument(program))
    for index, step in enumerate(trace):
        recording.at(frame=len(scene.cameras), question=number, step=index)
        text, level = _step_line(step)
        recording.log(f"{root}/trace", rr.TextLog(text, level=level))
    recording.at(frame=len(scene.cameras), question=number)
    if evidence:
        recording.log("world/evidence", rr.Boxes3D(
            centers=[o.box.center_array for o in evidence], half_sizes=[o.box.extents_array / 2 for o in evidence],
            quaternions=[rr.Quaternion(xyzw=box_quaternion(o.box)) for o in evidence],
            labels=[o.id for o in evidence], colors=[EVIDENCE] * len(evidence), radii=0.025,
            show_labels=True))
    else:
        recording.log("world/evidence", rr.Clear(recursive=False))
    if observer is not None:
        position, facing = (np.asarray(v, float) for v in observer)
        facing = facing / max(float(np.linalg.norm(facing)), 1e-9)
        recording.log("world/evidence/observer", rr.Arrows3D(origins=[position], vectors=[0.6 * facing],
                                                             colors=[OBSERVER], labels=["observer"], radii=0.02))
    else:
        recording.log("world/evidence/observer", rr.Clear(recursive=False))
    return number
