"""Plain video in: COLMAP on a rendered RGB-only video of a generated room, metric scale, the CLI."""

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pycolmap")
pytest.importorskip("cv2")

from sagent.agent.ask import NoMetricScale, ask  # noqa: E402
from sagent.agent.evaluate import predict, table_of  # noqa: E402
from sagent.agent.rules_planner import RulesPlanner  # noqa: E402
from sagent.cli import main  # noqa: E402
from sagent.tools.io.video import keyframes  # noqa: E402
from sagent.tools.perception.grounding import AnnotationGrounder  # noqa: E402
from sagent.tools.pipeline import plain_video  # noqa: E402
from sagent.tools.pipeline.plain_video import read_sidecar, scene_from_reconstruction  # noqa: E402
from sagent.tools.reconstruction.colmap import ColmapSettings, reconstruct_colmap  # noqa: E402
from sagent.tools.reconstruction.reconstruction import similarity_align, trajectory_error  # noqa: E402
from sagent.tools.synthetic.generator import RoomSpec, generate  # noqa: E402
from tests.test_layout_qa import generated_questions  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def colmap_once():
    """`reconstruct_colmap` run once per distinct input: the same keyframes (source index, time, pixels) and
    settings give back the first run's reconstruction. The fixture and the CLI test reconstruct the same
    video, and COLMAP is most of their time; other keyframes or settings still run COLMAP."""
    runs = {}

    def once(frames, settings=None, workdir=None):
        digest = hashlib.sha256(repr(settings or ColmapSettings()).encode())
        for frame in frames:
            digest.update(f"{frame.index} {frame.time!r} {frame.image.shape}".encode())
            digest.update(frame.image.tobytes())
        key = digest.hexdigest()
        if key not in runs:
            runs[key] = reconstruct_colmap(frames, settings, workdir)
        return runs[key]

    return once


@pytest.fixture(scope="module")
def video_room(tmp_path_factory, colmap_once):
    out = tmp_path_factory.mktemp("video_room")
    truth = generate(out, RoomSpec(seed=1, frames=48, textured=True, video=True))
    manifest = json.loads((out / "frames.json").read_text())["frames"]
    reconstruction = colmap_once(keyframes(out / "video.mp4"))
    return dict(out=out, truth=truth, poses=[np.asarray(f["cam_to_world"]) for f in manifest],
                reconstruction=reconstruction)


def _true_centres(video_room, views) -> np.ndarray:
    return np.array([video_room["poses"][v.source_index][:3, 3] for v in views])


def test_colmap_trajectory_is_within_2_percent_of_the_room(video_room):
    reconstruction = video_room["reconstruction"]
    assert reconstruction.registered_share > 0.9
    estimated = np.array([v.cam_to_world[:3, 3] for v in reconstruction.views])
    error, _ = trajectory_error(estimated, _true_centres(video_room, reconstruction.views))
    assert error < 0.02 * np.hypot(*video_room["truth"]["room"])


def _built(video_room, keep=None, scale=None):
    detections = read_sidecar(video_room["out"] / "video.mp4")
    if keep is not None:
        detections = {i: [d for d in found if d.label in keep] for i, found in detections.items()}
    return scene_from_reconstruction(video_room["reconstruction"], AnnotationGrounder(), None, None, "video",
                                     detections, scale)


@pytest.fixture(scope="module")
def video_scene(video_room):
    """The memory built from every sidecar detection with scale from typical sizes; the tests only read it."""
    return _built(video_room)


def _scale_error(video_room, scene) -> float:
    """How far the scene's metres are from true metres (0 = exact)."""
    views = video_room["reconstruction"].views
    _, correction = trajectory_error(np.array([c.position for c in scene.cameras]), _true_centres(video_room, views))
    return correction - 1


def test_metres_from_typical_sizes_within_15_percent_and_counts_right(video_room, video_scene):
    scene = video_scene
    assert scene.scale.source == "size priors" and 0 < scene.scale.relative_uncertainty < 0.3
    assert abs(_scale_error(video_room, scene)) < 0.15
    truth = [o["label"] for o in video_room["truth"]["objects"]]
    # COLMAP's poses differ a little between runs and sparse depth can split a chair: within one.
    assert abs(scene.count("chair") - truth.count("chair")) <= 1
    answer = ask(scene, "How long is the sofa (in meters)?", RulesPlanner())
    assert answer.scale.startswith("size priors") and answer.uncertainty > 0
    assert "±" in answer.text


def test_every_object_detected_in_three_keyframes_is_in_the_memory_where_it_stands(video_room, video_scene):
    """Sparse depth lifts nothing of the nightstand (too few points in its boxes): its boxes across the
    keyframes place it, and a stray lift of another object's box is not a second one."""
    scene = video_scene
    detections = read_sidecar(video_room["out"] / "video.mp4")
    views = video_room["reconstruction"].views
    keyframes_per_label = Counter(label for view in views for label in {d.label for d in detections[view.source_index]})
    assert {label for label, count in keyframes_per_label.items() if count >= 3} <= set(scene.label_counts())
    truth = Counter(o["label"] for o in video_room["truth"]["objects"])
    assert all(scene.count(label) == 1 for label, count in truth.items() if count == 1)
    s, R, t = similarity_align(np.array([c.position for c in scene.cameras]), _true_centres(video_room, views))
    for label in ("nightstand", "trash bin"):
        placed = s * R @ scene.instances(label)[0].box.center_array + t
        actual = next(o["center"] for o in video_room["truth"]["objects"] if o["label"] == label)
        assert np.linalg.norm((placed - np.asarray(actual))[:2]) < 0.3


