"""A bird's-eye view of a scene memory: object footprints with labels, cameras as arrows, a metre
scale bar and a north arrow. For the planner (as a picture) and for the user (`sagent inspect`)."""

from __future__ import annotations

import io

import numpy as np

from sagent.memory.scene import SceneMemory
from sagent.tools.geometry import floor_basis
from sagent.tools.geometry.footprints import convex_hull


def _floor_xy(points: np.ndarray, up: np.ndarray) -> np.ndarray:
    x, y = floor_basis(up)
    return np.stack([points @ x, points @ y], axis=-1)


def render_bev(scene: SceneMemory, size_px: int = 768, title: str | None = None,
               observer: tuple[np.ndarray, np.ndarray] | None = None) -> bytes:
    """PNG bytes. `observer` is (position Float[3], facing Float[3]) to draw as a marked arrow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrow, Polygon

    up = scene.up
    figure, axes = plt.subplots(figsize=(size_px / 100, size_px / 100), dpi=100)
    labels = scene.labels()
    colours = {label: plt.get_cmap("tab20")(i % 20) for i, label in enumerate(labels)}
    extent_points = []
    for obj in scene.objects:
        footprint = convex_hull(_floor_xy(obj.box.corners(), up))
        extent_points.append(footprint)
        axes.add_patch(Polygon(footprint, closed=True, facecolor=(*colours[obj.label][:3], 0.35),
                               edgecolor=colours[obj.label], linewidth=1.2))
        cx, cy = footprint.mean(axis=0)
        axes.text(cx, cy, obj.label, fontsize=7, ha="center", va="center")
    for index, camera in enumerate(scene.cameras):
        position, forward = _floor_xy(camera.position, up), _floor_xy(camera.forward, up)
        norm = np.linalg.norm(forward)
        if norm > 1e-6:
            dx, dy = forward / norm * 0.35
            axes.add_patch(FancyArrow(*position, dx, dy, width=0.03, head_width=0.12, color="black"))
        axes.text(*position, f" {index}", fontsize=6, color="black")
        extent_points.append(position[None])
    if observer is not None:
        position, facing = _floor_xy(observer[0], up), _floor_xy(observer[1], up)
        facing = facing / max(np.linalg.norm(facing), 1e-9) * 0.5
        axes.add_patch(FancyArrow(*position, *facing, width=0.05, head_width=0.2, color="red"))
        axes.plot([], [], color="red", label="observer")
        extent_points.append(position[None])
    points = np.concatenate(extent_points) if extent_points else np.zeros((1, 2))
    low, high = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
    span = float(max(high - low))
    axes.set_xlim(low[0], low[0] + span)
    axes.set_ylim(low[1], low[1] + span)
    axes.set_aspect("equal")
    axes.set_xlabel("x (m)")
    axes.set_ylabel("y (m)")
    # Scale bar: a round number of metres near a fifth of the view.
    bar = max(0.5, float(np.round(span / 5)))
    x0, y0 = low[0] + 0.05 * span, low[1] + 0.05 * span
    axes.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=3)
    axes.text(x0 + bar / 2, y0 + 0.02 * span, f"{bar:g} m", ha="center", fontsize=8)
    # North arrow: +y of the floor frame.
    nx, ny = low[0] + 0.92 * span, low[1] + 0.85 * span
    axes.annotate("N (+y)", xy=(nx, ny + 0.1 * span), xytext=(nx, ny), ha="center", fontsize=8,
                  arrowprops={"arrowstyle": "->"})
    handles = [Polygon([[0, 0]], facecolor=(*colours[label][:3], 0.35), edgecolor=colours[label], label=label)
               for label in labels]
    if scene.cameras:
        handles.append(FancyArrow(0, 0, 1, 0, color="black", label="camera"))
    if observer is not None:
        handles.append(FancyArrow(0, 0, 1, 0, color="red", label="observer"))
    if handles:
        axes.legend(handles=handles, fontsize=6, loc="upper left", framealpha=0.8)
    axes.set_title(title or f"{scene.name}: bird's-eye view", fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()
