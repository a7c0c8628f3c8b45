"""The everyday ops (footprint, volume, heights, relations, picking instances, arithmetic, the
observer) on small scenes whose answers are written from the boxes' coordinates."""

import math

import pytest

from sagent.dsl import REGISTRY, DslError, ExecContext, check, parse, run_program
from sagent.dsl import decoding_grammar as dg
from sagent.dsl.ops import relations
from sagent.dsl.types import Area, Bool, Count, Direction, Length, Number, Volume
from sagent.memory import OrientedBox, Room, SceneMemory, SceneObject, SceneRecord
from tests.scenes import compass_scene, make_scene

FLOOR = 0.3  # the room's floor is not at 0: every height below is measured from here


def run(source: str, scene):
    return run_program(source, ExecContext(scene)).value


def refused(source: str, scene) -> str:
    with pytest.raises(DslError) as info:
        run(source, scene)
    return str(info.value)


def z(bottom: float, height: float) -> float:
    """The centre height of a box standing `bottom` m above the floor."""
    return FLOOR + bottom + height / 2


# The table spans x -0.6..0.6, y -0.4..0.4 and heights 0..0.75 above the floor.
ROOM = [
    ("table", (0, 0, z(0, 0.75)), (1.2, 0.8, 0.75)),
    ("cup", (0.2, 0.1, z(0.75, 0.1)), (0.1, 0.1, 0.1)),  # on the table
    ("book", (-0.3, 0, z(0.75, 0.04)), (0.3, 0.2, 0.04)),  # on the table
    ("lamp", (0, 0, z(2.05, 0.3)), (0.4, 0.4, 0.3)),  # hangs 1.3 m above the table top
    ("box", (0, 0, z(0, 0.3)), (0.4, 0.4, 0.3)),  # under the table
    ("chair", (1.0, 0, z(0, 0.9)), (0.5, 0.5, 0.9)),  # chair_0: 0.15 m from the table's +x side
    ("chair", (-2.5, 0, z(0, 1.0)), (0.5, 0.5, 1.0)),  # chair_1: taller, 1.65 m from the table
    ("sofa", (4.0, 0, z(0, 0.8)), (2.0, 0.9, 0.8), 30),  # yawed 30 degrees
    ("tv", (0, 3.0, z(1.15, 0.7)), (1.2, 0.1, 0.7)),  # mounted 1.15 m up
    ("plant", (1.8, 0, z(0, 0.6)), (0.3, 0.3, 0.6)),  # between the table and the sofa
]


@pytest.fixture(scope="module")
def room():
    return make_scene(ROOM)


# --- measures of one object --------------------------------------------------------------------

def test_volume_is_the_product_of_the_sides_in_any_volume_unit(room):
    table = 1.2 * 0.8 * 0.75
    assert run('answer volume(objects("table"))', room) == Volume(pytest.approx(table), "m3")
    assert run('answer to(volume(objects("table")), "l")', room).value == pytest.approx(table * 1000)
    assert run('answer to(volume(objects("table")), "cm3")', room).value == pytest.approx(table * 1e6)
    assert run('answer to(volume(objects("table")), "ft3")', room).value == pytest.approx(table / 0.3048**3)
    assert check(parse('answer volume(objects("table"))'), room).type is Volume
    assert run("answer to(2l, \"m3\")", room).value == pytest.approx(0.002)
    assert "cannot express volume in m" in refused('answer to(volume(objects("table")), "m")', room)


def test_footprint_of_upright_yawed_and_tilted_boxes(room):
    assert run('answer footprint(objects("sofa"))', room) == Area(pytest.approx(2.0 * 0.9), "m2")  # yaw changes nothing
    # A box of sides 0.6 (x), 0.4, 0.2 tipped 30 degrees about x: seen from above 0.6 by 0.4 cos 30 + 0.2 sin 30.
    t = math.radians(30)
    tilted = OrientedBox(center=(0, 0, 1), axes=((1, 0, 0), (0, math.cos(t), math.sin(t)), (0, -math.sin(t), math.cos(t))),
                         extents=(0.6, 0.4, 0.2))
    scene = SceneMemory(SceneRecord(name="tilted", objects=[SceneObject(id="crate_0", label="crate", box=tilted)]))
    assert run('answer footprint(objects("crate"))', scene).value == pytest.approx(0.6 * (0.4 * math.cos(t) + 0.2 * math.sin(t)))


