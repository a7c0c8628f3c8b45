"""Import ground-truth layouts in the VSI-Bench `meta_info` format as scene memories.

Each file maps scene name to `room_size` (m²), `room_center`, and `object_bbox[label]`: a list of
`{centroid, axesLengths, normalizedAxes, min, max}` in metres, z up, `normalizedAxes` a row-major
3x3 whose rows are the box axes.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError, field_validator

from sagent.errors import InputError
from sagent.memory.box import OrientedBox
from sagent.memory.checks import check_label, check_length, check_orthonormal, check_point, problem
from sagent.memory.files import read_json
from sagent.memory.scene import Camera, Room, SceneMemory, SceneObject, SceneRecord


class LayoutError(InputError):
    """A layout file or scene could not be read."""


@lru_cache(maxsize=8)
def _read_layout_file(path: Path, mtime: float) -> dict:
    data = read_json(path, "layout file", LayoutError)
    if not isinstance(data, dict):
        raise LayoutError(f"{path} is not a meta_info file: expected an object mapping scene names to scenes, "
                          f"got {type(data).__name__}")
    return data


def read_layouts(path: str | Path) -> dict[str, dict]:
    """Raw scenes of one meta_info file, by scene name (cached while the file is unchanged)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise LayoutError(f"layout file not found: {path}")
    return _read_layout_file(path, path.stat().st_mtime)


class LayoutBox(BaseModel):
    """One `object_bbox` entry as the file has it; extra keys (`min`, `max`) are ignored."""

    centroid: tuple[float, float, float]
    axesLengths: tuple[float, float, float]
    normalizedAxes: tuple[float, float, float, float, float, float, float, float, float]

    @field_validator("normalizedAxes", mode="before")
    @classmethod
    def _flatten(cls, rows):
        """Nine numbers, row-major; a nested 3x3 is accepted too."""
        if isinstance(rows, (list, tuple)) and rows and all(isinstance(r, (list, tuple)) for r in rows):
            return [value for row in rows for value in row]
        return rows


class LayoutScene(BaseModel):
    """One meta_info scene's structure: what must be a mapping, a list or a number, before any value check."""

    room_size: float | None = None
    room_center: tuple[float, float, float] | None = None
    object_counts: dict[str, int] = {}
    object_bbox: dict[str, list[LayoutBox]] = {}

    @field_validator("room_center", "object_counts", "object_bbox", mode="before")
    @classmethod
    def _empty_is_absent(cls, value, info):
        if value is None or (isinstance(value, (list, dict)) and not value and info.field_name != "room_center"):
            return {} if info.field_name != "room_center" else None
        return value


def _layout_box(raw: LayoutBox) -> OrientedBox:
    """The box, checked under the file's own field names (the same checks OrientedBox makes); ValueError."""
    check_point(raw.centroid, "centroid")
    for extent in raw.axesLengths:
        check_length(extent, "axesLengths")
    axes = check_orthonormal(np.reshape(raw.normalizedAxes, (3, 3)), "normalizedAxes")
    u, _, vt = np.linalg.svd(axes)  # annotations are stored at float precision: the nearest orthonormal rows
    return OrientedBox(center=raw.centroid, axes=tuple(map(tuple, u @ vt)), extents=raw.axesLengths)


