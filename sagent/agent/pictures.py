"""Pictures of the scene memory for models that take images: a bird's-eye view and keyframes."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from sagent.memory.scene import SceneMemory
from sagent.tools.render.bev import render_bev


@dataclass
class Picture:
    caption: str
    png: bytes

    def to_content(self) -> dict:
        data = base64.b64encode(self.png).decode()
        return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}


def keyframes(scene: SceneMemory, count: int = 3, max_side: int = 512) -> list[Picture]:
    """Up to `count` input frames, evenly spaced, downscaled; frames whose image is gone are skipped."""
    from PIL import Image

    with_images = [(i, c) for i, c in enumerate(scene.cameras) if c.image and Path(c.image).is_file()]
    if not with_images:
        return []
    step = max(1, len(with_images) // count)
    pictures = []
    for index, camera in with_images[::step][:count]:
        with Image.open(camera.image) as image:
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
        pictures.append(Picture(f"input frame {index} at t={camera.time:.1f} s", buffer.getvalue()))
    return pictures


def scene_pictures(scene: SceneMemory) -> list[Picture]:

    bev = Picture("bird's-eye view of the scene memory: object footprints with labels, cameras as arrows, "
                  "x right, y up, metres", render_bev(scene))
    return [bev, *keyframes(scene)]
