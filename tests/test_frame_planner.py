"""A model filling the task frame: its replies under the frame's grammar and schema, compiled by
sagent into the same programs the rules planner writes, and repaired when they do not fit."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from lark import Lark

from sagent.agent import ask
from sagent.agent.llm_planner import LLMPlanner
from sagent.agent.model import LiteLLMModel
from sagent.agent.options import parse_options
from sagent.agent.rules_planner import RulesPlanner
from sagent.agent.understanding.frame_reply import (
    FrameReplyError,
    frame_grammar,
    frame_schema,
    parse_frame,
    reply_of,
    tasks_served,
)
from sagent.agent.understanding.reader import read
from sagent.errors import SagentError
from tests.fakes import LLAMA_CPP_PYTHON, OpenAIServer, ScriptedModel, chat_reply
from tests.test_everyday_questions import COUNTS, HOME, LABELS, LENGTHS, LISTS, YES_NO

QUESTIONS = [q for q, *_ in YES_NO + COUNTS + LENGTHS + LABELS + LISTS]


def frame_planner(*replies, **kwargs) -> LLMPlanner:
    return LLMPlanner(ScriptedModel(list(replies)), form="frame", **kwargs)


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_model_writing_the_readers_frame_gets_the_rules_answer(question):
    # The frame a perfect model would write is the rules reader's; compiled, it answers the same.
    reply = reply_of(read(question, HOME))
    expected = ask(HOME, question, RulesPlanner())
    result = ask(HOME, question, frame_planner(reply))
    assert (result.value, result.unit, result.program) == (expected.value, expected.unit, expected.program)
    assert result.measured == expected.measured


def test_a_frame_of_the_wrong_kind_goes_back_for_repair():
    model = ScriptedModel(['{"task": "count", "objects": ["plant"]}',
                           '{"task": "relation", "relation": "on", "objects": ["plant", "table"]}'])
    result = ask(HOME, "Is the plant on the table?", LLMPlanner(model, form="frame"))
    assert result.value is True and result.attempts == 2
    repair = model.calls[1][-1]["content"]
    assert "the question asks for yes or no; your program answers a Count" in repair
    assert "corrected JSON task frame" in repair


def test_wrong_kinds_only_are_never_answered():
    replies = ['{"task": "count", "objects": ["plant"]}'] * 2
    with pytest.raises(SagentError):
        ask(HOME, "Is the plant on the table?", frame_planner(*replies, max_repairs=1))


@pytest.mark.parametrize("reply, words", [
    ("no json here", "no JSON object"),
    ('{"task": "weigh", "objects": ["bed"]}', "task must be one of"),
    ('{"task": "count", "objects": ["bed"], "unit": "m"}', "a count frame has no unit"),
    ('{"task": "measure", "measure": "weight", "objects": ["bed"]}', "measure"),
    ('{"task": "measure", "measure": "height", "objects": []}', "names no object"),
    ('{"task": "relation", "relation": "on", "objects": ["plant"]}', "needs two objects"),
])
def test_a_bad_frame_is_named_and_repaired(reply, words):
    model = ScriptedModel([reply, '{"task": "count", "objects": ["chair"]}'])
    result = ask(HOME, "How many chairs are there?", LLMPlanner(model, form="frame"))
    assert result.value == 2
    assert words in model.calls[1][-1]["content"]


def test_parse_frame_reads_objects_with_picks():
    frame = parse_frame('sure: {"task": "measure", "measure": "height", "objects": '
                        '[{"label": "lamp", "pick": "nearest", "reference": "door"}], "unit": "cm"}')
    assert frame.objects[0].pick == "nearest" and frame.objects[0].reference.label == "door"
    with pytest.raises(FrameReplyError):
        parse_frame('{"task": "measure", "objects": [{"label": "lamp", "pick": "heaviest"}]}')


# --- the grammar and the schema accept every frame the reader writes, and little else ------------

def _lark_of(gbnf: str) -> Lark:
    """The GBNF as a lark grammar (rule syntax, character classes and bounded repeats translated)."""
    def translate(code: str) -> str:  # outside string literals only
        code = re.sub(r"(\[[^\]]*\](?:\{\d+,\d+\})?)", lambda m: f"/{m.group(1)}/", code)  # one regex each
        code = re.sub(r"\)\{(\d+),(\d+)\}", r") ~ \1..\2", code)
        for name in hyphenated:  # lark's rule names take no hyphen
            code = re.sub(rf"(?<![\w-]){name}(?![\w-])", name.replace("-", "_"), code)
        return code

    hyphenated = [line.partition(" ::= ")[0] for line in gbnf.splitlines() if "-" in line.partition(" ::= ")[0]]

    lines = []
    for line in gbnf.strip().splitlines():
        name, _, body = line.partition(" ::= ")
        parts = re.split(r'("(?:\\.|[^"\\])*")', body)
        body = "".join(part if index % 2 else translate(part) for index, part in enumerate(parts))
        lines.append(f"{name.replace('-', '_')}: {body}")
    return Lark("\n".join(lines), start="root", parser="earley", lexer="dynamic")


@pytest.fixture(scope="module")
def home_grammar():
    several = frozenset(label for label in HOME.labels() if len(HOME.instances(label)) > 1)
    return _lark_of(frame_grammar(HOME.labels(), tasks_served(HOME), several))


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_grammar_and_schema_take_the_readers_frames(home_grammar, question):
    reply = reply_of(read(question, HOME))
    home_grammar.parse(reply)
    full = json.loads(reply)  # as a model under the strict schema writes it: every key, null where unused
    pick_keys = ("label", "pick", "reference", "relation", "measure")
    full["objects"] = [o if isinstance(o, str) else {k: o.get(k) for k in pick_keys} for o in full.get("objects", [])]
    full = {key: full.get(key) for key in frame_schema()["properties"]}
    jsonschema.validate(full, frame_schema(HOME.labels(), tasks_served(HOME)))


@pytest.mark.parametrize("reply", [
    '{"task": "measure", "measure": "height", "objects": ["piano"], "unit": "cm"}',  # not a scene label
    '{"task": "measure", "measure": "distance", "objects": ["bed"], "unit": "m"}',  # a distance needs two
    '{"task": "measure", "measure": "distance", "objects": ["bed", "bed"], "unit": "m"}',
    '{"task": "measure", "measure": "height", "objects": ["bed", "door"], "unit": "m"}',
    '{"task": "relation", "relation": "on", "objects": ["plant"]}',
    '{"task": "measure", "measure": "weight", "objects": ["bed"], "unit": "cm"}',
    '{"task": "count", "objects": ["chair"], "unit": "m"}',
    '{"task": "view_turn", "views": [0, 1]}',  # the scene has no views
])
def test_the_grammar_refuses_what_the_scene_cannot_answer(home_grammar, reply):
    with pytest.raises(Exception):
        home_grammar.parse(reply)


def test_absent_objects_may_be_named_where_existence_or_counts_are_asked(home_grammar):
    home_grammar.parse('{"task": "exists", "objects": ["piano"], "relation": null, "target": null}')
    home_grammar.parse('{"task": "count", "objects": ["grand piano"]}')


def test_the_schema_is_strict():
    schema = frame_schema(HOME.labels())
    assert schema["additionalProperties"] is False and set(schema["required"]) == set(schema["properties"])


def test_the_frame_grammar_goes_to_llama_cpp_python():
    reply = '{"task": "count", "objects": ["chair"]}'
    with OpenAIServer(lambda body: chat_reply(reply), routes=LLAMA_CPP_PYTHON) as server:
        model = LiteLLMModel("openai/gemma", api_base=server.base_url, retries=0)
        result = ask(HOME, "How many chairs are there?", LLMPlanner(model, form="frame"))
    assert result.value == 2
    body = server.requests[0]["body"]
    assert '"\\"chair\\""' in body["grammar"] and "response_format" not in body
    assert "Tasks (the \"task\" key)" in body["messages"][0]["content"]


@pytest.mark.parametrize("question", ["Which is closer to the camera, the tv or the door?", "Is the tv to the right of the bed?",
                                      "Is the door behind the bed?"])
def test_frames_seen_from_a_camera_round_trip(question):
    from tests.test_everyday_questions import _photo_of_home

    scene = _photo_of_home()
    reply = reply_of(read(question, scene))
    expected = ask(scene, question, RulesPlanner())
    assert ask(scene, question, frame_planner(reply)).value == expected.value
    _lark_of(frame_grammar(scene.labels(), tasks_served(scene))).parse(reply)


def test_options_fix_the_choice_and_the_scheme():
    options = parse_options(["A. nightstand", "B. door", "C. tv"])
    planner = LLMPlanner(ScriptedModel([]), form="frame")
    grammar = _lark_of(planner.constraint(HOME, "Which of these is closest to the bed?", options).grammar("gbnf"))
    grammar.parse('{"task": "choose", "measure": "distance", "best": "min", "objects": ["nightstand", "door", "tv"], '
                  '"over_scene": false, "target": "bed", "views": null}')
    with pytest.raises(Exception):  # the options are the candidates, all of them, in their order
        grammar.parse('{"task": "choose", "measure": "distance", "best": "min", "objects": ["nightstand", "door"], '
                      '"over_scene": false, "target": "bed", "views": null}')
    quadrants = parse_options(["A. front-left", "B. front-right", "C. back-left", "D. back-right"])
    question = "Standing at the bed facing the tv, where is the door?"
    grammar = _lark_of(planner.constraint(HOME, question, quadrants).grammar("gbnf"))
    grammar.parse('{"task": "direction", "at": "bed", "facing": "tv", "objects": ["door"], "scheme": "quadrant"}')
    with pytest.raises(Exception):
        grammar.parse('{"task": "direction", "at": "bed", "facing": "tv", "objects": ["door"], "scheme": "left_right"}')


@pytest.mark.parametrize("frame", [
    {"task": "compare", "measure": "distance", "objects": ["bed"], "comparison": "<",
     "amount": {"value": 1, "unit": "m"}},
    {"task": "compare", "measure": "height", "objects": [], "comparison": ">"},
    {"task": "choose", "measure": "height", "best": "max", "objects": []},
    {"task": "between", "objects": ["bed", "tv"]},
    {"task": "view_movement", "views": [0]},
    {"task": "view_after_turn", "views": []},
    {"task": "direction", "objects": ["door"], "scheme": "left_right"},
    {"task": "route", "objects": []},
])
def test_every_incomplete_frame_is_a_planning_error_never_a_crash(frame):
    from sagent.agent.understanding.compiler import Compiler
    from sagent.agent.understanding.errors import PlanningError
    from sagent.agent.understanding.frame_reply import frame_of_reply

    with pytest.raises(PlanningError):
        Compiler(HOME.labels()).compile(frame_of_reply(frame))
