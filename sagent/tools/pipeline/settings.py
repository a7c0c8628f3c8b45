"""Perception settings and the frames-to-memory path used by the CLI and the Python API."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sagent.errors import InputError
from sagent.memory.phrases import labels_in
from sagent.memory.vocabulary import INDOOR_OBJECTS
from sagent.tools.io.frames import FrameSet
from sagent.tools.io.weights import MissingWeights, WeightsStore
from sagent.tools.perception.grounding import AnnotationGrounder, Grounder, GroundingError, NoObjects
from sagent.tools.perception.scene_builder import BuildSettings
from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder
from sagent.tools.perception.vlm_grounder import VlmGrounder
from sagent.tools.pipeline.plain_video import VideoSettings
from sagent.tools.reconstruction.depth_models import make_depth_model
from sagent.tools.reconstruction.monocular import DepthModel


@dataclass
class PerceptionSettings:
    detector: str = "auto"  # auto | annotations | ultralytics | vlm | none
    detector_weights: str | None = None
    confidence: float = 0.25
    model: object | None = None  # a ChatModel, for the vlm detector
    build: BuildSettings = field(default_factory=BuildSettings)
    video: VideoSettings = field(default_factory=VideoSettings)  # plain videos: reconstruction and scale
    # Monocular depth: a name of depth_models.DEPTH_MODELS or a local folder. Photos need one (default
    # DEFAULT_PHOTO_DEPTH); a plain video is densified by one only when it is named.
    depth_model: str | None = None
    depth: DepthModel | None = None  # an injected depth model (the Python API, tests): overrides depth_model
    device: str = "cpu"  # where the depth model runs
    offline: bool | None = None  # never download weights (None: SAGENT_OFFLINE or HF_HUB_OFFLINE decide)
    models_dir: str | None = None  # where fetched weights are kept (None: SAGENT_MODELS_DIR or ~/.cache/sagent/models)

    def __post_init__(self):
        if not (isinstance(self.confidence, (int, float)) and 0.0 <= self.confidence <= 1.0):
            raise InputError(f"--confidence must be a score between 0 and 1, got {self.confidence!r}")


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
                                       settings.device, resolve=weights_store(settings).path)
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
    return make_depth_model(name, resolve=weights_store(settings).path, device=settings.device)


def scene_name(path: Path) -> str:
    path = Path(path)
    return path.parent.name if path.name == "frames.json" else path.stem if path.is_file() else path.name
