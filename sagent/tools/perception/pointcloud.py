"""Voxel grids of running sums: memory bounded by the space covered, not by the frames seen, and the
same result whatever order the points came in (sums commute; means of means would not)."""

from __future__ import annotations

import numpy as np

from sagent.errors import InputError

_BITS = 21  # per axis: +-2^20 voxels, +-20 km at 2 cm
_OFFSET = 1 << (_BITS - 1)


def voxel_keys(points: np.ndarray, voxel: float) -> np.ndarray:
    """Int64[N]: each Float[N 3] point's voxel, packed into one integer (neighbours differ by `neighbour_steps`)."""
    points = np.asarray(points, float)
    index = np.floor(points / voxel).astype(np.int64) + _OFFSET
    if len(index) and (index.min() < 0 or index.max() >= 1 << _BITS):
        reach = _OFFSET * voxel
        raise InputError(f"points reach {np.abs(points).max():.4g} m from the origin (extent "
                         f"{float((points.max(axis=0) - points.min(axis=0)).max()):.4g} m), beyond the "
                         f"+-{reach:.4g} m that voxel grids of {voxel:g} m can hold: check the poses' and "
                         f"depth's units, or use a coarser voxel")
    return (index[:, 0] << (2 * _BITS)) | (index[:, 1] << _BITS) | index[:, 2]


def neighbour_steps() -> np.ndarray:
    """Int64[13]: the packed-key differences to half of a voxel's 26 neighbours (the other half is their negation)."""
    steps = [(i << (2 * _BITS)) + (j << _BITS) + k
             for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1) if (i, j, k) > (0, 0, 0)]
    return np.array(steps, np.int64)


def adjacent_pairs(keys: np.ndarray) -> np.ndarray:
    """Int[P 2] index pairs of 26-adjacent voxels among sorted, unique Int64[M] `keys`."""
    pairs = []
    for step in neighbour_steps():
        wanted = keys + step
        found = np.searchsorted(keys, wanted)
        found[found == len(keys)] = 0
        hit = np.nonzero(keys[found] == wanted)[0]
        pairs.append(np.stack([hit, found[hit]], axis=1))
    return np.concatenate(pairs) if pairs else np.zeros((0, 2), int)


