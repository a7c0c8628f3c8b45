"""Selecting and counting objects."""

from __future__ import annotations

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.registry import op
from sagent.dsl.types import Count, Label, Objects


@op
def objects(ctx: ExecContext, label: Label) -> Objects:
    """All instances of a label in the scene.

    Args:
        label: an object label from the scene inventory, e.g. "chair".

    Examples:
        chairs = objects("chair"); answer count(chairs)
    """
    instances = tuple(ctx.scene.instances(label))
    if not instances:  # the checker refuses unknown labels first; this holds when it was skipped
        raise OpError(f"the scene has no {label!r}; it has: {', '.join(ctx.scene.labels()) or 'no objects'}")
    return Objects(label=label, instances=instances)


@op
def count(ctx: ExecContext, things: Objects) -> Count:
    """How many instances there are (the annotation's stated count when the scene has one).

    Args:
        things: the objects to count.

    Examples:
        answer count(objects("chair"))
    """
    if things.instances == tuple(ctx.scene.instances(things.label)):
        return Count(ctx.scene.count(things.label))
    return Count(len(things.instances))


def present(things: Objects, purpose: str) -> Objects:
    """`things`, when it holds at least one instance; an op error when it is empty."""
    if not things.instances:
        raise OpError(f"no {things.label!r} to use as {purpose}: the selection is empty")
    return things


def single(things: Objects, purpose: str):
    """The one instance behind `things`; an op error when there are none or several."""
    present(things, purpose)
    if len(things.instances) != 1:
        ids = ", ".join(o.id for o in things.instances)
        raise OpError(f"{purpose} needs one {things.label} but the scene has {len(things.instances)} ({ids})")
    return things.instances[0]
