"""Op semantics on synthetic scenes whose answers follow from how they were built."""

import math

import pytest

from sagent.dsl import DslError, ExecContext, OpError, check, parse, run_program
from sagent.dsl.ops.compare import nearest
from sagent.dsl.ops.direction import viewpoint
from sagent.dsl.ops.measure import distance, size
from sagent.dsl.ops.objects import objects
from sagent.dsl.ops.timeline import appearance_order, first_seen
from sagent.dsl.types import Bool, Count, Direction, Length, Objects, Turns
from tests.scenes import compass_scene, make_scene


def run(source: str, scene):
    return run_program(source, ExecContext(scene)).value


@pytest.fixture(scope="module")
def compass():
    return compass_scene()


VIEW = 'v = viewpoint(objects("marker"), objects("tv"))\n'


@pytest.mark.parametrize("target, easy, medium, hard", [
    ("lamp", "left", "left", "front-left"),
    ("plant", "left", "back", "back-left"),
    ("fan", "right", "right", "front-right"),
    ("box", "right", "back", "back-right"),
    ("door", "right", "right", "front-right"),
])
def test_direction_schemes(compass, target, easy, medium, hard):
    for scheme, expected in [("left_right", easy), ("left_right_back", medium), ("quadrant", hard)]:
        value = run(VIEW + f'answer direction(v, objects("{target}"), scheme="{scheme}")', compass)
        assert value == Direction(expected), (target, scheme)


def test_bearing_in_degrees(compass):
    assert run(VIEW + 'answer bearing(v, objects("lamp"))', compass).value == pytest.approx(45)
    assert run(VIEW + 'answer bearing(v, objects("box"))', compass).value == pytest.approx(-140)


def test_back_threshold_is_135_degrees():
    def scene_with_target_at(angle):
        a = math.radians(90 + angle)
        return make_scene([("marker", (0, 0, 0.5), (0.1, 0.1, 1)), ("tv", (0, 3, 0.5), (0.1, 0.1, 1)),
                           ("cup", (2 * math.cos(a), 2 * math.sin(a), 0.5), (0.1, 0.1, 0.1))])
    program = VIEW + 'answer direction(v, objects("cup"), scheme="left_right_back")'
    assert run(program, scene_with_target_at(134)) == Direction("left")
    assert run(program, scene_with_target_at(136)) == Direction("back")
    assert run(program, scene_with_target_at(-136)) == Direction("back")


def test_route_turns():
    # A square walk: start at a, face b (north), then east to c, then back west past a to d.
    scene = make_scene([("a", (0, 0, 0.5), (0.2, 0.2, 1)), ("b", (0, 4, 0.5), (0.2, 0.2, 1)),
                        ("c", (4, 4, 0.5), (0.2, 0.2, 1)), ("d", (-4, 3.5, 0.5), (0.2, 0.2, 1)),
                        ("e", (-4, 8, 0.5), (0.2, 0.2, 1))])
    turns = run('answer route(objects("a"), objects("b"), [objects("b"), objects("c"), objects("d"), objects("e")])', scene)
    assert turns == Turns(("forward", "right", "back", "right"))


def test_distance_uses_closest_points_not_centres():
    scene = make_scene([("sofa", (0, 0, 0.4), (2.0, 1.0, 0.8)), ("lamp", (2.0, 0, 0.4), (0.4, 0.4, 0.8))])
    assert run('answer distance(objects("sofa"), objects("lamp"))', scene).value == pytest.approx(0.8)
    assert run('answer to(distance(objects("sofa"), objects("lamp")), "cm")', scene) == Length(pytest.approx(80.0), "cm")


def test_nearest_farthest_largest_smallest():
    scene = make_scene([("sofa", (0, 0, 0.4), (2, 1, 0.8)), ("lamp", (1.5, 0, 0.8), (0.3, 0.3, 1.6)),
                        ("door", (5, 0, 1), (0.9, 0.05, 2.0)), ("cup", (0, 2, 0.1), (0.1, 0.1, 0.1))])
    candidates = '[objects("lamp"), objects("door"), objects("cup")]'
    assert run(f'answer nearest({candidates}, objects("sofa"))', scene).label == "lamp"
    assert run(f'answer farthest({candidates}, objects("sofa"))', scene).label == "door"
    assert run(f'answer largest({candidates}, dimension="height")', scene).label == "door"
    assert run(f'answer smallest({candidates})', scene).label == "cup"


def test_size_dimensions_of_a_yawed_box():
    scene = make_scene([("bed", (0, 0, 0.3), (2.0, 1.6, 0.6), 37)])
    sizes = {d: run(f'answer size(objects("bed"), dimension="{d}")', scene).value
             for d in ("longest", "height", "length", "width")}
    assert sizes == pytest.approx({"longest": 2.0, "height": 0.6, "length": 2.0, "width": 1.6})


def test_count_room_area_compare_equals():
    scene = make_scene([("chair", (0, 0, 0), (1, 1, 1)), ("chair", (3, 0, 0), (1, 1, 1))], floor_area=18.5)
    assert run('answer count(objects("chair"))', scene) == Count(2)
    assert run('answer to(room_area(), "ft2")', scene).value == pytest.approx(18.5 / 0.3048**2)


