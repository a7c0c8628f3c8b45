"""Posed RGB-D frames: the posed-frames manifest and the in-memory form every reader produces.

Manifest (JSON; paths relative to the manifest's folder):

    {"frames": [{"image": "rgb/000.jpg", "depth": "depth/000.png", "depth_scale": 1000.0,
                 "K": [[fx,0,cx],[0,fy,cy],[0,0,1]], "cam_to_world": [[4x4]], "time": 0.0,
                 "detections": [{"label": "bed", "box": [x1,y1,x2,y2], "mask": "m/000_0.png", "score": 0.9}]}],
     "up": [0,0,1]}

Depth is stored in units of 1/depth_scale metres (1000: millimetres); 0 means missing. Poses are
camera-to-world with OpenCV axes (x right, y down, z forward), world in metres. `detections` is
optional, and so is `up` (found from the floor when absent) and `depth` (then only grounding-free
uses work).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from sagent.errors import InputError
from sagent.memory.storage import atomic_write_bytes


class FramesError(InputError):
    """Frames could not be read: a missing file, a malformed manifest, an unreadable image."""


class DetectionEntry(BaseModel):
    label: str
    box: tuple[float, float, float, float]
    mask: str | None = None
    score: float = 1.0

    @field_validator("box")
    @classmethod
    def _ordered(cls, box):
        if not (box[2] > box[0] and box[3] > box[1]):
            raise ValueError(f"box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1, got {list(box)}")
        return box


class FrameEntry(BaseModel):
    image: str | None = None
    depth: str | None = None
    depth_scale: float = 1000.0
    K: tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
    cam_to_world: tuple[tuple[float, float, float, float], ...] = Field(min_length=4, max_length=4)
    time: float | None = None
    detections: list[DetectionEntry] | None = None


class Manifest(BaseModel):
    frames: list[FrameEntry] = Field(min_length=1)
    up: tuple[float, float, float] | None = None


@dataclass
class Detection2D:
    """One object found in one image: pixel box [x1, y1, x2, y2], optional Bool[H W] mask."""

    label: str
    box: tuple[float, float, float, float]
    score: float = 1.0
    mask: np.ndarray | None = None


@dataclass
class Frame:
    """One posed view. `depth` is Float[H W] metres (0 = missing), loaded lazily from `depth_path`."""

    K: np.ndarray  # Float[3 3] pixels
    cam_to_world: np.ndarray  # Float[4 4], OpenCV axes
    time: float
    image_path: Path | None = None
    depth_path: Path | None = None
    depth_scale: float = 1000.0
    detections: list[DetectionEntry] | None = None
    mask_root: Path | None = None
    given: list[Detection2D] | None = None  # detections handed over in memory (Python API)
    _depth: np.ndarray | None = field(default=None, repr=False)
    _image: np.ndarray | None = field(default=None, repr=False)

    @property
    def depth(self) -> np.ndarray | None:
        if self._depth is None and self.depth_path is not None:
            self._depth = read_depth(self.depth_path, self.depth_scale)
        return self._depth

    @property
    def image(self) -> np.ndarray | None:
        """UInt8[H W 3] RGB, or None when the frame has no image."""
        if self._image is None and self.image_path is not None:
            self._image = read_image(self.image_path)
        return self._image

    def release(self) -> None:
        """Drop cached pixels (streaming keeps memory bounded)."""
        self._depth = self._image = None

    def mask(self, detection: DetectionEntry) -> np.ndarray | None:
        if detection.mask is None:
            return None
        path = (self.mask_root or Path(".")) / detection.mask
        return read_image(path, mode="L") > 127


def frame_from_arrays(K, cam_to_world, time: float, image=None, depth=None, depth_scale: float = 1.0,
                      detections: list[Detection2D] | None = None) -> Frame:
    """A frame from in-memory arrays (a robot's stream). Integer depth is divided by `depth_scale`."""
    K, pose = np.asarray(K, float), np.asarray(cam_to_world, float)
    if K.shape != (3, 3) or pose.shape != (4, 4):
        raise FramesError(f"K must be 3x3 and cam_to_world 4x4, got {K.shape} and {pose.shape}")
    frame = Frame(K=K, cam_to_world=pose, time=float(time), given=detections)
    if depth is not None:
        depth = np.asarray(depth)
        frame._depth = depth.astype(np.float32) / (depth_scale if depth.dtype.kind in "ui" else 1.0)
    if image is not None:
        frame._image = np.asarray(image, np.uint8)
    return frame


@dataclass
class FrameSet:
    frames: list[Frame]
    up: np.ndarray | None = None  # Float[3] unit, world frame; None = estimate from the floor
    source: str = ""


def read_image(path: Path, mode: str = "RGB") -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert(mode))
    except FileNotFoundError:
        raise FramesError(f"image not found: {path}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise FramesError(f"cannot read image {path}: {exc}") from None


def read_depth(path: Path, depth_scale: float) -> np.ndarray:
    """Float32[H W] metres from a 16-bit PNG (or .npy in metres)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if path.suffix == ".npy":
        return np.load(path).astype(np.float32)
    try:
        with Image.open(path) as image:
            raw = np.asarray(image)
    except FileNotFoundError:
        raise FramesError(f"depth image not found: {path}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise FramesError(f"cannot read depth image {path}: {exc}") from None
    if raw.ndim != 2:
        raise FramesError(f"depth image {path} must have one channel, has shape {raw.shape}")
    return raw.astype(np.float32) / float(depth_scale)


def read_manifest(path: str | Path) -> FrameSet:
    path = Path(path)
    if not path.is_file():
        raise FramesError(f"frames manifest not found: {path}")
    try:
        manifest = Manifest.model_validate_json(path.read_text())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FramesError(f"{path}: {where}: {first['msg']}") from None
    root = path.parent
    frames = []
    for index, entry in enumerate(manifest.frames):
        frames.append(Frame(
            K=np.asarray(entry.K, float), cam_to_world=np.asarray(entry.cam_to_world, float),
            time=float(entry.time if entry.time is not None else index),
            image_path=root / entry.image if entry.image else None,
            depth_path=root / entry.depth if entry.depth else None,
            depth_scale=entry.depth_scale, detections=entry.detections, mask_root=root,
        ))
    up = np.asarray(manifest.up, float) / np.linalg.norm(manifest.up) if manifest.up else None
    return FrameSet(frames, up, source=f"frames:{path}")


def write_manifest(path: Path, entries: list[dict], up=None) -> None:

    payload = {"frames": entries, **({"up": list(map(float, up))} if up is not None else {})}
    Manifest.model_validate(payload)  # never write what we could not read back
    atomic_write_bytes(Path(path), json.dumps(payload, indent=1).encode())
