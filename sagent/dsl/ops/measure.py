"""Distances, sizes, areas and unit conversion."""

from __future__ import annotations

from typing import Literal

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.objects import present, single
from sagent.dsl.registry import op
from sagent.dsl.types import Area, Length, Objects, Quantity, UnitName, quantity_type
from sagent.memory import units
from sagent.tools.geometry import box_distance


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
    box = single(thing, "size").box
    if dimension == "longest":
        return Length(float(box.extents_array.max()), "m")
    up = ctx.scene.up
    if dimension == "height":
        return Length(box.extent_along(up), "m")
    # The box's own horizontal sides: the two axes other than the one closest to up.
    vertical_axis = int(abs(box.axes_array @ up).argmax())
    sides = sorted(float(e) for i, e in enumerate(box.extents) if i != vertical_axis)
    return Length(sides[1] if dimension == "length" else sides[0], "m")


@op
def room_area(ctx: ExecContext) -> Area:
    """The floor area of the room (all rooms shown, combined).

    Examples:
        answer room_area()
    """
    if ctx.scene.room.floor_area is None:
        raise OpError("this scene memory has no room floor area")
    return Area(float(ctx.scene.room.floor_area), "m2")


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
        quantity: a length, area, angle or time.
        unit: the unit to express it in, e.g. "cm" or "m2".

    Examples:
        answer to(distance(objects("bed"), objects("door")), "cm")
    """
    try:
        return quantity.to(unit)
    except ValueError as exc:
        raise OpError(str(exc)) from None

