"""Posed RGB-D frames: the posed-frames manifest and the in-memory form every reader produces.

Manifest (JSON; paths relative to the manifest's folder):

    {"frames": [{"image": "rgb/000.jpg", "depth": "depth/000.png", "depth_scale": 1000.0,
                 "K": [[fx,0,cx],[0,fy,cy],[0,0,1]], "cam_to_world": [[4x4]], "time": 0.0,
                 "detections": [{"label": "bed", "box": [x1,y1,x2,y2], "mask": "m/000_0.png", "score": 0.9}]}],
     "up": [0,0,1]}

Depth is stored in units of 1/depth_scale metres (1000: millimetres); 0 means missing. Poses are
camera-to-world with OpenCV axes (x right, y down, z forward), world in metres. `detections` is
optional, and so is `up` (found from the floor when absent) and `depth` (then only grounding-free
uses work). Unknown keys are ignored.

Every frame is checked, however it is made (manifest, Redwood/TUM/ScanNet reader, Python API): K and
pose by sagent.memory.checks (finite, positive focal lengths, rigid rotation, bottom row 0 0 0 1),
depth by depth.py (supported type, plausible metres), boxes against the image (see `fit_box`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from sagent.memory.checks import (
    check_direction,
    check_intrinsics,
    check_label,
    check_pose,
    check_view,
    finite_array,
    problem,
)
from sagent.memory.files import read_json, read_text
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.io.depth import DepthError, FramesError, depth_metres, read_depth_file, read_pixels

__all__ = ["BOX_SLACK", "DepthError", "Detection2D", "DetectionEntry", "Frame", "FrameEntry", "FrameSet", "FramesError",
           "Manifest", "fit_box", "frame_from_arrays", "image_rgb", "read_depth", "read_image", "read_manifest", "write_manifest"]

BOX_SLACK = 0.05  # a box may reach this fraction of the image's size past its edge; it is clipped to the image


class DetectionEntry(BaseModel):
    label: str
    box: tuple[float, float, float, float]
    mask: str | None = None
    score: float = 1.0

    @field_validator("label")
    @classmethod
    def _named(cls, label: str) -> str:
        return check_label(label)

    @field_validator("box")
    @classmethod
    def _ordered(cls, box):
        ordered_box(box)
        return box

    @field_validator("score")
    @classmethod
    def _score(cls, score: float) -> float:
        return check_score(score)


class FrameEntry(BaseModel):
    image: str | None = None
    depth: str | None = None
    depth_scale: float = Field(default=1000.0, gt=0, allow_inf_nan=False)
    K: tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
    cam_to_world: tuple[tuple[float, float, float, float], ...] = Field(min_length=4, max_length=4)
    time: float | None = Field(default=None, allow_inf_nan=False)
    detections: list[DetectionEntry] | None = None

    @field_validator("K")
    @classmethod
    def _intrinsics(cls, K):
        check_intrinsics(K)
        return K

    @field_validator("cam_to_world")
    @classmethod
    def _rigid(cls, pose):
        check_pose(pose)
        return pose


class Manifest(BaseModel):
    frames: list[FrameEntry] = Field(min_length=1)
    up: tuple[float, float, float] | None = None

    @field_validator("up")
    @classmethod
    def _direction(cls, up):
        if up is not None:
            check_direction(up, "up")
        return up


@dataclass
class Detection2D:
    """One object found in one image: pixel box [x1, y1, x2, y2], optional Bool[H W] mask."""

    label: str
    box: tuple[float, float, float, float]
    score: float = 1.0
    mask: np.ndarray | None = None


@dataclass
class Frame:
    """One posed view. `depth` is Float[H W] metres (0 = missing), loaded lazily from `depth_path`.

    K and the pose are checked when the frame is made (finite, positive focal lengths, a rigid
    camera-to-world); pixels when they load: depth plausible (see depth.py), the image the depth's size
    (`resize_image`: resized to it, for sensors whose colour camera has more pixels), masks the same size,
    and the detections' boxes inside the image (clipped when they reach past it by at most BOX_SLACK).
    """

    K: np.ndarray  # Float[3 3] pixels
    cam_to_world: np.ndarray  # Float[4 4], OpenCV axes
    time: float
    image_path: Path | None = None
    depth_path: Path | None = None
    depth_scale: float = 1000.0
    detections: list[DetectionEntry] | None = None
    mask_root: Path | None = None
    given: list[Detection2D] | None = None  # detections handed over in memory (Python API)
    where: str = "frame"  # how messages name this frame: "frames.json: frames.3"
    resize_image: bool = False
    _depth: np.ndarray | None = field(default=None, repr=False)
    _image: np.ndarray | None = field(default=None, repr=False)
    _size: tuple[int, int] | None = field(default=None, repr=False)  # (height, width) once pixels were seen

    def __post_init__(self):
        try:
            self.K = check_intrinsics(self.K)
            self.cam_to_world = check_pose(self.cam_to_world)
            self.time = float(finite_array(self.time, "time"))
            if not float(finite_array(self.depth_scale, "depth_scale")) > 0:
                raise ValueError(f"depth_scale must be positive, got {self.depth_scale:g}")
        except ValueError as exc:
            raise FramesError(f"{self.where}: {exc}") from None

    @property
    def depth(self) -> np.ndarray | None:
        if self._depth is None and self.depth_path is not None:
            depth = read_depth_file(self.depth_path, self.depth_scale)
            if self._size is None and self.image_path is not None and not self.resize_image:
                self._sized(image_size(self.image_path), f"image {self.image_path}")  # its header: cheap
            self._sized(depth.shape, f"depth {self.depth_path}")
            self._depth = depth
        return self._depth

    @property
    def image(self) -> np.ndarray | None:
        """UInt8[H W 3] RGB, or None when the frame has no image."""
        if self._image is None and self.image_path is not None:
            if self._size is None and self.depth_path is not None:
                _ = self.depth  # the depth's size is the frame's: the image must match it
            image = read_image(self.image_path)
            if self._size is not None and image.shape[:2] != self._size and self.resize_image:
                image = _resized(image, self._size)
            self._image = image
            self._sized(image.shape[:2], f"image {self.image_path}")
        return self._image

    def release(self) -> None:
        """Drop cached pixels (streaming keeps memory bounded)."""
        self._depth = self._image = None

    def mask_path(self, detection: DetectionEntry) -> Path | None:
        return None if detection.mask is None else (self.mask_root or Path(".")) / detection.mask

    def files(self) -> list[Path]:
        """The files this frame's pixels load from: image, depth and detection masks."""
        masks = [self.mask_path(d) for d in self.detections or []]
        return [p for p in (self.image_path, self.depth_path, *masks) if p is not None]

    def mask(self, detection: DetectionEntry) -> np.ndarray | None:
        path = self.mask_path(detection)
        if path is None:
            return None
        mask = read_image(path, mode="L") > 127
        if self._size is None and self.depth_path is not None:
            _ = self.depth
        if self._size is not None and mask.shape != self._size:
            raise FramesError(f"{self.where}: mask {path} is {_wxh(mask.shape)} but the frame is {_wxh(self._size)}")
        return mask

    def _sized(self, shape: tuple[int, int], what: str) -> None:
        """Record the frame's pixel size on first sight, check what comes later against it, and check the
        detections' boxes inside it."""
        shape = tuple(shape[:2])
        if self._size is not None:
            if shape != self._size:
                raise FramesError(f"{self.where}: {what} is {_wxh(shape)} but the frame's other pixels are "
                                  f"{_wxh(self._size)}; image, depth and masks must have one size")
            return
        self._size = shape
        height, width = shape
        try:
            check_view(self.K, width, height)
        except ValueError as exc:
            raise FramesError(f"{self.where}: {exc}") from None
        if self.detections is not None:
            self.detections = [d.model_copy(update={"box": self._fit(d.label, d.box, width, height)})
                               for d in self.detections]
        if self.given is not None:
            self.given = [_checked_given(d, shape, self._fit) for d in self.given]

    def _fit(self, label: str, box, width: int, height: int) -> tuple[float, float, float, float]:
        try:
            return fit_box(box, width, height)
        except ValueError as exc:
            raise FramesError(f"{self.where}: detection {label!r}: {exc}") from None


