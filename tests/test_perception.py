"""Posed RGB-D frames to scene memory, measured against generated rooms with exact ground truth."""

import json

import numpy as np
import pytest

from sagent import Agent
from sagent.agent import RulesPlanner, ask
from sagent.agent.evaluate import LayoutScenes, predict, table_of
from sagent.cli import main
from sagent.memory.box import OrientedBox
from sagent.tools.geometry import point_box_distance
from sagent.tools.io.frames import Detection2D, FramesError, frame_from_arrays, read_manifest
from sagent.tools.perception.grounding import AnnotationGrounder, GroundingError
from sagent.tools.perception.lifting import lift
from sagent.tools.perception.scene_builder import BuildSettings, SceneBuilder, build_scene
from sagent.tools.perception.tsdf import SurfaceFusion
from tests.perception_metrics import errors
from tests.synthetic_rooms import room, without_detections
from tests.test_layout_qa import generated_questions

SEEDS = (1, 2)


@pytest.fixture(scope="module")
def built():
    scenes = {}
    for seed in SEEDS:
        folder = room(seed)
        scenes[seed] = (folder, build_scene(read_manifest(folder / "frames.json"), AnnotationGrounder(),
                                            name=f"synthetic_{seed}"))
    return scenes


def test_counts_are_exact_with_clean_annotations(built):
    for seed, (folder, scene) in built.items():
        layout = json.loads((folder / "layout.json").read_text())[f"synthetic_{seed}"]
        assert scene.label_counts() == layout["object_counts"], seed


def test_centres_and_sizes_match_ground_truth(built):
    for seed, (folder, scene) in built.items():
        result = errors(scene, folder / "ground_truth.json")
        assert result["centre_median_m"] < 0.03, (seed, result)
        assert result["longest_median_rel"] < 0.05, (seed, result)


def test_room_area_from_the_footprint(built):
    for seed, (folder, scene) in built.items():
        width, length = json.loads((folder / "ground_truth.json").read_text())["room"]
        assert scene.room.floor_area == pytest.approx(width * length, rel=0.05)


def test_layout_qa_from_frames_is_close_to_ground_truth(built):
    for seed, (folder, scene) in built.items():
        questions = generated_questions(folder / "layout.json", per_scene=30, seed=seed)
        truth_table = table_of(list(predict(questions, LayoutScenes([folder / "layout.json"]), RulesPlanner())))
        built_table = table_of(list(predict(questions, {f"synthetic_{seed}": scene}, RulesPlanner())))
        assert abs(truth_table.overall - built_table.overall) <= 3.0, (truth_table.render(), built_table.render())


def test_first_appearance_order_on_a_generated_walk(built):
    folder, scene = built[SEEDS[0]]
    truth = json.loads((folder / "ground_truth.json").read_text())["objects"]
    unique = [t for t in truth if sum(u["label"] == t["label"] for u in truth) == 1]
    # Three objects first seen at clearly different times.
    picked = []
    for t in sorted(unique, key=lambda t: t["first_seen"]):
        if not picked or t["first_seen"] - picked[-1]["first_seen"] >= 1.0:
            picked.append(t)
    assert len(picked) >= 3, "the walk should reveal objects at different times"
    picked = picked[:3]
    for t in picked:
        assert scene.instances(t["label"])[0].first_seen == pytest.approx(t["first_seen"], abs=0.51)
    names = [t["label"] for t in picked]
    options = [f"A. {', '.join(reversed(names))}", f"B. {', '.join(names)}", f"C. {', '.join([names[1], names[0], names[2]])}"]
    question = f"What will be the first-time appearance order of the following categories in the video: {', '.join(sorted(names))}?"
    assert ask(scene, question, RulesPlanner(), options).choice == "B"


