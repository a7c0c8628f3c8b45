"""Small synthetic scenes with exact ground truth, built in code."""

from __future__ import annotations

import math

from sagent.memory import OrientedBox, Room, SceneMemory, SceneObject, SceneRecord


def yawed_box(center, size, yaw_degrees=0.0) -> OrientedBox:
    yaw = math.radians(yaw_degrees)
    axes = ((math.cos(yaw), math.sin(yaw), 0.0), (-math.sin(yaw), math.cos(yaw), 0.0), (0.0, 0.0, 1.0))
    return OrientedBox(center=tuple(center), axes=axes, extents=tuple(size))


def make_scene(items, name="synthetic", floor_area=12.0, outline=None, **record) -> SceneMemory:
    """items: (label, centre, size[, yaw[, first_seen]]) tuples; ids are label_index; `outline`: the
    room's floor polygon, (x, y) points."""
    objects, seen = [], {}
    for item in items:
        label, center, size, *rest = item
        index = seen[label] = seen.get(label, -1) + 1
        box = yawed_box(center, size, rest[0] if rest else 0.0)
        first_seen = rest[1] if len(rest) > 1 else None
        objects.append(SceneObject(id=f"{label.replace(' ', '_')}_{index}", label=label, box=box, first_seen=first_seen))
    room = Room(floor_area=floor_area, footprint=None if outline is None else tuple(map(tuple, outline)))
    return SceneMemory(SceneRecord(name=name, objects=objects, room=room, **record))


def compass_scene() -> SceneMemory:
    """An observer's marker at the origin facing +y (a 'tv' at (0, 4)); props around it.

    From 'marker' facing 'tv': 'lamp' is front-left (45 deg left), 'plant' back-left (150 deg),
    'fan' front-right (80 deg right), 'box' back-right (140 deg right), 'door' front-right (30 deg right).
    """
    def at(angle_deg: float, radius: float = 2.0):
        a = math.radians(90 + angle_deg)  # positive angle = to the left of +y
        return (radius * math.cos(a), radius * math.sin(a), 0.5)

    return make_scene([
        ("marker", (0, 0, 0.5), (0.2, 0.2, 1.0)),
        ("tv", (0, 4, 1.0), (1.2, 0.1, 0.7)),
        ("lamp", at(45), (0.3, 0.3, 1.5)),
        ("plant", at(150), (0.4, 0.4, 1.0)),
        ("fan", at(-80), (0.4, 0.4, 1.2)),
        ("box", at(-140), (0.5, 0.5, 0.5)),
        ("door", at(-30), (0.9, 0.05, 2.0)),
    ])
