"""Readers for common RGB-D layouts, each giving a FrameSet.

- posed-frames manifest: `frames.json` (see frames.py)
- Redwood: `color/*.jpg`, `depth/*.png` (mm), `trajectory.log` (camera-to-world per frame), and a
  `camera_*.json` with a column-major `intrinsic_matrix` (PrimeSense 525/525/319.5/239.5 if absent)
- TUM RGB-D: `rgb.txt`, `depth.txt`, `groundtruth.txt` (t tx ty tz qx qy qz qw), depth scale 5000
- ScanNet export: `color/N.jpg`, `depth/N.png` (mm), `pose/N.txt` (4x4 camera-to-world),
  `intrinsic/intrinsic_depth.txt` (4x4; colour is resized to the depth's size for lifting)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from sagent.tools.io.frames import Frame, FramesError, FrameSet, read_manifest

PRIMESENSE_K = np.array([[525.0, 0, 319.5], [0, 525.0, 239.5], [0, 0, 1]])
TUM_FREIBURG1_K = np.array([[517.3, 0, 318.6], [0, 516.5, 255.3], [0, 0, 1]])


def read_redwood_log(path: Path) -> list[np.ndarray]:
    """Poses from a Redwood/Open3D `.log`: per frame a 'i j n' line, then four rows of a 4x4 matrix."""
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    if len(lines) % 5:
        raise FramesError(f"{path}: a .log holds blocks of 5 lines (header + 4x4 pose); found {len(lines)} lines")
    try:
        return [np.array(lines[i + 1:i + 5], float) for i in range(0, len(lines), 5)]
    except ValueError as exc:
        raise FramesError(f"{path}: not a pose log ({exc})") from None


def read_redwood(folder: Path) -> FrameSet:
    folder = Path(folder)
    colours, depths = sorted((folder / "color").glob("*.jpg")), sorted((folder / "depth").glob("*.png"))
    log = folder / "trajectory.log"
    poses = read_redwood_log(log)
    if not (len(colours) == len(depths) == len(poses)):
        raise FramesError(f"{folder}: {len(colours)} colour, {len(depths)} depth images and {len(poses)} poses differ")
    K = PRIMESENSE_K
    camera = next(iter(sorted(folder.glob("camera*.json"))), None)
    if camera is not None:
        K = np.asarray(json.loads(camera.read_text())["intrinsic_matrix"], float).reshape(3, 3).T
    frames = [Frame(K=K, cam_to_world=pose, time=i / 30.0, image_path=c, depth_path=d, depth_scale=1000.0)
              for i, (c, d, pose) in enumerate(zip(colours, depths, poses))]
    return FrameSet(frames, None, source=f"redwood:{folder}")


def _quaternion_pose(tx, ty, tz, qx, qy, qz, qw) -> np.ndarray:
    pose = np.eye(4)
    pose[:3, :3] = Rotation.from_quat([qx, qy, qz, qw]).as_matrix()  # scalar last, normalised by scipy
    pose[:3, 3] = [tx, ty, tz]
    return pose


def _tum_list(path: Path) -> list[tuple[float, list[str]]]:
    rows = []
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split()
            rows.append((float(parts[0]), parts[1:]))
    return rows


def read_tum(folder: Path, K: np.ndarray = TUM_FREIBURG1_K, max_gap: float = 0.02) -> FrameSet:
    """Colour, depth and ground-truth pose associated by nearest timestamp (within `max_gap` s)."""
    folder = Path(folder)
    rgb, depth, truth = (_tum_list(folder / name) for name in ("rgb.txt", "depth.txt", "groundtruth.txt"))
    depth_times = np.array([t for t, _ in depth])
    truth_times = np.array([t for t, _ in truth])
    frames = []
    for time, (name,) in ((t, p[:1]) for t, p in rgb):
        d = int(np.abs(depth_times - time).argmin())
        g = int(np.abs(truth_times - time).argmin())
        if abs(depth_times[d] - time) > max_gap or abs(truth_times[g] - time) > max_gap:
            continue
        pose = _quaternion_pose(*map(float, truth[g][1][:7]))
        frames.append(Frame(K=K, cam_to_world=pose, time=time - rgb[0][0], image_path=folder / name,
                            depth_path=folder / depth[d][1][0], depth_scale=5000.0))
    if not frames:
        raise FramesError(f"{folder}: no colour frame has a depth image and a pose within {max_gap} s")
    return FrameSet(frames, None, source=f"tum:{folder}")


def read_scannet_export(folder: Path, fps: float = 30.0) -> FrameSet:
    folder = Path(folder)
    K = np.loadtxt(folder / "intrinsic" / "intrinsic_depth.txt")[:3, :3]
    frames = []
    for pose_file in sorted((folder / "pose").glob("*.txt"), key=lambda p: int(p.stem)):
        pose = np.loadtxt(pose_file)
        if not np.isfinite(pose).all():  # ScanNet marks lost tracking with -inf poses
            continue
        n = pose_file.stem
        frames.append(Frame(K=K, cam_to_world=pose, time=int(n) / fps, image_path=folder / "color" / f"{n}.jpg",
                            depth_path=folder / "depth" / f"{n}.png", depth_scale=1000.0))
    if not frames:
        raise FramesError(f"{folder}: no frame with a valid pose")
    return FrameSet(frames, None, source=f"scannet:{folder}")


def detect_layout(path: Path) -> str | None:
    """Which reader fits `path`: 'manifest', 'redwood', 'tum', 'scannet', or None."""
    path = Path(path)
    if path.is_file() and path.suffix == ".json":
        try:
            with open(path) as handle:
                head = handle.read(4096)
        except OSError:
            return None
        return "manifest" if '"frames"' in head else None
    if not path.is_dir():
        return None
    if (path / "frames.json").is_file():
        return "manifest"
    if (path / "trajectory.log").is_file() and (path / "color").is_dir():
        return "redwood"
    if (path / "rgb.txt").is_file() and (path / "depth.txt").is_file():
        return "tum"
    if (path / "pose").is_dir() and (path / "intrinsic").is_dir():
        return "scannet"
    return None


def read_frames(path: str | Path) -> FrameSet:
    path = Path(path)
    kind = detect_layout(path)
    if kind == "manifest":
        return read_manifest(path / "frames.json" if path.is_dir() else path)
    readers = {"redwood": read_redwood, "tum": read_tum, "scannet": read_scannet_export}
    if kind is None:
        raise FramesError(f"{path}: not a frames manifest, Redwood, TUM or ScanNet folder")
    return readers[kind](path)