def test_fused_surface_averages_depth_noise_out():
    rng = np.random.default_rng(0)
    fusion = SurfaceFusion(voxel=0.02)
    K = np.array([[300.0, 0, 160], [0, 300.0, 120], [0, 0, 1]])
    for i in range(10):  # a wall 2 m ahead, 1.6 cm of depth noise (a depth camera's at 2 m)
        pose = np.eye(4)
        pose[0, 3] = 0.02 * i
        fusion.add((2.0 + rng.normal(0, 0.016, (240, 320))).astype(np.float32), K, pose, [(40, 30, 280, 210)])
    surface = fusion.surface()
    assert abs(np.median(surface[:, 2]) - 2.0) < 0.005 and np.std(surface[:, 2]) < 0.01
    near, off = [[0.1, 0.1, 2.005], [0.0, -0.1, 1.995]], [[0.1, 0.1, 2.06], [0.0, -0.1, 1.94]]
    assert fusion.on_surface(np.array(near + off), tolerance=0.02).tolist() == [True, True, False, False]


def test_noisy_depth_leaves_boxes_close_to_their_size():
    folder = room(3, masks=False, noisy=True)
    sizes = {}
    for fuse in (False, True):
        scene = build_scene(read_manifest(folder / "frames.json"), AnnotationGrounder(),
                            settings=BuildSettings(fuse_surfaces=fuse))
        sizes[fuse] = errors(scene, folder / "ground_truth.json")["longest_median_rel"]
    assert sizes[True] < 0.04 and sizes[True] < sizes[False], sizes


def test_box_only_detections_survive_background_in_the_box():
    folder = room(SEEDS[0], masks=False)
    frames = read_manifest(folder / "frames.json")
    scene = build_scene(frames, AnnotationGrounder())
    layout = json.loads((folder / "layout.json").read_text())[f"synthetic_{SEEDS[0]}"]
    assert scene.label_counts() == layout["object_counts"]
    assert errors(scene, folder / "ground_truth.json")["centre_median_m"] < 0.05


def test_lifting_keeps_the_object_and_drops_floor_and_wall():
    folder = room(SEEDS[0], masks=False)
    frame = read_manifest(folder / "frames.json").frames[5]
    truth = json.loads((folder / "ground_truth.json").read_text())["objects"]
    from sagent.tools.perception.lifting import isolate_object

    checked = 0
    for detection in frame.detections:
        t = next(t for t in truth if t["label"] == detection.label)
        if sum(u["label"] == detection.label for u in truth) > 1:
            continue
        box = OrientedBox(center=tuple(t["center"]), axes=tuple(map(tuple, t["axes"])), extents=tuple(t["size"]))
        observation = lift(frame, 5, Detection2D(detection.label, detection.box, 1.0))
        if observation is None:
            continue
        points = isolate_object(observation, np.array([0, 0, 1.0]), 0.0)
        inside = point_box_distance(points.astype(float), box) < 0.03
        assert inside.mean() > 0.9, (detection.label, inside.mean())
        checked += 1
    assert checked >= 3


def test_two_close_chairs_stay_two_and_views_of_one_merge():
    from sagent.tools.perception.fusion import fuse
    from sagent.tools.perception.lifting import Observation3D

    rng = np.random.default_rng(0)

    def chair_points(centre):
        return (np.asarray(centre) + rng.uniform(-0.25, 0.25, (400, 3)) * [1, 1, 1.8] + [0, 0, 0.45]).astype(np.float32)

    def obs(centre, frame):
        points = chair_points(centre)
        return Observation3D("chair", frame, float(frame), 0.9, (0, 0, 1, 1), points, np.ones(len(points), bool))

    observations = [obs((0, 0, 0), 0), obs((0, 0, 0), 1), obs((0.7, 0, 0), 1), obs((0.7, 0, 0), 2)]
    instances = fuse(observations, np.array([0, 0, 1.0]), 0.0, 0.3, 0.02)
    assert len(instances) == 2
    assert sorted(len(i.sightings) for i in instances) == [2, 2]
    assert min(i.first_seen for i in instances) == 0.0


