"""Rerun recordings of builds and answers, read back with rerun's own reader (no viewer is started)."""

from __future__ import annotations

import json
import sys
from collections import Counter

import numpy as np
import pytest
import rerun as rr

from sagent.errors import InputError
from sagent.memory import load_layout
from sagent.tools.io.frames import read_manifest
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.scene_builder import SceneBuilder, build_scene
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.render.recording import (
    Recording, box_quaternion, record_answer, record_scene, rerun_module,
)
from sagent.tools.synthetic.generator import RoomSpec, generate

FRAMES = 12
LIVING_ROOM = "examples/living_room/layout.json"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    out = tmp_path_factory.mktemp("room")
    generate(out, RoomSpec(seed=4, frames=FRAMES, width=160, height=120, write_masks=True))
    return out


def read_back(path) -> dict[str, list]:
    """Entity path -> its chunks' record batches, from the .rrd at `path` (rerun's own reader)."""
    batches: dict[str, list] = {}
    for chunk in rr.chunk.RrdReader(path).stream().to_chunks():
        batches.setdefault(chunk.entity_path, []).append(chunk.to_record_batch())
    return batches


def rows(batches: dict[str, list], entity: str, column: str) -> list:
    """Every logged value of `column` at `entity`, one per log call, in order of the `frame`
    timeline where it has one."""
    found = []
    for batch in batches.get(entity, []):
        if column in batch.schema.names:
            frames = batch.column("frame").to_pylist() if "frame" in batch.schema.names else [0] * batch.num_rows
            found += list(zip(frames, batch.column(column).to_pylist()))
    return [value for _, value in sorted(found, key=lambda pair: pair[0])]


def texts(batches: dict[str, list], entity: str, column: str) -> list[str]:
    """The one text of each log call at `entity` (a single-value component)."""
    return [value for (value,) in rows(batches, entity, column)]


def test_a_build_is_recorded_frame_by_frame(room, tmp_path):
    path = tmp_path / "build.rrd"
    manifest = json.loads((room / "frames.json").read_text())
    with Recording.open(path) as recording:
        scene = build_scene(read_manifest(room / "frames.json"), AnnotationGrounder(), recorder=recording)
    data = read_back(path)
    # One camera pose, image, depth, set of 2D detections and of lifted points per frame.
    assert len(rows(data, "/world/camera", "Transform3D:translation")) == FRAMES
    assert len(rows(data, "/world/camera", "Pinhole:resolution")) == FRAMES
    for entity, column in [("/world/camera/image", "EncodedImage:blob"), ("/world/camera/depth", "DepthImage:buffer"),
                           ("/world/lifted", "Points3D:positions")]:
        assert len(rows(data, entity, column)) == FRAMES, entity
    detections = rows(data, "/world/camera/detections", "Boxes2D:half_sizes")
    assert [len(d) for d in detections] == [len(f.get("detections") or []) for f in manifest["frames"]]
    labels = rows(data, "/world/camera/detections", "Boxes2D:labels")
    assert labels[0] == [f"{d['label']} {d.get('score', 1.0):.2f}" for d in manifest["frames"][0]["detections"]]
    # The lifted points of a frame are world points near the objects detected in it.
    lifted = np.array(rows(data, "/world/lifted", "Points3D:positions")[3])
    assert lifted.shape[1] == 3 and len(lifted) > 50
    # The built scene: its cameras, its boxes per label, the cloud and the floor.
    cameras = rows(data, "/world/cameras", "Points3D:positions")
    assert len(cameras) == 1 and len(cameras[0]) == FRAMES == len(scene.cameras)
    assert rows(data, "/world/cameras", "Points3D:labels")[0] == [f"view {i}" for i in range(FRAMES)]
    counts = Counter(o.label for o in scene.objects)
    for label, count in counts.items():
        entity = "/world/objects/" + label.replace(" ", "_")
        assert len(rows(data, entity, "Boxes3D:centers")[0]) == count, label
        names = rows(data, entity, "Boxes3D:labels")[0]
        assert sorted(n.split()[0] for n in names) == sorted(o.id for o in scene.instances(label))
    recorded = {e for e in data if e.startswith("/world/objects/") and e.count("/") == 3}
    assert recorded == {"/world/objects/" + label.replace(" ", "_") for label in counts}
    assert len(rows(data, "/world/cloud", "Points3D:positions")[0]) == len(scene.point_cloud)
    assert len(rows(data, "/world/floor", "Mesh3D:vertex_positions")[0]) >= 3
    trajectory = rows(data, "/world/trajectory", "LineStrips3D:strips")
    assert len(trajectory[-1][0]) == FRAMES


def test_the_recorder_does_not_change_the_build(room, tmp_path):
    frames = read_manifest(room / "frames.json")
    plain = build_scene(frames, AnnotationGrounder())
    with Recording.open(tmp_path / "watched.rrd") as recording:
        watched = build_scene(read_manifest(room / "frames.json"), AnnotationGrounder(), recorder=recording)
    assert [o.model_dump() for o in watched.objects] == [o.model_dump() for o in plain.objects]
    assert SceneBuilder(AnnotationGrounder()).recorder is None