def test_elevation_is_measured_from_the_lowest_object_not_from_zero(room):
    def elevation(label, part):
        return run(f'answer elevation(objects("{label}"), part="{part}")', room).value

    assert elevation("table", "bottom") == pytest.approx(0.0)
    assert run('answer to(elevation(objects("tv")), "cm")', room).value == pytest.approx(115)
    assert elevation("tv", "top") == pytest.approx(1.15 + 0.7)
    assert elevation("tv", "center") == pytest.approx(1.15 + 0.35)
    assert elevation("table", "top") == pytest.approx(0.75)
    assert "elevation needs one chair but the scene has 2" in refused('answer elevation(objects("chair"))', room)


def test_room_size_is_the_outline_s_minimum_rectangle():
    # A 5 m x 3 m room turned 30 degrees, with an extra point on one long wall.
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    corners = [(0, 0), (5, 0), (5, 3), (0, 3), (2.5, 0)]
    outline = [(x * c - y * s, x * s + y * c) for x, y in corners]
    scene = make_scene([("bed", (1, 1, 0.3), (2, 1.6, 0.6))], floor_area=15.0, outline=outline)
    assert run('answer room_size("length")', scene) == Length(pytest.approx(5.0), "m")
    assert run('answer to(room_size(dimension="width"), "cm")', scene).value == pytest.approx(300)
    no_outline = make_scene([("bed", (1, 1, 0.3), (2, 1.6, 0.6))], floor_area=15.0)
    message = refused('answer room_size("length")', no_outline)
    assert "no room outline" in message and "floor area, 15 m2" in message
    assert dg.scene_serves(REGISTRY["room_size"], scene) and not dg.scene_serves(REGISTRY["room_size"], no_outline)


# --- gaps between two objects ------------------------------------------------------------------

def test_vertical_distance_is_the_gap_between_heights(room):
    assert run('answer vertical_distance(objects("lamp"), objects("table"))', room).value == pytest.approx(2.05 - 0.75)
    assert run('answer vertical_distance(objects("table"), objects("lamp"))', room).value == pytest.approx(1.3)
    assert run('answer vertical_distance(objects("table"), objects("chair"))', room).value == 0.0  # heights overlap
    # several instances: the closest pair; the tv's bottom (1.15) over the taller chair's top (1.0)
    assert run('answer vertical_distance(objects("tv"), objects("chair"))', room).value == pytest.approx(0.15)


def test_horizontal_distance_ignores_height_and_follows_a_yawed_footprint():
    # A 1 m square turned 45 degrees, centred 3 m along x and 2 m up, reaches x = 3 - sqrt(2)/2;
    # the crate's side is at x = 1.
    scene = make_scene([("crate", (0.5, 0, 0.25), (1, 1, 0.5)), ("shelf", (3, 0, 2.0), (1, 1, 0.2), 45),
                        ("stool", (1.2, 0, 0.25), (0.4, 0.4, 0.5)), ("stool", (5, 0, 0.25), (0.4, 0.4, 0.5))])
    gap = 3 - math.sqrt(2) / 2 - 1
    assert run('answer horizontal_distance(objects("crate"), objects("shelf"))', scene).value == pytest.approx(gap)
    # the 3D gap includes the 1.4 m between the crate's top and the shelf's bottom
    assert run('answer distance(objects("crate"), objects("shelf"))', scene).value > gap + 0.5
    assert run('answer horizontal_distance(objects("stool"), objects("crate"))', scene).value == 0.0  # they overlap
    assert run('answer horizontal_distance(objects("stool"), objects("stool"))', scene).value == pytest.approx(5 - 1.2 - 0.4)
    fits = 'answer compare(horizontal_distance(objects("crate"), objects("shelf")), ">=", 90cm)'
    assert run(fits, scene) == Bool(gap >= 0.9)


