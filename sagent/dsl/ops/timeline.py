"""When objects were first seen in the input."""

from __future__ import annotations

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.objects import present
from sagent.dsl.registry import op
from sagent.dsl.types import Duration, Objects


def _first_seen(things: Objects) -> float:
    times = [o.first_seen for o in present(things, "first_seen").instances if o.first_seen is not None]
    if not times:
        raise OpError(
            f"no first-seen time for {things.label}: this scene memory was not built from frames "
            "(a layout has no timeline)"
        )
    return min(times)


@op(needs={"timeline"})
def first_seen(ctx: ExecContext, thing: Objects) -> Duration:
    """When any instance of the object first appears in the input, in seconds.

    Args:
        thing: the object.

    Examples:
        answer first_seen(objects("tv"))
    """
    return Duration(_first_seen(thing), "s")


@op(needs={"timeline"})
def appearance_order(ctx: ExecContext, candidates: list[Objects]) -> list[Objects]:
    """The candidates sorted by when they first appear in the input.

    Args:
        candidates: the objects to order.

    Examples:
        answer appearance_order([objects("tv"), objects("sofa"), objects("lamp")])
    """
    if not candidates:
        raise OpError("it needs one or more candidates; got none")
    return sorted(candidates, key=_first_seen)
