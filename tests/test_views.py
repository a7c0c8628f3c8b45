"""Views and the observer on a generated room: answers known from the generator's cameras, and
renders whose pixels put objects where projection says."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from sagent.agent import RulesPlanner, ask
from sagent.cli import main
from sagent.dsl import DslError, ExecContext, run_program
from sagent.memory.box import OrientedBox
from sagent.tools.geometry import signed_floor_angle
from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.io.frames import read_manifest
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.scene_builder import build_scene
from tests.synthetic_rooms import room

UP = np.array([0.0, 0.0, 1.0])


@pytest.fixture(scope="module")
def scene_and_truth():
    folder = room(1)
    scene = build_scene(read_manifest(folder / "frames.json"), AnnotationGrounder())
    truth = json.loads((folder / "ground_truth.json").read_text())
    frames = read_manifest(folder / "frames.json").frames
    return scene, truth, frames


def run(source, scene):
    return run_program(source, ExecContext(scene)).value


def facing(frame):
    forward = frame.cam_to_world[:3, 2]
    flat = forward - (forward @ UP) * UP
    return flat / np.linalg.norm(flat)


def test_view_motion_matches_the_cameras(scene_and_truth):
    scene, _, frames = scene_and_truth
    a, b = frames[0], frames[4]
    offset = b.cam_to_world[:3, 3] - a.cam_to_world[:3, 3]
    ahead, left = offset @ facing(a), offset @ np.cross(UP, facing(a))
    angle = signed_floor_angle(facing(a), facing(b), UP)
    text = run("answer movement(view(0), view(4))", scene)
    assert f"{abs(ahead):.2f} m {'forward' if ahead >= 0 else 'back'}" in text
    assert f"{abs(left):.2f} m {'left' if left >= 0 else 'right'}" in text
    assert run("answer turn_angle(view(0), view(4))", scene).value == pytest.approx(angle)
    expected = "left" if angle > 0 else "right"
    answer = ask(scene, "Did the camera turn left or right between view 0 and view 4?", RulesPlanner(),
                 ["A. left", "B. right"])
    assert answer.choice_text == expected


def test_turning_from_a_view_finds_the_view_that_looks_that_way(scene_and_truth):
    scene, _, frames = scene_and_truth
    start = 3
    angle = signed_floor_angle(facing(frames[start]), facing(frames[start + 2]), UP)
    side = "left" if angle > 0 else "right"
    value = run(f"answer nearest_view(turn(view({start}), {angle:.3f}deg))", scene).value
    assert value == start + 2
    answer = ask(scene, f"After turning {side} by {abs(angle):.0f} degrees from view {start}, which view do you see?",
                 RulesPlanner())
    assert answer.value == start + 2


def test_perspective_questions_from_a_camera(scene_and_truth):
    scene, truth, frames = scene_and_truth
    checked = 0
    for item in truth["objects"]:
        if sum(t["label"] == item["label"] for t in truth["objects"]) > 1:
            continue
        frame = frames[6]
        centre = np.array(item["center"])
        local = (centre - frame.cam_to_world[:3, 3]) @ frame.cam_to_world[:3, :3]
        if local[2] <= 0.3 or abs(local[0]) < 0.2:
            continue  # behind the camera or straight ahead: no clear left/right in the picture
        expected = "right" if local[0] > 0 else "left"  # OpenCV x points right in the image
        answer = ask(scene, f"From the camera's view in view 6, is the {item['label']} on the left or the right?",
                     RulesPlanner())
        assert answer.value == expected, item["label"]
        checked += 1
    assert checked >= 3


def test_render_puts_objects_where_projection_says(scene_and_truth):
    scene, truth, frames = scene_and_truth
    index = 6
    frame = frames[index]
    picture = Image.open(io.BytesIO(run(f"answer render_view(view({index}))", scene).png)).convert("RGB")
    pixels = np.asarray(picture).astype(int)
    original = frame.image.astype(int)
    checked = 0
    for item in truth["objects"]:
        box = OrientedBox(center=tuple(item["center"]), axes=tuple(map(tuple, item["axes"])), extents=tuple(item["size"]))
        # A point on the object's top face, nearest the camera, where the object is visible.
        (u, v), depth = (x[0] for x in PinholeCamera(frame.K, frame.cam_to_world).project(
            box.center_array[None] + [0, 0, box.extents[2] / 2 - 0.02]))
        u, v = int(round(u)), int(round(v))
        if not (5 <= u < 315 and 5 <= v < 225) or depth <= 0:
            continue
        if frame.depth[v, u] < depth - 0.05:
            continue  # occluded in the frame
        patch = pixels[v - 2:v + 3, u - 2:u + 3].reshape(-1, 3)
        want = original[v, u]
        assert np.min(np.abs(patch - want).sum(axis=1)) < 60, item["label"]
        checked += 1
    assert checked >= 3


def test_step_and_turn_compose(scene_and_truth):
    scene, _, _ = scene_and_truth
    start = run("answer view(0)", scene)
    moved = run("answer turn(step(view(0), forward=1m, right=0.5m), -90deg)", scene)
    right = np.cross(start.facing, UP)
    np.testing.assert_allclose(moved.position, start.position + start.facing + 0.5 * right, atol=1e-9)
    np.testing.assert_allclose(moved.facing, right, atol=1e-9)  # turning right faces the old right


def test_views_need_cameras(living_room):
    with pytest.raises(DslError, match="no input views"):
        run("answer view(0)", living_room)
    with pytest.raises(DslError, match="there is no view 99"):
        run("answer view(99)", build_scene(read_manifest(room(1) / "frames.json"), AnnotationGrounder()))


def test_inspect_writes_ego_and_birds_eye_views_with_poses(tmp_path, capsys):
    folder = room(1)
    ego, bev = tmp_path / "ego.png", tmp_path / "bev.png"
    assert main(["inspect", str(folder / "frames.json"), "--view", "2", "--ego", str(ego), "--bev", str(bev), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["poses"]) == 30 and payload["poses"][2]["view"] == 2
    assert Image.open(ego).size == (320, 240) and Image.open(bev).size[0] > 300
    assert main(["inspect", str(folder / "frames.json"), "--ego", str(ego)]) == 1
    assert "--ego needs --view N" in capsys.readouterr().err


def test_explicit_pose_round_trips_through_position_of(scene_and_truth):
    scene, _, _ = scene_and_truth
    assert run("answer position_of(pose(1.5m, 2m, 90deg))", scene) == "x 1.50 m, y 2.00 m, heading 90 deg"
    # Facing +y from (1.5, 2): an object at larger x is on the right.
    right = run('answer direction(pose(1.5m, 2m, 90deg), objects("bed"))', scene)
    bed_x = scene.instances("bed")[0].box.center[0]
    assert right.value == ("right" if bed_x > 1.5 else "left")
