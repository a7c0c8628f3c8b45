"""Choosing among objects and comparing quantities."""

from __future__ import annotations

from typing import Literal

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.measure import Measure, measure_box
from sagent.dsl.ops.objects import choose, present
from sagent.dsl.registry import op
from sagent.dsl.types import Bool, Objects, Quantity, Value
from sagent.memory.scene import SceneObject
from sagent.tools.geometry import box_distance


def _closest(candidate: Objects, target: Objects) -> tuple[float, SceneObject]:
    """A candidate's distance to the target (closest pair) and the instance of it in that pair."""
    pairs = [(x, y) for x in candidate.instances for y in present(target, "target").instances]
    return min(((box_distance(x.box, y.box), x) for x, y in pairs), key=lambda pair: pair[0])


@op
def nearest(ctx: ExecContext, candidates: list[Objects], target: Objects) -> Objects:
    """The candidate whose closest point is nearest to the target, holding only the instance
    nearest to it.

    Args:
        candidates: two or more different objects to choose from, the target not among them.
        target: the object distances are measured to.

    Examples:
        answer nearest([objects("lamp"), objects("door")], objects("sofa"))
    """
    return choose("nearest", candidates, lambda c: _closest(c, target), min, target)


@op
def farthest(ctx: ExecContext, candidates: list[Objects], target: Objects) -> Objects:
    """The candidate whose closest point is farthest from the target (each candidate's closest
    instance counts, and is the one returned).

    Args:
        candidates: two or more different objects to choose from, the target not among them.
        target: the object distances are measured to.

    Examples:
        answer farthest([objects("lamp"), objects("door")], objects("sofa"))
    """
    return choose("farthest", candidates, lambda c: _closest(c, target), max, target)


def _measured(ctx: ExecContext, candidate: Objects, dimension: Measure, best) -> tuple[float, SceneObject]:
    """A candidate's measure, that of its best instance (`best`: max or min), and that instance."""
    up = ctx.scene.up
    return best(((measure_box(x.box, up, dimension), x) for x in candidate.instances), key=lambda pair: pair[0])


@op
def largest(ctx: ExecContext, candidates: list[Objects], dimension: Measure = "volume") -> Objects:
    """The candidate with the greatest measure: "bigger" with no dimension named is by volume;
    "taller" is height, "longer" length, "wider" width. A candidate with several instances counts
    its largest, and holds only that one.

    Args:
        candidates: two or more different objects to compare.
        dimension: "volume" (the default: the product of the box's sides), "footprint" (the
            floor area it covers), "longest" (its largest side), "height" (along up), "length" /
            "width" (the longer / shorter horizontal side).

    Examples:
        answer largest([objects("bed"), objects("sofa")])
        answer largest(every_object(), dimension="height")
    """
    return choose("largest", candidates, lambda c: _measured(ctx, c, dimension, max), max)


@op
def smallest(ctx: ExecContext, candidates: list[Objects], dimension: Measure = "volume") -> Objects:
    """The candidate with the least measure ("smaller" with no dimension named is by volume). A
    candidate with several instances counts its smallest, and holds only that one.

    Args:
        candidates: two or more different objects to compare.
        dimension: "volume" (the default: the product of the box's sides), "footprint" (the
            floor area it covers), "longest" (its largest side), "height" (along up), "length" /
            "width" (the longer / shorter horizontal side).

    Examples:
        answer smallest([objects("bed"), objects("sofa")], dimension="height")
    """
    return choose("smallest", candidates, lambda c: _measured(ctx, c, dimension, min), min)


Comparison = Literal["<", "<=", ">", ">=", "=="]


def _same_dimension(args: dict) -> object:
    a, b = args["a"].type, args["b"].type
    if Quantity not in (a, b) and a is not b:
        raise OpError(f"cannot compare {a.__name__.lower()} with {b.__name__.lower()}")
    return Bool


@op(result_type=_same_dimension)
def compare(ctx: ExecContext, a: Quantity, relation: Comparison, b: Quantity) -> Bool:
    """Compare two quantities of the same dimension (units are converted first).

    Args:
        a: the left quantity.
        relation: one of "<", "<=", ">", ">=", "==" (== allows a 0.1 % difference).
        b: the right quantity.

    Examples:
        answer compare(size(objects("bed")), ">", 2m)
    """
    try:
        right = b.to(a.unit).value
    except ValueError as exc:
        raise OpError(f"cannot compare: {exc}") from None
    left = a.value
    tolerance = 1e-3 * max(abs(left), abs(right))
    result = {
        "<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
        "==": abs(left - right) <= tolerance,
    }[relation]
    return Bool(result)


def _comparable(value) -> object:
    if isinstance(value, Quantity):
        return value
    for attribute in ("value", "label", "values"):
        if hasattr(value, attribute):
            return getattr(value, attribute)
    return value


@op
def equals(ctx: ExecContext, a: Value, b: Value) -> Bool:
    """Whether two values are the same: a direction and a word, two labels, two counts, or two
    quantities of one dimension (within 0.1 %).

    Args:
        a: the first value.
        b: the second value.

    Examples:
        answer equals(direction(viewpoint(objects("bed"), objects("tv")), objects("door"), scheme="left_right_back"), "back")
    """
    left, right = _comparable(a), _comparable(b)
    if isinstance(left, Quantity) and isinstance(right, Quantity):
        return compare(ctx, left, "==", right)
    if isinstance(left, Quantity) or isinstance(right, Quantity):
        raise OpError("cannot compare a quantity with something that is not one")
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return Bool(float(left) == float(right))
    return Bool(str(left).strip().lower() == str(right).strip().lower())
