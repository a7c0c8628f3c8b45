"""Each fact has one source: units, turn thresholds and option defaults agree everywhere by construction."""

from pathlib import Path

import pytest

from sagent import cli
from sagent.agent.planners import PlannerSettings
from sagent.dsl import DslError, op_reference, parse
from sagent.dsl.ops import route, views
from sagent.memory.units import UNITS
from sagent.tools.geometry.floor_plane import BACK_DEGREES, STRAIGHT_AHEAD_DEGREES, turn_word

GRAMMAR = Path(__file__).resolve().parents[1] / "sagent" / "dsl" / "grammar.lark"


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_every_unit_parses_and_is_in_the_reference(unit):
    value = parse(f"answer 2.5{unit}").statements[0].value
    assert (value.value, value.unit) == (2.5, unit)
    assert unit in op_reference()


def test_the_grammar_keeps_no_unit_list_of_its_own():
    quantity = next(line for line in GRAMMAR.read_text().splitlines() if line.startswith("QUANTITY"))
    assert "cm" not in quantity and "deg" not in quantity


def test_unknown_units_name_the_known_ones():
    with pytest.raises(DslError) as error:
        parse("answer 3furlongs")
    assert "unknown unit 'furlongs'" in str(error.value) and ", ".join(UNITS) in str(error.value)
    assert parse("answer 1e3").statements[0].value.unit is None  # an exponent is not a unit


def test_turn_words_use_one_pair_of_thresholds():
    assert turn_word(STRAIGHT_AHEAD_DEGREES - 0.1) == "forward"
    assert turn_word(STRAIGHT_AHEAD_DEGREES + 0.1) == "left" and turn_word(-STRAIGHT_AHEAD_DEGREES - 0.1) == "right"
    assert turn_word(-BACK_DEGREES) == "back" and turn_word(BACK_DEGREES - 0.1) == "left"
    for op in (route.route, views.turn_direction):
        assert f"{BACK_DEGREES:g} degrees" in op.__doc__ and f"{STRAIGHT_AHEAD_DEGREES:g} degrees" in op.__doc__


@pytest.mark.parametrize("argv, model", [(["ask", "x", "q"], "AskCommand"), (["inspect", "x"], "InspectCommand"),
                                         (["eval", "q.jsonl"], "EvalCommand")])
def test_cli_defaults_are_the_configs_defaults(argv, model):
    """No flag given: the command's settings are exactly its config tree's defaults."""
    from sagent import cli_commands

    command, _ = cli.parse_command(argv)
    expected = getattr(cli_commands, model)(**{k: v for k, v in command.model_dump().items()
                                               if k in ("words", "input", "questions")})
    if model == "EvalCommand":  # the command line always caches (the Python API's evaluation need not)
        expected = expected.model_copy(update={"eval": expected.eval.model_copy(update={"cache": command.eval.cache})})
        assert command.eval.cache == cli_commands.CacheSettings()
    assert command == expected
    assert command.model_dump()["planner" if model != "InspectCommand" else "model"]["timeout"] == \
        PlannerSettings.model_fields["timeout"].default


def test_the_python_api_takes_its_defaults_from_the_config_tree():
    """LLMPlanner and LiteLLMModel, built without settings, plan and call as the CLI's defaults do."""
    import dataclasses
    import inspect

    from sagent.agent.llm_planner import LLMPlanner
    from sagent.agent.model import LiteLLMModel
    from sagent.agent.planner_settings import ModelSettings
    from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder
    from sagent.tools.pipeline.settings import PerceptionSettings

    planner = inspect.signature(LLMPlanner).parameters
    for name in ("max_repairs", "max_steps", "votes", "form"):
        assert planner[name].default == getattr(PlannerSettings(), name), name
    model = {f.name: f.default for f in dataclasses.fields(LiteLLMModel)}
    for name in ("timeout", "constrain", "max_tokens", "temperature"):
        assert model[name] == getattr(ModelSettings(), name), name
    assert inspect.signature(UltralyticsGrounder).parameters["confidence"].default == PerceptionSettings().confidence
