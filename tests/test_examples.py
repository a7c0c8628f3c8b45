import json
import subprocess
import sys

from tests.conftest import EXAMPLE_LAYOUT, ROOT


def test_example_layout_is_what_its_script_writes(tmp_path):
    script = ROOT / "examples" / "living_room" / "make_layout.py"
    copy = tmp_path / "make_layout.py"
    copy.write_text(script.read_text())
    subprocess.run([sys.executable, str(copy)], check=True, capture_output=True)
    assert json.loads((tmp_path / "layout.json").read_text()) == json.loads(EXAMPLE_LAYOUT.read_text())


def test_every_demo_question_is_answered(living_room):
    from sagent.agent import RulesPlanner, ask

    questions = (ROOT / "examples" / "living_room" / "questions.txt").read_text().splitlines()
    assert len(questions) >= 8
    for question in questions:
        assert ask(living_room, question, RulesPlanner()).text
