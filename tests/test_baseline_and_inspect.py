import json

import pytest

from sagent.agent.baseline import VlmBaseline, read_prediction
from sagent.agent.evaluate import LayoutScenes, predict_baseline, table_of
from sagent.agent.options import parse_options
from sagent.cli import main
from tests.conftest import EXAMPLE_LAYOUT
from tests.fakes import ScriptedModel

SCENE = f"{EXAMPLE_LAYOUT}:living_room"


def test_read_prediction():
    options = parse_options(["A. left", "B. right"])
    assert read_prediction("B", options) == "B"
    assert read_prediction("The answer is A.", options) == "A"
    assert read_prediction("C", options) is None
    assert read_prediction("About 3.5 meters", []) == 3.5
    assert read_prediction("1,200 cm", []) == 1200
    assert read_prediction("no idea", []) is None


def test_baseline_eval_scores_the_model_alone():
    questions = [
        {"id": "1", "scene_name": "living_room", "question_type": "object_counting",
         "question": "How many chairs are in this room?", "options": None, "ground_truth": 2},
        {"id": "2", "scene_name": "living_room", "question_type": "object_rel_distance",
         "question": "Which is closest to the sofa?", "options": ["A. door", "B. lamp"], "ground_truth": "B"},
    ]
    model = ScriptedModel(["3", "A"])
    predictions = list(predict_baseline(questions, LayoutScenes([EXAMPLE_LAYOUT]), VlmBaseline(model)))
    assert [p.prediction for p in predictions] == [3.0, "A"]
    assert table_of(predictions).tasks["object_rel_distance"] == 0
    prompt = model.calls[0][0]["content"]
    assert "no pictures" in prompt and "single number" in prompt and "sofa" not in prompt


def test_inspect_writes_a_birds_eye_view(tmp_path, capsys):
    out = tmp_path / "bev.png"
    assert main(["inspect", SCENE, "--bev", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["objects"]["chair"] == 2 and payload["room_floor_area_m2"] == pytest.approx(20.0)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_llm_planner_without_a_model_says_what_to_pass(capsys):
    assert main(["ask", "--planner", "llm", "--layout", SCENE, "How many chairs?"]) == 1
    assert "no model configured: pass --model" in capsys.readouterr().err
