"""A plain video (or image folder) to scene memory: keyframes, a reconstruction backend, grounding,
lifting and fusion, then the metric scale.

The reconstruction comes in unknown units. It is first put into working metres (the median
viewing distance set to a typical indoor 2 m) so that lifting and fusion, whose tolerances are in
metres, behave; the scale is then decided (`tools/metric_scale.py`) and the built memory rescaled
by the correction. With no scale found, the memory stays in working units and says so: metric
answers are then refused.

Detections for a video can be imported from `VIDEO_detections.json` beside it:
{"frames": {"FRAME_NUMBER": [{"label": "chair", "box": [x1, y1, x2, y2], "score": 0.9}]}}.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, StrictInt, ValidationError, field_validator

from sagent.memory.checks import problem
from sagent.memory.files import read_json
from sagent.memory.scene import MetricScale, SceneMemory
from sagent.settings import Settings, knob
from sagent.tools.io.frames import Detection2D, DetectionEntry, FramesError
from sagent.tools.io.video import Keyframe, keyframes
from sagent.tools.perception.grounding import AnnotationGrounder, Grounder
from sagent.tools.perception.extent import complete_unseen_extents
from sagent.tools.perception.scene_builder import BuildSettings, build_scene
from sagent.tools.reconstruction.colmap import ColmapSettings, reconstruct_colmap
from sagent.tools.reconstruction.densify import densify
from sagent.tools.reconstruction.metric_scale import UserScale, scale_from_priors
from sagent.tools.reconstruction.monocular import DepthModel
from sagent.tools.reconstruction.reconstruction import Reconstruction, ReconstructionError
from sagent.tools.reconstruction.vggt import VggtReconstructor, VggtSettings

log = logging.getLogger(__name__)

WORKING_DEPTH = 2.0  # metres: a typical indoor viewing distance, only to size tolerances before the scale is known
BACKENDS = ("auto", "colmap", "vggt")


class VideoSettings(Settings):
    backend: Literal[BACKENDS] = knob("auto", "plain videos: how cameras and depth are recovered (auto: vggt on a GPU, "
                                      "else colmap)", cli=True)
    scale: str | None = knob(None, "plain videos: metres per reconstruction unit (0.8), or a known size, the longest "
                             "side of an object (door=2.0m); default: typical sizes of the objects found",
                             cli=True, metavar="FACTOR|LABEL=SIZE")
    max_frames: StrictInt = knob(64, "plain videos: keyframes used", cli=True, ge=2)
    colmap: ColmapSettings = knob(default_factory=ColmapSettings, description="structure from motion (CPU)")
    vggt: VggtSettings = knob(default_factory=VggtSettings, description="VGGT (GPU)")

    @field_validator("scale")
    @classmethod
    def _scale_parses(cls, scale: str | None) -> str | None:
        if scale is not None:
            UserScale.parse(scale)  # a malformed --scale is refused before any work
        return scale


class _Sidecar(BaseModel):
    frames: dict[int, list[DetectionEntry]]


def sidecar_path(video: Path) -> Path:
    return video.with_name(f"{video.stem}_detections.json")


def read_sidecar(video: Path) -> dict[int, list[Detection2D]] | None:
    """Imported detections by frame number, or None when the video has no sidecar."""
    path = sidecar_path(video)
    if not path.is_file():
        return None
    data = read_json(path, "detections sidecar", FramesError)
    try:
        sidecar = _Sidecar.model_validate(data)
    except ValidationError as error:
        raise FramesError(f"{path}: not a detections file: {problem(error)}") from None
    return {index: [Detection2D(d.label, d.box, d.score) for d in entries] for index, entries in sidecar.frames.items()}


def gpu_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def vggt_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("vggt") is not None


def choose_backend(name: str) -> str:
    """auto: VGGT on a GPU when it is installed, otherwise COLMAP (sensor depth never reaches here)."""
    if name not in BACKENDS:
        raise ReconstructionError(f"unknown reconstruction backend {name!r}; choose {', '.join(BACKENDS)}")
    if name != "auto":
        return name
    return "vggt" if gpu_available() and vggt_installed() else "colmap"


def reconstruct(frames: list[Keyframe], settings: VideoSettings, device: str | None = None) -> Reconstruction:
    """`device`: where VGGT runs (None: cuda)."""
    backend = choose_backend(settings.backend)
    log.info("cameras and depth by %s", backend)
    if backend == "vggt":
        return VggtReconstructor(settings.vggt, device=device).reconstruct(frames)
    return reconstruct_colmap(frames, settings.colmap)


def decide_scale(memory: SceneMemory, working_factor: float, user: UserScale | None,
                 measured: MetricScale | None = None) -> tuple[float, MetricScale]:
    """(factor to apply to the working-unit memory, the scale it ends at). `measured`: metres per working
    unit that the reconstruction measured (a metric depth model), trusted before typical sizes."""
    if user is not None and user.factor is not None:
        scale = user.resolve(memory.objects)
        return user.factor / working_factor, scale
    scale = user.resolve(memory.objects) if user is not None else \
        measured if measured is not None else scale_from_priors(memory.objects, memory.up)
    if not scale.metric:
        return 1.0, scale.model_copy(update=dict(metres_per_unit=working_factor))
    return scale.metres_per_unit, scale.model_copy(update=dict(metres_per_unit=scale.metres_per_unit * working_factor))


def scene_from_reconstruction(reconstruction: Reconstruction, grounder: Grounder, labels: list[str] | None,
                              build: BuildSettings, name: str, detections=None, scale_text: str | None = None,
                              depth: DepthModel | None = None) -> SceneMemory:
    """`depth`: a monocular depth model that densifies each view's sparse depth and measures the
    reconstruction's unit (densify.py)."""
    user = UserScale.parse(scale_text) if scale_text else None
    if depth is not None:
        reconstruction = densify(reconstruction, depth)[0]
    working_factor = WORKING_DEPTH / reconstruction.median_depth()
    working = reconstruction.scaled(working_factor)
    frames = working.frame_set(detections, source=name)
    memory = build_scene(frames, grounder, labels, build, name, metric=False)
    factor, scale = decide_scale(memory, working_factor, user, working.metric)
    log.info("metric scale: %s", scale.describe())
    memory = memory.rescaled(factor, scale)
    memory.record = memory.record.model_copy(update=dict(coverage=reconstruction.coverage()))
    return complete_unseen_extents(memory) if scale.metric else memory


