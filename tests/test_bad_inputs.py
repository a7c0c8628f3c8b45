"""A corpus of broken inputs, each made here: every one ends in exit 1 (2 for `dsl check` on an invalid
program) with one line on stderr naming the problem, never a traceback or a runaway. Valid odd
inputs (extra keys, `..` in paths, boxes a little past the image, NaN as missing depth) still answer."""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sagent import Agent
from sagent.agent import ask as ask_agent
from sagent.agent.agent_memory import AgentMemory, StepRecord
from sagent.agent.llm_planner import LLMPlanner
from sagent.cli import main
from sagent.dsl import DslError, parse
from sagent.dsl import parser as dsl_parser
from sagent.errors import InputError
from sagent.memory import load_layout, save_scene
from sagent.memory.cache import SceneCache
from sagent.tools.io.frames import read_manifest
from tests.conftest import EXAMPLE_LAYOUT
from tests.fakes import ScriptedModel, step
from tests.synthetic_rooms import room

QUESTION = "How many chairs are in this room?"
NOT_UTF8 = b'{"x": "caf\xe9"}\n'


def failing(capsys, argv: list[str], *words: str, code: int = 1) -> str:
    """Run the CLI in-process; exit `code` and one stderr line starting `sagent: error:` naming `words`."""
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("sagent: error: ") and "\n" not in err, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


@pytest.fixture(scope="module")
def base():
    """A small generated room (6 frames, 320x240, masks) and its manifest with absolute paths."""
    folder = room(3, masks=True, frames=6)
    manifest = json.loads((folder / "frames.json").read_text())
    for entry in manifest["frames"]:
        for key in ("image", "depth"):
            entry[key] = str(folder / entry[key])
        for detection in entry.get("detections") or []:
            if detection.get("mask"):
                detection["mask"] = str(folder / detection["mask"])
    return folder, manifest


def write_manifest(tmp_path: Path, manifest, change=None) -> str:
    manifest = copy.deepcopy(manifest)
    if change is not None:
        change(manifest)
    path = tmp_path / "frames.json"
    path.write_text(json.dumps(manifest))
    return str(path)


def ask(path: str) -> list[str]:
    return ["ask", path, QUESTION, "--no-cache", "--planner", "rules"]


def _depth(tmp_path: Path, name: str, array: np.ndarray) -> str:
    path = tmp_path / name
    Image.fromarray(array).save(path)
    return str(path)


# --- frames ----------------------------------------------------------------------------------------------

def _set(path: list, value):
    def change(manifest):
        target = manifest
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _pose(transform):
    def change(manifest):
        pose = np.asarray(manifest["frames"][0]["cam_to_world"], float)
        manifest["frames"][0]["cam_to_world"] = transform(pose).tolist()
    return change


BAD_MANIFESTS = {
    "nan in K": (_set(["frames", 0, "K", 0, 0], float("nan")), ["frames.0.K", "finite"]),
    "inf in the pose": (_set(["frames", 0, "cam_to_world", 0, 3], float("inf")), ["frames.0.cam_to_world", "finite"]),
    "nan up": (_set(["up"], [0, float("nan"), 1]), ["up", "finite"]),
    "zero up": (_set(["up"], [0, 0, 0]), ["up", "non-zero"]),
    "nan depth_scale": (_set(["frames", 0, "depth_scale"], float("nan")), ["depth_scale"]),
    "negative depth_scale": (_set(["frames", 0, "depth_scale"], -1000), ["depth_scale"]),
    "zero focal": (_set(["frames", 0, "K", 0, 0], 0), ["focal"]),
    "negative focal": (_set(["frames", 0, "K", 1, 1], -200), ["focal"]),
    "singular pose": (_pose(lambda p: np.diag([0, 0, 0, 1.0])), ["not orthonormal"]),
    "scaled pose": (_pose(lambda p: np.diag([2, 2, 2, 1.0]) @ p), ["not orthonormal"]),
    "reflected pose": (_pose(lambda p: p @ np.diag([-1, 1, 1, 1.0])), ["reflection"]),
    "bottom row": (_set(["frames", 0, "cam_to_world", 3], [0, 0, 1, 1]), ["bottom row"]),
    "pose kilometres away": (_set(["frames", 0, "cam_to_world", 0, 3], 5e6), ["position", "1000 m"]),
    "3 rows of pose": (_set(["frames", 0, "cam_to_world"], np.eye(4)[:3].tolist()), ["cam_to_world"]),
    "string for K": (_set(["frames", 0, "K"], "eye"), ["frames.0.K"]),
    "frames is a dict": (_set(["frames"], {"0": {}}), ["frames"]),
    "no frames": (_set(["frames"], []), ["frames"]),
    "empty label": (_set(["frames", 0, "detections", 0, "label"], "  "), ["label", "non-empty"]),
    "reversed box": (_set(["frames", 0, "detections", 0, "box"], [50, 50, 10, 80]), ["x2 > x1"]),
    "box outside": (_set(["frames", 0, "detections", 0, "box"], [400, 10, 480, 80]), ["outside the 320x240 image"]),
    "box far past the edge": (_set(["frames", 0, "detections", 0, "box"], [10, 10, 900, 80]), ["far outside"]),
    "nan score": (_set(["frames", 0, "detections", 0, "score"], float("nan")), ["score"]),
    "missing image": (_set(["frames", 0, "image"], "nowhere.png"), ["image not found"]),
}


