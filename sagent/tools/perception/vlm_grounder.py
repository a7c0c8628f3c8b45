"""The vlm grounding backend: the planner's model is shown a frame and asked for boxes as JSON."""

from __future__ import annotations

import base64
import io
import json
import re

from pydantic import BaseModel, ValidationError

from sagent.memory.vocabulary import canonical_label
from sagent.tools.io.frames import Detection2D, Frame
from sagent.tools.perception.grounding import GroundingError

PROMPT = """Find every instance of these objects in the image: {labels}.
The image is {width} x {height} pixels. Reply with JSON only:
{{"objects": [{{"label": "<one of the names above>", "box": [x1, y1, x2, y2]}}]}}
Boxes are in pixels, x to the right and y down, x1 < x2 and y1 < y2. An empty list if none is visible."""


class _Box(BaseModel):
    label: str
    box: tuple[float, float, float, float]
    score: float = 0.8


class _Reply(BaseModel):
    objects: list[_Box]


class VlmGrounder:
    name = "vlm"

    def __init__(self, model):
        self.model = model

    def settings(self) -> dict:
        return {"grounder": self.name, "model": self.model.name}

    def detect(self, frame: Frame, labels: list[str] | None = None) -> list[Detection2D]:
        from PIL import Image

        if not labels:
            raise GroundingError("the vlm grounding backend needs object names to look for")
        image = frame.image
        if image is None:
            raise GroundingError("the vlm grounding backend needs images; this frame has none")
        height, width = image.shape[:2]
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
        content = [{"type": "text", "text": PROMPT.format(labels=", ".join(labels), width=width, height=height)},
                   {"type": "image_url", "image_url": {"url": url}}]
        reply = self.model.complete([{"role": "user", "content": content}])
        return self._read(reply.text, labels, width, height)

    @staticmethod
    def _read(text: str, labels: list[str], width: int, height: int) -> list[Detection2D]:
        """Validated boxes: unknown labels, inverted or off-image boxes are dropped, edges clipped."""
        match = re.search(r"\{.*\}", text, flags=re.S)
        try:
            reply = _Reply.model_validate(json.loads(match.group(0) if match else text))
        except (json.JSONDecodeError, ValidationError):
            return []
        wanted = {canonical_label(label) for label in labels}
        detections = []
        for item in reply.objects:
            label = canonical_label(item.label)
            x1, y1, x2, y2 = item.box
            x1, x2 = max(0.0, min(x1, width)), max(0.0, min(x2, width))
            y1, y2 = max(0.0, min(y1, height)), max(0.0, min(y2, height))
            if label in wanted and x2 - x1 >= 2 and y2 - y1 >= 2:
                detections.append(Detection2D(label, (x1, y1, x2, y2), item.score))
        return detections
