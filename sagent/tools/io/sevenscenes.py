"""Microsoft 7-Scenes sequences: one folder per sequence, three files per frame.

    camera-intrinsics.txt          3x3 K (the depth camera's: fx = fy = 585, cx 320, cy 240)
    gravity-direction.txt          optional: 3 numbers, gravity (pointing down) in world coordinates
    frame-000000.color.jpg         640x480 RGB
    frame-000000.depth.png         uint16 millimetres; 0 and 65535 are missing (depth.py drops both)
    frame-000000.pose.txt          4x4 camera-to-world, OpenCV axes, metres

Frames are numbered at the sensor's 30 Hz, so a subsampled sequence (every second frame) keeps its
true times. Poses are read and checked up front (a few bytes each); pixels load only when a frame is
used and are released after it (Frame), so a 1,000-frame sequence never sits in memory.

The gravity file is taken in the world frame, not the first camera's: on the kitchen in
../shared/data/sevenscenes_kitchen it lies 0.8° from the normal of the largest horizontal plane
of the fused depth (6.5° read in the first camera's frame).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from sagent.memory.checks import check_direction, check_intrinsics
from sagent.tools.io.frames import Frame, FramesError, FrameSet, read_matrix

INTRINSICS = "camera-intrinsics.txt"
GRAVITY = "gravity-direction.txt"
FRAME_RATE = 30.0  # Hz: Kinect v1, at which 7-Scenes numbers its frames
_POSE_NAME = re.compile(r"frame-(\d+)\.pose\.txt")


def is_sevenscenes(folder: Path) -> bool:
    """A 7-Scenes sequence folder: intrinsics and at least one frame pose."""
    folder = Path(folder)
    return (folder / INTRINSICS).is_file() and next(folder.glob("frame-*.pose.txt"), None) is not None


def read_gravity(path: Path) -> np.ndarray:
    """Float[3] unit up (world frame) from a 7-Scenes gravity file, which points down."""
    gravity = read_matrix(path, "gravity direction file", (3,))
    try:
        return -check_direction(gravity, "gravity direction")
    except ValueError as exc:
        raise FramesError(f"{path}: {exc}") from None


def read_sevenscenes(folder: Path, frame_rate: float = FRAME_RATE) -> FrameSet:
    """The frames of one 7-Scenes sequence, in frame-number order, with `up` from its gravity file."""
    folder = Path(folder)
    intrinsics = folder / INTRINSICS
    try:
        K = check_intrinsics(read_matrix(intrinsics, "intrinsics file", (3, 3)))
    except ValueError as exc:
        raise FramesError(f"{intrinsics}: {exc}") from None
    numbered = sorted((int(match.group(1)), path) for path in folder.glob("frame-*.pose.txt")
                      if (match := _POSE_NAME.fullmatch(path.name)))
    if not numbered:
        raise FramesError(f"{folder}: no frame-NNNNNN.pose.txt files")
    frames = []
    for number, pose_file in numbered:
        stem = pose_file.name[:-len(".pose.txt")]
        colour, depth = folder / f"{stem}.color.jpg", folder / f"{stem}.depth.png"
        for path, what in ((colour, "colour image"), (depth, "depth image")):
            if not path.is_file():
                raise FramesError(f"{folder}: {pose_file.name} has no {what} {path.name}")
        frames.append(Frame(K=K, cam_to_world=read_matrix(pose_file, "pose file", (4, 4)), time=number / frame_rate,
                            image_path=colour, depth_path=depth, depth_scale=1000.0, where=str(pose_file)))
    gravity = folder / GRAVITY
    up = read_gravity(gravity) if gravity.is_file() else None
    return FrameSet(frames, up, source=f"7scenes:{folder}",
                    read=[intrinsics, *(pose_file for _, pose_file in numbered), *([gravity] if up is not None else [])])
