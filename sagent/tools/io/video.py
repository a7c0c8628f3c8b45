"""Decoding videos and image folders into keyframes chosen by motion and coverage.

A keyframe is taken when the view has changed enough since the last one (mean optical-flow motion,
summed frame to frame, above `min_motion` pixels at 160 px wide, or a mean grey-level change from
the last keyframe above `min_change`), and at the latest every `max_gap` seconds, so slow pans are
still covered: more keyframes where the view changes fast. `max_frames` caps the total by keeping
keyframes evenly spaced in that view change (its steps summed, in units of the thresholds), so
neighbours overlap about equally all along; keeping the most-moved ones instead left gaps where the
view changed slowly, which broke structure from motion's chains of neighbours. Decoding uses OpenCV
(the perception extra).
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
    return np.ascontiguousarray(cv2.cvtColor(cv2.resize(image, (160, max(1, int(height * scale)))), cv2.COLOR_RGB2GRAY))


PHASE_CONFIDENT = 0.2  # phase correlation's peak response above which its shift is a real pan
STILL = 0.25  # pixels a frame of flow that sensor noise gives a still camera; summed, it would make keyframes


def frame_motion(cv2, flow, before: np.ndarray, after: np.ndarray) -> float:
    """Pixels the view moved between two consecutive small grey frames: the mean of DIS optical flow, or
    the global shift phase correlation finds when larger (flow loses track of a pan past about 8 % of
    the width in one frame)."""
    moved = float(np.linalg.norm(flow.calc(before, after, None), axis=2).mean())
    (dx, dy), response = cv2.phaseCorrelate(before.astype(np.float32), after.astype(np.float32))
    return max(moved, float(np.hypot(dx, dy))) if response >= PHASE_CONFIDENT else moved


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
    steps: list[float] = []  # view change from the previous keyframe, in units of the thresholds
    last_gray = previous_gray = None
    flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    travelled = 0.0  # flow summed frame to frame since the last keyframe
    for index, time, image in _frames(path, fps_hint):
        gray = _small_gray(cv2, image)
        if last_gray is None:
            chosen.append(Keyframe(index, time, image, 0.0))
            last_gray = previous_gray = gray
            continue
        # Frame to frame: flow loses track of a fast turn measured against a keyframe far behind.
        travelled += max(frame_motion(cv2, flow, previous_gray, gray) - STILL, 0.0)
        previous_gray = gray
        # Flow misses motion over textureless surfaces; the image difference does not.
        change = float(np.abs(gray.astype(float) - last_gray).mean() / 255)
        if travelled >= min_motion or change >= min_change or time - chosen[-1].time >= max_gap:
            chosen.append(Keyframe(index, time, image, travelled))
            # Flow's measure where it saw the motion; the image change where it did not (plain surfaces).
            steps.append(travelled / min_motion if travelled >= min_motion / 2 else max(change / min_change, 0.25))
            last_gray, travelled = gray, 0.0
    if len(chosen) > max_frames:
        chosen = [chosen[i] for i in evenly_spaced(np.concatenate([[0.0], np.cumsum(steps)]), max_frames)]
    return chosen


def evenly_spaced(position: np.ndarray, count: int) -> list[int]:
    """Indices of `count` of the increasing Float[N] `position`s nearest to evenly spaced targets from the
    first to the last (the first and last always kept; each index once)."""
    if count >= len(position):
        return list(range(len(position)))
    if count == 1:
        return [0]
    picked: list[int] = []
    for target in np.linspace(position[0], position[-1], count):
        index = int(np.argmin(np.abs(position - target)))
        low = picked[-1] + 1 if picked else 0
        high = len(position) - (count - len(picked))  # leave room for the targets still to come
        picked.append(min(max(index, low), high))
    return picked
