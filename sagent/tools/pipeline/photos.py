"""Photos without depth or poses to a scene memory.

One photo: a monocular depth model gives metric depth; the camera is the photo's EXIF focal length
when it states one, else the model's (Depth Pro estimates it), else a typical field of view
(ASSUMED_FOV, said so in the scale's detail). The camera stands level at the origin; up is then
found from the floor the depth shows (a photo without a floor keeps the level camera's up). From
there the pipeline is the RGB-D one: grounding, lifting, floor, room.

Several photos of one scene: posed together by the reconstruction backend (COLMAP, VGGT), each
view's depth densified by the depth model where it is given, then as a plain video.

Detections for photos can be imported as for a video (`PHOTO_detections.json` beside the first
photo, frames numbered by the photos' order: 0 for a single photo).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from sagent.memory.scene import MetricScale, SceneMemory
from sagent.tools.geometry.camera import PinholeCamera, intrinsics
from sagent.tools.io.depth import MAX_MEDIAN_DEPTH, DepthError
from sagent.tools.io.frames import Detection2D, Frame, FrameSet, frame_from_arrays
from sagent.tools.io.photos import Photo, PhotoError
from sagent.tools.io.video import Keyframe
from sagent.tools.perception.extent import complete_unseen_extents
from sagent.tools.perception.floor import estimate_up
from sagent.tools.perception.grounding import Grounder
from sagent.tools.perception.scene_builder import BuildSettings, build_scene
from sagent.tools.reconstruction.densify import MODEL_SCALE_UNCERTAINTY
from sagent.tools.reconstruction.metric_scale import UserScale
from sagent.tools.reconstruction.monocular import DepthModel, DepthModelError

ASSUMED_FOV = 60.0  # degrees across: a photo that states no focal length is taken as a typical camera's
# With the focal length assumed, lengths across the view follow the guess: a 60-degree guess for a
# 75-degree camera put sizes a median 20 % off (BENCHMARKS.md, single photos).
ASSUMED_FOV_UNCERTAINTY = 0.25
FLOOR_ITERATIONS = 3000
# Camera-to-world of a level camera looking along world +y, world z up (OpenCV axes: y down).
LEVEL_POSE = np.array([[1.0, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]])
LEVEL_UP = np.array([0.0, 0.0, 1.0])

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Focal:
    """A camera for an image without one: K, where its focal length came from, and the relative
    uncertainty that leaves on lengths."""

    K: np.ndarray  # Float[3 3] pixels
    source: str
    uncertainty: float


def camera_for(width: int, height: int, stated_px: float | None = None, stated_how: str = "",
               model_K: np.ndarray | None = None) -> Focal:
    """The camera of a `width` x `height` image: its stated focal length (EXIF, or K given), else the depth
    model's, else ASSUMED_FOV."""
    if stated_px is not None:
        K = intrinsics(width, height)
        K[0, 0] = K[1, 1] = stated_px
        return Focal(K, f"focal length from {stated_how}", MODEL_SCALE_UNCERTAINTY)
    if model_K is not None:
        return Focal(np.asarray(model_K, float), "focal length from the depth model", MODEL_SCALE_UNCERTAINTY)
    return Focal(intrinsics(width, height, ASSUMED_FOV), f"focal length assumed ({ASSUMED_FOV:g} degrees across: "
                 "none stated; sizes across the view follow it)", ASSUMED_FOV_UNCERTAINTY)


def photo_camera(photo: Photo, model_K: np.ndarray | None) -> Focal:
    height, width = photo.size
    return camera_for(width, height, photo.focal_px, photo.focal_source, model_K)


def depth_model_scale(model: DepthModel, focal: Focal, up_found: bool = True) -> MetricScale:
    """The scale of a memory whose depth a model gave: which model, where the focal length came from."""
    level = "" if up_found else "; up taken as the level camera's (no floor in view)"
    return MetricScale(source="depth model", relative_uncertainty=focal.uncertainty,
                       detail=f"{model.name}; {focal.source}{level}")


def model_depth(depth: np.ndarray, shape: tuple[int, int], where: str, model: DepthModel) -> np.ndarray:
    """Float32[H W] metres, 0 where the model gave nothing finite and positive; DepthModelError when it is
    not the image's (H, W) `shape`, covers almost none of it or puts it beyond a room."""
    depth = np.asarray(depth, np.float32)
    if depth.shape != tuple(shape):
        raise DepthModelError(f"depth model {model.name} returned depth of shape {depth.shape} for {where}, "
                              f"which is {shape[1]}x{shape[0]}")
    depth = np.where(np.isfinite(depth) & (depth > 0), depth, 0).astype(np.float32)
    valid = depth[depth > 0]
    if valid.size < 0.05 * depth.size:
        raise DepthModelError(f"depth model {model.name} found depth for almost none of {where}")
    median = float(np.median(valid))
    if median > MAX_MEDIAN_DEPTH:
        raise DepthModelError(f"the depth model puts most of {where} {median:.0f} m away: sagent measures "
                              "rooms and the objects in them, not landscapes")
    return depth