def test_layout_qa_on_the_video_answers_every_question_and_is_close_to_the_truth(video_room, video_scene):
    questions = generated_questions(video_room["out"] / "layout.json", per_scene=30, seed=1)
    predictions = list(predict(questions, {"synthetic_1": video_scene}, RulesPlanner()))
    assert [p.error for p in predictions if p.error] == []
    assert table_of(predictions).overall >= 85  # 97-99 from the same room's RGB-D frames


def test_without_a_size_reference_metric_answers_are_refused_not_invented(video_room):
    scene = _built(video_room, keep={"lamp", "plant"})
    assert not scene.scale.metric
    assert ask(scene, "How many plants are in this room?", RulesPlanner()).value == 1
    with pytest.raises(NoMetricScale, match="--scale"):
        ask(scene, "What is the distance between the lamp and the plant (in meters)?", RulesPlanner())


def test_a_user_factor_and_a_known_size_set_the_scale(video_room):
    reconstruction = video_room["reconstruction"]
    scene = _built(video_room, scale="0.5")
    first, second = reconstruction.views[0].cam_to_world[:3, 3], reconstruction.views[5].cam_to_world[:3, 3]
    step = np.linalg.norm(scene.cameras[0].position - scene.cameras[5].position)
    assert step == pytest.approx(0.5 * np.linalg.norm(first - second), rel=1e-6)
    assert scene.scale.source == "user factor"
    bed = next(o for o in video_room["truth"]["objects"] if o["label"] == "bed")
    scene = _built(video_room, scale=f"bed={max(bed['size']) * 100:.1f}cm")
    assert scene.scale.source == "known size"
    assert abs(_scale_error(video_room, scene)) < 0.15


def test_sagent_ask_on_a_video_counts_chairs_end_to_end(video_room, colmap_once, monkeypatch, capsys):
    # The fixture's COLMAP run is reused only if the CLI hands COLMAP the very same keyframes and settings.
    monkeypatch.setattr(plain_video, "reconstruct_colmap", colmap_once)
    code = main(["ask", str(video_room["out"] / "video.mp4"), "How many chairs are in this room?", "--no-cache",
                 "--json", "--backend", "colmap"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 0 and abs(answer["value"] - 2) <= 1  # two chairs; see the test above on run-to-run spread
    assert len(answer["objects"]) == answer["value"] and all(o.startswith("chair") for o in answer["objects"])
    assert answer["frames"] and answer["scale"].startswith("size priors")


def test_a_video_with_no_grounding_backend_fails_at_once_with_one_message(video_room, tmp_path, capsys):
    bare = tmp_path / "walkthrough.mp4"
    shutil.copy(video_room["out"] / "video.mp4", bare)
    assert main(["ask", str(bare), "How many chairs are in this room?", "--no-cache"]) == 1
    error = capsys.readouterr().err
    assert "yolov8s-worldv2.pt is not in the model cache" in error and "--detector-weights" in error
    assert "Traceback" not in error and "colmap" not in error.lower()  # before any reconstruction


@pytest.mark.parametrize("scale,message", [("door=2", "length unit"), ("door=2m2", "length unit"),
                                          ("-1", "positive"), ("big", "give a factor")])
def test_a_malformed_scale_is_named(video_room, capsys, scale, message):
    code = main(["ask", str(video_room["out"] / "video.mp4"), "How many chairs?", "--no-cache", "--scale", scale])
    assert code == 1 and message in capsys.readouterr().err


def test_an_unreadable_video_is_named(tmp_path, capsys):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    (tmp_path / "broken_detections.json").write_text('{"frames": {}}')
    assert main(["ask", str(broken), "How many chairs?", "--no-cache"]) == 1
    assert "broken.mp4" in capsys.readouterr().err


@pytest.mark.skipif(not (SHARED / "redwood_rgbd").is_dir(), reason="../shared/data/redwood_rgbd is not present")
def test_colmap_poses_on_real_redwood_frames_match_the_given_trajectory():
    from sagent.tools.io.readers import read_frames
    from sagent.tools.io.video import Keyframe

    frames = read_frames(SHARED / "redwood_rgbd").frames
    reconstruction = reconstruct_colmap([Keyframe(i, f.time, f.image, 0.0) for i, f in enumerate(frames)])
    assert len(reconstruction.views) == len(frames)
    truth = np.array([frames[v.source_index].cam_to_world[:3, 3] for v in reconstruction.views])
    error, _ = trajectory_error(np.array([v.cam_to_world[:3, 3] for v in reconstruction.views]), truth)
    path = np.linalg.norm(np.diff(truth, axis=0), axis=1).sum()
    assert error < 0.05 * path
