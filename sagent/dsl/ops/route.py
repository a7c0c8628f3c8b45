"""Route planning: the turn before each leg of "go forward until X"."""

from __future__ import annotations

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.ops.objects import single
from sagent.dsl.registry import op
from sagent.dsl.types import Objects, Turns
from sagent.tools.geometry import signed_floor_angle
from sagent.tools.geometry.floor_plane import turn_word


@op
def route(ctx: ExecContext, start: Objects, facing: Objects, waypoints: list[Objects]) -> Turns:
    """Walk from `start` (facing `facing`) to each waypoint in turn; the turn before each leg.

    A leg within 10 degrees of the heading is "forward"; otherwise "back" from 135 degrees,
    else "left" or "right". After each leg the heading is the leg's direction.

    Args:
        start: where the walk begins.
        facing: what the walker faces at the start.
        waypoints: the objects to go forward until, in order.

    Examples:
        answer route(objects("bed"), objects("tv"), [objects("tv"), objects("sofa")])
    """
    if not waypoints:
        raise OpError("a route needs at least one waypoint")
    up = ctx.scene.up
    position = single(start, "route start").box.center_array
    heading = single(facing, "route facing").box.center_array - position
    turns = []
    for waypoint in waypoints:
        goal = single(waypoint, "route waypoint").box.center_array
        leg = goal - position
        try:
            angle = signed_floor_angle(heading, leg, up)
        except ValueError:
            raise OpError(f"the {waypoint.label} is where the walker already stands") from None
        turns.append(turn_word(angle, ctx.straight_ahead_degrees))
        position, heading = goal, leg
    return Turns(tuple(turns))


