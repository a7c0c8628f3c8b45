"""Import ground-truth layouts in the VSI-Bench `meta_info` format as scene memories.

Each file maps scene name to `room_size` (m²), `room_center`, and `object_bbox[label]`: a list of
`{centroid, axesLengths, normalizedAxes, min, max}` in metres, z up, `normalizedAxes` a row-major
3x3 whose rows are the box axes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from sagent.errors import InputError
from sagent.memory.box import OrientedBox
from sagent.memory.scene import Camera, Room, SceneMemory, SceneObject, SceneRecord


class LayoutError(InputError):
    """A layout file or scene could not be read."""


@lru_cache(maxsize=8)
def _read_layout_file(path: Path, mtime: float) -> dict:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise LayoutError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LayoutError(f"{path} is not a meta_info file: expected an object mapping scene names to scenes")
    return data


def read_layouts(path: str | Path) -> dict[str, dict]:
    """Raw scenes of one meta_info file, by scene name (cached while the file is unchanged)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise LayoutError(f"layout file not found: {path}")
    return _read_layout_file(path, path.stat().st_mtime)


def _orthonormalize(rows: np.ndarray) -> np.ndarray:
    """Nearest rotation-like orthonormal rows (annotations are stored at float precision)."""
    u, _, vt = np.linalg.svd(rows)
    return u @ vt


def scene_from_meta(name: str, raw: dict, source: str = "") -> SceneMemory:
    """Build a scene memory from one meta_info scene."""
    objects = []
    try:
        for label, boxes in raw.get("object_bbox", {}).items():
            seen: set[tuple] = set()
            for index, entry in enumerate(boxes):
                key = tuple(np.round([*entry["centroid"], *entry["axesLengths"]], 6))
                if key in seen:  # some files list the same box twice
                    continue
                seen.add(key)
                axes = _orthonormalize(np.asarray(entry["normalizedAxes"], float).reshape(3, 3))
                box = OrientedBox(
                    center=tuple(entry["centroid"]),
                    axes=tuple(map(tuple, axes)),
                    extents=tuple(entry["axesLengths"]),
                )
                objects.append(SceneObject(id=f"{label.replace(' ', '_')}_{index}", label=label, box=box))
        room = Room(
            floor_area=raw.get("room_size"),
            center=tuple(raw["room_center"]) if raw.get("room_center") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LayoutError(f"scene {name!r} is malformed: {exc}") from exc
    stated = {label: int(n) for label, n in raw.get("object_counts", {}).items()}
    record = SceneRecord(name=name, source=source, up=(0.0, 0.0, 1.0), objects=objects, room=room,
                         stated_counts=stated)
    return SceneMemory(record=record)


def load_layout(path: str | Path, scene: str | None = None) -> SceneMemory:
    """The scene `scene` of a meta_info file; `scene` may be omitted when the file holds one."""
    scenes = read_layouts(path)
    if scene is None:
        if len(scenes) != 1:
            raise LayoutError(f"{path} holds {len(scenes)} scenes; name one as {path}:SCENE")
        scene = next(iter(scenes))
    if scene not in scenes:
        import difflib

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
        info = json.loads((folder / "scannet_infos.json").read_text())[0]
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
    except (OSError, KeyError, IndexError, ValueError) as exc:
        raise LayoutError(f"{folder} is not an mmdetection3d ScanNet sample: {exc}") from None
    if cloud is not None:
        cloud = np.concatenate([cloud[:, :3], cloud[:, 3:6] / 255.0], axis=1).astype(np.float32)
    record = SceneRecord(name=folder.name, source=f"mmdet3d-scannet:{folder}", up=(0.0, 0.0, 1.0), objects=objects,
                         cameras=cameras)
    return SceneMemory(record=record, point_cloud=cloud)
