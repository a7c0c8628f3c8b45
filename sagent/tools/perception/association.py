"""Associating detections into object instances, incrementally and independent of order.

In the manner of ConceptGraphs (a detection joins the object it overlaps in 3D, labels must agree,
a merge pass joins over-segmented objects), but as sums that commute: each label group (see
`labels`) keeps a voxel grid of running point sums, and a detection associates with an object
through the voxels they share. Objects are the connected parts of the grid, found when the memory
is built: the fixed point that matching each detection to the objects it overlaps, then merging
objects that overlap, reaches in any order. Memory is the voxels the objects cover plus a small
record per detection (its sighting and a fixed sample of its voxels), so nothing ever has to be
folded or re-fused, and the same frames in any order, at any cadence of builds, give the same map.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sagent.tools.perception.components import component_labels
from sagent.tools.perception.fusion import Instance, add_votes, make_instance
from sagent.tools.perception.labels import label_group
from sagent.tools.perception.lifting import Sighting
from sagent.tools.perception.pointcloud import VoxelSums, adjacent_pairs, well_measured


@dataclass(frozen=True)
class DetectionRecord:
    """What stays of one lifted detection: its label, its sighting and a fixed sample of its voxels
    (by which it votes for the object it belongs to)."""

    label: str
    group: str
    sighting: Sighting
    keys: np.ndarray  # Int64[<= sample] sorted voxel keys
    masked: bool = False  # its pixels came from an instance mask: every sizeable part of them is the object


def sighting_from_state(saved: dict | list) -> Sighting:
    """A Sighting saved as a dict of its fields (`dataclasses.asdict`), or as the list of them in
    field order (states saved before)."""
    fields = dict(saved) if isinstance(saved, dict) else dict(zip(Sighting.__dataclass_fields__, saved))
    return Sighting(**{**fields, "box2d": tuple(fields["box2d"])})


BOX_BRIDGE = 0.1  # metres: the widest gap between the parts of a box's points that is taken for one object's
JOIN_SHARE = 0.15  # of a detection's sampled voxels: a part holding this much of them is the detection's object too


def _gap(a: np.ndarray, b: np.ndarray) -> float:
    """The least distance between two Float[N 3] voxel centre sets."""
    from scipy.spatial import cKDTree

    return float(cKDTree(a).query(b, k=1)[0].min())


def _found(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Indices into sorted Int64[M] `keys` of those of `wanted` that are there."""
    found = np.searchsorted(keys, wanted)
    found[found == len(keys)] = 0
    return found[keys[found] == wanted]


def _joined_by_detections(parts: np.ndarray, centres: np.ndarray,
                          found: list[tuple[DetectionRecord, np.ndarray]]) -> np.ndarray:
    """`parts` (of the voxels at Float[M 3] `centres`) with the parts one detection spans joined; `found`:
    each detection with the indices of its sampled voxels. A thin object (a cart's frame and shelves)
    or one an occluder or a see-through front cuts falls apart into voxel parts, and keeping only the
    part most of its voxels fall in measured it short. A part counts as spanned when it holds
    `JOIN_SHARE` of the detection's sampled voxels, and at least two. A box (not a mask) only bridges
    a gap of at most BOX_BRIDGE to a part that is no other detection's main part: its points may hold
    a neighbour of the same label or the background behind it."""
    spans = []
    for record, where in found:
        counts = np.bincount(parts[where])
        spans.append((record, int(counts.argmax()), np.nonzero((counts >= 2) & (counts >= JOIN_SHARE * len(where)))[0]))
    main = {part for _, part, _ in spans}
    links = []
    for record, own, spanned in spans:
        links.extend((own, int(other)) for other in spanned if other != own and (
            record.masked or (other not in main and _gap(centres[parts == own], centres[parts == other]) <= BOX_BRIDGE)))
    if not links:
        return parts
    return component_labels(int(parts.max()) + 1, np.array(links))[parts]