def scene_from_meta(name: str, raw: dict, source: str = "") -> SceneMemory:
    """Build a scene memory from one meta_info scene; LayoutError naming the scene and field otherwise."""
    if not isinstance(raw, dict):
        raise LayoutError(f"scene {name!r} is malformed: expected an object with object_bbox, room_size, "
                          f"room_center and object_counts, got {type(raw).__name__}")
    try:
        scene = LayoutScene.model_validate(raw)
    except ValidationError as exc:
        raise LayoutError(f"scene {name!r} is malformed: {problem(exc)}") from None
    objects = []
    for label, boxes in scene.object_bbox.items():
        seen: set[tuple] = set()
        for index, entry in enumerate(boxes):
            where = f"object_bbox.{label if label.strip() else repr(label)}.{index}"
            try:
                check_label(label, "object_bbox label")
                box = _layout_box(entry)
            except ValueError as exc:
                detail = problem(exc) if isinstance(exc, ValidationError) else exc
                raise LayoutError(f"scene {name!r} is malformed: {where}: {detail}") from None
            key = tuple(np.round([*entry.centroid, *entry.axesLengths], 6))
            if key in seen:  # some files list the same box twice
                continue
            seen.add(key)
            objects.append(SceneObject(id=f"{label.strip().replace(' ', '_')}_{index}", label=label, box=box))
    try:
        room = Room(floor_area=scene.room_size, center=scene.room_center)
    except ValidationError as exc:
        field = "room_size" if exc.errors()[0]["loc"][:1] == ("floor_area",) else "room_center"
        raise LayoutError(f"scene {name!r} is malformed: {field}: {problem(exc).split(': ', 1)[-1]}") from None
    try:
        record = SceneRecord(name=name, source=source, up=(0.0, 0.0, 1.0), objects=objects, room=room,
                             stated_counts=scene.object_counts)
    except ValidationError as exc:
        raise LayoutError(f"scene {name!r} is malformed: object_counts: {problem(exc).split(': ', 1)[-1]}") from None
    return SceneMemory(record=record)


def load_layout(path: str | Path, scene: str | None = None) -> SceneMemory:
    """The scene `scene` of a meta_info file; `scene` may be omitted when the file holds one."""
    scenes = read_layouts(path)
    if scene is None:
        if len(scenes) != 1:
            raise LayoutError(f"{path} holds {len(scenes)} scenes; name one as {path}:SCENE")
        scene = next(iter(scenes))
    if scene not in scenes:
        close = difflib.get_close_matches(scene, list(scenes), n=3)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise LayoutError(f"scene {scene!r} is not in {path}{hint}")
    return scene_from_meta(scene, scenes[scene], source=f"layout:{path}")


def scene_from_mmdet3d_scannet(folder: str | Path) -> SceneMemory:
    """A ScanNet sample in mmdetection3d's form: `scannet_infos.json` (intrinsics, camera-to-world
    extrinsics, image paths, `unaligned_gt_boxes_upright_depth` [cx, cy, cz, dx, dy, dz] with names)
    and its coloured point cloud (`*_points.bin`, float32 N x 6, rgb 0-255), all in one frame, z up."""

    folder = Path(folder)
    try:
        info = read_json(folder / "scannet_infos.json", "mmdetection3d info file", LayoutError)[0]
        annotations = info["annos"]
        K = np.asarray(info["intrinsics"], float)[:3, :3]
        cameras = [Camera(K=tuple(map(tuple, K)), cam_to_world=tuple(map(tuple, np.asarray(pose, float))), time=float(i),
                          width=1296, height=968, image=str(folder / path))
                   for i, (pose, path) in enumerate(zip(info["extrinsics"], info["img_paths"]))]
        objects, counters = [], {}
        for label, box in zip(annotations["name"], annotations["unaligned_gt_boxes_upright_depth"]):
            number = counters[label] = counters.get(label, -1) + 1
            objects.append(SceneObject(id=f"{label}_{number}", label=label,
                                       box=OrientedBox.axis_aligned(tuple(box[:3]), tuple(box[3:6]))))
        bins = sorted(folder.glob("*points.bin"))
        cloud = np.fromfile(bins[0], dtype=np.float32).reshape(-1, 6) if bins else None
    except ValidationError as exc:
        raise LayoutError(f"{folder} is not a usable mmdetection3d ScanNet sample: {problem(exc)}") from None
    except (OSError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise LayoutError(f"{folder} is not an mmdetection3d ScanNet sample: {type(exc).__name__}: {exc}") from None
    if cloud is not None:
        cloud = np.concatenate([cloud[:, :3], cloud[:, 3:6] / 255.0], axis=1).astype(np.float32)
    record = SceneRecord(name=folder.name, source=f"mmdet3d-scannet:{folder}", up=(0.0, 0.0, 1.0), objects=objects,
                         cameras=cameras)
    return SceneMemory(record=record, point_cloud=cloud)
