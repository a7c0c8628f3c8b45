"""Procedural rooms with exact ground truth: furniture-like boxes, a walking camera, rendered RGB,
depth and instance masks, written as a posed-frames manifest plus the ground-truth layout in the
VSI-Bench meta_info format.

    python -m sagent.tools.synthetic OUT_DIR --seed 3 --frames 40

Noise options model a real capture: depth noise growing with distance and dropout, loose or
shifted detection boxes, and missed detections.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.geometry.boxes import box_distance
from sagent.tools.geometry.camera import intrinsics, look_at
from sagent.tools.io.frames import write_manifest
from sagent.tools.synthetic.raycast import render

# label: (length, depth, height) in metres, where it goes, base colour
CATALOG: dict[str, tuple[tuple[float, float, float], str, tuple[int, int, int]]] = {
    "bed": ((2.0, 1.5, 0.55), "floor", (70, 110, 180)),
    "sofa": ((2.0, 0.9, 0.85), "floor", (160, 60, 60)),
    "table": ((1.2, 0.8, 0.75), "floor", (140, 100, 60)),
    "chair": ((0.5, 0.5, 0.9), "floor", (60, 150, 80)),
    "nightstand": ((0.45, 0.4, 0.55), "floor", (120, 80, 40)),
    "lamp": ((0.35, 0.35, 1.4), "floor", (230, 210, 90)),
    "plant": ((0.45, 0.45, 1.0), "floor", (40, 120, 40)),
    "trash bin": ((0.3, 0.3, 0.45), "floor", (90, 90, 90)),
    "bookshelf": ((0.9, 0.3, 1.9), "wall", (100, 70, 50)),
    "tv": ((1.1, 0.08, 0.65), "wall_high", (20, 20, 20)),
    "door": ((0.9, 0.05, 2.05), "wall", (170, 140, 110)),
}
DEFAULT_LABELS = ("bed", "sofa", "table", "chair", "chair", "nightstand", "lamp", "plant", "trash bin",
                  "bookshelf", "tv", "door")


@dataclass
class Noise:
    depth_sigma: float = 0.0  # metres of noise at 1 m; grows with depth squared
    depth_dropout: float = 0.0  # fraction of depth pixels lost
    box_jitter: float = 0.0  # detection box edges moved by up to this fraction of the box size
    missed: float = 0.0  # probability a visible object has no detection in a frame


REALISTIC = Noise(depth_sigma=0.004, depth_dropout=0.05, box_jitter=0.08, missed=0.15)


@dataclass
class RoomSpec:
    seed: int = 0
    labels: tuple[str, ...] = DEFAULT_LABELS
    frames: int = 40
    width: int = 320
    height: int = 240
    fov: float = 75.0
    noise: Noise = field(default_factory=Noise)
    write_masks: bool = False
    textured: bool = False  # world-fixed surface noise, which structure from motion needs
    video: bool = False  # also write the RGB frames as video.mp4, with video_detections.json beside it
    fps: float = 10.0


@dataclass
class PlacedObject:
    label: str
    box: OrientedBox
    colour: tuple[int, int, int]


def _yawed(center, size, yaw) -> OrientedBox:
    c, s = math.cos(yaw), math.sin(yaw)
    return OrientedBox(center=tuple(map(float, center)), axes=((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, 1.0)),
                       extents=tuple(map(float, size)))


def _footprints_clear(box: OrientedBox, placed: list[PlacedObject], clearance: float) -> bool:
    return all(box_distance(box, other.box) >= clearance for other in placed)


def place_objects(rng: np.random.Generator, labels, room: tuple[float, float]) -> list[PlacedObject]:
    """Non-overlapping furniture; wall pieces flush against a wall, others away from the camera loop."""
    width, length = room
    placed: list[PlacedObject] = []
    for label in labels:
        size, where, colour = CATALOG[label]
        size = np.asarray(size) * rng.uniform(0.9, 1.1, 3)
        for _ in range(200):
            if where.startswith("wall"):
                wall = rng.integers(4)
                along = rng.uniform(0.2 + size[0] / 2, (width if wall < 2 else length) - 0.2 - size[0] / 2)
                z = 1.35 if where == "wall_high" else size[2] / 2
                off = size[1] / 2 + 0.001
                center, yaw = {0: ((along, off, z), 0.0), 1: ((along, length - off, z), math.pi),
                               2: ((off, along, z), math.pi / 2), 3: ((width - off, along, z), -math.pi / 2)}[int(wall)]
            else:
                yaw = rng.uniform(-math.pi, math.pi)
                radius = np.hypot(*size[:2]) / 2
                center = (rng.uniform(radius + 0.1, width - radius - 0.1), rng.uniform(radius + 0.1, length - radius - 0.1),
                          size[2] / 2)
            box = _yawed(center, size, yaw)
            corners = box.corners()
            inside = (corners[:, 0] >= -1e-6).all() and (corners[:, 0] <= width + 1e-6).all() and \
                (corners[:, 1] >= -1e-6).all() and (corners[:, 1] <= length + 1e-6).all()
            if inside and _footprints_clear(box, placed, 0.15):
                placed.append(PlacedObject(label, box, colour))
                break
    return placed


def camera_path(room: tuple[float, float], frames: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A walk around the room at eye height, looking across it, so every object is seen from several sides."""
    width, length = room
    centre = np.array([width / 2, length / 2])
    poses = []
    phase = rng.uniform(0, 2 * math.pi)
    for i in range(frames):
        angle = phase + 2 * math.pi * i / frames
        eye = np.array([centre[0] + (width / 2 - 0.45) * math.cos(angle),
                        centre[1] + (length / 2 - 0.45) * math.sin(angle), 1.75])
        # Looking around as a person does: across the room, sometimes lower, sometimes higher.
        target = np.array([*(centre + 0.6 * np.array([math.cos(angle * 3), math.sin(angle * 2)])),
                           0.4 + 0.35 * (1 + math.sin(angle * 5))])
        poses.append(look_at(eye, target))
    return poses


