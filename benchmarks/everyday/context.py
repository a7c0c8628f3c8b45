"""What every question generator shares: the scene, a seeded random source, how to name objects,
the separation tests that leave near-ties out, and the question record itself."""

from __future__ import annotations

import random
from dataclasses import dataclass

import geometry as g
import phrasing as p
from scenes import Scene

MEASURE_TOLERANCE = 0.05  # relative, for lengths, areas, volumes and ratios
TIE = 0.10  # two candidates within 10 % of each other are a near-tie
UNITS_OF = {"length": "m", "area": "m2", "volume": "m3"}
DIMENSION_OF = {"height": "length", "length": "length", "width": "length", "longest": "length",
                "footprint": "area", "volume": "volume"}


def separated(a: float, b: float, rel: float = TIE, absolute: float = 0.0) -> bool:
    """a and b differ by at least `rel` of the larger magnitude and at least `absolute`."""
    diff = abs(a - b)
    return diff >= rel * max(abs(a), abs(b)) and diff >= absolute


def winner(values: dict[str, float], largest: bool, rel: float = TIE, absolute: float = 0.0) -> str | None:
    """The key with the largest (or smallest) value when the runner-up is clearly behind, else None."""
    if len(values) < 2:
        return None
    ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=largest)
    (best, v1), (_, v2) = ranked[0], ranked[1]
    return best if separated(v1, v2, rel, absolute) else None


@dataclass
class Ctx:
    scene: Scene
    rng: random.Random

    # names --------------------------------------------------------------------------------------
    def name(self, label: str) -> str:
        return self.rng.choice(p.spoken(label))

    def the(self, label: str) -> str:
        return "the " + self.name(label)

    def a(self, label: str) -> str:
        return p.article(self.name(label))

    def pl(self, label: str) -> str:
        return p.plural(self.name(label))

    # objects ------------------------------------------------------------------------------------
    def askable(self) -> list[str]:
        return [label for label in self.scene.labels if self.scene.of(label) and label not in p.UNASKED]

    def singles(self, upright: bool = False) -> list[str]:
        return [label for label in self.askable() if self.scene.single(label)
                and (not upright or self.scene.of(label)[0].uprightness > 0.95)]

    def multiples(self) -> list[str]:
        return [label for label in self.askable() if label in self.scene.multiples()]

    def box(self, label: str) -> g.Box:
        (only,) = self.scene.of(label)
        return only

    def sample(self, items, k: int) -> list:
        items = list(items)
        return self.rng.sample(items, k) if len(items) >= k else []

    def shuffled(self, items) -> list:
        items = list(items)
        self.rng.shuffle(items)
        return items

    # the record ---------------------------------------------------------------------------------
    def q(self, category: str, text: str, kind: str, truth, unit: str | None = None,
          options: list[str] | None = None, tolerance: float | None = None) -> dict:
        if tolerance is None:
            tolerance = MEASURE_TOLERANCE if kind in ("length", "area", "volume", "number") else 0.0
        if isinstance(truth, float):
            truth = round(truth, 4)
        return {"scene_file": self.scene.file, "scene_name": self.scene.name, "category": category,
                "question": p.cap(text), "options": options, "kind": kind, "ground_truth": truth, "unit": unit,
                "tolerance": tolerance}

    def measure_q(self, category: str, text: str, value_base: float, dimension: str, ask: tuple[str, str]) -> dict:
        """A measure question: `text` holds `{u}` where the unit phrase goes; value in m, m2 or m3."""
        phrase, unit = ask
        return self.q(category, text.replace("{u}", phrase), dimension, p.in_unit(value_base, unit), unit)

    def unit_ask(self, dimension: str) -> tuple[str, str]:
        table = {"length": p.LENGTH_ASKS, "area": p.AREA_ASKS, "volume": p.VOLUME_ASKS}[dimension]
        return self.rng.choice(table)


def lettered(options: list[str]) -> list[str]:
    return [f"{chr(65 + i)}. {option}" for i, option in enumerate(options)]
