"""The decoding grammar generated from the registry, units and a scene: every program it admits parses
and checks against that scene, and the repository's example programs are in its language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import LarkError

from sagent.agent.example_bank import bank as example_bank
from sagent.agent.rules_planner import RulesPlanner
from sagent.dsl import REGISTRY, DslError, check, parse
from sagent.dsl import decoding_grammar as dg
from sagent.dsl.needs import SCENE_NEEDS, scene_serves
from sagent.dsl.parser import MAX_NESTING
from sagent.memory import load_layout, read_layouts
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.synthetic.generator import RoomSpec, generate
from tests.bank_scene import bank_scene

ROOT = Path(__file__).resolve().parents[1]
META = ROOT.parent / "shared" / "data" / "vsibench_meta_info"
LIVING_ROOM = ROOT / "examples" / "living_room" / "layout.json"
CAMERA_OPS = {"view", "camera_at", "nearest_view", "path_length"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated room with input views (cameras and a timeline)."""
    out = tmp_path_factory.mktemp("room")
    generate(out, RoomSpec(seed=2, frames=8, width=160, height=120))
    return load_input(str(out / "frames.json"))


@pytest.fixture(scope="module")
def bank():
    """Every label the example bank uses, input views, a timeline and a floor area."""
    return bank_scene()


def _meta_scenes():
    if not META.is_dir() or not list(META.glob("*.json")):
        pytest.skip(f"needs the shared VSI-Bench meta info at {META}")
    scenes = []
    for path in sorted(META.glob("*.json")):
        for name in list(read_layouts(path))[:2]:
            scenes.append(load_layout(path, name))
    return scenes


def _assert_samples_check(scene, count: int) -> None:
    grammar = dg.build(scene)
    for seed in range(count):
        program = dg.sample(grammar, seed)
        check(parse(program), scene)  # raises DslError with the program on any problem


def test_living_room_samples_parse_and_check(living_room):
    _assert_samples_check(living_room, 200)


def test_generated_room_samples_parse_and_check(generated):
    _assert_samples_check(generated, 150)
    text = dg.grammar_for(generated, "gbnf")
    assert all(f'"{name}("' in text for name in CAMERA_OPS)  # a room with views gets the view ops


def test_scene_built_from_frames_has_a_timeline_and_its_samples_check(generated):
    assert generated.cameras and any(o.first_seen is not None for o in generated.objects)
    text = dg.grammar_for(generated, "gbnf")
    assert '"first_seen("' in text and '"appearance_order("' in text
    grammar = dg.build(generated)
    programs = [dg.sample(grammar, seed) for seed in range(300)]
    assert any("first_seen(" in p or "appearance_order(" in p for p in programs)


def test_bank_scene_samples_parse_and_check(bank):
    """Views, a timeline and a floor area: every op is served."""
    assert all(scene_serves(op, bank) for op in REGISTRY.values())
    _assert_samples_check(bank, 200)


@pytest.mark.parametrize("views, times", [(False, True), (True, False), (False, False)])
def test_scenes_without_floor_area_views_or_timeline_samples_check(views, times):
    scene = bank_scene(views=views, times=times, floor_area=None)
    text = dg.grammar_for(scene, "gbnf")
    assert '"room_area("' not in text
    assert ('"view("' in text) == views and ('"first_seen("' in text) == times
    _assert_samples_check(scene, 100)


def test_meta_info_scenes_samples_parse_and_check():
    for scene in _meta_scenes():
        _assert_samples_check(scene, 40)


def test_ops_the_scene_cannot_serve_are_left_out(living_room, generated):
    missing = {op.name for op in REGISTRY.values() if not scene_serves(op, living_room)}
    assert CAMERA_OPS <= missing  # a layout has no cameras
    assert "first_seen" in missing  # nor a timeline
    assert {"objects", "distance", "count", "viewpoint"}.isdisjoint(missing)
    assert all(scene_serves(op, generated) for op in REGISTRY.values() if op.name in CAMERA_OPS)
    for name in missing:
        assert f'"{name}("' not in dg.grammar_for(living_room, "gbnf")


