"""Saving and loading scene memories: one `.npz` file, written atomically, validated on load."""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from sagent.errors import InputError
from sagent.memory.scene import SceneMemory, SceneRecord

FORMAT_VERSION = 1


class SceneFileError(InputError):
    """A scene-memory file is missing, unreadable or corrupt."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a torn one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_scene(memory: SceneMemory, path: str | os.PathLike) -> Path:
    """Save `memory` to `path` (an `.npz`): the record as JSON plus its point arrays."""
    path = Path(path)
    point_keys = {object_id: f"object_points_{i}" for i, object_id in enumerate(memory.object_points)}
    header = {"format": FORMAT_VERSION, "record": memory.record.model_dump(mode="json"), "object_points": point_keys}
    arrays = {key: np.asarray(memory.object_points[oid], np.float32) for oid, key in point_keys.items()}
    arrays["record_json"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    if memory.point_cloud is not None:
        arrays["point_cloud"] = np.asarray(memory.point_cloud, np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def load_scene(path: str | os.PathLike) -> SceneMemory:
    """Load a scene memory saved by `save_scene`; raise SceneFileError if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise SceneFileError(f"scene memory file not found: {path}")
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            header = json.loads(bytes(data["record_json"]).decode())
            if header.get("format") != FORMAT_VERSION:
                raise SceneFileError(f"{path}: unsupported scene file format {header.get('format')!r}")
            record = SceneRecord.model_validate(header["record"])
            object_points = {oid: np.array(data[key]) for oid, key in header.get("object_points", {}).items()}
            point_cloud = np.array(data["point_cloud"]) if "point_cloud" in data.files else None
    except SceneFileError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, ValidationError) as exc:
        raise SceneFileError(f"{path} is not a readable sagent scene memory ({type(exc).__name__}: {exc})") from exc
    return SceneMemory(record=record, object_points=object_points, point_cloud=point_cloud)
