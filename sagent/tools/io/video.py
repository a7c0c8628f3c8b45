"""Decoding videos and image folders into keyframes chosen by motion and coverage.

A keyframe is taken when the view has changed enough since the last one (mean optical-flow motion
above `min_motion` pixels at 160 px wide, or a mean grey-level change above `min_change`), and
at the latest every `max_gap` seconds, so slow pans are still covered; `max_frames` caps the total
by keeping the most distinct ones spread over time. Decoding uses OpenCV (the perception extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from sagent.tools.io.frames import FramesError

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


@dataclass
class Keyframe:
    index: int  # frame number in the source
    time: float  # seconds
    image: np.ndarray  # UInt8[H W 3] RGB
    motion: float  # pixels of motion since the previous keyframe (at 160 px wide)


def _cv2():
    try:
        import cv2
    except ImportError:
        raise FramesError("decoding video needs OpenCV: pip install 'sagent[perception]'") from None
    return cv2


def image_files(folder: Path) -> list[Path]:
    """The images of an image folder, in the order they are frames: sorted by name."""
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def source_files(path: str | Path) -> list[Path]:
    """The files `keyframes(path)` decodes: the video file, or the folder's images."""
    path = Path(path)
    return image_files(path) if path.is_dir() else [path]


def _frames(path: Path, fps_hint: float) -> Iterator[tuple[int, float, np.ndarray]]:
    """(index, time, RGB image) of every frame of a video file or an image folder (sorted by name)."""
    cv2 = _cv2()
    if path.is_dir():
        files = source_files(path)
        if not files:
            raise FramesError(f"{path}: no images ({', '.join(IMAGE_SUFFIXES)})")
        size = None
        for index, file in enumerate(files):
            image = cv2.imread(str(file), cv2.IMREAD_COLOR)
            if image is None:
                raise FramesError(f"cannot read image {file}")
            if size is not None and image.shape[:2] != size:
                raise FramesError(f"{file} is {image.shape[1]}x{image.shape[0]} but {files[0].name} is "
                                  f"{size[1]}x{size[0]}: the images of a folder must have one size")
            size = image.shape[:2]
            yield index, index / fps_hint, image[..., ::-1]
        return
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise FramesError(f"cannot open video {path}: not a video file OpenCV can decode")
    fps = capture.get(cv2.CAP_PROP_FPS)
    if not (np.isfinite(fps) and 0 < fps <= 1000):  # containers without a usable rate: times from the hint
        fps = fps_hint
    index = 0
    try:
        while True:
            ok, image = capture.read()
            if not ok:
                break
            yield index, index / fps, image[..., ::-1]
            index += 1
    finally:
        capture.release()
    if index == 0:
        raise FramesError(f"{path}: the video has no decodable frames")


def _small_gray(cv2, image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    scale = 160 / width
    return cv2.cvtColor(cv2.resize(image, (160, max(1, int(height * scale)))), cv2.COLOR_RGB2GRAY)


def keyframes(path: str | Path, min_motion: float = 6.0, min_change: float = 0.06, max_gap: float = 2.0,
              max_frames: int = 64, fps_hint: float = 10.0) -> list[Keyframe]:
    """Keyframes of a video file or image folder (see the module docstring)."""
    cv2 = _cv2()
    path = Path(path)
    if not path.exists():
        raise FramesError(f"input not found: {path}")
    if max_frames < 1:
        raise FramesError(f"max_frames must be at least 1, got {max_frames}")
    chosen: list[Keyframe] = []
    last_gray = None
    for index, time, image in _frames(path, fps_hint):
        gray = _small_gray(cv2, image)
        if last_gray is None:
            chosen.append(Keyframe(index, time, image, 0.0))
            last_gray = gray
            continue
        flow = cv2.calcOpticalFlowFarneback(last_gray, gray, None, 0.5, 3, 15, 3, 5, 1.2, 0)
        motion = float(np.linalg.norm(flow, axis=2).mean())
        # Flow misses motion over textureless surfaces; the image difference does not.
        change = float(np.abs(gray.astype(float) - last_gray).mean() / 255)
        if motion >= min_motion or change >= min_change or time - chosen[-1].time >= max_gap:
            chosen.append(Keyframe(index, time, image, motion))
            last_gray = gray
    if len(chosen) > max_frames:
        # Keep the first, then the most-moved ones, in time order: coverage over redundancy.
        keep = sorted(sorted(range(1, len(chosen)), key=lambda i: -chosen[i].motion)[:max_frames - 1])
        chosen = [chosen[0], *(chosen[i] for i in keep)]
    return chosen
