"""Property tests: whatever text the planner sends, the DSL answers with a DslError or a value,
never with a Python exception."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagent.dsl import REGISTRY, DslError, ExecContext, check, execute, parse
from tests.scenes import compass_scene

SCENE = compass_scene()
VALID = [example for op in REGISTRY.values() for example in op.examples] + [
    'v = viewpoint(objects("marker"), objects("tv"))\nanswer direction(v, objects("lamp"), scheme="quadrant")',
    'answer route(objects("marker"), objects("tv"), [objects("tv"), objects("door")])',
    'd = distance(objects("lamp"), objects("fan"))\nanswer compare(to(d, "cm"), ">", 1.5m)',
]
TOKENS = ["answer", "=", "(", ")", "[", "]", ",", "\n", ";", '"lamp"', '"tv"', "'x'", "objects", "distance",
          "count", "to", "viewpoint", "direction", "nearest", "route", "size", "2", "-1.5", "3cm", "90deg",
          "1e9m", "x", "y", "scheme=", "dimension=", '"quadrant"', '"height"', "#c", "room_area()", "compare", '">"']


def outcome(source: str):
    """Parse, check and run; the only exception allowed out is DslError."""
    try:
        program = parse(source)
        check(program, SCENE)
        return execute(program, ExecContext(SCENE)).value
    except DslError as error:
        assert error.diagnostics, "a DslError always carries a diagnostic"
        for d in error.diagnostics:
            assert d.line >= 1 and d.column >= 1 and d.message
            assert "^" in d.render(source)
        return error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=string.printable, max_size=80))
def test_random_text(source):
    outcome(source)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
def test_random_token_soup(source):
    outcome(source)


@st.composite
def mutated_programs(draw):
    source = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(source)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "swap_token"]))
        if action == "delete" and source:
            end = min(len(source), position + draw(st.integers(1, 5)))
            source = source[:position] + source[end:]
        elif action == "insert":
            source = source[:position] + draw(st.sampled_from(TOKENS + list("()[],=\"'\n#.-_ "))) + source[position:]
        elif action == "replace":
            source = source[:position] + draw(st.sampled_from(list(string.printable))) + source[position + 1:]
        else:
            source = source.replace(draw(st.sampled_from(TOKENS[:20])), draw(st.sampled_from(TOKENS)), 1)
    return source


@settings(max_examples=500, deadline=None)
@given(mutated_programs())
def test_mutated_valid_programs(source):
    outcome(source)


def test_unmutated_programs_run():
    for source in VALID:
        result = outcome(source)
        if isinstance(result, DslError):
            # Only documented op-level refusals are acceptable for the examples on this scene.
            assert result.kinds <= {"label", "runtime"}, result.render()