@pytest.mark.parametrize("name", list(BAD_MANIFESTS))
def test_bad_manifest(name, base, tmp_path, capsys):
    change, words = BAD_MANIFESTS[name]
    failing(capsys, ask(write_manifest(tmp_path, base[1], change)), *words)


@pytest.mark.parametrize("name, depth, scale, words", [
    ("millimetres read as metres", "mm", 1, ["median depth", "implausible", "depth_scale is 1"]),
    ("metres read as millimetres", "m", 1000, ["median depth", "depth_scale"]),
    ("all zero", "zero", 1000, ["no usable depth", "depth_scale"]),
    ("all saturated", "saturated", 1000, ["saturated", "depth_scale"]),
    ("rgb depth", "rgb", 1000, ["one channel"]),
    ("smaller depth", "small", 1000, ["must have one size"]),
    ("not an image", "text", 1000, ["cannot read depth image"]),
])
def test_bad_depth(name, depth, scale, words, base, tmp_path, capsys):
    metres = read_manifest(Path(base[0]) / "frames.json").frames[0].depth
    arrays = {"mm": (metres * 1000).astype(np.uint16), "m": np.maximum(np.round(metres), 1).astype(np.uint16),
              "zero": np.zeros_like(metres, np.uint16), "saturated": np.full(metres.shape, 65535, np.uint16),
              "rgb": np.zeros((*metres.shape, 3), np.uint8), "small": (metres[::2, ::2] * 1000).astype(np.uint16)}
    if depth == "text":
        (tmp_path / "d.png").write_text("not a png")
        path = str(tmp_path / "d.png")
    else:
        path = _depth(tmp_path, "d.png", arrays[depth])

    def change(manifest):
        manifest["frames"][0].update(depth=path, depth_scale=scale)
    failing(capsys, ask(write_manifest(tmp_path, base[1], change)), *words)


def test_unsupported_depth_type(base, tmp_path, capsys):
    np.save(tmp_path / "d.npy", np.ones((240, 320), bool))
    path = write_manifest(tmp_path, base[1], lambda m: m["frames"][0].update(depth=str(tmp_path / "d.npy")))
    failing(capsys, ask(path), "type bool")


def test_mask_of_another_size(base, tmp_path, capsys):
    Image.fromarray(np.full((10, 10), 255, np.uint8)).save(tmp_path / "m.png")

    def change(manifest):
        manifest["frames"][0]["detections"][0]["mask"] = str(tmp_path / "m.png")
    failing(capsys, ask(write_manifest(tmp_path, base[1], change)), "mask", "10x10", "320x240")


def test_non_utf8_and_non_json_manifests(tmp_path, capsys):
    path = tmp_path / "frames.json"
    path.write_bytes(b'{"frames": [], "note": "\xff"}')
    failing(capsys, ask(str(path)), "not UTF-8", str(path))
    path.write_text('{"frames": [')
    failing(capsys, ask(str(path)), "not valid JSON")
    path.write_text('{"frames": ' + "[" * 100_000)
    failing(capsys, ask(str(path)), "frames manifest")