def test_comparisons_and_equality():
    scene = make_scene([("table", (0, 0, 0.4), (1.2, 0.8, 0.8))])
    assert run('answer compare(1.2m, "==", 120cm)', scene) == Bool(True)
    assert run('answer compare(2m, "<", 150cm)', scene) == Bool(False)
    assert run('answer equals(objects("table"), "table")', scene) == Bool(True)
    with pytest.raises(DslError, match="cannot compare a quantity"):
        run('answer equals(2m, "table")', scene)


def test_ops_that_need_one_instance_say_so():
    scene = make_scene([("chair", (0, 0, 0), (1, 1, 1)), ("chair", (3, 0, 0), (1, 1, 1)), ("tv", (0, 3, 0), (1, 1, 1))])
    with pytest.raises(DslError) as info:
        run('answer size(objects("chair"))', scene)
    (d,) = info.value.diagnostics
    assert d.kind == "runtime" and "needs one chair but the scene has 2 (chair_0, chair_1)" in d.message
    # distance between groups uses the closest pair
    assert run('answer distance(objects("chair"), objects("tv"))', scene).value == pytest.approx(2.0)


def test_appearance_order_uses_first_seen_times():
    scene = make_scene([("tv", (0, 0, 0), (1, 1, 1), 0, 4.0), ("sofa", (3, 0, 0), (1, 1, 1), 0, 1.5),
                        ("lamp", (0, 3, 0), (1, 1, 1), 0, 9.0)])
    order = run('answer appearance_order([objects("tv"), objects("sofa"), objects("lamp")])', scene)
    assert [o.label for o in order] == ["sofa", "tv", "lamp"]
    assert run('answer first_seen(objects("lamp"))', scene).value == 9.0


def test_trace_records_every_op_with_inputs_and_output():
    scene = make_scene([("sofa", (0, 0, 0.4), (2.0, 1.0, 0.8)), ("lamp", (2.0, 0, 0.4), (0.4, 0.4, 0.8))])
    execution = run_program('d = distance(objects("sofa"), objects("lamp"))\nanswer to(d, "cm")', ExecContext(scene))
    assert [step.op for step in execution.trace] == ["objects", "objects", "distance", "to"]
    assert execution.trace[2].line == 1 and execution.trace[3].line == 2
    assert execution.trace[3].inputs == {"quantity": "0.8 m", "unit": "cm"}
    assert execution.trace[3].output == "80 cm"
    assert all(step.seconds >= 0 for step in execution.trace)
    assert execution.objects_used == ["sofa_0", "lamp_0"]
    assert isinstance(execution.value, Length) and not isinstance(execution.value, Objects)


# --- choices refuse instead of answering a question with a candidate missing -------------------

CHOICE_ROOM = [("sofa", (0, 0, 0.4), (2.0, 1.0, 0.8)), ("lamp", (2.0, 0, 0.4), (0.4, 0.4, 0.8)),
               ("door", (5.0, 0, 1.0), (0.9, 0.1, 2.0))]


@pytest.mark.parametrize("source, message", [
    ('answer nearest([objects("door")], objects("sofa"))', "two or more different candidates; got door"),
    ('answer farthest([objects("door"), objects("door")], objects("sofa"))', "two or more different candidates; got door, door"),
    ('answer nearest([objects("door"), objects("lamp"), objects("door")], objects("sofa"))', "'door' is listed twice"),
    ('answer nearest([objects("door"), objects("sofa")], objects("sofa"))', "the target 'sofa' is also a candidate"),
    ('answer largest([objects("lamp")])', "two or more different candidates; got lamp"),
    ('answer smallest([objects("lamp"), objects("lamp")], dimension="height")', "got lamp, lamp"),
])
def test_choosing_among_fewer_than_two_candidates_is_refused(source, message):
    with pytest.raises(DslError) as info:
        run(source, make_scene(CHOICE_ROOM))
    (d,) = info.value.diagnostics
    assert d.kind == "runtime" and message.replace("candidates;", "candidates to choose between;") in d.message


def test_empty_selections_are_refused_by_every_op_that_uses_objects():
    scene = make_scene(CHOICE_ROOM)
    ctx = ExecContext(scene)
    empty, door, sofa = Objects("piano", ()), run('answer objects("door")', scene), run('answer objects("sofa")', scene)
    for call in (lambda: distance(ctx, empty, sofa), lambda: size(ctx, empty), lambda: viewpoint(ctx, empty, door),
                 lambda: nearest(ctx, [empty, door], sofa), lambda: first_seen(ctx, empty),
                 lambda: appearance_order(ctx, [])):
        with pytest.raises(OpError, match="empty|none"):
            call()
    with pytest.raises(OpError, match="the scene has no 'piano'; it has: door, lamp, sofa"):
        objects(ctx, "piano")  # the checker refuses it first; the op holds without it


@pytest.mark.parametrize("label", ["", "   "])
def test_an_empty_label_is_refused_with_or_without_a_scene(label):
    source = f'answer count(objects("{label}"))'
    with pytest.raises(DslError, match="an empty label names no object"):
        check(parse(source))
    with pytest.raises(DslError, match="an empty label names no object.*the scene has: door, lamp, sofa"):
        run(source, make_scene(CHOICE_ROOM))
