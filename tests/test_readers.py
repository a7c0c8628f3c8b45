"""RGB-D layouts other than the manifest: Redwood (real files), TUM and ScanNet exports (written here)."""

import shutil

import numpy as np
import pytest
from PIL import Image

from sagent.tools.io.frames import FramesError, read_manifest
from sagent.tools.io.readers import _quaternion_pose, detect_layout, read_frames, read_redwood_log
from tests.conftest import SHARED, require_shared
from tests.synthetic_rooms import room


def test_redwood_real_sequence():
    folder = require_shared(SHARED / "data" / "redwood_rgbd")
    frames = read_frames(folder)
    assert detect_layout(folder) == "redwood" and len(frames.frames) == 5
    first = frames.frames[0]
    assert first.K[0, 0] == 525.0 and first.K[0, 2] == 319.5
    np.testing.assert_allclose(first.cam_to_world[0], [-0.27395922, 0.02181935, -0.96149377, -0.31057997], atol=1e-6)
    depth = first.depth
    assert depth.shape == (480, 640) and 0.3 < np.median(depth[depth > 0]) < 6  # metres
    assert first.image.shape == (480, 640, 3)


def test_redwood_log_must_be_blocks_of_five(tmp_path):
    log = tmp_path / "trajectory.log"
    log.write_text("0 0 1\n1 0 0 0\n0 1 0 0\n")
    with pytest.raises(FramesError, match="blocks of 5 lines"):
        read_redwood_log(log)


def test_quaternion_pose():
    pose = _quaternion_pose(1, 2, 3, 0, 0, np.sin(np.pi / 4), np.cos(np.pi / 4))  # 90 degrees about z
    np.testing.assert_allclose(pose[:3, :3] @ [1, 0, 0], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(pose[:3, 3], [1, 2, 3])


def _synthetic_frames(count=6):
    folder = room(1, masks=False)
    return folder, read_manifest(folder / "frames.json").frames[:count]


def test_tum_layout(tmp_path):
    folder, frames = _synthetic_frames()
    (tmp_path / "rgb").mkdir()
    (tmp_path / "depth").mkdir()
    rgb, depth, truth = ["# rgb"], ["# depth"], ["# truth"]
    from scipy.spatial.transform import Rotation

    for i, frame in enumerate(frames):
        t = 100.0 + i * 0.1
        shutil.copy(frame.image_path, tmp_path / "rgb" / f"{t:.4f}.png")
        Image.fromarray((frame.depth * 5000).astype(np.uint16)).save(tmp_path / "depth" / f"{t + 0.005:.4f}.png")
        rgb.append(f"{t:.4f} rgb/{t:.4f}.png")
        depth.append(f"{t + 0.005:.4f} depth/{t + 0.005:.4f}.png")
        qx, qy, qz, qw = Rotation.from_matrix(frame.cam_to_world[:3, :3]).as_quat()
        tx, ty, tz = frame.cam_to_world[:3, 3]
        truth.append(f"{t + 0.001:.4f} {tx} {ty} {tz} {qx} {qy} {qz} {qw}")
    for name, lines in (("rgb.txt", rgb), ("depth.txt", depth), ("groundtruth.txt", truth)):
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    read = read_frames(tmp_path)
    assert detect_layout(tmp_path) == "tum" and len(read.frames) == len(frames)
    for got, want in zip(read.frames, frames):
        np.testing.assert_allclose(got.cam_to_world, want.cam_to_world, atol=1e-6)
        np.testing.assert_allclose(got.depth, want.depth, atol=2e-4)


def test_scannet_export_layout(tmp_path):
    folder, frames = _synthetic_frames()
    for sub in ("color", "depth", "pose", "intrinsic"):
        (tmp_path / sub).mkdir()
    K4 = np.eye(4)
    K4[:3, :3] = frames[0].K
    np.savetxt(tmp_path / "intrinsic" / "intrinsic_depth.txt", K4)
    for i, frame in enumerate(frames):
        Image.open(frame.image_path).convert("RGB").save(tmp_path / "color" / f"{i}.jpg")
        Image.fromarray((frame.depth * 1000).astype(np.uint16)).save(tmp_path / "depth" / f"{i}.png")
        pose = frame.cam_to_world if i != 2 else np.full((4, 4), -np.inf)  # lost tracking
        np.savetxt(tmp_path / "pose" / f"{i}.txt", pose)
    read = read_frames(tmp_path)
    assert detect_layout(tmp_path) == "scannet" and len(read.frames) == len(frames) - 1
    np.testing.assert_allclose(read.frames[0].K, frames[0].K)
    np.testing.assert_allclose(read.frames[2].cam_to_world, frames[3].cam_to_world)


def test_unknown_folder(tmp_path):
    with pytest.raises(FramesError, match="not a frames manifest, Redwood, TUM or ScanNet folder"):
        read_frames(tmp_path)
