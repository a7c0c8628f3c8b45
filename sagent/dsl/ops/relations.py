"""Spatial relations between objects: on, under, above, below, next to, near, and between.

A relation holds between two labels when it holds for any pair of their instances, never for an
instance and itself.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.objects import instance_pairs, only, present, single
from sagent.dsl.ops.placement import floor_level
from sagent.dsl.registry import op
from sagent.dsl.types import Bool, Objects, Text
from sagent.memory.box import OrientedBox
from sagent.memory.scene import SceneObject
from sagent.tools.geometry import box_distance
from sagent.tools.geometry.boxes import vertical_span
from sagent.tools.geometry.floor_plane import floor_xy
from sagent.tools.geometry.footprints import (
    convex_gap,
    convex_hull,
    convex_overlap,
    footprint_polygon,
    inside_convex,
    polygon_area,
)

Relation = Literal["on", "under", "above", "below", "next_to", "near"]

STACK_SLACK = 0.05  # m: "above" may dip this far into the lower object's top; "under" must end this far below
ABOVE_REACH = 0.3  # m: the most the footprints of a thing "above" and what it is above may be apart
RESTING_GAP = 0.10  # m: the most a thing "on" another floats above (or sinks into) the other's top
RESTING_SHARE = 0.5  # the least share of its own footprint a thing "on" another has over it
COVERED_SHARE = 0.5  # the least share of the smaller footprint that two objects "under" one another share
NEXT_TO = 0.5  # m: the farthest apart (closest points) two objects "next to" each other are
NEAR = 1.0  # m: the farthest apart (closest points) two objects "near" each other are
FLOOR_SLACK = 0.05  # m: a bottom this close to the floor level is on the floor

WORDS = {"on": "on", "under": "under", "above": "above", "below": "below", "next_to": "next to", "near": "near"}


def _above(a: OrientedBox, b: OrientedBox, up: np.ndarray) -> bool:
    return (vertical_span(a, up)[0] >= vertical_span(b, up)[1] - STACK_SLACK
            and convex_gap(footprint_polygon(a, up), footprint_polygon(b, up)) <= ABOVE_REACH)


def _on(a: OrientedBox, b: OrientedBox, up: np.ndarray) -> bool:
    (bottom_a, top_a), (_, top_b) = vertical_span(a, up), vertical_span(b, up)
    if abs(bottom_a - top_b) > RESTING_GAP or top_a <= top_b:
        return False
    fa, fb = footprint_polygon(a, up), footprint_polygon(b, up)
    return convex_overlap(fa, fb) >= RESTING_SHARE * polygon_area(fa)


def _under(a: OrientedBox, b: OrientedBox, up: np.ndarray) -> bool:
    if vertical_span(a, up)[1] >= vertical_span(b, up)[1] - STACK_SLACK:
        return False
    fa, fb = footprint_polygon(a, up), footprint_polygon(b, up)
    return convex_overlap(fa, fb) >= COVERED_SHARE * min(polygon_area(fa), polygon_area(fb))


_HOLDS = {
    "on": _on,
    "under": _under,
    "above": _above,
    "below": lambda a, b, up: _above(b, a, up),
    "next_to": lambda a, b, up: box_distance(a, b) <= NEXT_TO,
    "near": lambda a, b, up: box_distance(a, b) <= NEAR,
}


def holds(ctx: ExecContext, x: SceneObject, relation: Relation, y: SceneObject) -> bool:
    """Whether instance x stands in the relation to instance y (never when they are one object)."""
    return x.id != y.id and _HOLDS[relation](x.box, y.box, ctx.scene.up)


@op
def related(ctx: ExecContext, a: Objects, relation: Relation, b: Objects) -> Bool:
    """Whether a stands in the relation to b ("is the lamp on the table": related(lamp, "on",
    table)); with several instances, whether any pair does.

    Args:
        a: the object the question is about.
        relation: "on" (resting on b: a's bottom within 0.1 m of b's top, at least half of a's
            footprint over b's, a's top higher), "under" (sharing at least half the smaller
            footprint, a's top at least 0.05 m below b's top), "above" (a's bottom no lower than
            b's top less 0.05 m, footprints at most 0.3 m apart), "below" (b is above a),
            "next_to" (closest points at most 0.5 m apart) or "near" (at most 1 m apart).
        b: the object it is related to.

    Examples:
        answer related(objects("lamp"), "next_to", objects("bed"))
    """
    return Bool(any(holds(ctx, x, relation, y) for x, y in instance_pairs(a, b, "related")))


def _gap(things: Objects, reference: Objects) -> float:
    return min(box_distance(x.box, y.box) for x in things.instances for y in reference.instances)


@op
def related_to(ctx: ExecContext, relation: Relation, reference: Objects) -> list[Objects]:
    """Every other object in the relation to the reference ("what is on the table":
    related_to("on", table)): the labels, other than the reference's own, with an instance in the
    relation, each holding only those instances, nearest to the reference first (closest points).
    An empty list means nothing is.

    Args:
        relation: "on", "under", "above", "below", "next_to" or "near", as related defines them.
        reference: the object the others are related to.

    Examples:
        answer related_to("near", objects("bed"))
    """
    present(reference, "related_to's reference")
    found = []
    for label in ctx.scene.labels():
        if label == reference.label:
            continue
        instances = [x for x in ctx.scene.instances(label)
                     if any(holds(ctx, x, relation, y) for y in reference.instances)]
        if instances:
            found.append(Objects(label, tuple(instances)))
    return sorted(found, key=lambda things: (_gap(things, reference), things.label))


def _between(ctx: ExecContext, t: SceneObject, a: SceneObject, b: SceneObject) -> bool:
    """Whether t's footprint centre lies in the hull of a's and b's footprints, in neither of them."""
    if len({t.id, a.id, b.id}) < 3:
        return False
    up = ctx.scene.up
    centre = floor_xy(t.box.center_array, up)  # a box's footprint is symmetric about its centre
    fa, fb = footprint_polygon(a.box, up), footprint_polygon(b.box, up)
    hull = convex_hull(np.vstack([fa, fb]))
    return inside_convex(centre, hull) and not inside_convex(centre, fa) and not inside_convex(centre, fb)


@op
def between(ctx: ExecContext, thing: Objects, a: Objects, b: Objects) -> Bool:
    """Whether a thing stands between two others, seen from above: the centre of its footprint
    lies inside the outline around both their footprints, and inside neither of them. With
    several instances, whether any choice of them does.

    Args:
        thing: the object that may be between.
        a: one of the two objects.
        b: the other.

    Examples:
        answer between(objects("lamp"), objects("bed"), objects("sofa"))
    """
    for things in (thing, a, b):
        present(things, "between")
    return Bool(any(_between(ctx, t, x, y)
                    for t in thing.instances for x in a.instances for y in b.instances))


def in_relation(ctx: ExecContext, things: Objects, relation: Relation, reference: Objects) -> Objects:
    """The instances of `things` in the relation to any instance of `reference`; an op error naming
    both when none is."""
    present(reference, "the reference")
    instances = [x for x in present(things, "the things").instances
                 if any(holds(ctx, x, relation, y) for y in reference.instances)]
    if not instances:
        raise OpError(f"no {things.label} is {WORDS[relation]} the {reference.label} "
                      f"(checked {len(things.instances)} {things.label} against {len(reference.instances)} "
                      f"{reference.label})")
    return only(things, *instances)


@op
def where_is(ctx: ExecContext, thing: Objects, reference: Objects) -> Text:
    """Where an object is relative to another, in words: the first relation that holds (on, under,
    above, below, next to, near; else how far), the gap between closest points, and how high its
    bottom is above the floor ("next to the sofa, 0.90 m away; its bottom on the floor"). Without an
    observer there is no left or right: ask from a viewpoint for those.

    Args:
        thing: the object to place (one instance).
        reference: the object to place it by.

    Examples:
        answer where_is(objects("lamp"), objects("sofa"))
        answer where_is(objects("lamp"), nearest(other_objects(objects("lamp")), objects("lamp")))
    """
    subject = single(thing, "where_is")
    pairs = [(x, y) for x, y in instance_pairs(Objects(thing.label, (subject,)), reference, "where_is")]
    relation = next((r for r in WORDS if any(holds(ctx, x, r, y) for x, y in pairs)), None)
    gap = min(box_distance(x.box, y.box) for x, y in pairs)
    placed = f"{WORDS[relation]} the {reference.label}" if relation else f"away from the {reference.label}"
    bottom = vertical_span(subject.box, ctx.scene.up)[0] - floor_level(ctx)
    height = "on the floor" if bottom < FLOOR_SLACK else f"{bottom:.2f} m above the floor"
    return Text(f"{placed}, {gap:.2f} m away; its bottom {height}")