def _jitter_box(box, rng, amount, width, height):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    d = rng.uniform(-amount, amount, 4) * np.array([w, h, w, h])
    x1, y1, x2, y2 = x1 + d[0], y1 + d[1], x2 + d[2], y2 + d[3]
    x1, x2 = np.clip([min(x1, x2), max(x1, x2)], 0, width - 1)
    y1, y2 = np.clip([min(y1, y2), max(y1, y2)], 0, height - 1)
    return [float(x1), float(y1), float(max(x2, x1 + 1)), float(max(y2, y1 + 1))]


def generate(out: str | Path, spec: RoomSpec = RoomSpec(), min_pixels: int = 60) -> dict:
    """Write `frames.json`, rgb/, depth/ (and masks/), `layout.json` (meta_info, scene `synthetic_SEED`)
    and `ground_truth.json` (boxes, first-seen times). Returns the ground truth."""
    from PIL import Image

    out = Path(out)
    rng = np.random.default_rng(spec.seed)
    room = (float(rng.uniform(4.5, 6.5)), float(rng.uniform(4.0, 6.0)))
    objects = place_objects(rng, spec.labels, room)
    colours = np.array([o.colour for o in objects], float)
    K = intrinsics(spec.width, spec.height, spec.fov)
    for folder in ("rgb", "depth", *(["masks"] if spec.write_masks else [])):
        (out / folder).mkdir(parents=True, exist_ok=True)
    entries, first_seen, video_frames = [], {}, []
    for index, pose in enumerate(camera_path(room, spec.frames, rng)):
        time = index / spec.fps if spec.video else index * 0.5
        view = render([o.box for o in objects], colours, (0, 0, 0), (*room, 2.8), K, pose, spec.width, spec.height,
                      textured=spec.textured)
        if spec.video:
            video_frames.append(view.rgb)
        depth = view.depth.copy()
        if spec.noise.depth_sigma:
            depth += rng.normal(0, 1, depth.shape) * spec.noise.depth_sigma * depth**2
        if spec.noise.depth_dropout:
            depth[rng.random(depth.shape) < spec.noise.depth_dropout] = 0
        name = f"{index:04d}"
        Image.fromarray(view.rgb).save(out / "rgb" / f"{name}.png")
        Image.fromarray(np.clip(depth * 1000, 0, 65535).astype(np.uint16)).save(out / "depth" / f"{name}.png")
        detections = []
        for object_index, obj in enumerate(objects):
            mask = view.instance == object_index
            if mask.sum() < min_pixels:
                continue
            first_seen.setdefault(object_index, time)
            if spec.noise.missed and rng.random() < spec.noise.missed:
                continue
            rows, cols = np.nonzero(mask)
            box = [float(cols.min()), float(rows.min()), float(cols.max() + 1), float(rows.max() + 1)]
            if spec.noise.box_jitter:
                box = _jitter_box(box, rng, spec.noise.box_jitter, spec.width, spec.height)
            detection = {"label": obj.label, "box": box, "score": 1.0}
            if spec.write_masks:
                mask_name = f"masks/{name}_{object_index}.png"
                Image.fromarray((mask * 255).astype(np.uint8)).save(out / mask_name)
                detection["mask"] = mask_name
            detections.append(detection)
        entries.append({"image": f"rgb/{name}.png", "depth": f"depth/{name}.png", "depth_scale": 1000.0,
                        "K": K.tolist(), "cam_to_world": pose.tolist(), "time": time, "detections": detections})
    write_manifest(out / "frames.json", entries, up=(0, 0, 1))
    if spec.video:
        write_video(out / "video.mp4", video_frames, spec.fps)
        sidecar = {"frames": {str(i): e["detections"] for i, e in enumerate(entries)}}
        atomic_write_bytes(out / "video_detections.json", json.dumps(sidecar).encode())
    scene_name = f"synthetic_{spec.seed}"
    layout = {scene_name: meta_info(room, objects)}
    truth = {"scene": scene_name, "room": list(room), "objects": [
        {"label": o.label, "center": list(o.box.center), "size": list(o.box.extents),
         "axes": o.box.axes_array.tolist(), "first_seen": first_seen.get(i)} for i, o in enumerate(objects)]}
    atomic_write_bytes(out / "layout.json", json.dumps(layout, indent=1).encode())
    atomic_write_bytes(out / "ground_truth.json", json.dumps(truth, indent=1).encode())
    return truth


