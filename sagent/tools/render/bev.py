"""A bird's-eye view of a scene memory: object footprints with labels, cameras as arrows, a metre
grid, scale bar and north arrow; optionally an observer and evidence objects drawn emphasized.
For the planner (as a picture), for the user (`sagent inspect`) and for an answer's evidence.

Drawn with PIL at twice the size and reduced (smooth edges), in well under 200 ms for a room.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sagent.memory.scene import SceneMemory
from sagent.tools.geometry.floor_plane import floor_xy
from sagent.tools.geometry.footprints import convex_hull

# matplotlib's tab20, in its order: one colour per label (sorted), as the views have always used.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (31, 119, 180), (174, 199, 232), (255, 127, 14), (255, 187, 120), (44, 160, 44), (152, 223, 138),
    (214, 39, 40), (255, 152, 150), (148, 103, 189), (197, 176, 213), (140, 86, 75), (196, 156, 148),
    (227, 119, 194), (247, 182, 210), (127, 127, 127), (199, 199, 199), (188, 189, 34), (219, 219, 141),
    (23, 190, 207), (158, 218, 229))
OBSERVER = (220, 20, 20)
EVIDENCE = (255, 200, 0)
SUPERSAMPLE = 2  # drawn at this multiple of the size, then reduced: smooth edges
LEGEND_ROWS = 16


def label_colours(labels: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """One palette colour per label, in the order given."""
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """PIL's bundled font at `size` pixels (its fixed bitmap font where FreeType is missing)."""
    return ImageFont.load_default(size=size)