def test_odd_but_valid_manifest_answers(base, tmp_path, capsys):
    folder, manifest = base
    (tmp_path / "sub").mkdir()
    shutil.copytree(folder / "rgb", tmp_path / "rgb")

    def change(m):
        m["comment"] = "extra keys are ignored"
        m["frames"][0]["exposure"] = 1.5
        m["frames"][0]["image"] = "sub/../rgb/" + Path(m["frames"][0]["image"]).name
        m["frames"][1]["detections"][0]["box"][2] = 321.5  # a little past the edge: clipped
        m["frames"][2]["cam_to_world"][0][0] += 2e-4  # printed at four decimals: still rigid enough
    assert main(ask(write_manifest(tmp_path, manifest, change))) == 0
    assert capsys.readouterr().out.strip()


# --- readers ---------------------------------------------------------------------------------------------

@pytest.fixture()
def redwood(base, tmp_path):
    folder = tmp_path / "redwood"
    for sub in ("color", "depth"):
        (folder / sub).mkdir(parents=True)
    frames = read_manifest(Path(base[0]) / "frames.json").frames[:2]
    blocks = []
    for i, frame in enumerate(frames):
        Image.open(frame.image_path).convert("RGB").save(folder / "color" / f"{i:05d}.jpg")
        Image.fromarray((frame.depth * 1000).astype(np.uint16)).save(folder / "depth" / f"{i:05d}.png")
        blocks.append(f"{i} {i} {i + 1}\n" + "\n".join(" ".join(map(str, row)) for row in frame.cam_to_world))
    (folder / "trajectory.log").write_text("\n".join(blocks) + "\n")
    return folder


@pytest.mark.parametrize("file, content, words", [
    ("trajectory.log", NOT_UTF8, ["not UTF-8", "trajectory.log"]),
    ("camera_primesense.json", NOT_UTF8, ["not UTF-8", "camera_primesense.json"]),
    ("camera_primesense.json", b'{"intrinsic_matrix": [525, 0, 0, 0, 525]}', ["intrinsic_matrix"]),
    ("camera_primesense.json", b'{"width": 640}', ["intrinsic_matrix"]),
    ("camera_primesense.json", b"[1, 2", ["not valid JSON"]),
    ("camera_primesense.json", b'{"intrinsic_matrix": [0, 0, 0, 0, 525, 0, 319.5, 239.5, 1]}', ["focal"]),
])
def test_bad_redwood(redwood, file, content, words, capsys):
    (redwood / file).write_bytes(content)
    failing(capsys, ask(str(redwood)), *words)


def test_redwood_log_with_a_bad_pose(redwood, capsys):
    text = (redwood / "trajectory.log").read_text().splitlines()
    text[1] = "1 0 0 nan"
    (redwood / "trajectory.log").write_text("\n".join(text) + "\n")
    failing(capsys, ask(str(redwood)), "trajectory.log: pose 0", "finite")


def test_bad_tum_and_scannet_files(tmp_path, capsys):
    tum = tmp_path / "tum"
    tum.mkdir()
    (tum / "rgb.txt").write_text("1.0 rgb/1.png\n")
    (tum / "depth.txt").write_text("1.0\n")
    (tum / "groundtruth.txt").write_text("1.0 0 0 0 0 0 0 1\n")
    failing(capsys, ask(str(tum)), "depth.txt:1")
    scannet = tmp_path / "scannet"
    for sub in ("pose", "intrinsic"):
        (scannet / sub).mkdir(parents=True)
    (scannet / "intrinsic" / "intrinsic_depth.txt").write_text("500 0 320\nnot a matrix\n")
    failing(capsys, ask(str(scannet)), "intrinsic_depth.txt")


# --- layouts ---------------------------------------------------------------------------------------------

def _scene(change):
    def apply(layout):
        change(layout["living_room"])
    return apply