def test_labels_units_and_choices_come_from_their_sources(living_room):
    text = dg.grammar_for(living_room, "gbnf")
    for label in living_room.labels():
        assert json.dumps(f'"{label}"') in text
    assert '"\\"ft2\\""' in text and '"\\"left_right_back\\""' in text and '"scheme="' in text


# ---- acceptance of the repository's examples ---------------------------------------------------

def _examples() -> list[tuple[str, str]]:
    """(where, program) for every example program in the repository: the op registry's docstrings,
    the README's sagent blocks, the planner's example bank, and the rules planner's programs for the
    demo questions in examples/."""
    programs = [(f"op {op.name}", example) for op in REGISTRY.values() for example in op.examples]
    readme = (ROOT / "README.md").read_text()
    programs += [("README", block) for block in re.findall(r"```sagent\n(.*?)```", readme, re.DOTALL)]
    programs += [(f"bank: {e.question}", e.program) for e in example_bank()]
    living_room = load_layout(LIVING_ROOM, "living_room")
    questions = (ROOT / "examples" / "living_room" / "questions.txt").read_text().splitlines()
    programs += [(f"examples/: {q}", RulesPlanner().plan(q, living_room).program) for q in questions]
    return programs


_SLOTS_BY_TYPE = {dg.Objects: ["objects1", "objects2"], dg.Viewpoint: ["me"]}


def _canonical(program: str, scene) -> str:
    """The program as the grammar writes it: comments and blank lines dropped, variables of a slot's
    type renamed to the slots in order, others inlined (the grammar names only its typed slots)."""
    lines = [re.sub(r"\s*#.*$", "", line).strip() for line in re.split(r"\n|;", program)]
    pending = [line for line in lines if line]
    free = {t: list(names) for t, names in _SLOTS_BY_TYPE.items()}
    out: list[str] = []
    while pending:
        statement = pending.pop(0)
        match = re.fullmatch(r"(\w+) = (.*)", statement)
        if not match:
            out.append(statement)
            continue
        name, value = match.groups()
        value_type = check(parse("\n".join([*out, f"answer {value}"])), scene).type
        slots = free.get(value_type) or []
        replacement = slots.pop(0) if slots else value
        if replacement != value:
            out.append(f"{replacement} = {value}")
        outside_strings = rf'\b{name}\b(?=(?:[^"]*"[^"]*")*[^"]*$)'
        pending = [re.sub(outside_strings, lambda _: replacement, later) for later in pending]
    return "\n".join(out)


_PARSERS: dict[int, Lark] = {}


def _lark_for(scene) -> Lark:
    if id(scene) not in _PARSERS:
        _PARSERS[id(scene)] = Lark(dg.to_lark(dg.build(scene)), parser="earley", lexer="dynamic")
    return _PARSERS[id(scene)]


def _accepted(program: str, scene) -> bool:
    try:
        _lark_for(scene).parse(program)
        return True
    except LarkError:
        return False


def _checks(program: str, scene) -> bool:
    try:
        check(parse(program), scene)
    except DslError:
        return False
    return all(scene_serves(REGISTRY[name], scene) for name in re.findall(r"(\w+)\(", program) if name in REGISTRY)


def test_every_repository_example_is_in_the_generated_language(living_room, bank):
    """Each example is tried on the scene that has its labels and ops (the bank's scene, with views,
    a timeline and a floor area, else the demo living room); every one fits one, and each is in
    that scene's language once written with the grammar's variable names."""
    examples = _examples()
    assert len(examples) >= 60
    outside = []
    for where, program in examples:
        scene = next((s for s in (bank, living_room) if _checks(program, s)), None)
        assert scene is not None, f"{where}: no test scene can check {program!r}"
        if not _accepted(_canonical(program, scene), scene):
            outside.append(f"{where}: {program!r} -> {_canonical(program, scene)!r}")
    assert not outside, "\n".join(outside)


def test_canonical_naming_keeps_the_program(bank):
    program = 'sofa = objects("sofa")\nd = distance(objects("lamp"), sofa)  # metres\nanswer to(d, "cm")'
    assert _canonical(program, bank) == 'objects1 = objects("sofa")\nanswer to(distance(objects("lamp"), objects1), "cm")'
    assert _canonical('chairs = objects("chair"); answer count(chairs)', bank) == \
        'objects1 = objects("chair")\nanswer count(objects1)'