def test_up_axis_and_floor_are_found_when_not_given(tmp_path):
    folder = room(SEEDS[0], masks=False)
    manifest = json.loads((folder / "frames.json").read_text())
    del manifest["up"]
    for entry in manifest["frames"]:
        for key in ("image", "depth"):
            entry[key] = str(folder / entry[key])
    (tmp_path / "frames.json").write_text(json.dumps(manifest))
    scene = build_scene(read_manifest(tmp_path / "frames.json"), AnnotationGrounder())
    assert np.degrees(np.arccos(min(1.0, scene.up @ np.array([0, 0, 1.0])))) < 2.0
    assert scene.label_counts()["chair"] == 2


def test_manifest_errors_are_clear(tmp_path):
    path = tmp_path / "frames.json"
    path.write_text(json.dumps({"frames": [{"K": [[1, 0, 0], [0, 1, 0]], "cam_to_world": np.eye(4).tolist()}]}))
    with pytest.raises(FramesError, match="frames.0.K"):
        read_manifest(path)
    with pytest.raises(FramesError, match="not found"):
        read_manifest(tmp_path / "missing.json")
    path.write_text(json.dumps({"frames": [{"K": np.eye(3).tolist(), "cam_to_world": np.eye(4).tolist(),
                                            "detections": [{"label": "x", "box": [5, 5, 1, 1]}]}]}))
    with pytest.raises(FramesError, match="x2 > x1"):
        read_manifest(path)


