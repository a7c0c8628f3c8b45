"""Distances, sizes, footprints, volumes, the room's size and unit conversion."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.objects import present, single
from sagent.dsl.registry import op
from sagent.dsl.types import Area, Length, Objects, Quantity, UnitName, Volume, quantity_type
from sagent.memory import units
from sagent.memory.box import OrientedBox
from sagent.tools.geometry import box_distance
from sagent.tools.geometry.boxes import horizontal_sides
from sagent.tools.geometry.footprints import footprint_polygon, min_area_rectangle, polygon_area


@op
def distance(ctx: ExecContext, a: Objects, b: Objects) -> Length:
    """Distance between the closest points of two objects' oriented boxes (0 when they touch).

    With several instances, the closest pair counts.

    Args:
        a: the first object.
        b: the second object.

    Examples:
        answer distance(objects("sofa"), objects("tv"))
    """
    pairs = [(x, y) for x in present(a, "distance").instances for y in present(b, "distance").instances]
    return Length(min(box_distance(x.box, y.box) for x, y in pairs), "m")


SizeDimension = Literal["longest", "height", "length", "width"]
# What "bigger" can mean: a size (metres), the footprint (m2) or the volume (m3).
Measure = Literal["longest", "height", "length", "width", "footprint", "volume"]


def measure_box(box: OrientedBox, up: np.ndarray, dimension: Measure) -> float:
    """One measure of one box, in base units: metres for a side, m2 for the footprint, m3 for the volume."""
    if dimension == "longest":
        return float(box.extents_array.max())
    if dimension == "height":
        return box.extent_along(up)
    if dimension == "footprint":
        return polygon_area(footprint_polygon(box, up))
    if dimension == "volume":
        return float(np.prod(box.extents_array))
    length, width = horizontal_sides(box, up)
    return length if dimension == "length" else width


@op
def size(ctx: ExecContext, thing: Objects, dimension: SizeDimension = "longest") -> Length:
    """One dimension of an object's box: the longest side, the height (along up), or the
    length / width (longer / shorter horizontal side).

    Args:
        thing: one object.
        dimension: which dimension to measure.

    Examples:
        answer to(size(objects("bed")), "cm")
        answer size(objects("door"), dimension="height")
    """
    return Length(measure_box(single(thing, "size").box, ctx.scene.up, dimension), "m")


@op
def footprint(ctx: ExecContext, thing: Objects) -> Area:
    """The floor area an object covers: its box's outline seen from above (length x width for an
    upright box).

    Args:
        thing: one object.

    Examples:
        answer to(footprint(objects("bed")), "m2")
    """
    return Area(measure_box(single(thing, "footprint").box, ctx.scene.up, "footprint"), "m2")


@op
def volume(ctx: ExecContext, thing: Objects) -> Volume:
    """An object's volume: the product of its box's three sides.

    Args:
        thing: one object.

    Examples:
        answer to(volume(objects("sofa")), "l")
    """
    return Volume(measure_box(single(thing, "volume").box, ctx.scene.up, "volume"), "m3")


@op(needs={"floor_area"})
def room_area(ctx: ExecContext) -> Area:
    """The floor area of the room (all rooms shown, combined).

    Examples:
        answer room_area()
    """
    if ctx.scene.room.floor_area is None:
        raise OpError("this scene memory has no room floor area")
    return Area(float(ctx.scene.room.floor_area), "m2")


@op(needs={"floor_area", "outline"})
def room_size(ctx: ExecContext, dimension: Literal["length", "width"]) -> Length:
    """The room's length or width: the longer or shorter side of the smallest rectangle around
    the room's outline (all rooms shown, combined).

    Args:
        dimension: "length" (the longer side) or "width" (the shorter).

    Examples:
        answer room_size("width")
    """
    outline = ctx.scene.room.outline
    if outline is None:
        # Reading the floor area here makes the grammar offer room_size only where both are known.
        area = ctx.scene.room.floor_area
        known = f"only its floor area, {area:.4g} m2 (room_area())" if area is not None else "no floor area either"
        raise OpError(f"this scene memory has no room outline, so no room length or width; it knows {known}")
    length, width = min_area_rectangle(outline)
    return Length(length if dimension == "length" else width, "m")


def _to_result_type(args: dict) -> object:
    """A length stays a length: the unit's dimension must match the quantity's."""
    unit = args["unit"].const
    target = quantity_type(unit) if unit in units.UNITS else Quantity
    source = args["quantity"].type
    if Quantity not in (source, target) and source is not target:
        raise OpError(f"cannot express {source.__name__.lower()} in {unit}")
    return target


@op(result_type=_to_result_type)
def to(ctx: ExecContext, quantity: Quantity, unit: UnitName) -> Quantity:
    """Express a quantity in another unit of the same dimension.

    Args:
        quantity: a length, area, volume, angle or time.
        unit: the unit to express it in, e.g. "cm", "m2" or "l".

    Examples:
        answer to(distance(objects("bed"), objects("door")), "cm")
    """
    try:
        return quantity.to(unit)
    except ValueError as exc:
        raise OpError(str(exc)) from None