def registered_enough(reconstruction: Reconstruction) -> Reconstruction:
    """The reconstruction, or ReconstructionError when it posed fewer than half of the frames given."""
    if reconstruction.registered_share < 0.5:
        raise ReconstructionError(
            f"{reconstruction.backend} {reconstruction.coverage().describe()}: too few to answer from; the input "
            "has too little texture, too little overlap or too fast motion (give more frames, or depth and poses)")
    return reconstruction


def scene_from_video(path: Path, grounder: Grounder, labels: list[str] | None, build: BuildSettings,
                     settings: VideoSettings, name: str, detections=None,
                     depth: DepthModel | None = None, device: str | None = None) -> SceneMemory:
    """`depth`: see scene_from_reconstruction; `device`: where VGGT runs."""
    if settings.scale:
        UserScale.parse(settings.scale)  # a malformed --scale fails before minutes of reconstruction
    frames = keyframes(path, max_frames=settings.max_frames)
    log.info("%d keyframes from %s", len(frames), path.name)
    reconstruction = registered_enough(reconstruct(frames, settings, device))
    return scene_from_reconstruction(reconstruction, grounder, labels, build, name, detections, settings.scale,
                                     depth)


def video_grounder(detections, make) -> Grounder:
    """The sidecar's detections when there are some, else the detector `make()` builds (or its error)."""
    return AnnotationGrounder() if detections is not None else make()


__all__ = ["BACKENDS", "ReconstructionError", "VideoSettings", "choose_backend", "read_sidecar", "scene_from_video"]