def test_frames_without_detections_offline_and_without_weights_say_where_to_put_them(tmp_path, capsys):
    frames = without_detections(room(SEEDS[0], masks=False), tmp_path)
    models = tmp_path / "models"
    assert main(["ask", str(frames), "How many chairs are in this room?", "--offline", "--models-dir", str(models)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "yolov8s-worldv2.pt" in err and "https://" in err
    assert str(models / "yolov8s-worldv2.pt") in err and "--detector-weights" in err


def test_cli_answers_from_frames(capsys):
    folder = room(SEEDS[0])
    assert main(["ask", str(folder / "frames.json"), "--json", "How many chairs are in this room?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["value"] == 2 and payload["frames"] and 0 < payload["confidence"] <= 1


def test_one_nearly_empty_depth_frame_leaves_a_dense_build_dense():
    """A depth sensor's frame with depth at a few pixels (glass, out of range) is no structure from motion."""
    folder = room(SEEDS[0])
    frames = read_manifest(folder / "frames.json").frames
    source = frames[len(frames) // 2]
    holes = np.random.default_rng(0).uniform(size=source.depth.shape) > 0.1
    nearly_empty = frame_from_arrays(source.K, source.cam_to_world, source.time + 0.01,
                                     depth=np.where(holes, 0.0, source.depth),
                                     detections=[Detection2D(d.label, d.box, d.score) for d in source.detections])
    reference = SceneBuilder(AnnotationGrounder())
    with_it = SceneBuilder(AnnotationGrounder())
    for frame in frames:
        reference.add(frame)
        with_it.add(frame)
    assert with_it.add(nearly_empty)  # its detections lift (a few points each)
    assert with_it.sparse_frames.occluders(len(frames)) is not None and not with_it.sparse
    expected, scene = reference.build(), with_it.build()
    assert scene.label_counts() == expected.label_counts()
    for label in expected.label_counts():
        assert np.allclose(sorted(o.box.center for o in scene.instances(label)),
                           sorted(o.box.center for o in expected.instances(label)), atol=0.02), label


def test_agent_streams_frames_then_answers_and_resumes(tmp_path):
    folder = room(SEEDS[0])
    frames = read_manifest(folder / "frames.json").frames
    agent = Agent(planner="rules")
    for frame in frames[:20]:
        detections = [{"label": d.label, "box": d.box, "score": d.score, "mask": frame.mask(d)} for d in frame.detections]
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=frame.time, image=frame.image,
                      depth=(frame.depth * 1000).astype(np.uint16), depth_scale=1000.0, detections=detections)
    answer = agent.ask("How many chairs are in this room?")
    assert answer.value == 2 and answer.frames
    agent.save(tmp_path / "run")
    resumed = Agent.load(tmp_path / "run", planner="rules")
    assert resumed.ask("How many chairs are in this room?").value == 2
    for frame in frames[20:]:
        resumed.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=frame.time, depth=frame.depth,
                        detections=[{"label": d.label, "box": d.box, "mask": frame.mask(d)} for d in frame.detections])
    layout = json.loads((folder / "layout.json").read_text())[f"synthetic_{SEEDS[0]}"]
    assert len(resumed.builder.cameras) == len(frames)
    assert resumed.scene.label_counts() == layout["object_counts"]
    assert len(resumed.memory.records) == 2


def test_agent_without_frames_or_scene_says_so():
    with pytest.raises(ValueError, match="no scene yet"):
        Agent(planner="rules").ask("How many chairs?")


def test_frame_from_arrays_checks_shapes():
    with pytest.raises(FramesError, match="3x3"):
        frame_from_arrays(np.eye(4), np.eye(4), 0.0)


def test_grounder_without_detections_raises():
    frame = frame_from_arrays(np.eye(3), np.eye(4), 0.0, depth=np.ones((4, 4)))
    with pytest.raises(GroundingError, match="carries no detections"):
        SceneBuilder(AnnotationGrounder(), np.array([0, 0, 1.0])).add(frame)


def test_a_resumed_build_trims_objects_with_the_same_surface_as_an_uninterrupted_one(tmp_path):
    frames = read_manifest(room(3, masks=False, noisy=True) / "frames.json").frames
    whole, first = SceneBuilder(AnnotationGrounder(), np.array([0.0, 0.0, 1.0])), SceneBuilder(
        AnnotationGrounder(), np.array([0.0, 0.0, 1.0]))
    for frame in frames:
        whole.add(frame)
    for frame in frames[:15]:
        first.add(frame)
    first.save_state(tmp_path / "state.npz")
    resumed = SceneBuilder(AnnotationGrounder(), np.array([0.0, 0.0, 1.0]))
    resumed.load_state(tmp_path / "state.npz")
    assert resumed.dense.surfaces is not None and resumed.dense.surfaces.frames == first.dense.surfaces.frames
    for frame in frames[15:]:
        resumed.add(frame)
    expected, scene = whole.build(), resumed.build()
    assert scene.label_counts() == expected.label_counts()
    for label in expected.label_counts():
        for ours, theirs in zip(sorted(scene.instances(label), key=lambda o: o.box.center),
                                sorted(expected.instances(label), key=lambda o: o.box.center)):
            assert np.allclose(ours.box.extents, theirs.box.extents, atol=0.01), label


def test_a_state_saved_by_another_version_is_refused_in_one_line(tmp_path):
    """Each part of a saved build carries its version; a file of another layout is never half read."""
    import io

    frames = read_manifest(room(SEEDS[0]) / "frames.json").frames
    builder = SceneBuilder(AnnotationGrounder(), np.array([0.0, 0.0, 1.0]))
    for frame in frames[:3]:
        builder.add(frame)
    builder.save_state(tmp_path / "state.npz")
    with np.load(tmp_path / "state.npz") as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    assert meta["version"] == 2 and meta["dense"]["version"] == 1 and meta["sparse"]["version"] == 1
    del meta["version"]  # as the layout before versions
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (tmp_path / "old.npz").write_bytes(buffer.getvalue())
    with pytest.raises(FramesError, match="saved by another version of sagent.*build it again from the frames"):
        SceneBuilder(AnnotationGrounder()).load_state(tmp_path / "old.npz")