def test_a_scene_memory_is_recorded_with_its_views_and_sightings(room, tmp_path):
    scene = load_input(str(room / "frames.json"))
    path = tmp_path / "scene.rrd"
    with Recording.open(path) as recording:
        record_scene(recording, scene)
    data = read_back(path)
    assert len(rows(data, "/world/camera", "Transform3D:translation")) == len(scene.cameras)
    assert len(rows(data, "/world/camera/image", "EncodedImage:blob")) == len(scene.cameras)  # the image files
    sightings = Counter(s.frame for o in scene.objects for s in o.observations)
    detections = rows(data, "/world/camera/detections", "Boxes2D:half_sizes")
    assert [len(d) for d in detections] == [sightings[i] for i in range(len(scene.cameras))]
    for label in scene.labels():
        entity = "/world/objects/" + label.replace(" ", "_")
        assert len(rows(data, entity, "Boxes3D:centers")[0]) == len(scene.instances(label))


def test_a_scene_with_its_frames_records_their_pixels(room, tmp_path):
    scene = load_input(str(room / "frames.json"))
    path = tmp_path / "frames.rrd"
    with Recording.open(path) as recording:
        record_scene(recording, scene, frames=read_manifest(room / "frames.json").frames)
    data = read_back(path)
    assert len(rows(data, "/world/camera/depth", "DepthImage:buffer")) == len(scene.cameras)


def test_an_answer_is_recorded_with_its_program_trace_and_evidence(tmp_path):
    scene = load_layout(LIVING_ROOM, "living_room")
    trace = [{"line": 1, "op": "objects", "inputs": {"label": "lamp"}, "output": "lamp [lamp_0]", "seconds": 1e-5},
             {"line": 1, "op": "objects", "inputs": {"label": "sofa"}, "output": "sofa [sofa_0]", "seconds": 1e-5},
             {"line": 1, "op": "distance", "inputs": {"a": "lamp", "b": "sofa"}, "output": "0.5 m", "seconds": 1e-4}]
    program = 'answer distance(objects("lamp"), objects("sofa"))'
    path = tmp_path / "answers.rrd"
    with Recording.open(path) as recording:
        record_scene(recording, scene)
        first = record_answer(recording, scene, "How far is the lamp from the sofa?", program, trace,
                              ["lamp_0", "sofa_0", "ghost_9"], answer="0.5 m",
                              observer=(np.array([1.0, 1.0, 1.2]), np.array([1.0, 0.0, 0.0])))
        second = record_answer(recording, scene, "How many chairs?", 'answer count(objects("chair"))', [],
                               ["chair_0", "chair_1"], answer="2")
    assert (first, second) == (0, 1)
    data = read_back(path)
    question = texts(data, "/answers/0/question", "TextDocument:text")[0]
    assert "How far is the lamp from the sofa?" in question and "0.5 m" in question
    assert texts(data, "/answers/0/program", "TextDocument:text") == [program]
    steps = texts(data, "/answers/0/trace", "TextLog:text")
    assert len(steps) == 3 and steps[2].startswith("line 1: distance(a=lamp, b=sofa) -> 0.5 m")
    evidence = rows(data, "/world/evidence", "Boxes3D:labels")
    assert sorted(map(sorted, evidence)) == [["chair_0", "chair_1"], ["lamp_0", "sofa_0"]]
    assert len(rows(data, "/world/evidence/observer", "Arrows3D:vectors")) == 1
    assert len(rows(data, "/world/objects/chair", "Boxes3D:centers")[0]) == 2
    assert not any(e.startswith("/world/camera/") for e in data)  # a layout has no views


def test_an_in_memory_recording_reads_back(tmp_path):
    scene = load_layout(LIVING_ROOM, "living_room")
    recording = Recording.open()
    record_scene(recording, scene)
    path = tmp_path / "memory.rrd"
    path.write_bytes(recording.rrd_bytes())
    assert len(rows(read_back(path), "/world/objects/sofa", "Boxes3D:centers")[0]) == 1
    with Recording.open(tmp_path / "file.rrd") as on_disk, pytest.raises(InputError, match="not kept in memory"):
        on_disk.rrd_bytes()


def test_box_rotation_matches_the_box_axes():
    scene = load_layout(LIVING_ROOM, "living_room")
    for obj in scene.objects:
        rotation = rr_matrix(box_quaternion(obj.box))
        axes = obj.box.axes_array
        for k in range(3):  # each local axis maps to the box's axis (up to the sign a left-handed set flips)
            assert abs(abs(rotation[:, k] @ axes[k]) - 1) < 1e-9


def rr_matrix(xyzw):
    from scipy.spatial.transform import Rotation

    return Rotation.from_quat(xyzw).as_matrix()


def test_without_rerun_there_is_one_message_saying_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rerun", None)  # `import rerun` now raises ImportError
    with pytest.raises(InputError, match=r"pip install 'sagent\[viewer\]'"):
        rerun_module()
    with pytest.raises(InputError, match="sagent"):
        Recording.open()
