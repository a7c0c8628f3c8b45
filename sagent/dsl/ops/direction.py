"""Viewpoints ("standing at A facing B") and the direction of an object from one."""

from __future__ import annotations

from typing import Literal

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.objects import choose, present, single
from sagent.dsl.registry import op
from sagent.dsl.types import Angle, Direction, Length, Objects, Viewpoint
from sagent.memory.scene import SceneObject
from sagent.tools.geometry import floor_direction, point_box_distance, signed_floor_angle
from sagent.tools.geometry.floor_plane import BACK_DEGREES


@op
def viewpoint(ctx: ExecContext, at: Objects, facing: Objects) -> Viewpoint:
    """An observer standing at one object's centre, facing another's centre (floor plane).

    Args:
        at: where the observer stands.
        facing: what the observer faces.

    Examples:
        me = viewpoint(objects("door"), objects("tv")); answer direction(me, objects("sofa"))
    """
    here = single(at, "viewpoint 'at'").box.center_array
    there = single(facing, "viewpoint 'facing'").box.center_array
    forward = floor_direction(there - here, ctx.scene.up)
    if forward is None:
        raise OpError("the facing direction is undefined: the two objects are at the same floor position")
    return Viewpoint(position=here, facing=forward, description=f"at the {at.label} facing the {facing.label}")


def _bearing(ctx: ExecContext, observer: Viewpoint, target: Objects) -> float:
    point = single(target, "direction").box.center_array
    try:
        return signed_floor_angle(observer.facing, point - observer.position, ctx.scene.up)
    except ValueError as exc:
        raise OpError(f"the {target.label} is where the observer stands: {exc}") from None


@op
def bearing(ctx: ExecContext, observer: Viewpoint, target: Objects) -> Angle:
    """Signed angle in the floor plane from the observer's facing to the target; positive is left.

    Args:
        observer: the observer.
        target: the object to look at.

    Examples:
        answer bearing(viewpoint(objects("door"), objects("tv")), objects("sofa"))
    """
    return Angle(_bearing(ctx, observer, target), "deg")


Scheme = Literal["left_right", "left_right_back", "quadrant", "front_back"]
FRONT_DEGREES = 90.0  # a target less than this far from the facing is in front, else behind


@op
def direction(ctx: ExecContext, observer: Viewpoint, target: Objects, scheme: Scheme = "left_right") -> Direction:
    """Where the target is from the observer.

    "left_right": left or right. "left_right_back": back when turning at least 135 degrees,
    else left or right. "quadrant": front-left, front-right, back-left or back-right.
    "front_back": front when less than 90 degrees from the facing ("in front of me"), else back
    ("behind me").

    Args:
        observer: the observer.
        target: the object to locate.
        scheme: which set of answers to use.

    Examples:
        answer direction(viewpoint(objects("door"), objects("tv")), objects("sofa"))
        answer direction(viewpoint(objects("door"), objects("tv")), objects("sofa"), scheme="quadrant")
    """
    angle = _bearing(ctx, observer, target)
    side = "left" if angle > 0 else "right"
    front = abs(angle) < FRONT_DEGREES
    if scheme == "front_back":
        return Direction("front" if front else "back")
    if scheme == "left_right_back" and abs(angle) >= BACK_DEGREES:
        return Direction("back")
    if scheme == "quadrant":
        return Direction(("front-" if front else "back-") + side)
    return Direction(side)


def _from_observer(observer: Viewpoint, thing: Objects) -> tuple[float, SceneObject]:
    """The distance from the observer to the closest point of the thing's nearest instance, and that instance."""
    here = observer.position[None]
    gaps = [(float(point_box_distance(here, x.box)[0]), x) for x in present(thing, "distance").instances]
    return min(gaps, key=lambda gap: gap[0])


@op
def distance_from(ctx: ExecContext, observer: Viewpoint, thing: Objects) -> Length:
    """How far an object is from the observer: to the closest point of its box (its nearest
    instance); 0 when the observer stands inside it.

    Args:
        observer: the observer.
        thing: the object.

    Examples:
        answer distance_from(view(0), objects("tv"))
    """
    return Length(_from_observer(observer, thing)[0], "m")


@op
def closest_to_observer(ctx: ExecContext, candidates: list[Objects], observer: Viewpoint) -> Objects:
    """The candidate closest to the observer ("which is closer to the camera, A or B"), holding
    only its nearest instance.

    Args:
        candidates: two or more different objects to choose from.
        observer: the observer, e.g. view(0) or viewpoint(...).

    Examples:
        answer closest_to_observer([objects("tv"), objects("sofa")], view(0))
    """
    return choose("closest_to_observer", candidates, lambda c: _from_observer(observer, c), min)


Side = Literal["left", "right", "front", "back", "front-left", "front-right"]


@op
def objects_on_side(ctx: ExecContext, observer: Viewpoint, side: Side) -> list[Objects]:
    """Every object on one side of the observer ("what is on my left?"), nearest first; each holds only
    its instances on that side. Left and right are the two halves of the floor plane, front and back
    split at 90 degrees; "front-left" and "front-right" are the left or right of what is in front ("what
    is to the left of the tv", facing it).

    Args:
        observer: the observer.
        side: which side.

    Examples:
        answer objects_on_side(viewpoint(objects("sofa"), objects("tv")), "left")
    """
    found: dict[str, list[tuple[float, SceneObject]]] = {}
    for obj in ctx.scene.objects:
        offset = obj.box.center_array - observer.position
        try:
            angle = signed_floor_angle(observer.facing, offset, ctx.scene.up)
        except ValueError:  # the observer stands at it
            continue
        front = abs(angle) < FRONT_DEGREES
        sides = {"left": angle > 0, "right": angle < 0, "front": front, "back": not front,
                 "front-left": front and angle > 0, "front-right": front and angle < 0}
        if sides[side]:
            distance = float(point_box_distance(observer.position[None], obj.box)[0])
            found.setdefault(obj.label, []).append((distance, obj))
    ordered = sorted(found.items(), key=lambda item: (min(d for d, _ in item[1]), item[0]))
    return [Objects(label, tuple(o for _, o in sorted(items, key=lambda pair: pair[0]))) for label, items in ordered]


@op
def farthest_from_observer(ctx: ExecContext, candidates: list[Objects], observer: Viewpoint) -> Objects:
    """The candidate farthest from the observer ("which is farther from the camera, A or B"), by its
    nearest instance, holding that instance.

    Args:
        candidates: two or more different objects to choose from.
        observer: the observer, e.g. view(0).

    Examples:
        answer farthest_from_observer([objects("tv"), objects("sofa")], view(0))
    """
    return choose("farthest_from_observer", candidates, lambda c: _from_observer(observer, c), max)