def test_a_pair_measure_of_one_object_with_itself_is_refused(room):
    assert "needs two different objects" in refused('answer horizontal_distance(objects("tv"), objects("tv"))', room)


# --- relations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("a, relation, b, expected", [
    ("cup", "on", "table", True), ("book", "on", "table", True), ("table", "on", "cup", False),
    ("lamp", "on", "table", False),  # far above it, not resting on it
    ("lamp", "above", "table", True), ("table", "below", "lamp", True), ("table", "above", "lamp", False),
    ("box", "under", "table", True), ("table", "under", "box", False), ("cup", "under", "table", False),
    ("chair", "next_to", "table", True),  # chair_0, 0.15 m away
    ("chair", "near", "sofa", False), ("plant", "near", "chair", True), ("tv", "near", "table", False),
])
def test_relations(room, a, relation, b, expected):
    assert run(f'answer related(objects("{a}"), "{relation}", objects("{b}"))', room) == Bool(expected)


def test_relation_thresholds_are_the_module_constants_and_the_docs_state_them():
    doc = REGISTRY["related"].params[1].doc
    for value in (relations.RESTING_GAP, relations.STACK_SLACK, relations.ABOVE_REACH, relations.NEXT_TO, relations.NEAR):
        assert f"{value:g} m" in doc
    assert relations.RESTING_SHARE == relations.COVERED_SHARE == 0.5 and doc.count("half") == 2
    # "above" reaches 0.3 m across: footprints 0.25 m apart still count, 0.35 m do not.
    for offset, expected in ((0.25, True), (0.35, False)):
        scene = make_scene([("table", (0, 0, 0.4), (1.0, 1.0, 0.8)), ("shelf", (0.5 + offset + 0.1, 0, 1.5), (0.2, 0.2, 0.1))])
        assert run('answer related(objects("shelf"), "above", objects("table"))', scene) == Bool(expected)
    # "on" allows a 0.1 m gap: 0.08 m floats on, 0.12 m does not.
    for gap, expected in ((0.08, True), (0.12, False)):
        scene = make_scene([("table", (0, 0, 0.4), (1.0, 1.0, 0.8)), ("cup", (0, 0, 0.8 + gap + 0.05), (0.1, 0.1, 0.1))])
        assert run('answer related(objects("cup"), "on", objects("table"))', scene) == Bool(expected)


def test_an_object_is_never_related_to_itself(room):
    assert "needs two different objects" in refused('answer related(objects("tv"), "near", objects("tv"))', room)
    # the two chairs are 3 m apart: neither is near the other
    assert run('answer related(objects("chair"), "near", objects("chair"))', room) == Bool(False)


def test_related_to_lists_other_labels_nearest_first_with_only_the_related_instances(room):
    near_table = run('answer related_to("near", objects("table"))', room)
    # book, box and cup touch the table (0 m, label order), chair_0 is 0.15 m away, chair_1 1.65 m is not near
    assert [(o.label, [i.id for i in o.instances]) for o in near_table] == [
        ("book", ["book_0"]), ("box", ["box_0"]), ("cup", ["cup_0"]), ("chair", ["chair_0"])]
    assert [o.label for o in run('answer related_to("on", objects("table"))', room)] == ["book", "cup"]
    assert run('answer related_to("on", objects("sofa"))', room) == []  # nothing: a valid answer


def test_between_uses_the_hull_of_both_footprints(room):
    assert run('answer between(objects("plant"), objects("table"), objects("sofa"))', room) == Bool(True)
    assert run('answer between(objects("chair"), objects("table"), objects("sofa"))', room) == Bool(True)  # chair_0
    assert run('answer between(objects("tv"), objects("table"), objects("sofa"))', room) == Bool(False)  # off to one side
    assert run('answer between(objects("cup"), objects("table"), objects("sofa"))', room) == Bool(False)  # inside the table


# --- names, counts and the whole scene ---------------------------------------------------------

def test_exists_and_count_named_answer_no_and_zero_for_absent_objects(room):
    assert run('answer exists("piano")', room) == Bool(False)
    assert run('answer count_named("pianos")', room) == Count(0)
    assert run('answer exists("chairs")', room) == Bool(True)
    assert run('answer count_named("chairs")', room) == Count(2)
    assert run('answer count_named("couch")', room) == Count(1)  # a synonym of sofa
    assert "unknown label 'piano'" in refused('answer count(objects("piano"))', room)  # the checker still refuses