BAD_LAYOUTS = {
    "nan size": (_scene(lambda s: s["object_bbox"]["sofa"][0].update(axesLengths=[float("nan"), 1, 1])),
                 ["object_bbox.sofa.0", "axesLengths", "finite"]),
    "negative size": (_scene(lambda s: s["object_bbox"]["sofa"][0].update(axesLengths=[-2, 1, 1])), ["axesLengths"]),
    "absurd size": (_scene(lambda s: s["object_bbox"]["sofa"][0].update(axesLengths=[1e9, 1, 1])), ["axesLengths"]),
    "string size": (_scene(lambda s: s["object_bbox"]["sofa"][0].update(axesLengths=["big", 1, 1])), ["axesLengths"]),
    "singular axes": (_scene(lambda s: s["object_bbox"]["sofa"][0].update(normalizedAxes=[0] * 9)),
                      ["normalizedAxes"]),
    "list for dict": (_scene(lambda s: s.update(object_bbox=[["sofa"]])), ["object_bbox", "dictionary"]),
    "string for count": (_scene(lambda s: s.update(object_counts={"chair": "two"})), ["object_counts.chair"]),
    "negative count": (_scene(lambda s: s.update(object_counts={"chair": -2})), ["object_counts"]),
    "absurd count": (_scene(lambda s: s.update(object_counts={"chair": 10**9})), ["object_counts"]),
    "negative area": (_scene(lambda s: s.update(room_size=-20)), ["room_size"]),
    "nan area": (_scene(lambda s: s.update(room_size=float("nan"))), ["room_size"]),
    "absurd area": (_scene(lambda s: s.update(room_size=1e15)), ["room_size"]),
    "empty label": (_scene(lambda s: s["object_bbox"].update({"": s["object_bbox"]["sofa"]})), ["label"]),
    "scene is a list": (lambda layout: layout.update(living_room=[1, 2]), ["living_room", "malformed"]),
    "missing centroid": (_scene(lambda s: s["object_bbox"]["sofa"][0].pop("centroid")), ["centroid"]),
}


@pytest.mark.parametrize("name", list(BAD_LAYOUTS))
def test_bad_layout(name, tmp_path, capsys):
    change, words = BAD_LAYOUTS[name]
    layout = json.loads(EXAMPLE_LAYOUT.read_text())
    change(layout)
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(layout))
    failing(capsys, ["ask", "--layout", f"{path}:living_room", QUESTION], "living_room", *words)


def test_layout_files_that_are_not_layouts(tmp_path, capsys):
    path = tmp_path / "layout.json"
    path.write_bytes(b'{"living_room": {"room_size": 20, "note": "\xe9t\xe9"}}')
    failing(capsys, ["ask", "--layout", f"{path}:living_room", QUESTION], "not UTF-8", "layout file")
    path.write_text("[1, 2, 3]")
    failing(capsys, ["ask", "--layout", f"{path}:living_room", QUESTION], "meta_info")


def test_layout_with_string_counts_that_are_numbers_answers(tmp_path, capsys):
    layout = json.loads(EXAMPLE_LAYOUT.read_text())
    layout["living_room"]["object_counts"]["chair"] = "2"
    layout["living_room"]["surveyor"] = {"any": ["thing"]}
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(layout))
    assert main(["ask", "--layout", f"{path}:living_room", QUESTION]) == 0
    assert capsys.readouterr().out.strip() == "2"


# --- scene memories and the cache ---------------------------------------------------------------------

