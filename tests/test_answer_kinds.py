"""The answer's kind must fit the question: mismatches go back for repair with a message for the model;
questions whose kind cannot be told, and answers of unknown static type, are never refused."""

import pytest

from sagent.agent import ask
from sagent.agent.understanding.kinds import expected_answer, kind_problem
from sagent.agent.llm_planner import LLMPlanner
from sagent.agent.options import parse_options
from sagent.dsl import check, parse
from sagent.dsl.types import Angle, Area, Bool, Count, Direction, Duration, Length, Number, Objects, Quantity, Text, Turns, Value
from tests.fakes import ScriptedModel, step
from tests.scenes import make_scene

SCENE = make_scene([("sofa", (2.5, 0.5, 0.42), (2.1, 0.9, 0.84)), ("tv", (2.5, 3.5, 1.0), (1.2, 0.1, 0.7)),
                    ("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9)), ("chair", (4.1, 1.9, 0.45), (0.55, 0.55, 0.9)),
                    ("lamp", (0.35, 0.4, 0.8), (0.4, 0.4, 1.6)), ("door", (4.9, 3.2, 1.0), (0.9, 0.05, 2.0))],
                   floor_area=20.0)
LABELS = SCENE.labels()


def problem(answer_type, question, options=()):
    return kind_problem(answer_type, question, parse_options(list(options)), LABELS)


@pytest.mark.parametrize("answer_type, question, options, words", [
    (Area, "How many chairs are in this room?", (), "a count (how many); your program answers an Area"),
    (Count, "How far is the sofa from the tv?", (), "a length"),
    (Count, "What is the distance between the lamp and the door, in centimeters?", (), "a length (in cm)"),
    (Objects, "How tall is the lamp?", (), "a length"),
    (Length, "What is the size of this room in square feet?", (), "an area (in ft2)"),
    (Count, "What is the floor area of the apartment?", (), "an area"),
    (Length, "What is the area of the room?", (), "an area"),
    (Count, "Which is closest to the sofa?", ("A. lamp", "B. door", "C. tv"), "one of the objects the options name"),
    (Length, "Is the lamp to my left or right?", ("A. left", "B. right"), "a direction or turn"),
    (Objects, "Is the lamp to my left or my right, standing at the sofa facing the tv?", (), "a direction"),
    (Objects, "How far apart are they?", ("A. 1.2 m", "B. 2.5 m", "C. 4 m"), "a length (the options are measurements)"),
    (Direction, "Which appears first?", ("A. 3", "B. 5"), "a number"),
    (Length, "How many chairs are there?", ("A. 3", "B. 5"), "a count (how many)"),
    (Objects, "Is view 3 or view 5 to the left or the right?", ("A. 3", "B. 5"), "a number (the options are numbers)"),
])
def test_mismatches_are_named(answer_type, question, options, words):
    message = problem(answer_type, question, options)
    assert message is not None and words in message


@pytest.mark.parametrize("answer_type, question, options", [
    (Count, "How many chairs are in this room?", ()),
    (Length, "How many meters is the sofa from the tv?", ()),  # a unit wins over "how many"
    (Area, "How many square feet is this room?", ()),
    (Area, "What is the total floor area?", ()),
    (Quantity, "How far is the sofa from the tv?", ()),  # a quantity of statically unknown dimension
    (Angle, "How far did the camera turn between view 0 and view 2?", ()),
    (Objects, "Which is closest to the sofa?", ("A. lamp", "B. door", "C. tv")),
    (list[Objects], "Which appears first?", ("A. lamp", "B. door")),
    (list[Objects], "What is the appearance order?", ("A. lamp, door, tv", "B. tv, lamp, door")),
    (Text, "Which is closest to the sofa?", ("A. lamp", "B. couch")),  # a synonym of a label
    (Turns, "Which turn?", ("A. Turn Left", "B. Turn Right", "C. Turn Back")),
    (Direction, "Which turn?", ("A. Turn Left", "B. Turn Right", "C. Turn Back")),
    (Duration, "When does the tv first appear?", ()),
    (Value, "How many chairs are there?", ()),  # statically unknown: never refused
])
def test_fitting_answers_pass(answer_type, question, options):
    assert problem(answer_type, question, options) is None


@pytest.mark.parametrize("question", [
    "Tell me about the sofa.", "How long did the walk take?", "Quelle est la distance?",
    "How far is the nearest chair, as a number of meters?",  # cues of two kinds: not guessed
    "Which chair is nearest the dining area?",  # "area": a place
])
def test_questions_it_cannot_read_expect_nothing(question):
    assert expected_answer(question, labels=LABELS) is None
    for answer_type in (Count, Area, Objects, Direction, Text):
        assert problem(answer_type, question) is None


@pytest.mark.parametrize("question, fits, misfits", [
    ("What is next to the tv?", list[Objects], (Count, Objects, Bool, Length)),
    ("Is the lamp bigger than the sofa?", Bool, (Count, Objects, Length, Direction)),
    ("Is there a lamp in the reading area?", Bool, (Count, Area, Objects)),
    ("Is there a piano?", Bool, (Count, Area, Objects)),
    ("Which is taller, the sofa or the lamp?", Objects, (Direction, Bool, Length)),
    ("How much longer is the sofa than the tv?", Length, (Bool, Objects, Count)),
    ("What is the tallest object?", Objects, (Count, Length, Bool)),
    ("How many times longer is the sofa than the lamp?", Number, (Bool, Objects, Length)),
    ("How high is the tv mounted?", Length, (Objects, Count, Bool)),
])
def test_the_task_frame_says_what_fits(question, fits, misfits):
    # The everyday questions an LLM answered with the wrong kind: read by the rules reader, refused here.
    assert problem(fits, question) is None
    for answer_type in misfits:
        assert problem(answer_type, question) is not None, answer_type


@pytest.mark.parametrize("answer_type, question", [
    (Number, "How many chairs are there?"),  # a ratio is no count
    (Number, "How much taller is the lamp than the sofa?"),  # nor a length
    (Number, "How far is the sofa from the tv?"),
])
def test_a_plain_number_answers_no_count_and_no_measure(answer_type, question):
    assert problem(answer_type, question) is not None


def test_static_types_come_from_the_checker():
    answer = check(parse('answer to(room_area(), "m2")'), SCENE)
    assert answer.type is Area and problem(answer.type, "How many chairs are there?")
    assert check(parse('answer count(objects("chair"))'), SCENE).type is Count


def test_a_count_question_answered_with_an_area_goes_back_for_repair():
    model = ScriptedModel([step('answer room_area()'), step('answer count(objects("chair"))')])
    answer = ask(SCENE, "How many chairs are in this room?", LLMPlanner(model))
    assert answer.value == 2 and answer.attempts == 2
    repair = model.calls[1][-1]["content"]
    assert "the question asks for a count (how many); your program answers an Area" in repair
    assert "count(objects(...))" in repair and "answer room_area()" in repair  # the offending line, with a caret
    assert "^" in repair


def test_label_options_answered_with_a_number_go_back_for_repair():
    model = ScriptedModel([step('answer distance(objects("lamp"), objects("sofa"))'),
                           step('answer nearest([objects("lamp"), objects("door")], objects("sofa"))')])
    answer = ask(SCENE, "Which is closer to the sofa?", LLMPlanner(model), options=["A. lamp", "B. door"])
    assert answer.choice == "A" and answer.attempts == 2
    assert "one of the objects the options name" in model.calls[1][-1]["content"]


def test_an_exploring_step_is_not_held_to_the_questions_kind():
    model = ScriptedModel([step('answer room_area()', final=False), step('answer count(objects("chair"))')])
    answer = ask(SCENE, "How many chairs are in this room?", LLMPlanner(model))
    assert answer.value == 2 and answer.attempts == 2
    assert "Result: 20 m2" in model.calls[1][-1]["content"]
