import json

from sagent.agent import RulesPlanner, ask
from sagent.agent.agent_memory import AgentMemory, StepRecord
from sagent.cli import main
from tests.conftest import EXAMPLE_LAYOUT

SCENE = f"{EXAMPLE_LAYOUT}:living_room"


def test_session_steps_persist_as_jsonl(tmp_path, living_room):
    path = tmp_path / "session.jsonl"
    memory = AgentMemory(path)
    ask(living_room, "How many chairs are in this room?", RulesPlanner(), memory=memory)
    ask(living_room, "Which is closer to the sofa, the lamp or the door?", RulesPlanner(), memory=memory)
    reopened = AgentMemory(path)
    assert [r.question for r in reopened.records] == ["How many chairs are in this room?",
                                                      "Which is closer to the sofa, the lamp or the door?"]
    first = reopened.records[0]
    assert first.answer.program == 'answer count(objects("chair"))' and first.answer.value == 2
    assert first.planner == "rules" and [step["op"] for step in first.answer.trace] == ["objects", "count"]
    assert first.attempts[0].errors == [] and first.seconds > 0
    assert reopened.history()[1] == ("'Which is closer to the sofa, the lamp or the door?' -> lamp "
                                     "[objects: lamp_0, door_0, sofa_0]")


def test_failed_questions_are_recorded_with_their_error(tmp_path, living_room):
    memory = AgentMemory(tmp_path / "s.jsonl")
    try:
        ask(living_room, "How tall is the piano?", RulesPlanner(), memory=memory)
    except Exception:
        pass
    (record,) = AgentMemory(tmp_path / "s.jsonl").records
    assert record.error.startswith(("DslError", "UnknownObject")) and "unknown label 'piano'" in record.error


def test_a_torn_last_line_loses_only_that_record(tmp_path):
    path = tmp_path / "s.jsonl"
    good = StepRecord(question="q", scene="s", planner="rules", text="1")
    path.write_text(good.model_dump_json() + "\n" + '{"question": "tor')
    memory = AgentMemory(path)
    assert [r.question for r in memory.records] == ["q"]
    memory.add(StepRecord(question="q2", scene="s", planner="rules"))
    assert [r.question for r in AgentMemory(path).records] == ["q", "q2"]


def test_cli_session(tmp_path, capsys):
    session = tmp_path / "robot.jsonl"
    assert main(["ask", "--layout", SCENE, "--session", str(session), "How many chairs are there?"]) == 0
    assert main(["ask", "--layout", SCENE, "--session", str(session), "How tall is the lamp?"]) == 0
    lines = [json.loads(line) for line in session.read_text().splitlines()]
    assert [line["answer"]["value"] for line in lines] == [2, 160.0]
    assert all(line["attempts"][0]["kind"] == "final" for line in lines)


def test_a_session_written_before_the_answer_was_nested_still_reads(tmp_path):
    """Earlier sessions kept the answer's fields on the record, and attempts without replies."""
    path = tmp_path / "old.jsonl"
    old = {"question": "How many chairs?", "options": [], "scene": "living_room", "planner": "rules", "model": None,
           "program": 'answer count(objects("chair"))', "value": 2, "unit": None, "text": "2", "choice": None,
           "objects": ["chair_0", "chair_1"], "trace": [], "error": None, "prompt_tokens": 0, "completion_tokens": 0,
           "seconds": 0.01, "created": "2026-11-30T10:00:00+00:00",
           "attempts": [{"program": 'answer count(objects("chair"))', "errors": [], "result": None, "kind": "final",
                         "seconds": 0.0, "prompt_tokens": 0, "completion_tokens": 0}]}
    failed = {"question": "How tall is the piano?", "scene": "living_room", "planner": "rules",
              "error": "UnknownObject: unknown label 'piano'",
              "attempts": [{"program": "answer height(objects(\"piano\"))",
                            "errors": [{"kind": "name", "message": "unknown label 'piano'", "line": 1, "column": 22}]}]}
    path.write_text(json.dumps(old) + "\n" + json.dumps(failed) + "\n")
    first, second = AgentMemory(path).records
    assert first.answer.value == 2 and first.answer.objects == ["chair_0", "chair_1"] and first.answer.text == "2"
    assert second.answer is None and second.attempts[0].errors[0].message == "unknown label 'piano'"
    assert AgentMemory(path).history() == ["'How many chairs?' -> 2 [objects: chair_0, chair_1]",
                                           "'How tall is the piano?' -> no answer (UnknownObject: unknown label 'piano')"]
