"""The viewer from the command line: `inspect --rrd`, `ask --rrd` and `ask --show` (no viewer is started)."""

from __future__ import annotations

import pytest

from sagent.cli import main
from sagent.tools.synthetic.generator import RoomSpec, generate
from tests.conftest import EXAMPLE_LAYOUT

rr = pytest.importorskip("rerun", reason="the viewer is the optional extra sagent[viewer]")

LAYOUT = f"{EXAMPLE_LAYOUT}:living_room"


def entities(path) -> set[str]:
    return {chunk.entity_path for chunk in rr.chunk.RrdReader(path).stream().to_chunks()}


def test_ask_saves_the_evidence_picture_and_a_recording(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["ask", "--layout", LAYOUT, "Which is closer to the sofa, the lamp or the door?", "--show",
                 "--rrd", "answer.rrd"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[0] == "lamp"
    shown = tmp_path / out[-1].removeprefix("evidence: ")
    assert out[-1].startswith("evidence: sagent-evidence-which-is-closer") and shown.read_bytes()[:4] == b"\x89PNG"
    found = entities(tmp_path / "answer.rrd")
    assert any(e.startswith("/world/objects/sofa") for e in found), found
    assert any("question" in e for e in found), found


def test_inspect_records_a_fresh_build_frame_by_frame(tmp_path, capsys):
    room = tmp_path / "room"
    generate(room, RoomSpec(seed=4, frames=6, width=160, height=120, write_masks=True))
    code = main(["inspect", str(room / "frames.json"), "--rrd", str(tmp_path / "build.rrd"), "--no-cache"])
    assert code == 0 and "rerun recording written" in capsys.readouterr().out
    found = entities(tmp_path / "build.rrd")
    assert {"/world/camera", "/world/trajectory", "/world/lifted"} <= found, found


def test_output_paths_for_the_viewer_are_checked_first(tmp_path, capsys):
    code = main(["ask", "--layout", LAYOUT, "How many chairs are in this room?", "--show", str(tmp_path)])
    assert code == 1 and "--show" in capsys.readouterr().err


def test_an_answer_plots_and_saves_its_evidence(tmp_path, living_room):
    from sagent.agent import RulesPlanner, ask
    from sagent.agent.answer import Answer
    from sagent.errors import InputError

    plain = ask(living_room, "Which is closer to the sofa, the lamp or the door?", RulesPlanner())
    standing = ask(living_room, "If I am standing by the door and facing the tv, is the plant to my left or right?",
                   RulesPlanner())
    assert plain.plot()[:4] == b"\x89PNG" and standing.plot() != plain.plot()
    assert standing._observer is not None and plain._observer is None  # the program stood at the door
    picture = plain.save(tmp_path / "evidence.png")
    assert picture.read_bytes()[:4] == b"\x89PNG"
    saved = Answer.model_validate_json(plain.save(tmp_path / "answer.json").read_text())
    assert saved.value == plain.value and saved.objects == plain.objects
    with pytest.raises(InputError, match="no scene"):
        saved.plot()


def test_an_agent_streams_frames_and_answers_to_a_recording(tmp_path):
    from sagent import Agent
    from sagent.tools.io.frames import read_manifest

    room = tmp_path / "room"
    generate(room, RoomSpec(seed=4, frames=6, width=160, height=120, write_masks=True))
    agent = Agent(planner="rules", recording=tmp_path / "robot.rrd")
    for frame in read_manifest(room / "frames.json").frames:
        detections = [{"label": d.label, "box": list(d.box), "score": d.score} for d in frame.detections or []]
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=frame.time, image=frame.image,
                      depth=frame.depth, detections=detections)
    agent.ask("How many chairs are in this room?")
    agent.close()
    found = entities(tmp_path / "robot.rrd")
    assert {"/world/camera", "/world/camera/image", "/world/camera/depth", "/answers/0/question"} <= found, found
    assert any(e.startswith("/world/objects/chair") for e in found), found
