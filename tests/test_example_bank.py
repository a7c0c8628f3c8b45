"""The bank of few-shot examples: every pair is checked and run, every VSI-Bench task is covered, and
retrieval shows the examples of the question's task (for phrasings the bank does not hold)."""

import pytest

from sagent.agent.understanding.kinds import kind_problem
from sagent.agent.example_bank import _read, bank, nearest_examples
from sagent.agent.options import parse_options
from sagent.dsl import ExecContext, check, execute, parse
from tests.bank_scene import bank_scene
from tests.scenes import make_scene

VSI_TASKS = {"object_counting", "object_abs_distance", "object_size_estimation", "room_size_estimation",
             "object_rel_distance", "object_rel_direction_easy", "object_rel_direction_medium",
             "object_rel_direction_hard", "obj_appearance_order", "route_planning"}
LAYOUT = make_scene([("sofa", (2.5, 0.5, 0.42), (2.1, 0.9, 0.84)), ("tv", (2.5, 3.5, 1.0), (1.2, 0.1, 0.7)),
                     ("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9)), ("door", (4.9, 3.2, 1.0), (0.9, 0.05, 2.0))])


def test_every_bank_program_parses_checks_runs_and_fits_its_question():
    scene = bank_scene()
    for example in bank():
        program = parse(example.program)
        answer = check(program, scene)
        execute(program, ExecContext(scene))  # no runtime error (one instance where one is needed, ...)
        assert kind_problem(answer.type, example.question, parse_options(list(example.options)), scene.labels()) is None, example


def test_the_bank_covers_every_vsi_bench_task():
    tasks = {e.task for e in bank()}
    assert VSI_TASKS <= tasks
    assert 30 <= len(bank()) <= 70
    assert len({e.question for e in bank()}) == len(bank())


@pytest.mark.parametrize("question, task", [
    ("What number of chairs does this room contain?", "object_counting"),
    ("What is the distance between the tv and the door?", "object_abs_distance"),
    ("What's the longest side of the sofa in cm?", "object_size_estimation"),
    ("How many square meters is the floor of this room?", "room_size_estimation"),
    ("Measuring from the closest point of each object, which of these objects (chair, tv) is the closest to the door?",
     "object_rel_distance"),
    ("If I am standing by the sofa and facing the tv, is the door to the left or the right of me?", "object_rel_direction_easy"),
    ("Standing at the sofa facing the tv, is the door to my front-left, front-right, back-left or back-right?",
     "object_rel_direction_hard"),
    ("You are a robot beginning at the sofa facing the tv. You want to navigate to the door. 1. Go forward until the tv "
     "2. [please fill in] 3. Go forward until the door.", "route_planning"),
])
def test_retrieval_puts_the_questions_task_first(question, task):
    shown = nearest_examples(question, LAYOUT)
    assert shown[0].task == task, [e.question for e in shown]
    assert 1 <= len(shown) <= 4


def test_examples_need_ops_the_scene_serves():
    question = "What will be the first-time appearance order of the following categories in the video: tv, sofa, door?"
    assert nearest_examples(question, bank_scene())[0].task == "obj_appearance_order"
    on_layout = nearest_examples(question, LAYOUT, shots=40)
    assert on_layout and all(not ({"appearance_order", "first_seen", "view", "path_length"} & e.ops) for e in on_layout)


def test_a_broken_bank_line_is_named(tmp_path):
    path = tmp_path / "examples.jsonl"
    path.write_text('{"question": "q", "program": "answer 1"}\n{"question": "no program"}\n')
    with pytest.raises(ValueError, match="examples.jsonl line 2: not a question/program pair"):
        _read(path)
