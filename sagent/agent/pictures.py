"""Pictures for models that take images: of the scene memory (a bird's-eye view, keyframes), or straight
from an input (a video's or a frame folder's frames, for the VLM-only baseline)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from sagent.memory.scene import SceneMemory
from sagent.tools.io.readers import detect_layout, read_frames
from sagent.tools.io.video import keyframes as video_keyframes
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


def _png(image, max_side: int) -> bytes:
    from PIL import Image

    picture = Image.fromarray(image) if not isinstance(image, Image.Image) else image
    picture = picture.convert("RGB")
    picture.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def input_pictures(spec: str, count: int = 8, max_side: int = 512) -> list[Picture]:
    """Up to `count` frames of an input as they are (no scene memory): a video's or image folder's
    keyframes, or evenly spaced frames of posed RGB-D input."""
    from PIL import Image

    path = Path(spec)
    if detect_layout(path) is not None:
        frames = [f for f in read_frames(path).frames if f.image_path is not None]
        chosen = frames[:: max(1, len(frames) // count)][:count]
        pictures = []
        for frame in chosen:
            with Image.open(frame.image_path) as image:
                pictures.append(Picture(f"frame at t={frame.time:.1f} s", _png(image, max_side)))
        return pictures
    return [Picture(f"frame at t={k.time:.1f} s", _png(k.image, max_side))
            for k in video_keyframes(path, max_frames=count)]
