"""The VLM-only baseline: frames and question straight to the model, no DSL and no scene memory.
It measures what sagent adds on the same questions."""

from __future__ import annotations

import re

from sagent.agent.model import ChatModel, ModelReply
from sagent.agent.options import Option
from sagent.agent.pictures import Picture, keyframes
from sagent.agent.prompts import render
from sagent.memory.scene import SceneMemory


def read_prediction(text: str, options: list[Option]):
    """An option letter (when there are options) or a number from the model's reply; None if neither."""
    if options:
        letters = {o.letter for o in options}
        match = re.search(r"\b([A-Z])\b", text.strip().upper())
        return match.group(1) if match and match.group(1) in letters else None
    match = re.search(r"-?\d+(?:\.\d+)?", text.replace(",", ""))
    return float(match.group()) if match else None


class VlmBaseline:
    name = "vlm-baseline"

    def __init__(self, model: ChatModel):
        self.model = model

    def predict(self, question: str, scene: SceneMemory, options: list[Option]) -> tuple[object, ModelReply]:
        return self.predict_with(question, keyframes(scene, count=8), options)

    def predict_with(self, question: str, pictures: list[Picture], options: list[Option]) -> tuple[object, ModelReply]:
        """The model's prediction from the question and the given frames (sent only to models that take images)."""
        pictures = pictures if self.model.supports_images() else []
        text = render("baseline.j2", question=question, options=options, pictures=bool(pictures))
        content = [{"type": "text", "text": text}, *(p.to_content() for p in pictures)] if pictures else text
        reply = self.model.complete([{"role": "user", "content": content}])
        return read_prediction(reply.text, options), reply
