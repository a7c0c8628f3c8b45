"""The picture of an answer's evidence: the bird's-eye view with the objects the answer used drawn
emphasized (and the observer, when the question had one), and beside it the input views that show
those objects best, their boxes drawn. Plain values in, PNG bytes out (`Answer.plot()`,
`sagent ask --show`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from sagent.memory.scene import SceneMemory
from sagent.tools.render.bev import EVIDENCE, font, render_bev

MAX_VIEWS = 3


def evidence_views(scene: SceneMemory, objects: Sequence[str], count: int = MAX_VIEWS) -> list[int]:
    """Up to `count` input views (camera indices with an image file) that together show the most of
    `objects`: each next view the one seeing the most objects not yet shown, then the largest boxes."""
    seen: dict[int, dict[str, float]] = {}
    for obj in scene.objects:
        if obj.id not in objects:
            continue
        for sighting in obj.observations:
            x1, y1, x2, y2 = sighting.box
            area = max(0.0, x2 - x1) * max(0.0, y2 - y1) * (sighting.score or 1.0)
            seen.setdefault(sighting.frame, {})[obj.id] = max(area, seen.get(sighting.frame, {}).get(obj.id, 0.0))
    usable = {f: ids for f, ids in seen.items()
              if 0 <= f < len(scene.cameras) and scene.cameras[f].image}
    chosen: list[int] = []
    shown: set[str] = set()
    while usable and len(chosen) < count:
        best = max(usable, key=lambda f: (len(set(usable[f]) - shown), sum(usable[f].values()), -f))
        if chosen and not set(usable[best]) - shown and len(shown) < len(set(objects)):
            break  # nothing new left to show
        chosen.append(best)
        shown |= set(usable.pop(best))
    return chosen


def _view_picture(scene: SceneMemory, index: int, objects: Sequence[str], width: int, height: int) -> Image.Image | None:
    """Input view `index` fitted into width x height with the evidence boxes drawn; None when its
    image cannot be read."""
    camera = scene.cameras[index]
    try:
        with Image.open(camera.image) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError):
        return None
    factor = min(width / image.width, (height - 18) / image.height)
    image = image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))))
    draw = ImageDraw.Draw(image, "RGBA")
    face = font(max(9, height // 18))
    for obj in scene.objects:
        if obj.id not in objects:
            continue
        for sighting in obj.observations:
            if sighting.frame != index:
                continue
            box = [v * factor for v in sighting.box]
            draw.rectangle(box, outline=(0, 0, 0), width=4)
            draw.rectangle(box, outline=EVIDENCE, width=2)
            corner = (max(2.0, min(box[0] + 2, image.width - draw.textlength(obj.id, font=face) - 4)), box[1] + 2)
            left, top, right, bottom = draw.textbbox(corner, obj.id, font=face)
            draw.rectangle([left - 2, top - 2, right + 2, bottom + 2], fill=(*EVIDENCE, 230))
            draw.text(corner, obj.id, fill=(0, 0, 0), font=face)
    panel = Image.new("RGB", (width, height), (255, 255, 255))
    panel.paste(image, ((width - image.width) // 2, 0))
    ImageDraw.Draw(panel).text((width // 2, image.height + 2), f"input view {index} (t={camera.time:.1f} s)",
                               fill=(0, 0, 0), font=font(12), anchor="mt")
    return panel


def evidence_picture(scene: SceneMemory, objects: Sequence[str],
                     observer: tuple[np.ndarray, np.ndarray] | None = None, size_px: int = 768,
                     title: str | None = None, views: int = MAX_VIEWS) -> bytes:
    """PNG bytes: the bird's-eye view (`size_px` square) with `objects` (ids) highlighted and the
    observer (position Float[3], facing Float[3]) drawn; beside it, a column of up to `views` input
    views showing those objects with their boxes, where the scene has their images."""
    objects = list(dict.fromkeys(objects))
    title = title or (f"{scene.name}: evidence " + ", ".join(objects) if objects else f"{scene.name}: no evidence objects")
    bev = render_bev(scene, size_px=size_px, title=title, observer=observer, highlight=objects)
    chosen = evidence_views(scene, objects, views) if views else []
    column, row = size_px // 2, size_px // max(len(chosen), 2)
    panels = [p for p in (_view_picture(scene, i, objects, column, row) for i in chosen) if p is not None]
    if not panels:
        return bev
    canvas = Image.new("RGB", (size_px + column, size_px), (255, 255, 255))
    canvas.paste(Image.open(io.BytesIO(bev)), (0, 0))
    top = (size_px - row * len(panels)) // 2
    for number, panel in enumerate(panels):
        canvas.paste(panel, (size_px, top + number * row))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()
