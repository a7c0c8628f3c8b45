"""Readers for common RGB-D layouts, each giving a FrameSet.

- posed-frames manifest: `frames.json` (see frames.py)
- Redwood: `color/*.jpg`, `depth/*.png` (mm), `trajectory.log` (camera-to-world per frame), and a
  `camera_*.json` with a column-major `intrinsic_matrix` (PrimeSense 525/525/319.5/239.5 if absent)
- TUM RGB-D: `rgb.txt`, `depth.txt`, `groundtruth.txt` (t tx ty tz qx qy qz qw), depth scale 5000
- ScanNet export: `color/N.jpg`, `depth/N.png` (mm), `pose/N.txt` (4x4 camera-to-world),
  `intrinsic/intrinsic_depth.txt` (4x4; colour is resized to the depth's size for lifting)
- 7-Scenes: `frame-NNNNNN.color.jpg / .depth.png / .pose.txt`, `camera-intrinsics.txt` (see sevenscenes.py)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from sagent.memory.checks import check_intrinsics
from sagent.memory.files import read_json, read_text
from sagent.tools.io.frames import Frame, FramesError, FrameSet, read_manifest, read_matrix
from sagent.tools.io.sevenscenes import is_sevenscenes, read_sevenscenes

PRIMESENSE_K = np.array([[525.0, 0, 319.5], [0, 525.0, 239.5], [0, 0, 1]])
TUM_FREIBURG1_K = np.array([[517.3, 0, 318.6], [0, 516.5, 255.3], [0, 0, 1]])


def read_redwood_log(path: Path) -> list[np.ndarray]:
    """Poses from a Redwood/Open3D `.log`: per frame a 'i j n' line, then four rows of a 4x4 matrix."""
    lines = [line.split() for line in read_text(path, "pose log", FramesError).splitlines() if line.strip()]
    if len(lines) % 5:
        raise FramesError(f"{path}: a .log holds blocks of 5 lines (header + 4x4 pose); found {len(lines)} lines")
    poses = []
    for start in range(0, len(lines), 5):
        rows = lines[start + 1:start + 5]
        if any(len(row) != 4 for row in rows):
            raise FramesError(f"{path}: pose {start // 5} must have 4 rows of 4 numbers")
        try:
            poses.append(np.array(rows, float))
        except ValueError as exc:
            raise FramesError(f"{path}: not a pose log ({exc})") from None
    return poses


def read_redwood_intrinsics(path: Path) -> np.ndarray:
    """K from an Open3D camera JSON: `intrinsic_matrix`, 9 numbers, column-major."""
    data = read_json(path, "camera intrinsics file", FramesError)
    values = data.get("intrinsic_matrix") if isinstance(data, dict) else None
    try:
        K = np.asarray(values, float).reshape(3, 3).T
        return check_intrinsics(K, "intrinsic_matrix")
    except (TypeError, ValueError) as exc:
        detail = str(exc) if values is not None else "no intrinsic_matrix"
        raise FramesError(f"{path}: an Open3D camera file holds intrinsic_matrix, 9 numbers column-major "
                          f"({detail})") from None


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
        K = read_redwood_intrinsics(camera)
    frames = [Frame(K=K, cam_to_world=pose, time=i / 30.0, image_path=c, depth_path=d, depth_scale=1000.0,
                    where=f"{log}: pose {i}")
              for i, (c, d, pose) in enumerate(zip(colours, depths, poses))]
    return FrameSet(frames, None, source=f"redwood:{folder}", read=[log, *([camera] if camera is not None else [])])


def _quaternion_pose(tx, ty, tz, qx, qy, qz, qw) -> np.ndarray:
    pose = np.eye(4)
    pose[:3, :3] = Rotation.from_quat([qx, qy, qz, qw]).as_matrix()  # scalar last, normalised by scipy
    pose[:3, 3] = [tx, ty, tz]
    return pose


def _tum_list(path: Path, columns: int) -> list[tuple[float, list[str]]]:
    """(timestamp, the other columns) of each line of a TUM list; `columns` counted after the timestamp."""
    rows = []
    for number, line in enumerate(read_text(path, "TUM list", FramesError).splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            parts = line.split()
            try:
                time = float(parts[0])
            except ValueError:
                time = float("nan")
            if len(parts) < columns + 1 or not np.isfinite(time):
                raise FramesError(f"{path}:{number}: expected a timestamp and {columns} column(s), got {line.strip()!r}")
            rows.append((time, parts[1:]))
    if not rows:
        raise FramesError(f"{path}: no entries")
    return rows


def read_tum(folder: Path, K: np.ndarray = TUM_FREIBURG1_K, max_gap: float = 0.02) -> FrameSet:
    """Colour, depth and ground-truth pose associated by nearest timestamp (within `max_gap` s)."""
    folder = Path(folder)
    rgb, depth, truth = (_tum_list(folder / name, columns) for name, columns in
                         (("rgb.txt", 1), ("depth.txt", 1), ("groundtruth.txt", 7)))
    depth_times = np.array([t for t, _ in depth])
    truth_times = np.array([t for t, _ in truth])
    frames = []
    for time, (name, *_) in rgb:
        d = int(np.abs(depth_times - time).argmin())
        g = int(np.abs(truth_times - time).argmin())
        if abs(depth_times[d] - time) > max_gap or abs(truth_times[g] - time) > max_gap:
            continue
        try:
            pose = _quaternion_pose(*map(float, truth[g][1][:7]))
        except ValueError as exc:
            raise FramesError(f"{folder / 'groundtruth.txt'}: pose at {truth_times[g]:.6f}: {exc}") from None
        frames.append(Frame(K=K, cam_to_world=pose, time=time - rgb[0][0], image_path=folder / name,
                            depth_path=folder / depth[d][1][0], depth_scale=5000.0,
                            where=f"{folder / 'groundtruth.txt'}: pose at {truth_times[g]:.6f}"))
    if not frames:
        raise FramesError(f"{folder}: no colour frame has a depth image and a pose within {max_gap} s")
    return FrameSet(frames, None, source=f"tum:{folder}",
                    read=[folder / name for name in ("rgb.txt", "depth.txt", "groundtruth.txt")])


def read_scannet_export(folder: Path, fps: float = 30.0) -> FrameSet:
    """Colour (resized to the depth's size when larger), depth and pose per frame number."""
    folder = Path(folder)
    intrinsics = folder / "intrinsic" / "intrinsic_depth.txt"
    try:
        K = check_intrinsics(read_matrix(intrinsics, "intrinsics file", (4, 4))[:3, :3])
    except ValueError as exc:
        raise FramesError(f"{intrinsics}: {exc}") from None
    frames = []
    pose_files = sorted((p for p in (folder / "pose").glob("*.txt") if p.stem.isdigit()), key=lambda p: int(p.stem))
    for pose_file in pose_files:
        pose = read_matrix(pose_file, "pose file", (4, 4))
        if not np.isfinite(pose).all():  # ScanNet marks lost tracking with -inf poses
            continue
        n = pose_file.stem
        frames.append(Frame(K=K, cam_to_world=pose, time=int(n) / fps, image_path=folder / "color" / f"{n}.jpg",
                            depth_path=folder / "depth" / f"{n}.png", depth_scale=1000.0, where=str(pose_file),
                            resize_image=True))
    if not frames:
        raise FramesError(f"{folder}: no frame with a valid pose")
    return FrameSet(frames, None, source=f"scannet:{folder}", read=[intrinsics, *pose_files])


def detect_layout(path: Path) -> str | None:
    """Which reader fits `path`: 'manifest', 'redwood', 'tum', 'scannet', 'sevenscenes', or None."""
    path = Path(path)
    if path.is_file() and path.suffix == ".json":
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096)
        except OSError:
            return None
        return "manifest" if b'"frames"' in head else None
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
    if is_sevenscenes(path):
        return "sevenscenes"
    return None


def read_frames(path: str | Path) -> FrameSet:
    path = Path(path)
    kind = detect_layout(path)
    if kind == "manifest":
        return read_manifest(path / "frames.json" if path.is_dir() else path)
    readers = {"redwood": read_redwood, "tum": read_tum, "scannet": read_scannet_export,
               "sevenscenes": read_sevenscenes}
    if kind is None:
        raise FramesError(f"{path}: not a frames manifest, Redwood, TUM or ScanNet folder, nor a 7-Scenes sequence")
    return readers[kind](path)
