"""Perception settings and the frames-to-memory path used by the CLI and the Python API."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SkipValidation
from pydantic.json_schema import SkipJsonSchema

from sagent.errors import InputError
from sagent.memory.phrases import labels_in
from sagent.memory.vocabulary import INDOOR_OBJECTS
from sagent.settings import Settings, knob
from sagent.tools.io.frames import FrameSet
from sagent.tools.io.weights import MissingWeights, WeightsStore
from sagent.tools.perception.grounding import AnnotationGrounder, Grounder, GroundingError, NoObjects
from sagent.tools.perception.scene_builder import BuildSettings
from sagent.tools.perception.ultralytics_grounder import DEFAULT_CONFIDENCE, UltralyticsGrounder
from sagent.tools.perception.vlm_grounder import VlmGrounder
from sagent.tools.pipeline.plain_video import VideoSettings
from sagent.tools.reconstruction.depth_models import make_depth_model
from sagent.tools.reconstruction.monocular import DepthModel


class PerceptionSettings(Settings):
    detector: Literal["auto", "annotations", "ultralytics", "vlm", "none"] = knob(
        "auto", "how objects are found in frames: the input's own detections, YOLO-World/YOLOE, the model (auto: the "
        "first that can run), or none: geometry only (cameras, cloud, floor and room)", cli=True)
    detector_weights: str | None = knob(None, "ultralytics weights (.pt; a .yaml = random weights)", cli=True,
                                        metavar="PATH")
    confidence: float = knob(DEFAULT_CONFIDENCE, "detector score threshold", cli=True, ge=0, le=1)
    model: SkipJsonSchema[object | None] = knob(None, "a ChatModel, for the vlm detector (made from the planner settings by the CLI)",
                                key=False, exclude=True)
    build: BuildSettings = knob(default_factory=BuildSettings, description="grounding, lifting and fusion")
    video: VideoSettings = knob(default_factory=VideoSettings, description="plain videos: reconstruction and scale")
    # Photos need a depth model (default DEFAULT_PHOTO_DEPTH); a plain video is densified only when one is named.
    depth_model: str | None = knob(None, "photos (and plain videos, to densify them): depth-anything-indoor (photos' "
                                   "default), depth-anything-outdoor, depth-pro, or a local folder", cli=True,
                                   metavar="NAME|DIR")
    depth: SkipJsonSchema[SkipValidation[DepthModel | None]] = knob(None, "an injected depth model (the Python API, tests): overrides depth_model",
                                    key=False, exclude=True)
    device: str | None = knob(None, "where VGGT, the depth model and the detector run: cuda, cpu (default: VGGT on "
                              "cuda, the others on the cpu; VGGT on a CPU is slow)", cli=True)
    offline: bool | None = knob(None, "never download weights (also SAGENT_OFFLINE=1 or HF_HUB_OFFLINE=1): a missing "
                                "file is one line saying where to get it and put it", cli=True)
    models_dir: str | None = knob(None, "where weights fetched on first use are kept (default ~/.cache/sagent/models, "
                                  "or SAGENT_MODELS_DIR)", cli=True)

    def device_or_cpu(self) -> str:
        """Where the detector and the depth model run."""
        return self.device or "cpu"


DEFAULT_DETECTOR = "yolov8s-worldv2.pt"  # YOLO-World: open vocabulary, fetched on first use


def make_grounder(settings: PerceptionSettings, frames: FrameSet | None = None) -> Grounder:
    """auto: the input's own detections when it has them, else ultralytics with the weights given, else the
    vlm when a model is configured, else ultralytics with DEFAULT_DETECTOR (fetched on first use)."""
    kind = settings.detector
    if kind == "auto":
        has_annotations = frames is not None and any(f.detections is not None or f.given is not None
                                                     for f in frames.frames)
        kind = "annotations" if has_annotations else "ultralytics" if settings.detector_weights else \
            "vlm" if settings.model is not None else "ultralytics"
    if kind == "none":
        return NoObjects()
    if kind == "annotations":
        if frames is None:
            raise GroundingError("--detector annotations: this input carries no detections (for a video, put them in "
                                 "VIDEO_detections.json beside it)")
        return AnnotationGrounder()
    if kind == "ultralytics":
        try:
            return UltralyticsGrounder(settings.detector_weights or DEFAULT_DETECTOR, settings.confidence,
                                       settings.device_or_cpu(), resolve=weights_store(settings).path)
        except MissingWeights as error:
            if settings.detector_weights:
                raise
            # The user asked for no detector: say what else works without one.
            raise MissingWeights(f"{error}; or --detector none builds the geometry alone (cameras, cloud, floor "
                                 "and room)") from None
    if kind == "vlm":
        if settings.model is None:
            raise GroundingError("the vlm detector needs a model: pass --model PROVIDER/MODEL")

        return VlmGrounder(settings.model)
    raise GroundingError(f"unknown detector {kind!r}; choose auto, annotations, ultralytics or vlm")


def detection_labels(question: str | None, grounder: Grounder) -> list[str] | None:
    """What open-vocabulary detectors look for: every object the question names, known words or not
    ("the espresso machine"), plus common indoor ones (the memory is cached and serves later questions
    too), sorted and without repeats."""
    if grounder.name in ("annotations", "none"):
        return None
    asked = labels_in(question) if question else []
    return sorted(set(asked) | set(INDOOR_OBJECTS))


DEFAULT_PHOTO_DEPTH = "depth-anything-indoor"


def weights_store(settings: PerceptionSettings) -> WeightsStore:
    return WeightsStore(settings.models_dir, settings.offline)


def make_depth(settings: PerceptionSettings, photos: bool) -> DepthModel | None:
    """The depth model for photos (always one: DEFAULT_PHOTO_DEPTH unless named) or for densifying a
    plain video (only when named). Weights are resolved, and fetched, when the model first runs."""
    if settings.depth is not None:
        return settings.depth
    name = settings.depth_model or (DEFAULT_PHOTO_DEPTH if photos else None)
    if name is None:
        return None
    if name == "none":
        if photos:
            raise InputError("a photo has no depth of its own: it needs a depth model (--depth-model "
                             f"{DEFAULT_PHOTO_DEPTH}, depth-anything-outdoor, depth-pro or a local folder)")
        return None
    return make_depth_model(name, resolve=weights_store(settings).path, device=settings.device_or_cpu())


def scene_name(path: Path) -> str:
    path = Path(path)
    return path.parent.name if path.name == "frames.json" else path.stem if path.is_file() else path.name