def meta_info(room: tuple[float, float], objects: list[PlacedObject], dataset: str = "sagent-synthetic") -> dict:
    """One scene's ground truth in VSI-Bench's meta_info format: room size and centre, counts, boxes."""
    boxes: dict[str, list] = {}
    for obj in objects:
        corners = obj.box.corners()
        boxes.setdefault(obj.label, []).append({
            "centroid": list(obj.box.center), "axesLengths": list(obj.box.extents),
            "normalizedAxes": [float(v) for v in obj.box.axes_array.ravel()],
            "min": corners.min(axis=0).tolist(), "max": corners.max(axis=0).tolist()})
    return {"room_size": room[0] * room[1], "room_center": [room[0] / 2, room[1] / 2, 0.0],
            "object_counts": {k: len(v) for k, v in boxes.items()}, "object_bbox": boxes, "dataset": dataset}


def write_video(path: Path, frames: list[np.ndarray], fps: float) -> None:
    """RGB frames to an MP4 file (OpenCV's mp4v encoder), written to a temporary name then renamed."""
    import cv2

    height, width = frames[0].shape[:2]
    partial = path.with_name(path.stem + ".partial.mp4")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for rgb in frames:
        writer.write(np.ascontiguousarray(rgb[..., ::-1]))
    writer.release()
    partial.replace(path)
