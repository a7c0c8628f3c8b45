import pytest

from sagent.dsl import REGISTRY, DslError, check, parse
from sagent.dsl.types import Area, Bool, Length, Objects
from tests.scenes import make_scene

SCENE = make_scene([("chair", (0, 0, 0.4), (0.5, 0.5, 0.8)), ("chair", (2, 0, 0.4), (0.5, 0.5, 0.8)),
                    ("sofa", (0, 3, 0.4), (2, 0.9, 0.8)), ("table", (1, 1.5, 0.4), (1, 1, 0.8))])


def errors(source: str, scene=SCENE):
    with pytest.raises(DslError) as info:
        check(parse(source), scene)
    return info.value.diagnostics


def test_valid_program_types_the_answer():
    assert check(parse('answer distance(objects("chair"), objects("sofa"))'), SCENE).type is Length
    assert check(parse('answer to(room_area(), "ft2")'), SCENE).type is Area
    assert check(parse('x = objects("sofa")\nanswer x'), SCENE).type is Objects
    assert check(parse('answer compare(2m, "<", 300cm)'), SCENE).type is Bool


def test_unknown_label_lists_labels_and_closest_match():
    (d,) = errors('answer count(objects("couch"))')
    assert d.kind == "label" and (d.line, d.column) == (1, 22)
    assert "unknown label 'couch'" in d.message
    assert "the scene has: chair, sofa, table" in d.message
    (d,) = errors('answer count(objects("chiar"))')
    assert "closest match: 'chair'" in d.message


def test_unknown_op_and_undefined_name():
    op_error, name_error = errors('answer distnce(objects("chair"), sofa)')  # sorted by column
    assert op_error.kind == "name" and "closest match: 'distance'" in op_error.message
    # after an unknown op the arguments are still checked
    assert name_error.kind == "name" and "undefined name 'sofa'" in name_error.message


def test_names_must_be_defined_before_use():
    (d,) = errors('answer x\n')
    assert "undefined name 'x'" in d.message
    (d,) = errors('y = count(x)\nx = objects("chair")\nanswer y')
    assert (d.line, d.column) == (1, 11)


@pytest.mark.parametrize("source, words", [
    ('answer distance(objects("chair"))', "missing argument 'b'"),
    ('answer distance(objects("chair"), objects("sofa"), objects("table"))', "takes 2 argument(s) but got 3"),
    ('answer size(objects("sofa"), height="x")', "no parameter 'height'"),
    ('answer size(objects("sofa"), dimension="depth")', "choose one of 'longest', 'height', 'length', 'width'"),
    ('answer count(3)', "argument 'things' of count must be Objects, got Number"),
    ('answer count(room_area())', "must be Objects, got Area"),
    ('answer nearest([objects("chair"), 2m], objects("sofa"))', "list items must share one type"),
    ('answer to(room_area(), "cm")', "cannot express area in cm"),
    ('answer to(2m, "parsecs")', "unknown unit 'parsecs'"),
    ('answer compare(2m, "<", room_area())', "cannot compare length with area"),
    ('answer compare(2m, "~", 3m)', "choose one of"),
    ('x = 2\nanswer x\ny = 3', "`answer` must be the last statement"),
    ('x = 2', "no `answer` statement"),
    ('count = 2\nanswer count', "is an op"),
])
def test_type_errors_are_reported_with_what_was_expected(source, words):
    diagnostics = errors(source)
    assert any(words in d.message for d in diagnostics), [d.message for d in diagnostics]


def test_every_problem_is_reported_at_once():
    diagnostics = errors('a = objects("couch")\nb = objects("tabel")\nanswer distance(a, c)')
    assert [d.line for d in diagnostics] == [1, 2, 3]


def test_labels_are_not_checked_without_a_scene():
    check(parse('answer count(objects("anything"))'), None)


def test_every_docstring_example_parses_and_checks(living_room):
    # The op reference shows these to the planner; each must be a valid program on a real scene.
    scene = make_scene([(label, (i, 0, 0.5), (0.5, 0.5, 1.0)) for i, label in enumerate(
        ["chair", "sofa", "tv", "lamp", "door", "bed"])])
    for op in REGISTRY.values():
        for example in op.examples:
            check(parse(example), scene)
