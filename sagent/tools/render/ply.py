"""The fused point cloud of a scene memory, or a mesh fused from its frames, as a PLY file for other
tools (Open3D, MeshLab, CloudCompare).

Written by Open3D (binary little-endian: xyz as doubles in metres, colours as 8-bit RGB), atomically:
to a temporary file beside the target, then renamed, so a reader never sees half a cloud and a
failed write leaves any earlier file as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from sagent.errors import InputError
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.geometry.open3d_loader import open3d


class PlyError(InputError):
    """A PLY file could not be written: a bad path, an unwritable folder, nothing to write."""


def checked_ply_path(path: str | os.PathLike) -> Path:
    """`path` if a .ply file can be written there (a command checks it before any work); PlyError saying why not."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".ply":
        raise PlyError(f"{path}: point clouds and meshes are written as .ply; give a path ending in .ply")
    if path.is_dir():
        raise PlyError(f"{path} is a folder; give a file path ending in .ply")
    folder = path.parent
    if not folder.is_dir():
        raise PlyError(f"cannot write {path}: its folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise PlyError(f"cannot write {path}: not writable")
    return path


def write_points_ply(path: str | os.PathLike, cloud: np.ndarray) -> Path:
    """Write Float[N 3] points (metres) or Float[N 6] points with RGB in 0-1 to `path` (.ply); returns it."""
    path = checked_ply_path(path)
    cloud = np.asarray(cloud, dtype=np.float64)
    if cloud.ndim != 2 or cloud.shape[1] not in (3, 6):
        raise PlyError(f"cannot write {path}: points must be N x 3 (xyz) or N x 6 (xyz, rgb), got shape {cloud.shape}")
    if len(cloud) == 0:
        raise PlyError(f"cannot write {path}: the cloud has no points")
    if not np.isfinite(cloud).all():
        raise PlyError(f"cannot write {path}: the cloud holds NaN or inf")
    o3d = open3d()
    points = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(cloud[:, :3]))
    if cloud.shape[1] == 6:
        points.colors = o3d.utility.Vector3dVector(np.clip(cloud[:, 3:], 0.0, 1.0))
    return _through_open3d(path, "cloud", lambda temporary: o3d.io.write_point_cloud(
        temporary, points, write_ascii=False, compressed=False))


def _through_open3d(path: Path, what: str, write) -> Path:
    """`path` written by `write` (an Open3D writer of one file path, True when it wrote)."""
    # Open3D writes files only, picking the format by the suffix: a private temporary .ply, then one
    # atomic write to the target, so a reader never sees half a cloud or mesh.
    with tempfile.TemporaryDirectory(prefix="sagent-ply-") as folder:
        temporary = Path(folder) / f"{what}.ply"
        if not write(str(temporary)):
            raise PlyError(f"cannot write {path}: Open3D failed to write the {what} (disk full?)")
        atomic_write_bytes(path, temporary.read_bytes())
    return path


def write_ply(path: str | os.PathLike, scene: SceneMemory) -> Path:
    """Write the scene memory's fused point cloud (xyz metres, colour) to `path` (.ply); returns it.
    PlyError when the scene has no cloud (a layout holds only boxes) or the path cannot take the file."""
    if scene.point_cloud is None or len(scene.point_cloud) == 0:
        raise PlyError(f"cannot write {path}: scene {scene.name!r} has no fused point cloud (layouts hold only "
                       "boxes); build it from posed RGB-D frames or a video")
    return write_points_ply(path, scene.point_cloud)


def write_mesh_ply(path: str | os.PathLike, mesh) -> Path:
    """Write an Open3D (legacy) TriangleMesh (metres, vertex colours if it has them) to `path` (.ply),
    atomically as `write_points_ply` does; returns it."""
    path = checked_ply_path(path)
    o3d = open3d()
    return _through_open3d(path, "mesh", lambda temporary: o3d.io.write_triangle_mesh(
        temporary, mesh, write_ascii=False, compressed=False))
