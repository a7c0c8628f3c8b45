"""Camera views and the observer: where input view i stood and looked, how the camera moved
between views, and moving the observer (step, turn). Viewpoints are values: each change is a new
viewpoint, and the trace shows every one."""

from __future__ import annotations

import math

import numpy as np

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.registry import op
from sagent.dsl.types import Angle, Count, Direction, Duration, Image, Length, Number, Text, Viewpoint
from sagent.tools.geometry import floor_basis, floor_direction, signed_floor_angle
from sagent.tools.geometry.floor_plane import turn_word
from sagent.tools.render.bev import render_bev
from sagent.tools.render.ego import render_ego, viewpoint_pose


def _floor_facing(vector: np.ndarray, up: np.ndarray) -> np.ndarray:
    facing = floor_direction(vector, up)
    if facing is None:
        raise OpError("the camera looks straight up or down: it has no facing in the floor plane")
    return facing


def _camera_view(ctx: ExecContext, index: int) -> Viewpoint:
    cameras = ctx.scene.cameras
    if not cameras:
        raise OpError("this scene memory has no input views (a layout has no cameras)")
    if index != int(index) or not (-len(cameras) <= index < len(cameras)):
        raise OpError(f"there is no view {index:g}; views are numbered 0 to {len(cameras) - 1} (-1 is the last)")
    index = int(index) % len(cameras)
    camera = cameras[int(index)]
    return Viewpoint(position=camera.position, facing=_floor_facing(camera.forward, ctx.scene.up),
                     description=f"input view {int(index)}", pose=np.asarray(camera.cam_to_world, float),
                     view_index=int(index))


@op(needs={"cameras"})
def view(ctx: ExecContext, index: Number) -> Viewpoint:
    """The observer where input view `index` was taken (numbered from 0; -1 is the last), facing
    where it looked.

    Args:
        index: the view's number.

    Examples:
        answer view(2)
    """
    return _camera_view(ctx, index.value)


@op
def pose(ctx: ExecContext, x: Length, y: Length, heading: Angle, height: Length = Length(1.5, "m")) -> Viewpoint:
    """An observer at an explicit place: floor coordinates x, y (metres, the world's floor axes),
    facing `heading` (0 = +x, counter-clockwise, as position_of reports), eyes at `height`.

    Args:
        x: floor coordinate along the first floor axis.
        y: floor coordinate along the second floor axis.
        heading: facing direction in degrees.
        height: eye height above the world origin along up.

    Examples:
        answer direction(pose(1m, 2m, 90deg), objects("tv"))
    """
    ex, ey = floor_basis(ctx.scene.up)
    a = math.radians(heading.to("deg").value)
    position = x.to("m").value * ex + y.to("m").value * ey + height.to("m").value * ctx.scene.up
    return Viewpoint(position=position, facing=math.cos(a) * ex + math.sin(a) * ey,
                     description=f"at x {x}, y {y} facing {heading.to('deg').value:g} degrees")


@op(needs={"cameras"})
def camera_at(ctx: ExecContext, time: Duration) -> Viewpoint:
    """The input view nearest in time to `time`.

    Args:
        time: seconds into the input.

    Examples:
        answer camera_at(3s)
    """
    cameras = ctx.scene.cameras
    if not cameras:
        raise OpError("this scene memory has no input views (a layout has no cameras)")
    seconds = time.to("s").value
    index = min(range(len(cameras)), key=lambda i: abs(cameras[i].time - seconds))
    return _camera_view(ctx, index)


@op(needs={"cameras"})
def path_length(ctx: ExecContext) -> Length:
    """How far the camera travelled over all input views, in metres.

    Examples:
        answer path_length()
    """
    positions = np.array([c.position for c in ctx.scene.cameras])
    if len(positions) < 2:
        raise OpError("the camera path needs at least two input views")
    return Length(float(np.linalg.norm(np.diff(positions, axis=0), axis=1).sum()), "m")


@op
def step(ctx: ExecContext, observer: Viewpoint, forward: Length = Length(0.0, "m"),
         right: Length = Length(0.0, "m")) -> Viewpoint:
    """The observer moved along the floor, keeping its facing (negative values go back or left).

    Args:
        observer: where the observer is.
        forward: distance ahead.
        right: distance to the right.

    Examples:
        answer step(view(0), forward=1.5m)
    """
    up = ctx.scene.up
    right_axis = np.cross(observer.facing, up)
    position = observer.position + forward.to("m").value * observer.facing + right.to("m").value * right_axis
    return Viewpoint(position=position, facing=observer.facing,
                     description=f"{observer}, then {forward} forward and {right} right")


@op
def turn(ctx: ExecContext, observer: Viewpoint, angle: Angle) -> Viewpoint:
    """The observer turned in place; positive angles turn left (counter-clockwise seen from above).

    Args:
        observer: where the observer is.
        angle: how far to turn, e.g. 90deg (left) or -90deg (right).

    Examples:
        answer turn(view(0), 90deg)
    """
    up = ctx.scene.up
    a = math.radians(angle.to("deg").value)
    facing = observer.facing
    rotated = facing * math.cos(a) + np.cross(up, facing) * math.sin(a)
    return Viewpoint(position=observer.position, facing=rotated / np.linalg.norm(rotated),
                     description=f"{observer}, turned {angle.to('deg').value:g} degrees")