class _Canvas:
    """Floor-plane metres to pixels of a square plot with margins (y up), and drawing helpers."""

    def __init__(self, size_px: int, low: np.ndarray, span: float):
        self.scale = SUPERSAMPLE
        self.size = size_px * self.scale
        self.unit = max(9, size_px // 64) * self.scale  # text height, pixels
        self.left, self.top = 3.2 * self.unit, 2.2 * self.unit
        self.side = self.size - self.left - max(self.unit, 1.6 * self.unit)
        self.side = min(self.side, self.size - self.top - 2.4 * self.unit)
        self.low, self.span = low, span
        self.image = Image.new("RGB", (self.size, self.size), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def px(self, xy: np.ndarray) -> np.ndarray:
        """Float[N 2] pixels of Float[N 2] floor-plane metres."""
        xy = np.atleast_2d(xy)
        u = self.left + (xy[:, 0] - self.low[0]) / self.span * self.side
        v = self.top + self.side - (xy[:, 1] - self.low[1]) / self.span * self.side
        return np.stack([u, v], axis=1)

    def text(self, xy, text: str, fill=(0, 0, 0), size: float = 1.0, anchor: str = "mm", halo: bool = True,
             box=None) -> None:
        face = font(max(6, int(self.unit * size)))
        if box is not None:
            left, top, right, bottom = self.draw.textbbox(tuple(xy), text, font=face, anchor=anchor)
            pad = self.unit * 0.2
            self.draw.rectangle([left - pad, top - pad, right + pad, bottom + pad], fill=box)
            halo = False
        stroke = {"stroke_width": max(1, self.scale), "stroke_fill": (255, 255, 255)} if halo else {}
        self.draw.text(tuple(xy), text, fill=fill, font=face, anchor=anchor, **stroke)

    def arrow(self, start: np.ndarray, end: np.ndarray, colour, width: float, head: float) -> None:
        """A line from `start` to `end` (pixels) with a filled triangular head `head` pixels long."""
        direction = end - start
        length = float(np.linalg.norm(direction))
        if length < 1e-6:
            return
        direction = direction / length
        normal = np.array([-direction[1], direction[0]])
        base = end - direction * min(head, length)
        self.draw.line([tuple(start), tuple(base)], fill=colour, width=max(1, int(width)))
        self.draw.polygon([tuple(end), tuple(base + normal * head * 0.5), tuple(base - normal * head * 0.5)],
                          fill=colour)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.reduce(self.scale).save(buffer, format="PNG", compress_level=3)
        return buffer.getvalue()


def _grid_step(span: float) -> float:
    for step in (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0):
        if span / step <= 12:
            return step
    return 100.0


def _frame(canvas: _Canvas) -> None:
    """Plot area, metre grid with tick labels, axis names."""
    c, u = canvas, canvas.unit
    c.draw.rectangle([c.left, c.top, c.left + c.side, c.top + c.side], fill=(250, 250, 250), outline=(90, 90, 90),
                     width=c.scale)
    step = _grid_step(c.span)
    for axis in (0, 1):
        first = np.ceil(c.low[axis] / step) * step
        for value in np.arange(first, c.low[axis] + c.span + 1e-9, step):
            point = c.low.copy()
            point[axis] = value
            p = c.px(point)[0]
            if axis == 0:
                c.draw.line([(p[0], c.top), (p[0], c.top + c.side)], fill=(225, 225, 225), width=c.scale)
                c.text((p[0], c.top + c.side + 0.4 * u), f"{value:g}", fill=(60, 60, 60), size=0.8, anchor="mt",
                       halo=False)
            else:
                c.draw.line([(c.left, p[1]), (c.left + c.side, p[1])], fill=(225, 225, 225), width=c.scale)
                c.text((c.left - 0.4 * u, p[1]), f"{value:g}", fill=(60, 60, 60), size=0.8, anchor="rm", halo=False)
    c.text((c.left + c.side / 2, c.top + c.side + 1.5 * u), "x (m)", size=0.85, anchor="mt", halo=False)
    c.text((0.3 * u, c.top - 0.4 * u), "y (m)", size=0.85, anchor="lb", halo=False)


def _scale_and_north(canvas: _Canvas) -> None:
    c, u = canvas, canvas.unit
    bar = max(0.5, float(np.round(c.span / 5)))
    start = c.px(c.low + 0.05 * c.span)[0]
    end = start + [bar / c.span * c.side, 0]
    c.draw.line([tuple(start), tuple(end)], fill=(0, 0, 0), width=int(0.35 * u))
    for x in (start[0], end[0]):
        c.draw.line([(x, start[1] - 0.4 * u), (x, start[1] + 0.4 * u)], fill=(0, 0, 0), width=c.scale)
    c.text(((start[0] + end[0]) / 2, start[1] - 0.6 * u), f"{bar:g} m", size=0.9, anchor="mb")
    tip = c.px(c.low + [0.92 * c.span, 0.95 * c.span])[0]
    tail = c.px(c.low + [0.92 * c.span, 0.84 * c.span])[0]
    c.arrow(tail, tip, (0, 0, 0), 0.15 * u, 0.8 * u)
    c.text((tail[0], tail[1] + 0.3 * u), "N (+y)", size=0.85, anchor="mt")


def _legend(canvas: _Canvas, entries: list[tuple[str, tuple, str]]) -> None:
    """Top-left box: (text, colour, kind) with kind 'box', 'arrow' or 'evidence'."""
    if not entries:
        return
    c, u = canvas, canvas.unit
    shown = entries[:LEGEND_ROWS]
    if len(entries) > LEGEND_ROWS:
        shown.append((f"... {len(entries) - LEGEND_ROWS} more", (255, 255, 255), "none"))
    face = font(max(6, int(0.8 * u)))
    width = max(c.draw.textlength(text, font=face) for text, _, _ in shown) + 2.6 * u
    x0, y0 = c.left + 0.3 * u, c.top + 0.3 * u
    row = 1.05 * u
    c.draw.rectangle([x0, y0, x0 + width, y0 + row * len(shown) + 0.4 * u], fill=(255, 255, 255, 205),
                     outline=(160, 160, 160), width=c.scale)
    for i, (text, colour, kind) in enumerate(shown):
        y = y0 + 0.2 * u + row * (i + 0.5)
        if kind == "box":
            c.draw.rectangle([x0 + 0.4 * u, y - 0.3 * u, x0 + 1.4 * u, y + 0.3 * u], fill=(*colour, 110),
                             outline=colour, width=c.scale)
        elif kind == "evidence":
            c.draw.rectangle([x0 + 0.4 * u, y - 0.3 * u, x0 + 1.4 * u, y + 0.3 * u], fill=(*EVIDENCE, 170),
                             outline=(0, 0, 0), width=2 * c.scale)
        elif kind == "arrow":
            c.arrow(np.array([x0 + 0.4 * u, y]), np.array([x0 + 1.5 * u, y]), colour, 0.12 * u, 0.5 * u)
        c.text((x0 + 1.8 * u, y), text, size=0.8, anchor="lm", halo=False)


def render_bev(scene: SceneMemory, size_px: int = 768, title: str | None = None,
               observer: tuple[np.ndarray, np.ndarray] | None = None,
               highlight: Iterable[str] | None = None) -> bytes:
    """PNG bytes, `size_px` square. `observer` is (position Float[3], facing Float[3]) to draw as a red
    arrow; `highlight` names object ids (an answer's evidence) to draw emphasized over the others,
    which fade (ids the scene lacks are ignored)."""
    up = scene.up
    chosen = set(highlight or ()) & {o.id for o in scene.objects}
    footprints = [convex_hull(floor_xy(obj.box.corners(), up)) for obj in scene.objects]
    cameras = [(floor_xy(c.position, up), floor_xy(c.forward, up)) for c in scene.cameras]
    room = np.asarray(scene.room.footprint, float).reshape(-1, 2) if scene.room.footprint else np.zeros((0, 2))
    extent = [*footprints, room, *(p[None] for p, _ in cameras)]
    if observer is not None:
        extent.append(floor_xy(np.asarray(observer[0], float), up)[None])
    points = np.concatenate(extent) if sum(map(len, extent)) else np.zeros((1, 2))
    low, high = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
    span = max(float(max(high - low)), 1.0)
    low = (low + high) / 2 - span / 2
    canvas = _Canvas(size_px, low, span)
    c, u = canvas, canvas.unit
    _frame(canvas)
    if len(room) >= 3:
        c.draw.polygon([tuple(p) for p in c.px(room)], fill=(240, 234, 220), outline=(170, 160, 140))
    colours = label_colours(scene.labels())
    # Large footprints first, so small objects stay visible on top; evidence last of all.
    order = sorted(range(len(scene.objects)), key=lambda i: (scene.objects[i].id in chosen,
                                                             -float(np.ptp(footprints[i], axis=0).prod())))
    for i in order:
        obj, pixels = scene.objects[i], [tuple(p) for p in c.px(footprints[i])]
        colour = colours[obj.label]
        if obj.id in chosen:
            c.draw.polygon(pixels, fill=(*colour, 190))
            c.draw.line([*pixels, pixels[0]], fill=(0, 0, 0), width=int(0.45 * u), joint="curve")
            c.draw.line([*pixels, pixels[0]], fill=EVIDENCE, width=int(0.22 * u), joint="curve")
        elif chosen:
            c.draw.polygon(pixels, fill=(*colour, 45), outline=(175, 175, 175), width=c.scale)
        else:
            c.draw.polygon(pixels, fill=(*colour, 90), outline=colour, width=int(0.12 * u) or 1)
    for i in order:
        obj = scene.objects[i]
        centre = c.px(footprints[i].mean(axis=0))[0]
        if obj.id in chosen:
            c.text(centre, obj.id, size=0.9, box=(*EVIDENCE, 235))
        else:
            c.text(centre, obj.label, fill=(150, 150, 150) if chosen else (0, 0, 0), size=0.75)
    arrow_px = 0.35 / span * c.side
    for index, (position, forward) in enumerate(cameras):
        start = c.px(position)[0]
        norm = float(np.linalg.norm(forward))
        if norm > 1e-6:
            direction = forward / norm * [1, -1]  # pixels grow downwards
            c.arrow(start, start + direction * arrow_px, (0, 0, 0), 0.12 * u, 0.55 * u)
        c.text(start + [0.3 * u, 0], str(index), size=0.65, anchor="lm")
    if observer is not None:
        position, facing = floor_xy(np.asarray(observer[0], float), up), floor_xy(np.asarray(observer[1], float), up)
        start = c.px(position)[0]
        facing = facing / max(float(np.linalg.norm(facing)), 1e-9) * [1, -1]
        c.arrow(start, start + facing * 0.5 / span * c.side, OBSERVER, 0.3 * u, 1.1 * u)
        c.draw.ellipse([start[0] - 0.3 * u, start[1] - 0.3 * u, start[0] + 0.3 * u, start[1] + 0.3 * u],
                       fill=OBSERVER)
    _scale_and_north(canvas)
    entries = [(label, colours[label], "box") for label in colours]
    if chosen:
        entries.append(("evidence", EVIDENCE, "evidence"))
    if scene.cameras:
        entries.append(("camera", (0, 0, 0), "arrow"))
    if observer is not None:
        entries.append(("observer", OBSERVER, "arrow"))
    _legend(canvas, entries)
    c.text((c.size / 2, 0.9 * u), title or f"{scene.name}: bird's-eye view", size=1.0, anchor="mm", halo=False)
    return canvas.png()