def test_lark_rendering_rejects_what_the_grammar_leaves_out(living_room):
    assert not _accepted('answer count(objects("couch"))', living_room)  # not a label of the scene
    assert not _accepted("answer view(0)", living_room)  # no cameras in a layout
    assert not _accepted('answer to(distance(objects("sofa"), objects("tv")), "deg")', living_room)
    assert _accepted('answer to(distance(objects("sofa"), objects("tv")), "cm")', living_room)


# ---- the GBNF text -----------------------------------------------------------------------------

def test_gbnf_is_well_formed(living_room):
    text = dg.grammar_for(living_room, "gbnf")
    defined, referenced = set(), set()
    for line in text.strip().splitlines():
        name, _, body = line.partition(" ::= ")
        assert re.fullmatch(r"[a-z0-9-]+", name), line
        assert name not in defined, f"{name} defined twice"
        defined.add(name)
        without_literals = re.sub(r'"(\\.|[^"\\])*"', " ", body)
        without_classes = re.sub(r"\[(\\.|[^\]\\])*\]", " ", without_literals)
        referenced |= set(re.findall(r"[a-z][a-z0-9-]*", without_classes))
    assert "root" in defined
    assert referenced <= defined, f"undefined rules: {sorted(referenced - defined)}"
    assert text.splitlines()[0].startswith("root ::= ")
    try:  # neither is a dependency; when one is installed, it has the last word
        from llama_cpp import LlamaGrammar
        LlamaGrammar.from_string(text)
    except ImportError:
        pass
    try:
        import xgrammar
        xgrammar.Grammar.from_ebnf(text)
    except ImportError:
        pass


def test_samples_are_seeded_bounded_and_in_the_lark_language(living_room):
    grammar = dg.build(living_room)
    programs = [dg.sample(grammar, seed) for seed in range(30)]
    assert programs == [dg.sample(grammar, seed) for seed in range(30)]
    assert len(set(programs)) > 20
    assert any(p.startswith(("objects1 = ", "me = ")) for p in programs)  # assignments are drawn too
    for program in programs:
        assert _nesting(program) <= dg.MAX_DEPTH + 1 < MAX_NESTING
        assert _lark_for(living_room).parse(program)


def _nesting(program: str) -> int:
    depth = deepest = 0
    for char in re.sub(r'"[^"]*"', '""', program):
        depth += (char in "([") - (char in ")]")
        deepest = max(deepest, depth)
    return deepest


def test_slot_names_must_not_shadow_ops(living_room):
    with pytest.raises(ValueError, match="slot names"):
        dg.build(living_room, slots=(("count", dg.Objects),))


def test_grammar_text_is_deterministic(living_room):
    assert dg.grammar_for(living_room, "gbnf") == dg.grammar_for(living_room, "gbnf")
    assert dg.grammar_for(living_room, "lark").startswith("start: ")
    with pytest.raises(ValueError, match="flavour"):
        dg.grammar_for(living_room, "regex")


# What each need is read as in an op's code (an attribute or global name).
_READ_AS = {"cameras": {"cameras"}, "timeline": {"first_seen"}, "floor_area": {"floor_area"}, "outline": {"outline"}}


def _names_read(func, seen=None) -> set[str]:
    """Attribute and global names in a function's code and in the ops-package helpers it calls."""
    import inspect

    seen = seen if seen is not None else set()
    if func in seen or not hasattr(func, "__code__"):
        return set()
    seen.add(func)
    names, codes = set(), [func.__code__]
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if inspect.iscode(c)]
    for name in list(names):
        helper = func.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__.startswith("sagent.dsl.ops"):
            names |= _names_read(helper, seen)
    return names


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_op_declares_what_it_reads_of_the_scene(name):
    """The declaration is what the prompt, the bank and the grammar read; this keeps it honest: an op whose
    code (or a helper's) reads a need must declare it, and one that declares a need must read it."""
    op = REGISTRY[name]
    read = {need for need, names in _READ_AS.items() if names & _names_read(op.func)}
    assert set(_READ_AS) == set(SCENE_NEEDS)
    assert op.needs == read, f"{name} declares {sorted(op.needs)} and reads {sorted(read)}"