def ordered_box(box) -> tuple[float, float, float, float]:
    """(x1, y1, x2, y2) of a finite detection box with x2 > x1 and y2 > y1; ValueError otherwise."""
    x1, y1, x2, y2 = map(float, finite_array(box, "box", (4,)))
    if not (x2 > x1 and y2 > y1):
        raise ValueError(f"box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1, got {[x1, y1, x2, y2]}")
    return x1, y1, x2, y2


def check_score(score: float) -> float:
    """A detection score: finite and not negative; ValueError otherwise."""
    if not float(finite_array(score, "score")) >= 0:
        raise ValueError(f"score must be at least 0, got {score:g}")
    return score


def fit_box(box, width: int, height: int) -> tuple[float, float, float, float]:
    """A detection box [x1, y1, x2, y2] clipped to the width x height image; ValueError when it is not
    ordered, lies outside the image, or reaches past it by more than BOX_SLACK of its size."""
    x1, y1, x2, y2 = ordered_box(box)
    if x2 <= 0 or y2 <= 0 or x1 >= width or y1 >= height:
        raise ValueError(f"box {[x1, y1, x2, y2]} lies outside the {width}x{height} image")
    sx, sy = BOX_SLACK * width, BOX_SLACK * height
    if x1 < -sx or y1 < -sy or x2 > width + sx or y2 > height + sy:
        raise ValueError(f"box {[x1, y1, x2, y2]} reaches far outside the {width}x{height} image: boxes are "
                         "[x1, y1, x2, y2] in the image's pixels")
    return max(x1, 0.0), max(y1, 0.0), min(x2, float(width)), min(y2, float(height))


