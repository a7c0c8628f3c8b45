"""Where objects sit: heights above the floor, and the gaps between objects measured up (vertical)
or across the floor (horizontal)."""

from __future__ import annotations

from typing import Literal

from sagent.dsl.context import ExecContext
from sagent.dsl.ops.objects import choose, instance_pairs, single
from sagent.dsl.registry import op
from sagent.dsl.types import Length, Objects
from sagent.tools.geometry.boxes import vertical_span
from sagent.tools.geometry.footprints import convex_gap, footprint_polygon


def floor_level(ctx: ExecContext) -> float:
    """The scene's floor along up: the lowest bottom of any object (layouts need not put it at 0)."""
    return min(vertical_span(o.box, ctx.scene.up)[0] for o in ctx.scene.objects)


Part = Literal["bottom", "top", "center"]


@op
def elevation(ctx: ExecContext, thing: Objects, part: Part = "bottom") -> Length:
    """How high an object is above the floor (the lowest bottom of any object in the scene).

    "bottom": its lowest point ("how high is the tv mounted"); "top": its highest point ("how
    high is the top of the shelf"); "center": its box centre ("which is higher up, A or B").

    Args:
        thing: one object.
        part: which part of it to measure.

    Examples:
        answer to(elevation(objects("tv")), "cm")
        answer compare(elevation(objects("tv"), part="center"), ">", elevation(objects("lamp"), part="center"))
    """
    box = single(thing, "elevation").box
    bottom, top = vertical_span(box, ctx.scene.up)
    height = {"bottom": bottom, "top": top, "center": float(box.center_array @ ctx.scene.up)}[part]
    return Length(height - floor_level(ctx), "m")


@op
def vertical_distance(ctx: ExecContext, a: Objects, b: Objects) -> Length:
    """The vertical gap between two objects: from the top of the lower to the bottom of the higher
    (0 when their heights overlap). With several instances, the closest pair counts.

    Args:
        a: the first object.
        b: the second object.

    Examples:
        answer vertical_distance(objects("tv"), objects("sofa"))
    """
    up = ctx.scene.up
    gaps = []
    for x, y in instance_pairs(a, b, "vertical_distance"):
        (bottom_x, top_x), (bottom_y, top_y) = vertical_span(x.box, up), vertical_span(y.box, up)
        gaps.append(max(0.0, bottom_x - top_y, bottom_y - top_x))
    return Length(min(gaps), "m")


@op
def horizontal_distance(ctx: ExecContext, a: Objects, b: Objects) -> Length:
    """The gap between two objects across the floor: the smallest distance between their
    footprints seen from above (0 when they meet), whatever their heights. With several
    instances, the closest pair counts. "Would a 90 cm shelf fit between A and B":
    compare(horizontal_distance(A, B), ">=", 90cm).

    Args:
        a: the first object.
        b: the second object.

    Examples:
        answer compare(horizontal_distance(objects("bed"), objects("sofa")), ">=", 90cm)
    """
    up = ctx.scene.up
    return Length(min(convex_gap(footprint_polygon(x.box, up), footprint_polygon(y.box, up))
                      for x, y in instance_pairs(a, b, "horizontal_distance")), "m")


def _elevated(ctx: ExecContext, candidate: Objects, part: Part, best) -> tuple[float, object]:
    """A candidate's elevation (of its best instance, `best` max or min) and that instance."""
    floor, up = floor_level(ctx), ctx.scene.up

    def height(box) -> float:
        bottom, top = vertical_span(box, up)
        return {"bottom": bottom, "top": top, "center": float(box.center_array @ up)}[part] - floor

    return best(((height(x.box), x) for x in candidate.instances), key=lambda pair: pair[0])


@op
def highest(ctx: ExecContext, candidates: list[Objects], part: Part = "center") -> Objects:
    """The candidate placed highest above the floor ("which is higher up, the tv or the lamp"): by its
    box centre, or by its bottom or top; its highest instance counts and is the one returned.

    Args:
        candidates: two or more different objects to compare.
        part: which part's height above the floor to compare (see elevation).

    Examples:
        answer highest([objects("tv"), objects("lamp")])
    """
    return choose("highest", candidates, lambda c: _elevated(ctx, c, part, max), max)


@op
def lowest(ctx: ExecContext, candidates: list[Objects], part: Part = "center") -> Objects:
    """The candidate placed lowest above the floor: by its box centre, or by its bottom or top; its
    lowest instance counts and is the one returned.

    Args:
        candidates: two or more different objects to compare.
        part: which part's height above the floor to compare (see elevation).

    Examples:
        answer lowest([objects("tv"), objects("lamp")], part="bottom")
    """
    return choose("lowest", candidates, lambda c: _elevated(ctx, c, part, min), min)
