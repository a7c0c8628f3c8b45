"""Questions as people ask them: every category, several phrasings that are no benchmark template,
answers checked against the geometry of a room written out below (every number is worked out here
from the boxes, not by sagent). And the kind of every answer fits its question on every planner."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagent.agent import PlanningError, ask
from sagent.agent.llm_planner import LLMPlanner
from sagent.agent.rules_planner import RulesPlanner
from sagent.errors import SagentError
from tests.fakes import ScriptedModel, step
from tests.scenes import make_scene

PLANNER = RulesPlanner()

# A bedroom-study, z up, floor at 0. Extents along x, y, z; every box axis-aligned.
HOME = make_scene([
    ("bed", (2.0, 1.0, 0.3), (2.0, 1.6, 0.6)),              # x 1.0-3.0, y 0.2-1.8, z 0-0.6
    ("nightstand", (3.4, 0.4, 0.275), (0.5, 0.4, 0.55)),    # x 3.15-3.65, y 0.2-0.6, z 0-0.55
    ("lamp", (3.4, 0.4, 0.8), (0.3, 0.3, 0.5)),             # on the nightstand: z 0.55-1.05
    ("lamp", (0.3, 3.7, 0.8), (0.35, 0.35, 1.6)),           # a floor lamp by the door: x 0.125-0.475, y 3.525-3.875
    ("table", (2.0, 3.5, 0.375), (1.6, 0.9, 0.75)),         # the large table: x 1.2-2.8, y 3.05-3.95
    ("table", (4.2, 2.5, 0.3), (0.6, 0.6, 0.6)),            # the small one: x 3.9-4.5, y 2.2-2.8
    ("plant", (2.0, 3.5, 0.95), (0.3, 0.3, 0.4)),           # on the large table: z 0.75-1.15
    ("door", (0.8, 4.5, 1.0), (0.9, 0.05, 2.0)),            # x 0.35-1.25, y 4.475-4.525
    ("tv", (4.95, 1.0, 1.4), (0.06, 1.1, 0.65)),            # on the wall: x 4.92-4.98, y 0.45-1.55, z 1.075-1.725
    ("chair", (1.5, 2.6, 0.45), (0.5, 0.5, 0.9)),           # x 1.25-1.75, y 2.35-2.85
    ("chair", (2.6, 2.6, 0.45), (0.5, 0.5, 0.9)),           # x 2.35-2.85, y 2.35-2.85
], floor_area=22.5)


def answer(question, options=None, scene=HOME):
    return ask(scene, question, PLANNER, options)


def value_in(result, unit):
    from sagent.memory.units import convert

    return convert(result.value, result.unit, unit)


YES_NO = [
    # existence, present and absent
    ("Is there a bed?", True), ("is there a piano in here?", False), ("Do you see any chairs?", True),
    ("Does the room have a fridge?", False), ("Could you tell me whether there's a plant in here?", True),
    ("Are there any sofas?", False),
    # existence in a relation: the lamp rests on the nightstand; the nearest chair is 1.625 m from the door
    ("Is there a lamp on the nightstand?", True), ("is there a chair near the door?", False),
    # support and vertical relations
    ("Is the plant on the table?", True), ("Is the lamp sitting on the nightstand?", True),
    ("Is the nightstand under the lamp?", True), ("Is the tv above the bed?", False),  # 1.92 m to the side
    ("Is the plant resting on the bed?", False),
    # next to / near: the nightstand is 0.15 m from the bed; the tv 1.92 m
    ("Is the nightstand next to the bed?", True), ("Is the tv close to the bed?", False),
    ("Are the two chairs near each other?", True),  # 0.6 m apart
    # between, in the floor plane
    ("Is the chair between the bed and the table?", True), ("Is the tv between the bed and the door?", False),
    # comparisons: volumes 1.92 (bed) vs 1.08 (large table); heights 2.0 (door) vs 0.6 (bed)
    ("Is the bed bigger than the larger table?", True), ("Is the bed taller than the door?", False),
    # the nightstand is 0.15 m from the bed and 1.83 m from the door (closest points): "to the X than to the Y"
    ("Is the nightstand closer to the bed than to the door?", True), ("Is the nightstand farther from the bed than from the door?", False),
    ("Is the door taller than the bed?", True),
    # with an amount from the question
    ("Is the door taller than 2.5 m?", False), ("Is the door more than 150 cm tall?", True),
    ("Are the bed and the nightstand less than half a metre apart?", True),
    ("Would an 80 cm wide dresser fit between the bed and the smaller table?", True),  # 0.985 m of floor between
    ("Is there room for a 1.2 m wide desk between the bed and the smaller table?", False),
    # from a viewpoint: on the bed facing the tv (+x), the door is on the left (+y); from the door facing
    # the bed, the small table is ahead (dot product 11.08 > 0)
    ("If I sit on the bed facing the tv, is the door on my left?", True),
    ("Standing at the door looking at the bed, is the smaller table in front of me?", True),
]

COUNTS = [
    ("How many lamps are there?", 2), ("how many pianos are in this room?", 0), ("Count the chairs, please.", 4 - 2),
    ("How many tables and chairs are there altogether?", 4),
    ("How many seats are there, counting the bed and the chairs?", 3),
    ("How many objects are in the room?", 11),
]

# (question, unit, value) with every value worked out from the boxes above.
LENGTHS = [
    ("How far is the bed from the door?", "m", 4.475 - 1.8),
    ("What's the distance between the door and the larger table?", "m", 4.475 - 3.95),
    ("What is the horizontal distance between the tv and the bed?", "m", 4.92 - 3.0),
    ("How far above the bed is the tv?", "m", 1.075 - 0.6),
    ("What is the vertical distance between the tv and the bed?", "m", 1.075 - 0.6),
    ("How high is the tv mounted?", "m", 1.075), ("How far off the floor is the bottom of the tv?", "m", 1.075),
    ("How high is the top of the door?", "m", 2.0),
    ("How tall is the door?", "cm", 200.0), ("How wide is the bed in meters?", "m", 1.6),
    ("How tall is the lamp on the nightstand?", "cm", 50.0), ("How tall is the lamp next to the door?", "cm", 160.0),
    ("How far is the larger table from the door?", "m", 4.475 - 3.95),
    ("How far is the smaller table from the bed, in centimetres?", "cm", 100 * math.hypot(3.9 - 3.0, 2.2 - 1.8)),
    ("How much taller is the door than the bed?", "cm", 140.0),
    ("By how much is the bed longer than the nightstand?", "cm", 150.0),
    ("How much shorter is the bed than the door?", "cm", 140.0),
]

AREAS_AND_VOLUMES = [
    ("How much floor space does the bed take up?", "m2", 3.2), ("What is the footprint of the bed?", "m2", 3.2),
    ("What's the volume of the nightstand in liters?", "l", 110.0), ("How big is the bed in square meters?", "m2", 3.2),
    ("What is the floor area of the room?", "m2", 22.5),
]

LABELS = [
    # superlatives over the scene: heights 2.0 door, 1.6 floor lamp; volumes 0.036 plant, 0.043 tv
    ("What is the tallest object in the room?", "door"), ("Which is the smallest thing here?", "plant"),
    ("What's the biggest thing in the room?", "bed"),
    # nearest / farthest over the scene: the large table is 0.525 m from the door, the floor lamp 0.6 m
    ("What is the closest object to the door?", "table"), ("Which object is farthest from the tv?", "door"),
    ("Which is taller, the door or the bed?", "door"), ("Which is bigger: the nightstand or the bed?", "bed"),
    ("Which is closer to the bed, the nightstand or the door?", "nightstand"),
]

LISTS = [
    ("What is on the nightstand?", ["lamp"]), ("What's on the larger table?", ["plant"]),
    ("What is next to the bed?", ["nightstand", "lamp"]),  # 0.15 and 0.25 m; the chairs are 0.55 m away
    ("what's under the tv?", []),
]


@pytest.mark.parametrize("question, expected", YES_NO)
def test_yes_no_questions(question, expected):
    result = answer(question)
    assert result.value is expected, result.program


@pytest.mark.parametrize("question, expected", COUNTS)
def test_counts(question, expected):
    result = answer(question)
    assert result.value == expected and result.unit is None, result.program


@pytest.mark.parametrize("question, unit, expected", LENGTHS + AREAS_AND_VOLUMES)
def test_measures(question, unit, expected):
    result = answer(question)
    assert value_in(result, unit) == pytest.approx(expected, abs=1e-6), result.program


@pytest.mark.parametrize("question, expected", LABELS)
def test_which_object(question, expected):
    assert answer(question).value == expected


@pytest.mark.parametrize("question, expected", LISTS)
def test_listing(question, expected):
    result = answer(question)
    assert sorted(result.value) == sorted(expected)
    assert result.text == (", ".join(result.value) or "nothing") + f" ({result.measured})"


@pytest.mark.parametrize("question, words", [
    ("Where is the lamp on the nightstand relative to the bed?", "0.25 m away; its bottom 0.55 m above the floor"),
    ("Where's the plant?", "on the table, 0.00 m away"),  # its nearest object, the table it stands on
    ("Where is the nightstand in relation to the bed?", "next to the bed, 0.15 m away; its bottom on the floor"),
])
def test_where_an_object_is(question, words):
    assert words in answer(question).text


@pytest.mark.parametrize("question, expected", [
    # on the bed (2, 1) facing the tv (+x): left is +y, the door (0.8, 4.5) and the tables; the nightstand
    # (3.4, 0.4) is ahead on the right
    ("Sitting on the bed facing the tv, what is on my right?", {"nightstand", "lamp"}),
    ("What's to the left of the tv when I'm sitting on the bed?", {"table", "chair"}),
    ("Standing at the door facing the bed, what is behind me?", set()),
])
def test_what_is_on_a_side_of_the_observer(question, expected):
    assert set(answer(question).value) == expected


def test_ratio_is_a_plain_number():
    result = answer("How many times longer is the bed than the nightstand?")
    assert result.value == pytest.approx(4.0) and result.unit is None


@pytest.mark.parametrize("question, words", [
    ("Is the bed bigger than the larger table?", "by volume"),
    ("How high is the tv mounted?", "bottom of the tv above the floor"),
    ("How high is the top of the door?", "top of the door above the floor"),
    ("What is the tallest object in the room?", "by height"),
    ("How far is the tv from the bed horizontally?", "horizontal distance"),
])
def test_answers_say_what_they_measured(question, words):
    result = answer(question)
    assert words in result.text and words in result.measured


def test_absent_objects_in_a_scene_built_from_sensors_were_not_seen(living_room):
    from sagent.memory.scene import Camera

    camera = Camera(K=((500, 0, 320), (0, 500, 240), (0, 0, 1)), cam_to_world=tuple(map(tuple, [[1, 0, 0, 0], [0, 1, 0, 0],
                                                                                                   [0, 0, 1, 0], [0, 0, 0, 1]])))
    scanned = type(living_room)(living_room.record.model_copy(update={"cameras": [camera] * 3}))
    assert ask(scanned, "Is there a piano?", PLANNER).text == "no (not seen in the 3 input views)"
    assert ask(scanned, "How many pianos are there?", PLANNER).text == "0 (not seen in the 3 input views)"
    assert ask(living_room, "Is there a piano?", PLANNER).text == "no"  # a layout is the whole room: plainly no


@pytest.mark.parametrize("question", [
    "How tall is the lamp?",  # two lamps: which one?
    "Where is the lamp relative to the bed?",
    "How tall is the piano?",  # absent: a measure of it is refused, not 0
    "Is the piano next to the bed?",
    "How many chairs are near the table?",  # counting in a relation: refused rather than all chairs counted
])
def test_what_cannot_be_told_is_refused(question):
    with pytest.raises(SagentError):
        answer(question)


def test_a_question_of_two_parts_is_refused():
    with pytest.raises(PlanningError, match="more than one thing"):
        answer("How tall is the door, and how wide is the bed?")


# --- the kind of the answer fits the question on every planner ---------------------------------

WRONG_PROGRAMS = {
    "yes_no": ['answer count(objects("chair"))', 'answer to(distance(objects("bed"), objects("door")), "m")',
               'answer nearest([objects("bed"), objects("door")], objects("tv"))', 'answer to(room_area(), "m2")'],
    "length": ['answer exists("bed")', 'answer largest([objects("bed"), objects("door")])',
               'answer count(objects("chair"))', 'answer related_to("near", objects("bed"))'],
    "label": ['answer exists("bed")', 'answer count(objects("chair"))', 'answer to(size(objects("bed")), "cm")'],
}
QUESTIONS_BY_KIND = {
    "yes_no": [q for q, _ in YES_NO],
    "length": [q for q, _, _ in LENGTHS],
    "label": [q for q, _ in LABELS],
}


@pytest.mark.parametrize("question, expected", YES_NO + LABELS + COUNTS)
def test_rules_answers_are_of_the_asked_kind(question, expected):
    result = answer(question)
    assert type(result.value) is type(expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(QUESTIONS_BY_KIND)), st.data())
def test_a_model_answering_the_wrong_kind_is_never_the_answer(kind, data):
    question = data.draw(st.sampled_from(QUESTIONS_BY_KIND[kind]))
    wrong = data.draw(st.lists(st.sampled_from(WRONG_PROGRAMS[kind]), min_size=3, max_size=3))
    planner = LLMPlanner(ScriptedModel([step(p) for p in wrong]), max_repairs=2)
    with pytest.raises(SagentError):
        result = ask(HOME, question, planner)
        pytest.fail(f"{question!r} answered {result.value!r} with {result.program!r}")


WRONG_FRAMES = {
    "yes_no": ['{"task": "count", "objects": ["chair"]}', '{"task": "measure", "measure": "distance", "objects": '
               '["bed", "door"], "unit": "m"}', '{"task": "list_objects"}'],
    "length": ['{"task": "exists", "objects": ["bed"], "relation": null, "target": null}',
               '{"task": "count", "objects": ["chair"]}', '{"task": "list_related", "relation": "near", "objects": ["bed"]}'],
    "label": ['{"task": "count", "objects": ["chair"]}', '{"task": "measure", "measure": "height", "objects": ["door"], '
              '"unit": "cm"}'],
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(QUESTIONS_BY_KIND)), st.data())
def test_a_model_filling_frames_of_the_wrong_kind_is_never_the_answer(kind, data):
    question = data.draw(st.sampled_from(QUESTIONS_BY_KIND[kind]))
    wrong = data.draw(st.lists(st.sampled_from(WRONG_FRAMES[kind]), min_size=2, max_size=2))
    planner = LLMPlanner(ScriptedModel(wrong), max_repairs=1, form="frame")
    with pytest.raises(SagentError):
        result = ask(HOME, question, planner)
        pytest.fail(f"{question!r} answered {result.value!r} with {result.program!r}")


def test_a_wrong_kind_then_the_right_one_answers():
    planner = LLMPlanner(ScriptedModel([step('answer count(objects("chair"))'),
                                        step('answer related(objects("plant"), "on", objects("table"))')]))
    result = ask(HOME, "Is the plant on the table?", planner)
    assert result.value is True and result.attempts == 2


# --- the everyday sets in benchmarks/everyday: right, or refused, never wrong ---------------------

@pytest.mark.parametrize("name", ["questions", "heldout"])
def test_the_everyday_sets_are_answered_and_never_wrongly(name):
    import sys

    from tests.conftest import ROOT, SHARED

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_everyday

    items = bench_everyday.read_questions(ROOT / "benchmarks" / "everyday" / f"{name}.jsonl")
    if not SHARED.exists():  # the real layouts live in ../shared; the generated rooms and the example room do not
        items = [item for item in items if not item["scene_file"].startswith("../shared")]
    outcomes = bench_everyday.run(items, PLANNER)
    wrong = [(o.question, o.expected, o.got, o.program) for o in outcomes if o.status == "wrong"]
    correct = sum(o.status == "correct" for o in outcomes)
    assert not wrong
    assert correct >= 0.95 * len(outcomes)


# --- as the camera sees it (one photo: "the camera" is its view) -------------------------------

def _photo_of_home():
    from sagent.memory.scene import Camera
    from sagent.tools.geometry.camera import look_at

    pose = look_at((2.5, -1.0, 1.5), (2.5, 3.0, 1.0))  # south of the room, looking north (+y)
    camera = Camera(K=((500, 0, 320), (0, 500, 240), (0, 0, 1)), cam_to_world=tuple(map(tuple, pose.tolist())),
                    width=640, height=480)
    return type(HOME)(HOME.record.model_copy(update={"cameras": [camera]}))


@pytest.mark.parametrize("question, expected", [
    # from (2.5, -1) the tv's nearest point is 2.8 m away, the door's 5.6 m; the tv (x 4.95) is right of the bed (x 2)
    ("Which is closer to the camera, the tv or the door?", "tv"),
    ("Which is farther from the camera: the tv or the door?", "door"),
    ("Is the bed closer to the camera than the door?", True),
    ("Is the tv to the right of the bed?", True),
    ("Is the tv on the left of the bed?", False),
    ("Is the door in front of the bed?", False),  # farther from the camera: behind it
    ("Is the door behind the bed?", True),
])
def test_relations_as_the_camera_sees_them(question, expected):
    assert ask(_photo_of_home(), question, PLANNER).value == expected


def test_left_of_with_several_views_asks_which():
    scene = _photo_of_home()
    two = type(scene)(scene.record.model_copy(update={"cameras": scene.cameras * 2}))
    with pytest.raises(PlanningError, match="name the view"):
        ask(two, "Is the tv to the right of the bed?", PLANNER)
    assert ask(two, "In view 1, is the tv to the right of the bed?", PLANNER).value is True
