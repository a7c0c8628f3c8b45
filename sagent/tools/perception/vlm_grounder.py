"""The vlm grounding backend: the planner's model is shown a frame and asked for boxes as JSON.

The reply is a `GroundingReply`; its JSON schema is what providers that constrain output receive.
A reply that holds no valid one goes back once with its errors, then ends in `GroundingReplyError`.
"""

from __future__ import annotations

import base64
import io

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sagent.errors import ModelError
from sagent.memory.files import json_objects
from sagent.memory.vocabulary import canonical_label
from sagent.tools.io.frames import Detection2D, Frame
from sagent.tools.perception.grounding import GroundingError

PROMPT = """Find every instance of these objects in the image: {labels}.
The image is {width} x {height} pixels. Reply with JSON only:
{{"objects": [{{"label": "<one of the names above>", "box": [x1, y1, x2, y2]}}]}}
Boxes are in pixels, x to the right and y down, x1 < x2 and y1 < y2. An empty list if none is visible."""

REPAIR = """Your reply could not be read: {errors}
Reply with JSON only: {{"objects": [{{"label": "<one of the names above>", "box": [x1, y1, x2, y2]}}]}}"""

VLM_SCORE = 0.8  # the model gives no confidence; its boxes count as fairly sure detections

_STRICT = ConfigDict(json_schema_extra={"additionalProperties": False})  # strict json_schema output wants it


class GroundedBox(BaseModel):
    model_config = _STRICT

    label: str = Field(description="one of the names asked for")
    box: list[float] = Field(min_length=4, max_length=4, description="[x1, y1, x2, y2] in pixels, x right, y down")


class GroundingReply(BaseModel):
    """The vlm grounder's reply: every box found (an empty list if none is visible)."""

    model_config = _STRICT

    objects: list[GroundedBox]


class GroundingReplyError(ModelError):
    """The model's reply to a grounding request held no valid list of boxes, also after one repair."""


def parse_reply(text: str) -> GroundingReply:
    """The first JSON object in `text` (alone, in prose or in a fence) that validates as a
    `GroundingReply`. Raises GroundingReplyError saying what was wrong."""
    problem = None  # the outermost object's first error; inner objects are tried too
    for raw, value in json_objects(text):
        try:
            return GroundingReply.model_validate_json(raw)
        except ValidationError:
            pass
        try:
            return GroundingReply.model_validate(value)  # invalid JSON only for raw control characters
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            problem = problem or f"{'.'.join(map(str, first['loc'])) or 'reply'}: {first['msg']}"
    excerpt = " ".join(text.split())[:120]
    raise GroundingReplyError(f"{problem or 'no JSON object in the reply'}; the reply began: {excerpt!r}")


class VlmGrounder:
    name = "vlm"

    def __init__(self, model, max_repairs: int = 1):
        """`model`: a ChatModel (complete(messages, response_schema) -> reply with .text)."""
        self.model = model
        self.max_repairs = max_repairs

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
        messages: list[dict] = [{"role": "user", "content": content}]
        schema = GroundingReply.model_json_schema()
        repairs = 0
        while True:
            reply = self.model.complete(messages, schema)
            try:
                return self._boxes(parse_reply(reply.text), labels, width, height)
            except GroundingReplyError as error:
                if repairs >= self.max_repairs:
                    raise GroundingReplyError(
                        f"vlm grounding: {self.model.name} gave no valid boxes for the frame at t={frame.time:g} s "
                        f"after {repairs} repair(s): {error}") from None
                repairs += 1
                messages += [{"role": "assistant", "content": reply.text},
                             {"role": "user", "content": REPAIR.format(errors=error)}]

    @staticmethod
    def _boxes(reply: GroundingReply, labels: list[str], width: int, height: int) -> list[Detection2D]:
        """Unknown labels, inverted or off-image boxes are dropped, edges clipped."""
        wanted = {canonical_label(label) for label in labels}
        detections = []
        for item in reply.objects:
            label = canonical_label(item.label)
            x1, y1, x2, y2 = item.box
            x1, x2 = max(0.0, min(x1, width)), max(0.0, min(x2, width))
            y1, y2 = max(0.0, min(y1, height)), max(0.0, min(y2, height))
            if label in wanted and x2 - x1 >= 2 and y2 - y1 >= 2:
                detections.append(Detection2D(label, (x1, y1, x2, y2), VLM_SCORE))
        return detections
