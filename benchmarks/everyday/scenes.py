"""Scenes of the everyday set, read straight from meta_info JSON (no sagent code): boxes by label,
stated counts, room area, and the label-level measures of the spec (closest pair, any pair)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

import geometry as g

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=8)
def read_meta(path: str) -> dict:
    return json.loads((ROOT / path).read_text())


@dataclass
class Scene:
    name: str
    file: str  # relative to the repository root
    boxes: list[g.Box]
    stated_counts: dict[str, int]
    room_size: float | None

    @classmethod
    def load(cls, file: str, name: str) -> "Scene":
        raw = read_meta(file)[name]
        boxes = []
        for label, entries in raw["object_bbox"].items():
            seen = set()
            for index, entry in enumerate(entries):
                key = tuple(np.round([*entry["centroid"], *entry["axesLengths"]], 6))
                if key in seen:  # some files list the same box twice
                    continue
                seen.add(key)
                boxes.append(g.Box.from_meta(label, entry, index))
        return cls(name, file, boxes, dict(raw.get("object_counts") or {}), raw.get("room_size"))

    @property
    def floor(self) -> float:
        return min(b.bottom for b in self.boxes)

    @property
    def labels(self) -> list[str]:
        return sorted({b.label for b in self.boxes} | set(self.stated_counts))

    def of(self, label: str) -> list[g.Box]:
        return [b for b in self.boxes if b.label == label]

    def count(self, label: str) -> int:
        """Stated counts win over the boxes."""
        if label in self.stated_counts:
            return int(self.stated_counts[label])
        return len(self.of(label))

    def single(self, label: str) -> bool:
        """Exactly one instance, by the boxes and by the stated count."""
        return len(self.of(label)) == 1 and self.count(label) == 1

    def singles(self) -> list[str]:
        return [label for label in self.labels if self.single(label)]

    def multiples(self) -> list[str]:
        return [label for label in self.labels if len(self.of(label)) >= 2 and self.count(label) >= 2]

    # label-level measures ------------------------------------------------------------------------
    def pair_min(self, fn, a: str, b: str) -> float:
        return min(fn(x, y) for x in self.of(a) for y in self.of(b) if x is not y)

    def dist3(self, a: str, b: str) -> float:
        return self.pair_min(g.dist3, a, b)

    def hdist(self, a: str, b: str) -> float:
        return self.pair_min(g.hdist, a, b)

    def vdist(self, a: str, b: str) -> float:
        return self.pair_min(g.vdist, a, b)

    def elevation(self, box: g.Box, which: str) -> float:
        if which == "bottom":
            return box.bottom - self.floor
        if which == "top":
            return box.top - self.floor
        return float(box.center[2]) - self.floor

    def relation(self, name: str, a: str | list[g.Box], b: str | list[g.Box]) -> bool | None:
        """Any instance pair; None when too close to a threshold."""
        xs = self.of(a) if isinstance(a, str) else a
        ys = self.of(b) if isinstance(b, str) else b
        pairs = [(x, y) for x, y in itertools.product(xs, ys) if x is not y]
        return g.relation_state(g.RELATIONS[name], pairs)

    def listing(self, name: str, reference: str | list[g.Box]) -> list[str] | None:
        """Labels (other than the reference's own) with an instance in the relation to the reference,
        sorted by closest-pair distance; None if any label is too close to a threshold."""
        refs = self.of(reference) if isinstance(reference, str) else reference
        own = refs[0].label
        found = []
        for label in self.labels:
            if label == own or not self.of(label):
                continue
            state = self.relation(name, label, refs)
            if state is None:
                return None
            if state:
                found.append((min(g.dist3(x, r) for x in self.of(label) for r in refs), label))
        return [label for _, label in sorted(found)]

    def between(self, t: str | list[g.Box], a: str, b: str) -> bool | None:
        ts = self.of(t) if isinstance(t, str) else t
        triples = [(x, y, z) for x in ts for y in self.of(a) for z in self.of(b)]
        return g.relation_state(g.between, triples)