def test_count_named_takes_the_stated_count():
    scene = make_scene([("chair", (0, 0, 0.45), (0.5, 0.5, 0.9))], stated_counts={"chair": 4, "piano": 1})
    assert run('answer count_named("chair")', scene) == Count(4)
    assert run('answer count_named("piano")', scene) == Count(1) and run('answer exists("piano")', scene) == Bool(True)


def test_every_object_and_other_objects(room):
    every = run("answer every_object()", room)
    assert [o.label for o in every] == sorted({item[0] for item in ROOM})
    assert [i.id for i in next(o for o in every if o.label == "chair").instances] == ["chair_0", "chair_1"]
    others = run('answer other_objects(objects("table"))', room)
    assert "table" not in [o.label for o in others] and len(others) == len(every) - 1
    assert run('answer other_objects(objects("bed"))', make_scene([("bed", (0, 0, 0.3), (2, 1.6, 0.6))])) == []
    # the biggest object in the room is the sofa (1.44 m3), the tallest chair_1 (1.0 m)
    assert run("answer largest(every_object())", room).label == "sofa"
    tallest = run('answer largest(every_object(), dimension="height")', room)
    assert tallest.label == "chair" and [i.id for i in tallest.instances] == ["chair_1"]
    nearest = run('answer nearest(other_objects(objects("plant")), objects("plant"))', room)
    assert nearest.label == "chair" and [i.id for i in nearest.instances] == ["chair_0"]  # 0.4 m, the sofa is farther


# --- choosing among candidates and among instances ---------------------------------------------

def test_largest_and_smallest_default_to_volume_and_keep_the_best_instance(room):
    # volumes: table 0.72, sofa 1.44, chair_0 0.225, chair_1 0.25
    assert run('answer largest([objects("table"), objects("sofa")])', room).label == "sofa"
    smallest = run('answer smallest([objects("chair"), objects("sofa")])', room)
    assert smallest.label == "chair" and [i.id for i in smallest.instances] == ["chair_0"]
    largest = run('answer largest([objects("chair"), objects("table")])', room)
    assert largest.label == "table"  # 0.72 beats chair_1's 0.25
    assert run('answer largest([objects("chair"), objects("table")], dimension="height")', room).instances[0].id == "chair_1"
    assert run('answer smallest([objects("chair"), objects("table")], dimension="height")', room).label == "table"
    assert run('answer largest([objects("table"), objects("sofa")], dimension="footprint")', room).label == "sofa"
    assert run('answer smallest([objects("table"), objects("tv")], dimension="width")', room).label == "tv"
    assert "listed twice" in refused('answer largest([objects("chair"), objects("sofa"), objects("chair")])', room)
    assert "two or more different candidates" in refused('answer smallest([objects("chair")])', room)


def test_nearest_and_farthest_return_the_instance_of_the_closest_pair(room):
    nearest = run('answer nearest([objects("chair"), objects("sofa")], objects("table"))', room)
    assert nearest.label == "chair" and [i.id for i in nearest.instances] == ["chair_0"]  # 0.15 m
    farthest = run('answer farthest([objects("chair"), objects("tv")], objects("table"))', room)
    assert farthest.label == "tv"  # about 2.6 m beats the chairs' closest 0.15 m


def test_picking_an_instance(room):
    def picked(source):
        value = run(f"answer {source}", room)
        return value.label, [i.id for i in value.instances]

    assert picked('pick_nearest(objects("chair"), objects("table"))') == ("chair", ["chair_0"])
    assert picked('pick_farthest(objects("chair"), objects("table"))') == ("chair", ["chair_1"])
    assert picked('pick_largest(objects("chair"))') == ("chair", ["chair_1"])  # 0.25 m3
    assert picked('pick_smallest(objects("chair"), dimension="height")') == ("chair", ["chair_0"])
    assert picked('pick_related(objects("chair"), "next_to", objects("table"))') == ("chair", ["chair_0"])
    assert picked('pick_nearest(objects("chair"), pick_farthest(objects("chair"), objects("table")))') == \
        ("chair", ["chair_0"])  # the other chair: the reference is no candidate of itself
    message = refused('answer pick_related(objects("chair"), "on", objects("table"))', room)
    assert "no chair is on the table" in message
    assert run('answer size(pick_largest(objects("chair"), dimension="height"), dimension="height")', room).value == 1.0


