"""Choosing one instance of a label: "the lamp next to the bed", "the larger table", "the lamp on
the nightstand". Each op returns the same label holding only the chosen instance(s)."""

from __future__ import annotations

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.measure import Measure, measure_box
from sagent.dsl.ops.objects import only, present
from sagent.dsl.ops.relations import Relation, in_relation
from sagent.dsl.registry import op
from sagent.dsl.types import Objects
from sagent.tools.geometry import box_distance


def _by_distance(things: Objects, reference: Objects, best) -> Objects:
    """The instance of `things` whose closest distance to any other instance of `reference` is `best`
    (an instance that is itself the whole reference is no candidate)."""
    present(reference, "the reference")
    gaps = [(min(box_distance(x.box, y.box) for y in reference.instances if y.id != x.id), x)
            for x in present(things, "the things").instances if any(y.id != x.id for y in reference.instances)]
    if not gaps:
        raise OpError(f"the {things.label} is the reference itself; measure it against another object")
    return only(things, best(gaps, key=lambda g: g[0])[1])


@op
def pick_nearest(ctx: ExecContext, things: Objects, reference: Objects) -> Objects:
    """The instance of `things` nearest to the reference (closest points; "the lamp by the bed").

    Args:
        things: the label to pick an instance of.
        reference: the object distances are measured to (its nearest instance counts).

    Examples:
        answer size(pick_nearest(objects("chair"), objects("bed")), dimension="height")
    """
    return _by_distance(things, reference, min)


@op
def pick_farthest(ctx: ExecContext, things: Objects, reference: Objects) -> Objects:
    """The instance of `things` farthest from the reference (closest points; "the chair farthest
    from the door").

    Args:
        things: the label to pick an instance of.
        reference: the object distances are measured to (its nearest instance counts).

    Examples:
        answer distance(pick_farthest(objects("chair"), objects("door")), objects("door"))
    """
    return _by_distance(things, reference, max)


@op
def pick_largest(ctx: ExecContext, things: Objects, dimension: Measure = "volume") -> Objects:
    """The instance of `things` with the greatest measure ("the larger table", "the taller chair").

    Args:
        things: the label to pick an instance of.
        dimension: what to compare, as in largest; "volume" when no dimension is named.

    Examples:
        answer size(pick_largest(objects("chair"), dimension="height"), dimension="height")
    """
    up = ctx.scene.up
    return only(things, max(present(things, "pick_largest").instances,
                            key=lambda x: measure_box(x.box, up, dimension)))


@op
def pick_smallest(ctx: ExecContext, things: Objects, dimension: Measure = "volume") -> Objects:
    """The instance of `things` with the least measure ("the smaller pillow", "the shorter stool").

    Args:
        things: the label to pick an instance of.
        dimension: what to compare, as in smallest; "volume" when no dimension is named.

    Examples:
        answer volume(pick_smallest(objects("chair")))
    """
    up = ctx.scene.up
    return only(things, min(present(things, "pick_smallest").instances,
                            key=lambda x: measure_box(x.box, up, dimension)))


@op
def pick_related(ctx: ExecContext, things: Objects, relation: Relation, reference: Objects) -> Objects:
    """The instances of `things` in the relation to the reference ("the lamp on the nightstand");
    an error when none is.

    Args:
        things: the label to pick instances of.
        relation: "on", "under", "above", "below", "next_to" or "near", as related defines them.
        reference: the object they are related to (any of its instances).

    Examples:
        answer count(pick_related(objects("chair"), "near", objects("bed")))
    """
    return in_relation(ctx, things, relation, reference)