@op
def turn_angle(ctx: ExecContext, start: Viewpoint, end: Viewpoint) -> Angle:
    """How far the facing turned from `start` to `end`, in degrees; positive is left.

    Args:
        start: the first viewpoint.
        end: the second viewpoint.

    Examples:
        answer turn_angle(view(0), view(3))
    """
    return Angle(signed_floor_angle(start.facing, end.facing, ctx.scene.up), "deg")


@op
def movement(ctx: ExecContext, start: Viewpoint, end: Viewpoint) -> Text:
    """How the observer moved from `start` to `end`, in `start`'s frame: metres forward or back,
    left or right, and the turn ("moved 1.2 m forward and 0.4 m left, turned 35 degrees right").

    Args:
        start: the first viewpoint.
        end: the second viewpoint.

    Examples:
        answer movement(view(0), view(2))
    """
    up = ctx.scene.up
    offset = end.position - start.position
    ahead = float(offset @ start.facing)
    left = float(offset @ np.cross(up, start.facing))
    angle = signed_floor_angle(start.facing, end.facing, up)
    parts = [f"{abs(ahead):.2f} m {'forward' if ahead >= 0 else 'back'}", f"{abs(left):.2f} m {'left' if left >= 0 else 'right'}"]
    turned = "did not turn" if turn_word(angle) == "forward" else f"turned {abs(angle):.0f} degrees {'left' if angle > 0 else 'right'}"
    return Text(f"moved {' and '.join(parts)}, {turned}")


@op(needs={"cameras"})
def nearest_view(ctx: ExecContext, observer: Viewpoint) -> Count:
    """The input view that best matches the observer: the closest facing among views taken
    within 1 m, else the closest view. For "after turning left from view 1, which view do you see?".

    Args:
        observer: the viewpoint to match.

    Examples:
        answer nearest_view(turn(view(1), 90deg))
    """
    cameras = ctx.scene.cameras
    if not cameras:
        raise OpError("this scene memory has no input views (a layout has no cameras)")
    up = ctx.scene.up
    scores = []
    for index, camera in enumerate(cameras):
        distance = float(np.linalg.norm(camera.position - observer.position))
        facing = _floor_facing(camera.forward, up)
        angle = abs(signed_floor_angle(observer.facing, facing, up))
        scores.append((distance > 1.0, angle if distance <= 1.0 else distance, index))
    return Count(min(scores)[2])


@op
def position_of(ctx: ExecContext, observer: Viewpoint) -> Text:
    """Where the observer is and faces: floor coordinates (x, y metres) and heading in degrees
    (0 = +x, counter-clockwise).

    Args:
        observer: the viewpoint.

    Examples:
        answer position_of(view(0))
    """
    x, y = floor_basis(ctx.scene.up)
    heading = math.degrees(math.atan2(observer.facing @ y, observer.facing @ x))
    return Text(f"x {observer.position @ x:.2f} m, y {observer.position @ y:.2f} m, heading {heading:.0f} deg")


def _pose_of(ctx: ExecContext, observer: Viewpoint) -> tuple[np.ndarray, np.ndarray | None, int, int]:

    if observer.pose is not None:
        camera = ctx.scene.cameras[observer.view_index] if observer.view_index is not None else None
        if camera is not None and camera.width:
            return observer.pose, np.asarray(camera.K, float), camera.width, camera.height
        return observer.pose, None, 640, 480
    return viewpoint_pose(observer.position, observer.facing, ctx.scene.up), None, 640, 480


@op(needs={"cameras"})
def render_view(ctx: ExecContext, observer: Viewpoint) -> Image:
    """A picture of the scene memory from the observer: the fused point cloud in colour, object
    boxes outlined and labelled. A model that takes images sees it as the step's result.

    Args:
        observer: where to look from.

    Examples:
        answer render_view(turn(view(0), 90deg))
    """

    pose, K, width, height = _pose_of(ctx, observer)
    caption = f"ego view from {observer}: point cloud and labelled boxes"
    return Image(render_ego(ctx.scene, pose, K, width, height, caption=caption), caption)


@op
def render_map(ctx: ExecContext, observer: Viewpoint) -> Image:
    """A bird's-eye view of the scene memory with the observer drawn as a red arrow.

    Args:
        observer: the observer to mark.

    Examples:
        answer render_map(view(0))
    """

    caption = f"bird's-eye view, observer {observer} as the red arrow"
    return Image(render_bev(ctx.scene, observer=(observer.position, observer.facing), title=caption), caption)


@op
def turn_direction(ctx: ExecContext, start: Viewpoint, end: Viewpoint) -> Direction:
    """Which way the facing turned from `start` to `end`: "left", "right", "back" (135 degrees or
    more) or "forward" (less than 10 degrees).

    Args:
        start: the first viewpoint.
        end: the second viewpoint.

    Examples:
        answer turn_direction(view(0), view(2))
    """
    angle = signed_floor_angle(start.facing, end.facing, ctx.scene.up)
    return Direction(turn_word(angle))
