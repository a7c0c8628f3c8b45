"""Saving and loading scene memories: one `.npz` file, written atomically, validated on load."""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from sagent.errors import InputError
from sagent.memory.checks import problem
from sagent.memory.scene import SceneMemory, SceneRecord

FORMAT_VERSION = 1


class SceneFileError(InputError):
    """A scene-memory file is missing, unreadable or corrupt."""


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux); elsewhere set and
    restored once, at the first write (setting it races with other threads' new files)."""
    global _UMASK
    if _UMASK is None:
        try:
            status = Path("/proc/self/status").read_text()
            _UMASK = int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:")), 8)
        except (OSError, StopIteration, ValueError):
            _UMASK = os.umask(0)
            os.umask(_UMASK)
    return _UMASK


_UMASK: int | None = None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a torn one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk (a crash right after must not lose the file a caller was told is written)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform or file system that cannot open folders: the rename is as durable as it gets
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
    """Load a scene memory saved by `save_scene`; raise SceneFileError (naming the file and the problem)
    if it is not one: a torn or corrupted archive, a bad header, or values the scene types refuse."""
    path = Path(path)
    if not path.is_file():
        raise SceneFileError(f"scene memory file not found: {path}")
    try:
        with open(path, "rb") as handle:
            data = np.load(handle, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile) or "record_json" not in data.files:
                raise SceneFileError(f"{path} is not a readable sagent scene memory (no record_json member)")
            with data:
                record, object_points, point_cloud = _read_members(data, path)
    except SceneFileError:
        raise
    except ValidationError as exc:
        raise SceneFileError(f"{path} is not a readable sagent scene memory: {problem(exc, 'record')}") from None
    except MemoryError:
        raise SceneFileError(f"{path} is not a readable sagent scene memory: a member is too large to load") from None
    except Exception as exc:  # noqa: BLE001 - any failure to decode the file (zlib, zip, JSON, UTF-8) is the file's
        detail = str(exc).splitlines()[0] if str(exc) else ""
        kind = type(exc).__name__ if type(exc).__name__ != "error" else f"{type(exc).__module__} error"  # zlib.error
        raise SceneFileError(f"{path} is not a readable sagent scene memory ({kind}: {detail})") from None
    return SceneMemory(record=record, object_points=object_points, point_cloud=point_cloud)


def _read_members(data: np.lib.npyio.NpzFile, path: Path):
    header = json.loads(bytes(data["record_json"]).decode())
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        version = header.get("format") if isinstance(header, dict) else None
        raise SceneFileError(f"{path}: unsupported scene file format {version!r}")
    record = SceneRecord.model_validate(header["record"])
    object_points = {oid: _points(data[key], 3, path, f"object_points[{oid!r}]")
                     for oid, key in dict(header.get("object_points") or {}).items()}
    point_cloud = _points(data["point_cloud"], 6, path, "point_cloud") if "point_cloud" in data.files else None
    return record, object_points, point_cloud


def _points(array: np.ndarray, columns: int, path: Path, what: str) -> np.ndarray:
    """A stored Float[N columns] array, checked: the right shape, finite."""
    array = np.array(array)
    if array.size == 0:
        return array.reshape(0, columns).astype(np.float32)
    if array.ndim != 2 or array.shape[1] != columns or array.dtype.kind != "f":
        raise SceneFileError(f"{path}: {what} must be float N x {columns}, got {array.dtype} {array.shape}")
    if not np.isfinite(array).all():
        raise SceneFileError(f"{path}: {what} holds NaN or inf")
    return array