def neighbourhood_max(keys: np.ndarray, values: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Float[M]: the largest of `values` over each voxel's occupied 26-neighbours, their neighbours, ...
    (`rounds` steps) among sorted, unique Int64[M] `keys`."""
    best = np.asarray(values, float).copy()
    for _ in range(rounds):
        grown = best.copy()
        for step in (*neighbour_steps(), *-neighbour_steps()):
            wanted = keys + step
            found = np.searchsorted(keys, wanted)
            found[found == len(keys)] = 0
            hit = keys[found] == wanted
            grown[hit] = np.maximum(grown[hit], best[found[hit]])
        best = grown
    return best


def well_measured(keys: np.ndarray, weights: np.ndarray, ratio: float = 0.1) -> np.ndarray:
    """Bool[M]: voxels whose summed precision `weights` reach `ratio` of the best within two voxels.

    Depth noise grows with distance and scatters a surface's points along the rays into a shell of
    sparsely hit voxels around it; a surface seen well (near, or often) outweighs its shell, while
    the edge of a surface has neighbours of the same weight and stays."""
    if not len(keys):
        return np.zeros(0, bool)
    return weights >= ratio * neighbourhood_max(keys, weights)


def voxel_downsample(points: np.ndarray, voxel: float, colours: np.ndarray | None = None):
    """Mean point (and colour) per occupied voxel, in key order."""
    if len(points) == 0:
        return points, colours
    _, inverse, counts = np.unique(voxel_keys(points, voxel), return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    merged = np.stack([np.bincount(inverse, points[:, c], len(counts)) for c in range(3)], axis=1) / counts[:, None]
    if colours is None:
        return merged, None
    merged_colours = np.stack([np.bincount(inverse, colours[:, c], len(counts)) for c in range(colours.shape[1])], axis=1)
    return merged, merged_colours / counts[:, None]


class VoxelSums:
    """Per voxel: the sum of its points' values (by default the points), how many points, and the
    sum of their weights (`weights`; 1 each unless given: say, a depth's precision). Pending adds are
    merged every `chunk` points; keys stay sorted, so the state never depends on the order of adds."""

    def __init__(self, voxel: float, channels: int = 3, chunk: int = 200_000):
        self.voxel, self.channels, self.chunk = voxel, channels, chunk  # chunk: pending points before a merge
        self.keys = np.zeros(0, np.int64)
        self.sums = np.zeros((0, channels))
        self.counts = np.zeros(0, np.int64)
        self.weights = np.zeros(0)
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_count = 0

    def add(self, points: np.ndarray, values: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        """Add Float[N 3] points, one observation's, with Float[N channels] `values` (default: the
        points themselves) and Float[N] `weights` (default 1). Returns the sorted Int64 keys of the voxels."""
        points = np.asarray(points, float)
        values = points if values is None else np.asarray(values, float)
        keys, inverse, counts = np.unique(voxel_keys(points, self.voxel), return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        sums = np.stack([np.bincount(inverse, values[:, c], len(keys)) for c in range(self.channels)], axis=1)
        weights = counts.astype(float) if weights is None else np.bincount(inverse, weights, len(keys))
        self._queue(keys, sums, counts, weights)
        return keys

    def add_points(self, points: np.ndarray, values: np.ndarray, weights: np.ndarray) -> None:
        """As `add`, grouped into voxels only at the next merge (cheaper), returning nothing."""
        points = np.asarray(points, float)
        self._queue(voxel_keys(points, self.voxel), np.asarray(values, float), np.ones(len(points), np.int64),
                    np.asarray(weights, float))

    def _queue(self, keys, sums, counts, weights) -> None:
        self._pending.append((keys, sums, counts, weights))
        self._pending_count += len(keys)
        if self._pending_count >= self.chunk:
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([self.keys, *(p[0] for p in self._pending)])
        sums = np.concatenate([self.sums, *(p[1] for p in self._pending)])
        counts = np.concatenate([self.counts, *(p[2] for p in self._pending)])
        weights = np.concatenate([self.weights, *(p[3] for p in self._pending)])
        self.keys, inverse = np.unique(keys, return_inverse=True)
        inverse = inverse.ravel()
        size = len(self.keys)
        self.sums = np.stack([np.bincount(inverse, sums[:, c], size) for c in range(self.channels)], axis=1) \
            if self.channels else np.zeros((size, 0))
        self.counts = np.bincount(inverse, counts, size).astype(np.int64)
        self.weights = np.bincount(inverse, weights, size)
        self._pending, self._pending_count = [], 0

    def merged(self) -> "VoxelSums":
        self._merge()
        return self

    def means(self) -> np.ndarray:
        """Float[M channels]: each voxel's mean value."""
        self._merge()
        return self.sums / np.maximum(self.counts, 1)[:, None]

    def state(self) -> dict[str, np.ndarray]:
        self._merge()
        return {"keys": self.keys, "sums": self.sums, "counts": self.counts, "weights": self.weights}

    @classmethod
    def from_state(cls, voxel: float, state: dict[str, np.ndarray]) -> "VoxelSums":
        sums = np.asarray(state["sums"], float)
        grid = cls(voxel, sums.shape[1])
        grid.keys, grid.sums = np.asarray(state["keys"], np.int64), sums
        grid.counts, grid.weights = np.asarray(state["counts"], np.int64), np.asarray(state["weights"], float)
        return grid

    def __len__(self) -> int:
        return len(self.keys) + self._pending_count


class VoxelCloud:
    """The fused coloured cloud: one mean point and colour per `voxel`."""

    def __init__(self, voxel: float, chunk: int = 500_000):
        self.voxel = voxel
        self._grid = VoxelSums(voxel, channels=6, chunk=chunk)

    def add(self, points: np.ndarray, colours: np.ndarray | None = None, weights: np.ndarray | None = None) -> None:
        points = np.asarray(points, float)
        colours = np.zeros_like(points) if colours is None else np.asarray(colours, float)
        weights = np.ones(len(points)) if weights is None else weights
        self._grid.add_points(points, np.concatenate([points, colours], axis=1), weights)

    def _merge(self) -> None:
        self._grid._merge()

    def array(self) -> np.ndarray:
        """Float32[M 6]: xyz metres, rgb 0-1."""
        return self._grid.means().astype(np.float32)

    def weights(self) -> np.ndarray:
        """Float[M]: the summed precision weights of each voxel of `array`."""
        return self._grid.merged().weights

    def __len__(self) -> int:
        """Voxels, counting points not yet merged as one each."""
        return len(self._grid)

    def state(self) -> dict[str, np.ndarray]:
        """The running sums, for `from_state` to go on from."""
        return self._grid.state()

    @classmethod
    def from_state(cls, voxel: float, state: dict[str, np.ndarray]) -> "VoxelCloud":
        cloud = cls(voxel)
        cloud._grid = VoxelSums.from_state(voxel, state)
        return cloud
