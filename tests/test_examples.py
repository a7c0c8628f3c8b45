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


def test_robot_stream_example_runs():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "robot_stream.py")], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "How many chairs are in this room? -> " in result.stdout
    assert "objects: {" in result.stdout