# --- arithmetic --------------------------------------------------------------------------------

def test_difference_is_signed_in_the_first_unit(room):
    taller = 'difference(size(pick_largest(objects("chair"), dimension="height"), dimension="height"), ' \
             'size(objects("table"), dimension="height"))'
    assert run(f'answer to({taller}, "cm")', room).value == pytest.approx(25)
    assert run("answer difference(2m, 50cm)", room) == Length(pytest.approx(1.5), "m")
    assert run("answer difference(50cm, 2m)", room) == Length(pytest.approx(-150), "cm")
    assert check(parse("answer difference(1l, 1m3)"), room).type is Volume
    message = refused('answer difference(2m, footprint(objects("table")))', room)
    assert "unit error" in message and "cannot combine a length with an area" in message


def test_ratio_is_a_plain_number_and_refuses_zero(room):
    assert run("answer ratio(2m, 50cm)", room) == Number(pytest.approx(4.0))
    assert run('answer ratio(size(objects("sofa"), dimension="length"), size(objects("table"), dimension="length"))',
               room).value == pytest.approx(2.0 / 1.2)
    assert "cannot divide by 0 m: it is zero" in refused("answer ratio(2m, 0m)", room)
    assert "cannot combine an area with a length" in refused("answer ratio(2m2, 1m)", room)


def test_total_adds_counts(room):
    assert run('answer total([count(objects("chair")), count(objects("sofa")), count_named("piano")])', room) == Count(3)
    assert "list[Count]" in refused('answer total([2m])', room)


# --- the observer --------------------------------------------------------------------------------

VIEW = 'v = viewpoint(objects("marker"), objects("tv"))\n'


@pytest.mark.parametrize("target, expected", [("lamp", "front"), ("plant", "back"), ("fan", "front"),
                                              ("box", "back"), ("door", "front")])
def test_front_back_scheme(target, expected):
    value = run(VIEW + f'answer direction(v, objects("{target}"), scheme="front_back")', compass_scene())
    assert value == Direction(expected)


def test_distance_from_and_closest_to_the_observer():
    # The marker's centre is (0, 0, 0.5); the tv's near face is at y = 3.95, its bottom at z = 0.65.
    scene = compass_scene()
    value = run(VIEW + 'answer distance_from(v, objects("tv"))', scene).value
    assert value == pytest.approx(math.hypot(3.95, 0.15))
    cups = make_scene([("cup", (2, 0, 1), (0.1, 0.1, 0.1)), ("cup", (5, 0, 1), (0.1, 0.1, 0.1)),
                       ("vase", (0, 3, 1), (0.2, 0.2, 0.4))])
    me = "me = pose(0m, 0m, 0deg, height=1m)\n"
    assert run(me + 'answer distance_from(me, objects("cup"))', cups).value == pytest.approx(1.95)
    closest = run(me + 'answer closest_to_observer([objects("vase"), objects("cup")], me)', cups)
    assert closest.label == "cup" and [i.id for i in closest.instances] == ["cup_0"]
    assert "two or more different candidates" in refused(me + 'answer closest_to_observer([objects("cup")], me)', cups)


def test_units_parse_and_have_a_type():
    scene = make_scene([("bed", (0, 0, 0.3), (2, 1.6, 0.6))])
    for unit in ("m3", "cm3", "ft3", "l"):
        assert isinstance(run(f"answer 2.5{unit}", scene), Volume)
    assert run('answer compare(volume(objects("bed")), ">", 900l)', scene) == Bool(2 * 1.6 * 0.6 > 0.9)


def test_an_outline_needs_three_points():
    assert Room(footprint=((0, 0), (1, 1))).outline is None  # so the grammar leaves room_size out
