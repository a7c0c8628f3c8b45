"""Averaging depth noise out of objects' surfaces: a truncated signed distance field (TSDF) of the
detections' pixels (and, for `sagent inspect --mesh`, of whole frames with their colour).

A depth camera's noise scatters a surface's points along the rays, a few centimetres at a few
metres, so a box around an object's points comes out that much too large. A TSDF averages the
signed distance to the surface over every view (Open3D's VoxelBlockGrid, on the CPU) and its zero
crossing is the averaged surface. An object keeps the voxels near that surface (its own points
are not taken from the field: silhouettes fatten a TSDF's surface by its truncation). Only the
pixels inside detection boxes, every n-th of them, are integrated: the objects are what the field
is for, and a whole frame costs several times as much.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from sagent.tools.geometry.open3d_loader import open3d

WEIGHT_THRESHOLD = 2.0  # views a surface point must have been seen in


class SurfaceFusion:
    """A TSDF of depth pixels (a dense build's: the detections'); `on_surface` tells which points lie
    on its surface; with `colour`, `mesh` gives its coloured triangle mesh (`tools/pipeline/mesh`)."""

    def __init__(self, voxel: float = 0.02, trunc_voxels: float = 2.0, depth_max: float = 8.0, width: int = 320,
                 colour: bool = False):
        self._o3d = open3d()  # heavy: loaded when a dense build first makes a field
        self.voxel, self.trunc_voxels, self.depth_max = voxel, float(trunc_voxels), float(depth_max)
        self.width = width  # frames are integrated every n-th pixel, n for about this many columns
        self.colour = colour
        self._grid = None
        self._surface: np.ndarray | None = None
        self.frames = 0

    def add(self, depth: np.ndarray, K: np.ndarray, cam_to_world: np.ndarray,
            boxes: list[tuple[float, float, float, float]] | None = None, image: np.ndarray | None = None) -> None:
        """Integrates Float[H W] depth (metres) of one posed frame inside the pixel `boxes` (None: all of
        it), with the UInt8[H W 3] `image`'s colours when the field keeps colour."""
        if boxes is not None and not boxes:
            return
        o3d, core = self._o3d, self._o3d.core
        s = max(1, round(depth.shape[1] / self.width))
        if boxes is not None:
            inside = np.zeros(depth.shape, bool)
            for x1, y1, x2, y2 in boxes:
                inside[max(int(y1), 0):max(int(np.ceil(y2)), 0), max(int(x1), 0):max(int(np.ceil(x2)), 0)] = True
            depth = np.where(inside, depth, 0.0)
        masked = np.ascontiguousarray(depth[::s, ::s], dtype=np.float32)
        if not (masked > 0).any():
            return
        intrinsic = np.asarray(K, float).copy()
        intrinsic[:2] /= s  # pixel i of the strided image is pixel s*i of the frame
        if self._grid is None:
            names, types, channels = ("tsdf", "weight"), (core.float32, core.float32), (1, 1)
            if self.colour:
                names, types, channels = names + ("color",), types + (core.float32,), channels + (3,)
            self._grid = o3d.t.geometry.VoxelBlockGrid(
                attr_names=names, attr_dtypes=types, attr_channels=channels,
                voxel_size=self.voxel, block_resolution=8, block_count=20_000, device=core.Device("CPU:0"))
        depth_image = o3d.t.geometry.Image(core.Tensor(masked))
        k = core.Tensor(intrinsic, core.float64)
        extrinsic = core.Tensor(np.linalg.inv(np.asarray(cam_to_world, float)), core.float64)
        blocks = self._grid.compute_unique_block_coordinates(depth_image, k, extrinsic, 1.0, self.depth_max,
                                                             self.trunc_voxels)
        if self.colour:
            # A frame without an image the depth's size is grey (the field's colour channel needs one):
            # such frames pull the colour of what they see towards grey.
            rgb = (np.asarray(image)[::s, ::s, :3] / 255.0 if image is not None and image.shape[:2] == depth.shape
                   else np.full((*masked.shape, 3), 0.5))
            colour = o3d.t.geometry.Image(core.Tensor(np.ascontiguousarray(rgb, dtype=np.float32)))
            self._grid.integrate(blocks, depth_image, colour, k, k, extrinsic, 1.0, self.depth_max, self.trunc_voxels)
        else:
            self._grid.integrate(blocks, depth_image, k, extrinsic, 1.0, self.depth_max, self.trunc_voxels)
        self._surface = None
        self.frames += 1

    def mesh(self):
        """The fused surface as an Open3D (legacy) TriangleMesh, coloured when the field keeps colour;
        None when no surface crosses the field."""
        if self._grid is None:
            return None
        try:
            mesh = self._grid.extract_triangle_mesh(weight_threshold=WEIGHT_THRESHOLD)
        except RuntimeError:  # as in `surface`: Open3D raises when there is nothing to extract
            return None
        mesh = mesh.to_legacy()
        return mesh if len(mesh.triangles) else None

    def surface(self) -> np.ndarray:
        """Float[N 3] the fused surface's points (world, metres)."""
        if self._surface is None:
            if self._grid is None:
                self._surface = np.zeros((0, 3))
            else:
                try:
                    cloud = self._grid.extract_point_cloud(weight_threshold=WEIGHT_THRESHOLD)
                    self._surface = cloud.point.positions.numpy().astype(float).reshape(-1, 3)
                except RuntimeError:  # Open3D raises, rather than returning nothing, when no surface crosses the field
                    self._surface = np.zeros((0, 3))
        return self._surface

    def on_surface(self, points: np.ndarray, tolerance: float) -> np.ndarray:
        """Bool[N]: which of Float[N 3] points lie within `tolerance` (metres) of the fused surface."""
        surface = self.surface()
        if not len(surface) or not len(points):
            return np.zeros(len(points), bool)
        distances, _ = cKDTree(surface).query(points, distance_upper_bound=tolerance)
        return np.isfinite(distances)

    def state(self) -> bytes | None:
        """The fused field as bytes (Open3D's own npz), for a saved builder to go on from; None when empty."""
        if self._grid is None:
            return None
        with tempfile.TemporaryDirectory(prefix="sagent-tsdf-") as folder:
            path = Path(folder) / "grid.npz"
            self._grid.save(str(path))
            return path.read_bytes()

    def restore(self, state: bytes, frames: int) -> None:
        """The field `state()` gave, as if its `frames` had been added again."""
        with tempfile.TemporaryDirectory(prefix="sagent-tsdf-") as folder:
            path = Path(folder) / "grid.npz"
            path.write_bytes(state)
            self._grid = self._o3d.t.geometry.VoxelBlockGrid.load(str(path))
        self._surface, self.frames = None, frames