def _corrupt_member(path: Path) -> None:
    """Flip bytes inside the compressed record member, keeping the zip's directory intact."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("record_json.npy")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 4, start + min(info.compress_size, 60)):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def test_corrupt_scene_files(tmp_path, living_room, capsys):
    path = save_scene(living_room, tmp_path / "scene.npz")
    _corrupt_member(path)
    failing(capsys, ["ask", str(path), QUESTION], str(path), "not a readable sagent scene memory")
    path.write_bytes(b"PK\x03\x04 torn")
    failing(capsys, ["ask", str(path), QUESTION], str(path))
    np.save(tmp_path / "array.npy", np.zeros(3))
    (tmp_path / "array.npy").rename(tmp_path / "array.npz")
    failing(capsys, ["ask", str(tmp_path / "array.npz"), QUESTION], "array.npz")


def test_saved_scene_with_values_the_types_refuse(tmp_path, living_room, capsys):
    path = save_scene(living_room, tmp_path / "scene.npz")
    with np.load(path) as data:
        header = json.loads(bytes(data["record_json"]).decode())
    header["record"]["room"]["floor_area"] = -3.0
    np.savez(path, record_json=np.frombuffer(json.dumps(header).encode(), np.uint8))
    failing(capsys, ["ask", str(path), QUESTION], "record.room.floor_area")


def test_corrupt_cache_entry_is_deleted_and_rebuilt(tmp_path, capsys):
    cache = tmp_path / "cache"
    argv = ["ask", "--layout", f"{EXAMPLE_LAYOUT}:living_room", "--cache-dir", str(cache), QUESTION]
    assert main(argv) == 0
    (entry,) = (cache / "scenes").glob("*.npz")
    _corrupt_member(entry)
    for _ in range(2):  # rebuilt once, then read from the new entry
        assert main(argv) == 0
        assert capsys.readouterr().out.strip().endswith("2")
    memory, hit = SceneCache(cache / "scenes").get_or_build(entry.stem, lambda: pytest.fail("rebuilt again"))
    assert hit and memory.count("chair") == 2


# --- programs and sessions ------------------------------------------------------------------------------

def test_deeply_nested_program_is_a_syntax_error(tmp_path, capsys):
    program = tmp_path / "deep.sagent"
    program.write_text("answer " + "count(" * 900 + 'objects("chair")' + ")" * 900 + "\n")
    assert main(["dsl", "check", str(program)]) == 2
    assert "nested more than 64 deep" in capsys.readouterr().out
    with pytest.raises(DslError) as info:
        parse("x = " + "[" * 5000)
    assert info.value.kinds == {"syntax"}


def test_deeply_nested_program_from_a_model_goes_back_for_repair(living_room):
    model = ScriptedModel([step("answer " + "count(" * 900 + 'objects("chair")' + ")" * 900),
                           step('answer count(objects("chair"))')])
    answer = ask_agent(living_room, QUESTION, LLMPlanner(model))
    assert answer.value == 2 and answer.attempts == 2
    assert "nested more than 64 deep" in json.dumps(model.calls[1])


def test_recursion_is_caught_even_past_the_nesting_check(monkeypatch):
    monkeypatch.setattr(dsl_parser, "MAX_NESTING", 10**9)
    with pytest.raises(DslError, match="nested too deeply"):
        parse("answer " + "count(" * 3000 + "1" + ")" * 3000)


def test_non_utf8_program_file(tmp_path, capsys):
    program = tmp_path / "p.sagent"
    program.write_bytes(b'answer count(objects("caf\xe9"))\n')
    failing(capsys, ["dsl", "check", str(program)], "UTF-8")


def test_session_torn_inside_a_character_keeps_working(tmp_path, capsys):
    session = tmp_path / "s.jsonl"
    good = StepRecord(question="où est la chaise ?", scene="s", planner="rules", text="1").model_dump_json()
    torn = StepRecord(question="déjà", scene="s", planner="rules").model_dump_json().encode()
    cut = torn.index("é".encode()) + 1  # inside the two bytes of é
    session.write_bytes(good.encode() + b"\n" + b"\xff\xfe garbage\n" + torn[:cut])
    assert [r.question for r in AgentMemory(session).records] == ["où est la chaise ?"]
    argv = ["ask", "--layout", f"{EXAMPLE_LAYOUT}:living_room", "--session", str(session), QUESTION]
    assert main(argv) == 0 and main(argv) == 0
    assert [r.question for r in AgentMemory(session).records] == ["où est la chaise ?", QUESTION, QUESTION]


def test_session_path_that_is_a_folder(tmp_path, capsys):
    folder = tmp_path / "s.jsonl"
    folder.mkdir()
    with pytest.raises(InputError, match="session file .* is a directory"):
        AgentMemory(folder)
    failing(capsys, ["ask", "--layout", f"{EXAMPLE_LAYOUT}:living_room", "--session", str(folder), QUESTION],
            str(folder))


# --- the Python API --------------------------------------------------------------------------------------

def test_observe_refuses_millimetres_with_the_default_scale(base):
    frame = read_manifest(Path(base[0]) / "frames.json").frames[0]
    agent = Agent(planner="rules")
    with pytest.raises(InputError, match="depth_scale is 1 "):
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=0.0, depth=(frame.depth * 1000).astype(np.uint16))
    with pytest.raises(InputError, match="not orthonormal"):
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world @ np.diag([1, 1, 0, 1.0]), time=0.0, depth=frame.depth)
    with pytest.raises(InputError, match="320x100 but the frame.s other pixels are 320x240"):
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=0.0, depth=frame.depth, image=frame.image[:100])
    with pytest.raises(InputError, match="mask of 'chair'"):
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=0.0, depth=frame.depth,
                      detections=[{"label": "chair", "box": [1, 1, 50, 50], "mask": np.ones((5, 5), bool)}])
    depth = frame.depth.copy()
    depth[:10] = np.nan  # NaN is missing depth, as ROS writes it
    assert agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=0.0, depth=depth,
                         detections=[{"label": "chair", "box": [-4, 1, 50, 50]}]) >= 0


def test_layout_objects_and_saved_scenes_pass_one_set_of_checks(tmp_path):
    scene = load_layout(EXAMPLE_LAYOUT, "living_room")
    obj = scene.objects[0]
    with pytest.raises(ValueError, match="box extents"):
        obj.box.model_validate({**obj.box.model_dump(), "extents": (1.0, -1.0, 1.0)})
    with pytest.raises(ValueError, match="label"):
        obj.model_validate({**obj.model_dump(), "label": ""})


@pytest.mark.parametrize("content, words", [
    (b"\xff\xfe{", ("detections sidecar", "UTF-8")),
    (b'{"frames": {"0": [{"label": "", "box": [1, 2, 3, 4]}]}}', ("not a detections file", "label")),
    (b'{"frames": {"0": [{"label": "chair", "box": [5, 5, 1, 1]}]}}', ("not a detections file", "box")),
    (b'{"frames": [1, 2]}', ("not a detections file", "frames")),
])
def test_broken_video_sidecar(capsys, tmp_path, content, words):
    video = tmp_path / "walk.mp4"
    video.write_bytes(b"\x00" * 64)  # never decoded: the sidecar is refused first
    (tmp_path / "walk_detections.json").write_bytes(content)
    failing(capsys, ["ask", str(video), "How many chairs are in this room?"], *words)


def test_a_failure_with_json_prints_json_on_stdout(tmp_path, capsys):
    """A caller parsing stdout gets JSON whatever happens; the line for a person stays on stderr."""
    missing = str(tmp_path / "missing.mp4")
    for argv in (["inspect", missing, "--json"], ["ask", missing, "how many chairs?", "--json"]):
        code = main(argv)
        out, err = capsys.readouterr()
        failure = json.loads(out)
        assert code != 0 and failure["exit"] == code and failure["kind"] and "missing.mp4" in failure["error"]
        assert err.startswith("sagent: error:") and len(err.strip().splitlines()) == 1
    assert main(["inspect", missing]) != 0 and capsys.readouterr().out == ""  # without --json, stdout stays empty


def test_frames_too_sparse_to_find_the_floor_are_an_input_error():
    """One frame whose depth is almost all missing, and no up given: the input's problem, said as such, not
    an internal error."""
    from sagent.tools.io.frames import FrameSet, frame_from_arrays
    from sagent.tools.perception.grounding import NoObjects
    from sagent.tools.perception.scene_builder import build_scene

    depth = np.zeros((48, 64), np.float32)
    depth[20:25, 30:35] = 2.0
    frame = frame_from_arrays(np.array([[50.0, 0, 32], [0, 50, 24], [0, 0, 1]]), np.eye(4), 0.0, depth=depth)
    with pytest.raises(InputError, match="cannot find the floor: the frames hold .* depth points.*up"):
        build_scene(FrameSet([frame], None), NoObjects(), name="sparse")
