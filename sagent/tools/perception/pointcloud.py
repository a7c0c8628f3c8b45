"""A fused point cloud whose memory is bounded by the space it covers, not by the frames seen."""

from __future__ import annotations

import numpy as np


def voxel_downsample(points: np.ndarray, voxel: float, colours: np.ndarray | None = None):
    """Mean point (and colour) per occupied voxel."""
    if len(points) == 0:
        return points, colours
    keys = np.floor(points / voxel).astype(np.int64)
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    merged = np.zeros((len(counts), 3))
    np.add.at(merged, inverse, points)
    merged /= counts[:, None]
    if colours is None:
        return merged, None
    merged_colours = np.zeros((len(counts), colours.shape[1]))
    np.add.at(merged_colours, inverse, colours)
    return merged, merged_colours / counts[:, None]


class VoxelCloud:
    """Accumulates coloured points; merges into one point per `voxel` every `chunk` points."""

    def __init__(self, voxel: float = 0.05, chunk: int = 500_000):
        self.voxel = voxel
        self.chunk = chunk
        self._points = np.zeros((0, 3))
        self._colours = np.zeros((0, 3))
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_count = 0

    def add(self, points: np.ndarray, colours: np.ndarray | None = None) -> None:
        colours = np.zeros_like(points) if colours is None else colours
        self._pending.append((np.asarray(points, float), np.asarray(colours, float)))
        self._pending_count += len(points)
        if self._pending_count >= self.chunk:
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        points = np.concatenate([self._points, *(p for p, _ in self._pending)])
        colours = np.concatenate([self._colours, *(c for _, c in self._pending)])
        # Weighted by counts would be exact; re-averaging voxel means is close enough at 5 cm.
        self._points, self._colours = voxel_downsample(points, self.voxel, colours)
        self._pending, self._pending_count = [], 0

    def array(self) -> np.ndarray:
        """Float32[M 6]: xyz metres, rgb 0-1."""
        self._merge()
        return np.concatenate([self._points, self._colours], axis=1).astype(np.float32)

    def __len__(self) -> int:
        return len(self._points) + self._pending_count
