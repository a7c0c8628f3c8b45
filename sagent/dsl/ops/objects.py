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
    return Objects(label=label, instances=tuple(ctx.scene.instances(label)))


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


def single(things: Objects, purpose: str):
    """The one instance behind `things`; an op error when there are several."""
    if len(things.instances) != 1:
        ids = ", ".join(o.id for o in things.instances)
        raise OpError(f"{purpose} needs one {things.label} but the scene has {len(things.instances)} ({ids})")
    return things.instances[0]