def observed_depth(image: np.ndarray, K: np.ndarray | None, model: DepthModel) -> tuple[np.ndarray, Focal]:
    """(depth Float32[H W] metres, camera) of a streamed UInt8[H W 3] RGB image that came without depth:
    K as given, else the model's, else the assumed field of view."""
    estimate = model.estimate(image, K)
    height, width = image.shape[:2]
    focal = Focal(np.asarray(K, float), "focal length given", MODEL_SCALE_UNCERTAINTY) if K is not None \
        else camera_for(width, height, model_K=estimate.K)
    return model_depth(estimate.depth, (height, width), "the observed image", model), focal


def floor_up(frame: Frame) -> np.ndarray | None:
    """Float[3] up: the floor a frame's dense depth shows, within 30 degrees of its camera's up; None
    when there is no such floor (a close-up of a shelf)."""
    depth = frame.depth
    rows, cols = np.nonzero(depth[::4, ::4] > 0)
    points = PinholeCamera(frame.K, frame.cam_to_world).backproject(depth, rows * 4, cols * 4)
    try:
        # One view may show little floor (a tenth of the pixels): enough samples that three of them land
        # on it (300 found a table top in 2 of 10 generated views, 3,000 the floor in all 10).
        up, _ = estimate_up(points, frame.cam_to_world[:3, 1], iterations=FLOOR_ITERATIONS)
    except ValueError:
        return None
    return up


def photo_frames(photo: Photo, model: DepthModel, detections: list[Detection2D] | None) -> tuple[FrameSet, MetricScale]:
    """(the photo as one posed RGB-D frame, the scale its depth model gives it)."""
    stated = photo_camera(photo, None).K if photo.focal_px is not None else None
    estimate = model.estimate(photo.image, stated)
    focal = photo_camera(photo, estimate.K)
    depth = model_depth(estimate.depth, photo.size, str(photo.path), model)
    try:
        frame = frame_from_arrays(focal.K, LEVEL_POSE, 0.0, photo.image, depth, detections=detections)
    except DepthError as error:
        raise DepthModelError(f"{photo.path}: the depth model's depth is unusable ({error})") from None
    frames = FrameSet([frame], None, source=f"photo:{photo.path}")
    up = floor_up(frame)
    frames.up = LEVEL_UP if up is None else up
    return frames, depth_model_scale(model, focal, up_found=up is not None)


def scene_from_photo(photo: Photo, model: DepthModel, grounder: Grounder, labels: list[str] | None,
                     build: BuildSettings, name: str, detections: list[Detection2D] | None = None,
                     scale_text: str | None = None) -> SceneMemory:
    """One photo to a scene memory in metres, its scale saying where they came from."""
    user = UserScale.parse(scale_text) if scale_text else None  # a malformed --scale fails before the model runs
    log.info("one photo: depth from %s", model.name)
    frames, scale = photo_frames(photo, model, detections)
    # Sides never seen whole are completed from typical sizes once the scale is final (after --scale).
    memory = build_scene(frames, grounder, labels, build, name, metric=False)
    if user is not None:
        scale = user.resolve(memory.objects)  # metres per model metre
    return complete_unseen_extents(memory.rescaled(scale.metres_per_unit, scale))


def photo_keyframes(photos: list[Photo]) -> list[Keyframe]:
    """Several photos as the keyframes of one capture (one second apart), for the reconstruction backend."""
    sizes = {photo.size for photo in photos}
    if len(sizes) > 1:
        shown = ", ".join(f"{p.path.name} {p.size[1]}x{p.size[0]}" for p in photos)
        raise PhotoError(f"photos of one scene must have one size to be posed together; these differ: {shown}")
    return [Keyframe(index, float(index), photo.image, 0.0) for index, photo in enumerate(photos)]


__all__ = ["ASSUMED_FOV", "LEVEL_POSE", "LEVEL_UP", "Focal", "floor_up", "camera_for", "depth_model_scale", "observed_depth", "photo_camera",
           "photo_frames", "photo_keyframes", "scene_from_photo"]
