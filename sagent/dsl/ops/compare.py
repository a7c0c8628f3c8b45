"""Choosing among objects and comparing quantities."""

from __future__ import annotations

from typing import Literal

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.measure import SizeDimension, distance, size
from sagent.dsl.ops.objects import present
from sagent.dsl.registry import op
from sagent.dsl.types import Bool, Objects, Quantity, Value


def _pick(name: str, candidates: list[Objects], measure, best, target: Objects | None = None) -> Objects:
    """The candidate whose measure is `best` (min or max).

    An op error unless there are two or more different, non-empty candidates, none of them the
    target: a choice among fewer is no choice, and answering it would hide a dropped candidate.
    """
    labels = [present(c, f"a {name} candidate").label for c in candidates]
    if len(set(labels)) < 2:
        got = ", ".join(labels) or "none"
        raise OpError(f"it needs two or more different candidates to choose between; got {got}")
    repeated = next((label for label in labels if labels.count(label) > 1), None)
    if repeated:
        raise OpError(f"the candidate {repeated!r} is listed twice")
    if target is not None and target.label in labels:
        raise OpError(f"the target {target.label!r} is also a candidate")
    values = [measure(c) for c in candidates]
    return candidates[values.index(best(values))]


@op
def nearest(ctx: ExecContext, candidates: list[Objects], target: Objects) -> Objects:
    """The candidate whose closest point is nearest to the target.

    Args:
        candidates: two or more different objects to choose from, the target not among them.
        target: the object distances are measured to.

    Examples:
        answer nearest([objects("lamp"), objects("door")], objects("sofa"))
    """
    return _pick("nearest", candidates, lambda c: distance(ctx, c, target).value, min, target)


@op
def farthest(ctx: ExecContext, candidates: list[Objects], target: Objects) -> Objects:
    """The candidate whose closest point is farthest from the target.

    Args:
        candidates: two or more different objects to choose from, the target not among them.
        target: the object distances are measured to.

    Examples:
        answer farthest([objects("lamp"), objects("door")], objects("sofa"))
    """
    return _pick("farthest", candidates, lambda c: distance(ctx, c, target).value, max, target)


@op
def largest(ctx: ExecContext, candidates: list[Objects], dimension: SizeDimension = "longest") -> Objects:
    """The candidate with the greatest size along a dimension.

    Args:
        candidates: two or more different single objects to compare.
        dimension: which dimension to compare (see size).

    Examples:
        answer largest([objects("bed"), objects("sofa")])
    """
    return _pick("largest", candidates, lambda c: size(ctx, c, dimension).value, max)


@op
def smallest(ctx: ExecContext, candidates: list[Objects], dimension: SizeDimension = "longest") -> Objects:
    """The candidate with the least size along a dimension.

    Args:
        candidates: two or more different single objects to compare.
        dimension: which dimension to compare (see size).

    Examples:
        answer smallest([objects("bed"), objects("sofa")], dimension="height")
    """
    return _pick("smallest", candidates, lambda c: size(ctx, c, dimension).value, min)


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
