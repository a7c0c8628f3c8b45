import json
import subprocess
import sys

import pytest

from sagent.cli import main
from tests.conftest import EXAMPLE_LAYOUT

SCENE = f"{EXAMPLE_LAYOUT}:living_room"


def test_ask_prints_the_answer(capsys):
    assert main(["ask", "--layout", SCENE, "Which is closer to the sofa, the lamp or the door?"]) == 0
    assert capsys.readouterr().out.strip() == "lamp"


def test_ask_json_has_answer_unit_program_and_trace(capsys):
    assert main(["ask", "--layout", SCENE, "--json", "How far apart are the tv and the sofa, in centimeters?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["unit"] == "cm" and payload["value"] == pytest.approx(286, abs=1)
    assert 'distance(objects("tv"), objects("sofa"))' in payload["program"]
    assert [s["op"] for s in payload["trace"]] == ["objects", "objects", "distance", "to"]
    assert payload["planner"] == "rules" and payload["objects"] == ["tv_0", "sofa_0"]


def test_ask_takes_the_layout_as_input_and_options(capsys):
    assert main(["ask", SCENE, "Which is closer to the sofa?", "--option", "A. door", "--option", "B. lamp"]) == 0
    assert capsys.readouterr().out.strip() == "B. lamp"


@pytest.mark.parametrize("argv, words", [
    (["ask", "--layout", "missing.json:x", "How many chairs?"], "input not found: missing.json"),
    (["ask", "--layout", f"{EXAMPLE_LAYOUT}:kitchen", "How many chairs?"], "scene 'kitchen' is not in"),
    (["ask", "--layout", SCENE, "How tall is the piano?"], "unknown label 'piano'"),
    (["ask", "--layout", SCENE, "What colour is the sky?"], "could not tell what is asked"),
    (["ask", "video.mp4", "How many chairs?"], "input not found: video.mp4"),
    (["eval", "nope.jsonl", "--layouts", str(EXAMPLE_LAYOUT)], "question file not found"),
])
def test_bad_input_is_one_clear_message_and_non_zero_exit(capsys, argv, words):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_dsl_check_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.sdsl"
    good.write_text('answer count(objects("chair"))\n')
    bad = tmp_path / "bad.sdsl"
    bad.write_text('x = distance(objects("chair")\nanswer x\n')
    assert main(["dsl", "check", str(good), "--layout", SCENE]) == 0
    assert main(["dsl", "check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "line 2, column 1: syntax error" in out and "^" in out
    mislabelled = tmp_path / "label.sdsl"
    mislabelled.write_text('answer count(objects("couch"))\n')
    assert main(["dsl", "check", str(mislabelled), "--layout", SCENE]) == 2
    assert "closest match: 'sofa'" in capsys.readouterr().out


def test_dsl_run_and_reference(tmp_path, capsys):
    program = tmp_path / "p.sdsl"
    program.write_text('answer count(objects("chair"))\n')
    assert main(["dsl", "run", str(program), "--layout", SCENE]) == 0
    assert capsys.readouterr().out.strip() == "2"
    assert main(["dsl", "reference"]) == 0
    assert "distance(a: Objects, b: Objects) -> Length" in capsys.readouterr().out


def test_eval_writes_predictions_and_table(tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "1", "scene_name": "living_room", "question_type": "object_counting",
         "question": "How many chairs are in this room?", "options": None, "ground_truth": 2},
        {"id": "2", "scene_name": "living_room", "question_type": "object_rel_distance",
         "question": "Which of these is closest to the sofa?", "options": ["A. door", "B. lamp"], "ground_truth": "B"},
        {"id": "3", "scene_name": "living_room", "question_type": "object_counting",
         "question": "How tall is the piano?", "options": None, "ground_truth": 1},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "pred.jsonl"
    assert main(["eval", str(questions), "--layouts", str(EXAMPLE_LAYOUT), "--out", str(out)]) == 0
    header, *predictions = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["header"]["sagent"] and header["header"]["planner"]["name"] == "rules"
    assert [p["prediction"] for p in predictions] == [2, "B", None]
    assert "unknown label 'piano'" in predictions[2]["error"]
    table = capsys.readouterr().out
    assert "object_counting" in table and "50.0" in table and "1 could not be answered" in table


def test_console_script_entry_point():
    result = subprocess.run([sys.executable, "-m", "sagent", "ask", "--layout", SCENE, "How many chairs are there?"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "2"
