"""Generated rooms of the everyday set: sagent's synthetic generator places the furniture
(`place_objects`, `CATALOG`); objects resting on others (a lamp on a nightstand, a tv on a tv stand,
a plant on a table) and a bin under a table are added here, centred on their support, so that on /
under / above questions have true answers. Written in the VSI-Bench meta_info format exactly as
`sagent.tools.synthetic.generator.generate` writes its `layout.json` (that conversion is inline in
`generate`, not a function, so `meta_info` below mirrors it)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import geometry as g
from sagent.memory.box import OrientedBox
from sagent.tools.synthetic.generator import CATALOG, PlacedObject, place_objects
from sagent.tools.synthetic.generator import meta_info as generator_meta_info


@dataclass(frozen=True)
class RoomPlan:
    name: str
    seed: int
    labels: tuple[str, ...]  # placed by sagent's generator (CATALOG labels)
    on: tuple[tuple[str, str, int, tuple[float, float, float]], ...] = ()  # (label, support, which, size)
    under: tuple[tuple[str, str, int, tuple[float, float, float]], ...] = ()
    tv_stand: bool = False  # a tv stand against a wall with the tv standing on it
    notes: str = field(default="", compare=False)


PLANS = (
    RoomPlan("everyday_bedroom", 11, ("bed", "nightstand", "nightstand", "lamp", "chair", "bookshelf", "door",
                                       "trash bin", "plant", "tv"),
             on=(("lamp", "nightstand", 0, (0.3, 0.3, 0.5)), ("plant", "nightstand", 1, (0.25, 0.25, 0.4)))),
    RoomPlan("everyday_living", 12, ("sofa", "table", "chair", "chair", "chair", "bookshelf", "door", "plant",
                                      "lamp", "trash bin"), tv_stand=True),
    RoomPlan("everyday_dining", 13, ("table", "table", "chair", "chair", "chair", "chair", "door", "bookshelf",
                                      "lamp", "lamp"),
             on=(("plant", "table", 0, (0.3, 0.3, 0.45)),), under=(("trash bin", "table", 1, (0.3, 0.3, 0.4)),)),
    RoomPlan("everyday_study", 14, ("table", "chair", "chair", "bookshelf", "bookshelf", "sofa", "door",
                                     "trash bin", "plant"),
             on=(("lamp", "table", 0, (0.25, 0.25, 0.55)),)),
    RoomPlan("everyday_studio", 15, ("bed", "sofa", "table", "chair", "chair", "chair", "nightstand", "door",
                                      "bookshelf", "trash bin"), tv_stand=True,
             on=(("lamp", "nightstand", 0, (0.3, 0.3, 0.5)), ("plant", "table", 0, (0.3, 0.3, 0.45)))),
    RoomPlan("everyday_family", 16, ("sofa", "sofa", "table", "table", "chair", "chair", "lamp", "lamp", "plant",
                                      "plant", "door", "bookshelf", "tv"),
             on=(("plant", "table", 1, (0.3, 0.3, 0.45)),)),
)
TV_STAND = (1.5, 0.4, 0.5)


def _yawed(center, size, yaw) -> OrientedBox:
    c, s = math.cos(yaw), math.sin(yaw)
    return OrientedBox(center=tuple(map(float, center)), axes=((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, 1.0)),
                       extents=tuple(map(float, size)))


def _truth_box(obj: PlacedObject) -> g.Box:
    return g.Box(obj.label, obj.box.center_array, obj.box.axes_array, obj.box.extents_array)


def _clear(box: OrientedBox, placed: list[PlacedObject], clearance: float, skip=()) -> bool:
    new = g.Box("new", box.center_array, box.axes_array, box.extents_array)
    return all(g.dist3(new, _truth_box(o)) >= clearance for o in placed if o not in skip)


def _yaw(box: OrientedBox) -> float:
    return math.atan2(box.axes[0][1], box.axes[0][0])


def _on_top(rng, label, support: PlacedObject, size, below: bool = False) -> PlacedObject:
    size = np.asarray(size) * rng.uniform(0.9, 1.1, 3)
    c = support.box.center_array
    top = c[2] + support.box.extents_array[2] / 2
    z = size[2] / 2 + (c[2] - support.box.extents_array[2] / 2 if below else top)
    return PlacedObject(label, _yawed((c[0], c[1], z), size, _yaw(support.box)), CATALOG.get(label, (0, 0, (128,) * 3))[2])


def _tv_stand(rng, room, placed) -> list[PlacedObject] | None:
    width, length = room
    size = np.asarray(TV_STAND) * rng.uniform(0.9, 1.1, 3)
    for _ in range(400):
        wall = int(rng.integers(4))
        along = rng.uniform(0.2 + size[0] / 2, (width if wall < 2 else length) - 0.2 - size[0] / 2)
        off = size[1] / 2 + 0.001
        center, yaw = {0: ((along, off, size[2] / 2), 0.0), 1: ((along, length - off, size[2] / 2), math.pi),
                       2: ((off, along, size[2] / 2), math.pi / 2),
                       3: ((width - off, along, size[2] / 2), -math.pi / 2)}[wall]
        box = _yawed(center, size, yaw)
        if _clear(box, placed, 0.15):
            stand = PlacedObject("tv stand", box, (90, 60, 40))
            tv_size = np.asarray(CATALOG["tv"][0]) * rng.uniform(0.9, 1.1, 3)
            c = box.center_array
            tv = PlacedObject("tv", _yawed((c[0], c[1], size[2] + tv_size[2] / 2), tv_size, yaw), CATALOG["tv"][2])
            if _clear(tv.box, placed, 0.15):
                return [stand, tv]
    return None


def build_room(plan: RoomPlan) -> tuple[tuple[float, float], list[PlacedObject]]:
    """The room (width, length) and its objects; seeds are tried in a fixed order until every planned
    object fits, so the result is deterministic."""
    for attempt in range(50):
        rng = np.random.default_rng(plan.seed + 1000 * attempt)
        room = (float(rng.uniform(4.5, 6.5)), float(rng.uniform(4.0, 6.0)))  # as generate() draws it
        placed = place_objects(rng, plan.labels, room)
        if len(placed) != len(plan.labels):
            continue
        extra: list[PlacedObject] = []
        if plan.tv_stand:
            stand = _tv_stand(rng, room, placed)
            if stand is None:
                continue
            extra += stand
        ok = True
        for label, support_label, which, size, below in [(*s, False) for s in plan.on] + [(*s, True) for s in plan.under]:
            support = [o for o in placed if o.label == support_label][which]
            obj = _on_top(rng, label, support, size, below)
            if not _clear(obj.box, placed + extra, 0.05, skip=(support,)):
                ok = False
                break
            extra.append(obj)
        if ok:
            return room, placed + extra
    raise RuntimeError(f"could not build {plan.name}")


def meta_info(name: str, room: tuple[float, float], objects: list[PlacedObject]) -> dict:
    """One scene in the meta_info format, as generator.generate writes layout.json."""
    return generator_meta_info(room, objects, dataset="sagent-everyday")


def all_rooms() -> dict[str, dict]:
    return {plan.name: meta_info(plan.name, *build_room(plan)) for plan in PLANS}
