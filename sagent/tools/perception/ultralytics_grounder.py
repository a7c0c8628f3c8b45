"""The ultralytics grounding backend: YOLO-World or YOLOE with classes set from the question's
nouns (open vocabulary), or a plain YOLO with its own classes.

The model loads on first use. Weights are never fetched from a hub at run time: a missing file is
one clear message saying what to download and pass. A `.yaml` builds the architecture with random
weights (what the tests run on a CPU).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from sagent.memory.vocabulary import canonical_label
from sagent.tools.io.frames import Detection2D, Frame
from sagent.tools.perception.grounding import GroundingError


def _family(weights: str) -> str:
    name = Path(weights).name.lower()
    if "world" in name:
        return "world"
    if "yoloe" in name:
        return "yoloe"
    return "yolo"


class UltralyticsGrounder:
    name = "ultralytics"

    def __init__(self, weights: str, confidence: float = 0.25, device: str = "cpu",
                 text_embedder: Callable[[list[str]], object] | None = None):
        """`text_embedder(classes) -> Tensor[1, n, d]` replaces the CLIP text encoder (which would
        otherwise need its own weights) when setting open-vocabulary classes."""
        self.weights = weights
        self.family = _family(weights)
        self.confidence = confidence
        self.device = device
        self.text_embedder = text_embedder
        self._model = None
        self._classes: list[str] | None = None

    def settings(self) -> dict:
        return {"grounder": self.name, "weights": Path(self.weights).name, "confidence": self.confidence}

    def _load(self):
        if self._model is not None:
            return self._model
        if not self.weights.endswith((".yaml", ".yml")) and not Path(self.weights).is_file():
            raise GroundingError(
                f"YOLO weights not found at {self.weights!r}. sagent never downloads weights at run time: fetch "
                "e.g. yolov8s-worldv2.pt or yoloe-11s-seg.pt from the ultralytics releases and pass "
                "--detector-weights PATH")
        try:
            from ultralytics import YOLO, YOLOE, YOLOWorld
        except ImportError:
            raise GroundingError("the ultralytics backend needs the perception extra: "
                                 "pip install 'sagent[perception]'") from None
        constructor = {"world": YOLOWorld, "yoloe": YOLOE, "yolo": YOLO}[self.family]
        try:
            self._model = constructor(self.weights)
        except Exception as exc:  # corrupt file, wrong architecture: say which file
            raise GroundingError(f"cannot load YOLO model {self.weights!r}: {type(exc).__name__}: {exc}") from None
        return self._model

    def set_classes(self, classes: list[str]) -> None:
        """Open-vocabulary models detect exactly these classes from now on."""
        model = self._load()
        if self.family == "yolo" or classes == self._classes:
            return
        try:
            if self.family == "world":
                if self.text_embedder is not None:
                    model.model.get_text_pe = lambda text, *args, **kwargs: self.text_embedder(list(text))
                model.set_classes(list(classes))
            else:
                embeddings = self.text_embedder(list(classes)) if self.text_embedder else None
                model.set_classes(list(classes), embeddings)
        except GroundingError:
            raise
        except Exception as exc:
            raise GroundingError(
                f"could not set classes on {self.weights!r} ({type(exc).__name__}: {exc}); open-vocabulary "
                "models need their text encoder's weights on disk as well") from None
        self._classes = list(classes)

    def detect(self, frame: Frame, labels: list[str] | None = None) -> list[Detection2D]:
        image = frame.image
        if image is None:
            raise GroundingError("the ultralytics backend needs images; this frame has none")
        model = self._load()
        if labels and self.family != "yolo":
            self.set_classes(labels)
        # ultralytics reads numpy images as BGR.
        result = model.predict(np.ascontiguousarray(image[..., ::-1]), conf=self.confidence, device=self.device,
                               verbose=False)[0]
        names = result.names
        boxes = result.boxes
        masks = result.masks.data.cpu().numpy() > 0.5 if getattr(result, "masks", None) is not None else None
        wanted = {canonical_label(label) for label in labels} if labels else None
        detections = []
        for i, (xyxy, cls, score) in enumerate(zip(boxes.xyxy.cpu().numpy(), boxes.cls.cpu().numpy(),
                                                   boxes.conf.cpu().numpy())):
            label = canonical_label(str(names[int(cls)]))
            if wanted is not None and label not in wanted:
                continue
            x1, y1, x2, y2 = (float(v) for v in xyxy)
            if x2 <= x1 or y2 <= y1:
                continue
            mask = masks[i] if masks is not None and masks[i].shape == image.shape[:2] else None
            detections.append(Detection2D(label, (x1, y1, x2, y2), float(score), mask))
        return detections
