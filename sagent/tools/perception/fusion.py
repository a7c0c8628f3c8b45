"""Object instances: what one is, the merge pass and the clean-ups shared by every way of
associating detections (the voxel map of `association`, whole observations for sparse depth)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.footprints import footprint_overlap, overlap_ratio
from sagent.tools.perception.boxfit import fit_gravity_box
from sagent.tools.perception.components import component_members
from sagent.tools.perception.labels import label_group, majority_label
from sagent.tools.perception.lifting import Observation3D, Sighting, isolate_object
from sagent.tools.perception.pointcloud import voxel_downsample


@dataclass
class Instance:
    """One object: its box and points, when and where it was detected, and the labels it was given."""

    box: OrientedBox
    points: np.ndarray  # Float32[N 3], voxel-downsampled
    sightings: list[Sighting]  # by time
    votes: dict[str, float]  # label -> summed detection score

    @property
    def label(self) -> str:
        return majority_label(self.votes)

    @property
    def first_seen(self) -> float:
        return self.sightings[0].time

    @property
    def frames(self) -> int:
        return len({s.frame for s in self.sightings})

    @property
    def confidence(self) -> float:
        """Mean detection score, discounted for objects seen in fewer than three frames."""
        return float(np.mean([s.score for s in self.sightings]) * min(1.0, self.frames / 3))


def by_time(sightings) -> list[Sighting]:
    """The sightings in the order instances keep them: by time, then frame, then box."""
    return sorted(sightings, key=lambda s: (s.time, s.frame, s.box2d))


def make_instance(points: np.ndarray, up: np.ndarray, floor: float | None, sightings, votes: dict[str, float]) -> Instance:
    return Instance(fit_gravity_box(points, up, floor), np.asarray(points, np.float32), by_time(sightings),
                    dict(votes))


def add_votes(*tallies: dict[str, float]) -> dict[str, float]:
    total: dict[str, float] = {}
    for tally in tallies:
        for label, weight in tally.items():
            total[label] = total.get(label, 0.0) + weight
    return total


def fuse(observations: list[Observation3D], up: np.ndarray, floor: float | None, overlap: float,
         voxel: float) -> list[Instance]:
    """Instances from observations kept whole (sparse depth, where each has a few dozen points):
    labels of one group and overlapping boxes (intersection over the smaller volume, boxes grown by
    5 cm) link observations; components of that graph are instances, then the merge pass."""
    cleaned = [isolate_object(o, up, floor) for o in observations]
    keep = [i for i, p in enumerate(cleaned) if len(p) >= 10]
    observations, cleaned = [observations[i] for i in keep], [cleaned[i] for i in keep]
    boxes = [fit_gravity_box(p, up, floor) for p in cleaned]
    links = []
    by_group: dict[str, list[int]] = {}
    for i, o in enumerate(observations):
        by_group.setdefault(label_group(o.label), []).append(i)
    for members in by_group.values():
        centres = np.array([boxes[i].center_array for i in members])
        radii = np.array([np.linalg.norm(boxes[i].extents_array) / 2 for i in members])
        for a_pos, a in enumerate(members):
            near = np.nonzero(np.linalg.norm(centres - centres[a_pos], axis=1) < radii + radii[a_pos] + 0.1)[0]
            for b_pos in near[near > a_pos]:
                b = members[b_pos]
                if overlap_ratio(boxes[a], boxes[b], up) >= overlap:
                    links.append((a, b))
    instances = []
    for members in component_members(len(observations), links):
        points, _ = voxel_downsample(np.concatenate([cleaned[i] for i in members]), voxel)
        sightings = [s for i in members for s in observations[i].sightings]
        votes = add_votes(*({observations[i].label: sum(s.score for s in observations[i].sightings)} for i in members))
        instances.append(make_instance(points, up, floor, sightings, votes))
    return merge_overlapping(instances, up, floor, overlap, voxel)


def stacked(a: OrientedBox, b: OrientedBox, up: np.ndarray, gap: float = 0.15, share: float = 0.5) -> bool:
    """Whether one box sits over the other, most of the smaller footprint shared, with a gap of at
    most `gap` metres between them: what the parts of one object look like when an occluder's edge
    cuts across it in every view (a door behind a table is seen above the table and below it, never
    at its height), and also two objects on shelves one above the other."""
    heights = sorted([(a.center_array @ up, a.extent_along(up)), (b.center_array @ up, b.extent_along(up))])
    (low_centre, low_height), (high_centre, high_height) = heights
    between = (high_centre - high_height / 2) - (low_centre + low_height / 2)
    if not -0.02 <= between <= gap:
        return False
    smaller = min(a.extents[0] * a.extents[1], b.extents[0] * b.extents[1])
    return footprint_overlap(a, b, up) >= share * smaller


def merge_overlapping(instances: list[Instance], up, floor, overlap: float, voxel: float,
                      seen_as_one: Callable[[Instance, Instance], bool] | None = None) -> list[Instance]:
    """The merge pass: instances of one label group whose boxes overlap (over the smaller volume) are
    one object seen in parts; so are two `stacked` ones that the detections took for one object
    (`seen_as_one`: one 2D box holding both, as it holds a door above and below the table in front)."""
    groups = [label_group(inst.label) for inst in instances]
    links = []
    for i, a in enumerate(instances):
        for j in range(i + 1, len(instances)):
            b = instances[j]
            if groups[i] != groups[j]:
                continue
            if overlap_ratio(a.box, b.box, up, grow=0.0) >= overlap or (
                    seen_as_one is not None and stacked(a.box, b.box, up) and seen_as_one(a, b)):
                links.append((i, j))
    merged = []
    for component in component_members(len(instances), links):
        members = [instances[i] for i in component]
        if len(members) == 1:
            merged.append(members[0])
            continue
        points, _ = voxel_downsample(np.concatenate([m.points for m in members]).astype(float), voxel)
        merged.append(make_instance(points, up, floor, [s for m in members for s in m.sightings],
                                    add_votes(*(m.votes for m in members))))
    return sorted(merged, key=lambda inst: (inst.first_seen, inst.label, tuple(inst.box.center)))


def drop_relabelled_surfaces(instances: list[Instance], radius: float = 0.03, share: float = 0.5) -> list[Instance]:
    """Drop an instance whose points are mostly another, better-supported instance's surface: a box
    around an occluded object lifts the occluder, which then wears the wrong label. (A pillow on a
    bed keeps its own surface, so it stays.)"""
    from scipy.spatial import cKDTree

    support = [inst.frames for inst in instances]
    trees = [cKDTree(inst.points) for inst in instances]
    keep = []
    for i, inst in enumerate(instances):
        covered = any(
            support[j] > support[i] and (trees[j].query(inst.points, distance_upper_bound=radius)[0] < radius).mean() > share
            for j in range(len(instances)) if j != i
        )
        if not covered:
            keep.append(inst)
    return keep


# Things that stand on the floor or on furniture, never hang: when their lower part was never seen
# (occluded in every view), their box goes down to what supports them.
STANDING = frozenset({
    "bed", "sofa", "chair", "table", "desk", "nightstand", "lamp", "plant", "trash bin", "bookshelf", "cabinet",
    "refrigerator", "stool", "toilet", "bathtub", "washing machine", "dishwasher", "stove", "oven", "piano",
    "closet", "dresser", "counter", "suitcase", "basket", "box", "guitar", "fan", "radiator", "printer",
    "door",  # hinged in its frame, it reaches the floor
})


def _box_with_bottom(box: OrientedBox, up: np.ndarray, bottom: float) -> OrientedBox:
    top = box.center_array @ up + box.extent_along(up) / 2
    if top <= bottom:  # all of it below the support found (a noisy floor under sparse points): leave it be
        return box
    centre = box.center_array + ((top + bottom) / 2 - box.center_array @ up) * up
    extents = list(box.extents)
    extents[int(np.abs(box.axes_array @ up).argmax())] = top - bottom
    return OrientedBox(center=tuple(centre), axes=box.axes, extents=tuple(extents))


def rest_on_support(instances: list[Instance], up: np.ndarray, floor: float | None, gap: float = 0.1) -> list[Instance]:
    """Standing objects whose box floats more than `gap` above the floor are extended down to the
    highest object top under their footprint, or to the floor."""
    if floor is None:
        return instances
    def bottom(box):
        return box.center_array @ up - box.extent_along(up) / 2

    for inst in instances:
        low = bottom(inst.box)
        if inst.label not in STANDING or low - floor <= gap:
            continue
        area = inst.box.extents[0] * inst.box.extents[1]
        support = floor
        for other in instances:
            if other is inst:
                continue
            other_top = bottom(other.box) + other.box.extent_along(up)
            if other_top > low + 0.05:
                continue
            if footprint_overlap(inst.box, other.box, up) > 0.2 * area:
                support = max(support, other_top)
        inst.box = _box_with_bottom(inst.box, up, support)
    return instances
