"""The VGGT backend at its model interface: a fake model with a generated room's exact geometry."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sagent.tools.geometry.camera import intrinsics
from sagent.tools.io.frames import Detection2D  # noqa: E402
from sagent.tools.io.video import Keyframe  # noqa: E402
from sagent.tools.perception.grounding import AnnotationGrounder  # noqa: E402
from sagent.tools.pipeline.plain_video import choose_backend, scene_from_reconstruction  # noqa: E402
from sagent.tools.reconstruction.reconstruction import ReconstructionError, trajectory_error  # noqa: E402
from sagent.tools.reconstruction.vggt import CPU_CHUNK, VggtReconstructor, VggtSettings, decode_pose_encoding, preprocess  # noqa: E402
from sagent.tools.synthetic.generator import DEFAULT_LABELS, camera_path, place_objects  # noqa: E402
from sagent.tools.synthetic.raycast import render  # noqa: E402
from tests.fake_vggt import FakeVggt, rotation_to_quaternion  # noqa: E402

WIDTH, HEIGHT, FOV = 320, 240, 75.0


@pytest.fixture(scope="module")
def room():
    rng = np.random.default_rng(5)
    size = (5.5, 5.0)
    objects = place_objects(rng, DEFAULT_LABELS, size)
    colours = np.array([o.colour for o in objects], float)
    poses = camera_path(size, 12, rng)
    K = intrinsics(WIDTH, HEIGHT, FOV)
    views = [render([o.box for o in objects], colours, (0, 0, 0), (*size, 2.8), K, p, WIDTH, HEIGHT, textured=True)
             for p in poses]
    keyframes = [Keyframe(i, i * 0.5, v.rgb, 0.0) for i, v in enumerate(views)]
    fake = FakeVggt([o.box for o in objects], colours, (*size, 2.8), poses, [v.rgb for v in views], math.radians(FOV))
    return dict(objects=objects, poses=poses, views=views, keyframes=keyframes, fake=fake, K=K)


def test_pose_encoding_decodes_to_the_cameras_it_encodes():
    rng = np.random.default_rng(0)
    from scipy.spatial.transform import Rotation

    R = Rotation.random(4, random_state=1).as_matrix()
    t = rng.normal(size=(4, 3))
    encoding = np.concatenate([t, np.stack([rotation_to_quaternion(r) for r in R]),
                               np.full((4, 1), 1.0), np.full((4, 1), 1.2)], axis=1)
    cam_to_world, K = decode_pose_encoding(encoding, 392, 518)
    world_to_cam = np.linalg.inv(cam_to_world)
    assert np.allclose(world_to_cam[:, :3, :3], R, atol=1e-6) and np.allclose(world_to_cam[:, :3, 3], t)
    assert np.allclose(K[:, 1, 1], 196 / np.tan(0.5)) and np.allclose(K[:, 0, 0], 259 / np.tan(0.6))


def test_preprocessing_gives_518_wide_multiples_of_14_and_crops_tall_frames():
    wide = preprocess([np.zeros((240, 320, 3), np.uint8)] * 2)
    assert wide.images.shape == (2, 3, 392, 518) and wide.top == 0
    tall = preprocess([np.zeros((640, 360, 3), np.uint8)])
    assert tall.images.shape[2:] == (518, 518) and tall.top > 0


@pytest.mark.parametrize("chunk,overlap", [(48, 6), (5, 2)])
def test_fake_vggt_cameras_and_depth_come_back_in_one_frame(room, chunk, overlap):
    room["fake"].calls = 0
    reconstructor = VggtReconstructor(VggtSettings(chunk=chunk, overlap=overlap), device="cpu", model=room["fake"])
    result = reconstructor.reconstruct(room["keyframes"])
    # On a CPU a chunk holds at most CPU_CHUNK frames, whatever was asked (attention memory).
    assert room["fake"].calls == len(reconstructor._chunks(12)) > 1
    assert max(len(c) for c in reconstructor._chunks(12)) <= CPU_CHUNK
    truth = np.array([p[:3, 3] for p in room["poses"]])
    estimated = np.array([v.cam_to_world[:3, 3] for v in result.views])
    error, scale = trajectory_error(estimated, truth)
    assert error < 1e-3 * np.ptp(truth, axis=0).max()
    assert scale == pytest.approx(1 / 0.5, rel=1e-3)  # the first chunk's unit is the reconstruction's
    view = result.views[7]
    assert view.depth.shape == (HEIGHT, WIDTH)
    assert np.allclose(view.K, room["K"], atol=0.6)  # back in the original image's pixels
    true_depth = room["views"][7].depth
    both = (view.depth > 0) & (true_depth > 0)
    assert 0.6 < (view.depth > 0).mean() < 0.8  # the least confident 30 % dropped
    ratio = np.median(view.depth[both] * scale / true_depth[both])
    assert ratio == pytest.approx(1.0, abs=0.01)


def test_a_scene_built_from_vggt_output_counts_and_sizes_objects(room):
    result = VggtReconstructor(VggtSettings(chunk=5, overlap=2), device="cpu", model=room["fake"]).reconstruct(
        room["keyframes"])
    detections = {}
    for index, view in enumerate(room["views"]):
        found = []
        for number, obj in enumerate(room["objects"]):
            rows, cols = np.nonzero(view.instance == number)
            if len(rows) >= 60:
                found.append(Detection2D(obj.label, (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)))
        detections[index] = found
    scene = scene_from_reconstruction(result, AnnotationGrounder(), None, None, "fake-vggt", detections)
    assert scene.count("chair") == 2 and scene.count("bed") == 1
    assert scene.scale.source == "size priors"
    truth = np.array([p[:3, 3] for p in room["poses"]])
    _, correction = trajectory_error(np.array([c.position for c in scene.cameras]), truth)
    assert correction == pytest.approx(1.0, abs=0.15)  # metres from typical sizes, within 15 %


def test_vggt_on_a_cpu_when_asked_through_the_cli_runs_in_small_chunks_and_says_so(room, monkeypatch, caplog):
    from sagent.cli import parse_command

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    command, _ = parse_command(["ask", "video.mp4", "q", "--backend", "vggt", "--device", "cpu"])
    perception = command.perception
    assert perception.device == "cpu" and perception.video.backend == "vggt"
    room["fake"].calls = 0
    with caplog.at_level("WARNING", logger="sagent.tools.reconstruction.vggt"):
        result = VggtReconstructor(perception.video.vggt, model=room["fake"], device=perception.device).reconstruct(
            room["keyframes"])
    assert len(result.views) == 12 and room["fake"].calls == 2  # 12 frames: 0-7, then 4-11
    assert any("CPU" in r.message and "minutes" in r.message for r in caplog.records)


def test_without_a_gpu_or_the_package_the_message_says_what_to_do(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ReconstructionError, match="needs a CUDA GPU.*--backend colmap.*--device cpu"):
        VggtReconstructor().device()
    assert choose_backend("auto") == "colmap"
    import builtins

    real_import = builtins.__import__

    def no_vggt(name, *args, **kwargs):
        if name.startswith("vggt"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vggt)
    with pytest.raises(ReconstructionError, match=r"pip install 'sagent\[vggt\]'"):
        VggtReconstructor(device="cpu").model()


def test_auto_picks_vggt_on_a_gpu_with_vggt_installed(monkeypatch):
    import sagent.tools.pipeline.plain_video as plain_video

    monkeypatch.setattr(plain_video, "gpu_available", lambda: True)
    monkeypatch.setattr(plain_video, "vggt_installed", lambda: True)
    assert choose_backend("auto") == "vggt"
    with pytest.raises(ReconstructionError, match="unknown reconstruction backend"):
        choose_backend("nerf")