class ObjectMap:
    """Per label group, a voxel grid of the detections' object points; objects on demand."""

    def __init__(self, voxel: float, sample: int = 32):
        self.voxel, self.sample = voxel, sample
        self.grids: dict[str, VoxelSums] = {}
        self.records: list[DetectionRecord] = []

    def add(self, label: str, sighting: Sighting, points: np.ndarray, weights: np.ndarray | None = None,
            masked: bool = False) -> None:
        """One detection's Float[N 3] object points (world, metres), with their Float[N] precision weights;
        `masked`: from an instance mask (a box's points are the one part `lifting.isolate_object` kept)."""
        group = label_group(label)
        grid = self.grids.get(group)
        if grid is None:
            grid = self.grids[group] = VoxelSums(self.voxel, chunk=50_000)  # small: one pending buffer per group
        keys = grid.add(points, weights=weights)
        picks = np.unique(np.linspace(0, len(keys) - 1, min(len(keys), self.sample)).astype(int))
        self.records.append(DetectionRecord(label, group, sighting, keys[picks], masked))

    def instances(self, up: np.ndarray, floor: float | None, floor_margin: float = 0.02,
                  min_voxels: int = 4, noise_ratio: float = 0.5, masked_noise_ratio: float = 0.1) -> list[Instance]:
        """The objects: per group, the voxels above the floor linked by adjacency; each part that
        most of some detection's voxels fall in is an object, labelled by its detections' votes,
        its box fitted to the part's well-measured voxels (`pointcloud.well_measured`: not the
        shell depth noise puts around surfaces; they do not decide the parts, since a strongly seen
        top can outweigh the sides under its edge). Boxes take the stricter `noise_ratio`: their
        lifts carry the noise shell; an object most of whose detections are masks takes
        `masked_noise_ratio`, as a mask bounds it already and the stricter trim cut real thin and far
        ends (BENCHMARKS.md, real-data regression)."""
        by_group: dict[str, list[DetectionRecord]] = {}
        for record in self.records:
            by_group.setdefault(record.group, []).append(record)
        instances = []
        for group in sorted(self.grids):
            grid = self.grids[group].merged()
            centres = grid.means()
            keep = np.ones(len(centres), bool) if floor is None else centres @ up > floor + floor_margin
            keys, centres = grid.keys[keep], centres[keep]
            if not len(keys):
                continue
            # Each detection's sampled voxels among those kept (indices into keys), once.
            found = [(record, where) for record in by_group.get(group, [])
                     if len(where := _found(keys, record.keys))]
            measured = well_measured(keys, grid.weights[keep], noise_ratio)
            measured_masked = well_measured(keys, grid.weights[keep], masked_noise_ratio) \
                if any(record.masked for record, _ in found) else measured
            parts = _joined_by_detections(component_labels(len(keys), adjacent_pairs(keys)), centres, found)
            members: dict[int, list[DetectionRecord]] = {}
            for record, where in found:
                members.setdefault(int(np.bincount(parts[where]).argmax()), []).append(record)
            sizes = np.bincount(parts)
            for part, records in sorted(members.items()):
                if sizes[part] < min_voxels:
                    continue
                votes = add_votes(*({r.label: r.sighting.score} for r in records))
                mine = parts == part
                trusted = measured_masked if 2 * sum(r.masked for r in records) > len(records) else measured
                if np.count_nonzero(mine & trusted) >= min_voxels:
                    mine &= trusted
                instances.append(make_instance(centres[mine], up, floor, [r.sighting for r in records], votes))
        return instances

    def state(self) -> tuple[dict[str, np.ndarray], list[dict]]:
        """(arrays, JSON-able records) for saving; `from_state` restores."""
        arrays = {}
        for number, (group, grid) in enumerate(sorted(self.grids.items())):
            arrays.update({f"map_{number}_{name}": value for name, value in grid.state().items()})
        arrays["map_record_keys"] = np.concatenate([r.keys for r in self.records]) if self.records else np.zeros(0, np.int64)
        meta = {"voxel": self.voxel, "groups": sorted(self.grids),
                "records": [[r.label, asdict(r.sighting), len(r.keys), r.masked] for r in self.records]}
        return arrays, meta

    @classmethod
    def from_state(cls, arrays, meta: dict) -> "ObjectMap":
        objects = cls(meta["voxel"])
        for number, group in enumerate(meta["groups"]):
            objects.grids[group] = VoxelSums.from_state(objects.voxel, {
                name: arrays[f"map_{number}_{name}"] for name in ("keys", "sums", "counts", "weights")})
        keys = np.asarray(arrays["map_record_keys"], np.int64)
        start = 0
        for label, sighting, size, *masked in meta["records"]:  # saved before masks were kept: boxes
            objects.records.append(DetectionRecord(label, label_group(label), sighting_from_state(sighting),
                                                   keys[start:start + size], bool(masked and masked[0])))
            start += size
        return objects

    def __len__(self) -> int:
        return len(self.records)
