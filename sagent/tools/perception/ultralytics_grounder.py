"""The ultralytics grounding backend: YOLO-World or YOLOE with classes set from the question's
nouns (open vocabulary), or a plain YOLO with its own classes.

The model loads on first use. Weights and the text encoder an open-vocabulary model needs come
from `resolve` (the weights store: fetched on first use, or one line saying where to put them when
offline); without it a missing file is one clear message. A `.yaml` builds the architecture with
random weights (what the tests run on a CPU).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from sagent.memory.vocabulary import canonical_label
from sagent.tools.io.frames import Detection2D, Frame
from sagent.tools.perception.grounding import GroundingError
from sagent.tools.perception.text_encoders import TextEncoder


# Each open-vocabulary family's text encoder, by its name in the weights store's catalogue.
TEXT_ENCODERS = {"world": ("ViT-B-32.pt", "clip"), "yoloe": ("mobileclip_blt.ts", "mobileclip")}


def _family(weights: str) -> str:
    name = Path(weights).name.lower()
    if "world" in name:
        return "world"
    if "yoloe" in name:
        return "yoloe"
    return "yolo"


DEFAULT_CONFIDENCE = 0.25  # the detector score threshold (PerceptionSettings.confidence)


class UltralyticsGrounder:
    name = "ultralytics"

    def __init__(self, weights: str, confidence: float = DEFAULT_CONFIDENCE, device: str = "cpu",
                 text_embedder: Callable[[list[str]], object] | None = None,
                 resolve: Callable[[str], Path] | None = None):
        """`text_embedder(classes) -> Tensor[1, n, d]` replaces the CLIP text encoder (which would
        otherwise need its own weights) when setting open-vocabulary classes. `resolve(name) -> path`
        finds (or fetches) a weights file by name: the weights store."""
        if resolve is not None and not weights.endswith((".yaml", ".yml")):
            weights = str(resolve(weights))  # now: a missing detector fails before any other work
        self.weights = weights
        self.resolve = resolve
        self._encoder: TextEncoder | None = None
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
                f"YOLO weights not found at {self.weights!r}: pass a .pt file, or a name sagent fetches on first "
                "use (yolov8s-worldv2.pt, yoloe-11s-seg.pt; `sagent models list`)")
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
                embedder = self.text_embedder or self._store_encoder()
                if embedder is not None:
                    model.model.get_text_pe = lambda text, *args, **kwargs: embedder(list(text))
                model.set_classes(list(classes))
            else:
                if self.text_embedder is not None:
                    embeddings = self.text_embedder(list(classes))
                elif (encoder := self._store_encoder()) is not None:
                    # YOLOE's head turns text features into its prompt embeddings (ultralytics' get_text_pe does the same).
                    embeddings = model.model.model[-1].get_tpe(encoder(list(classes))).detach()
                else:
                    embeddings = None
                model.set_classes(list(classes), embeddings)
        except GroundingError:
            raise
        except Exception as exc:
            raise GroundingError(
                f"could not set classes on {self.weights!r} ({type(exc).__name__}: {exc}); open-vocabulary "
                "models need their text encoder's weights on disk as well") from None
        self._classes = list(classes)

    def _store_encoder(self) -> TextEncoder | None:
        """The text encoder from the weights store (None without a store: ultralytics then builds its own)."""
        if self.resolve is None:
            return None
        if self._encoder is None:
            weights, kind = TEXT_ENCODERS[self.family]
            self._encoder = TextEncoder(self.resolve(weights), kind, self.device)
        return self._encoder

    def detect(self, frame: Frame, labels: list[str] | None = None) -> list[Detection2D]:
        image = frame.image
        if image is None:
            raise GroundingError("the ultralytics backend needs images; this frame has none")
        model = self._load()
        if labels and self.family != "yolo":
            self.set_classes(labels)
        # ultralytics reads numpy images as BGR; retina_masks: a -seg model's masks at the frame's size.
        result = model.predict(np.ascontiguousarray(image[..., ::-1]), conf=self.confidence, device=self.device,
                               retina_masks=True, verbose=False)[0]
        names = result.names
        boxes = result.boxes
        masks = result.masks.data.cpu().numpy() if getattr(result, "masks", None) is not None else None
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
            mask = _mask_on_frame(masks[i], image.shape[:2]) if masks is not None else None
            detections.append(Detection2D(label, (x1, y1, x2, y2), float(score), mask))
        return detections


def _mask_on_frame(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bool[H W]: a mask as ultralytics gives it, on the frame's pixels (`shape` = H, W).

    With retina_masks it already has the frame's size. Where it does not (a model or version that
    ignores the flag), it is at the model's letterboxed input: the frame scaled by min(h/H, w/W) and
    centred between even paddings (ultralytics' LetterBox). The padding is cropped off as
    `ultralytics.utils.ops.scale_masks` does, the rest resized bilinearly and thresholded at 0.5.
    """
    mask = np.asarray(mask, dtype=np.float32)
    (height, width), (mh, mw) = shape, mask.shape
    if (mh, mw) == (height, width):
        return mask > 0.5
    gain = min(mh / height, mw / width)
    ch, cw = max(round(height * gain), 1), max(round(width * gain), 1)
    top, left = round((mh - ch) / 2 - 0.1), round((mw - cw) / 2 - 0.1)
    mask = mask[top:top + ch, left:left + cw]
    # Bilinear with pixel centres aligned (torch's align_corners=False): sample i reads source (i + 0.5) * n / m - 0.5.
    y = np.clip((np.arange(height) + 0.5) * ch / height - 0.5, 0, ch - 1)
    x = np.clip((np.arange(width) + 0.5) * cw / width - 0.5, 0, cw - 1)
    y0, x0 = y.astype(int), x.astype(int)
    y1, x1 = np.minimum(y0 + 1, ch - 1), np.minimum(x0 + 1, cw - 1)
    wy, wx = (y - y0)[:, None], x - x0
    rows = mask[y0] * (1 - wy) + mask[y1] * wy
    return rows[:, x0] * (1 - wx) + rows[:, x1] * wx > 0.5