def _checked_given(detection: Detection2D, shape: tuple[int, int], fit) -> Detection2D:
    """A detection handed to the Python API, checked as manifest detections are, its mask against `shape`."""
    try:
        check_label(detection.label)
        check_score(detection.score)
    except ValueError as exc:
        raise FramesError(f"observed frame: detection {detection.label!r}: {exc}") from None
    mask = detection.mask
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != shape:
            raise FramesError(f"observed frame: the mask of {detection.label!r} is {_wxh(mask.shape)} but the "
                              f"frame is {_wxh(shape)}")
        mask = mask.astype(bool)
    return replace(detection, box=fit(detection.label, detection.box, shape[1], shape[0]), mask=mask)


def _wxh(shape) -> str:
    return "x".join(map(str, shape[1::-1])) if len(shape) >= 2 else str(shape)


def _resized(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((size[1], size[0]), Image.Resampling.BILINEAR))


def image_rgb(image) -> np.ndarray:
    """UInt8[H W 3] from an array handed to the Python API: uint8 RGB (or grey), or floats in 0-1."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4) or 0 in image.shape:
        raise FramesError(f"image must be H x W x 3 RGB, has shape {image.shape}")
    image = image[..., :3]
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind not in "uif" or not np.isfinite(image).all():
        raise FramesError(f"image must be uint8 RGB or finite floats in 0-1, got {image.dtype}")
    if image.dtype.kind == "f" and image.min() >= 0 and image.max() <= 1:
        return np.round(image * 255).astype(np.uint8)
    if image.min() >= 0 and image.max() <= 255:
        return image.astype(np.uint8)
    raise FramesError(f"image values must lie in 0-255 (or 0-1 for floats), got {image.min():g}-{image.max():g}")


def frame_from_arrays(K, cam_to_world, time: float, image=None, depth=None, depth_scale: float = 1.0,
                      detections: list[Detection2D] | None = None) -> Frame:
    """A frame from in-memory arrays (a robot's stream). Integer depth is divided by `depth_scale`, float
    depth is metres; both are checked as file depth is (depth.py), and boxes and masks against its size."""
    frame = Frame(K=K, cam_to_world=cam_to_world, time=time, given=detections, depth_scale=depth_scale,
                  where="observed frame")
    if depth is not None:
        depth = np.asarray(depth)
        frame._depth = depth_metres(depth, depth_scale if depth.dtype.kind in "ui" else None, "observed depth")
        frame._sized(frame._depth.shape, "depth")
    if image is not None:
        frame._image = image_rgb(image)
        frame._sized(frame._image.shape[:2], "image")
    return frame


@dataclass
class FrameSet:
    frames: list[Frame]
    up: np.ndarray | None = None  # Float[3] unit, world frame; None = estimate from the floor
    source: str = ""
    read: list[Path] = field(default_factory=list)  # the files the reader read to make the set (manifest, poses)

    def files(self) -> list[Path]:
        """Every file this set is made from: what the reader read, and what its frames' pixels load from
        (the scene cache's key is their content, so a file beside them that nobody reads changes nothing)."""
        return [*self.read, *(path for frame in self.frames for path in frame.files())]


def read_matrix(path: Path, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """Float array of `shape` from a whitespace-separated text file (7-Scenes and ScanNet exports store
    intrinsics, poses and gravity so; a vector may be one row or one column); FramesError naming the
    file when it holds anything else."""
    text = read_text(path, what, FramesError)
    want = f"{shape[0]} numbers" if len(shape) == 1 else f"a {'x'.join(map(str, shape))} matrix"
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if len({len(row) for row in rows}) > 1:
        raise FramesError(f"{what} {path} must hold {want}; its rows have different lengths")
    try:
        matrix = np.array(rows, float)
    except ValueError as exc:
        raise FramesError(f"{what} {path} must hold {want}; {exc}") from None
    if len(shape) == 1 and matrix.ndim == 2 and 1 in matrix.shape:
        matrix = matrix.ravel()
    if matrix.shape != shape:
        found = "nothing" if matrix.size == 0 else f"{matrix.size} numbers" if matrix.ndim == 1 or len(shape) == 1 \
            else f"a {'x'.join(map(str, matrix.shape))} matrix"
        raise FramesError(f"{what} {path} must hold {want}, has {found}")
    return matrix


def read_image(path: Path, mode: str = "RGB") -> np.ndarray:
    return read_pixels(path, "image", FramesError, mode)


def image_size(path: Path) -> tuple[int, int]:
    """(height, width) of an image file, from its header."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.height, image.width
    except FileNotFoundError:
        raise FramesError(f"image not found: {path}") from None
    except Exception as exc:  # noqa: BLE001 - any failure to open it is the file's
        raise FramesError(f"cannot read image {path}: {type(exc).__name__}: {exc}") from None


def read_depth(path: Path, depth_scale: float) -> np.ndarray:
    """Float32[H W] metres from a 16-bit PNG (or .npy), checked (see depth.py)."""
    return read_depth_file(path, depth_scale)


def read_manifest(path: str | Path) -> FrameSet:
    path = Path(path)
    if not path.is_file():
        raise FramesError(f"frames manifest not found: {path}")
    payload = read_json(path, "frames manifest", FramesError)
    try:
        manifest = Manifest.model_validate(payload)
    except ValidationError as exc:
        raise FramesError(f"{path}: {problem(exc)}") from None
    root = path.parent
    frames = []
    for index, entry in enumerate(manifest.frames):
        frames.append(Frame(
            K=np.asarray(entry.K, float), cam_to_world=np.asarray(entry.cam_to_world, float),
            time=float(entry.time if entry.time is not None else index),
            image_path=root / entry.image if entry.image else None,
            depth_path=root / entry.depth if entry.depth else None,
            depth_scale=entry.depth_scale, detections=entry.detections, mask_root=root,
            where=f"{path}: frames.{index}",
        ))
    up = check_direction(manifest.up, "up") if manifest.up else None
    return FrameSet(frames, up, source=f"frames:{path}", read=[path])


def write_manifest(path: Path, entries: list[dict], up=None) -> None:

    payload = {"frames": entries, **({"up": list(map(float, up))} if up is not None else {})}
    Manifest.model_validate(payload)  # never write what we could not read back
    atomic_write_bytes(Path(path), json.dumps(payload, indent=1).encode())
