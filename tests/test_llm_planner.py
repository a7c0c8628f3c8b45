"""The LLM planner against a scripted model: repair, multi-step, budgets, prompts."""

import json

import pytest

from sagent.agent import ask, llm_planner
from sagent.agent.agent_memory import AgentMemory
from sagent.agent.llm_planner import LLMPlanner, PlannerStep, RepairBudgetExhausted, parse_step
from sagent.agent.model import ModelReply, ReplyConstraint
from sagent.agent.prompts import few_shot_examples
from sagent.dsl import REGISTRY, decoding_grammar
from sagent.dsl.needs import scene_serves
from tests.fakes import ScriptedModel, step
from tests.scenes import make_scene

SCENE = make_scene([
    ("sofa", (2.5, 0.5, 0.42), (2.1, 0.9, 0.84)),
    ("lamp", (0.35, 0.4, 0.8), (0.4, 0.4, 1.6)),
    ("door", (4.95, 3.2, 1.02), (0.9, 0.05, 2.04), 90),
    ("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9)),
    ("chair", (4.1, 1.9, 0.45), (0.55, 0.55, 0.9)),
], floor_area=20.0)


MODEL_SETTINGS = ("images", "constraint_kind")


def planner(*replies, **kwargs):
    return LLMPlanner(ScriptedModel(list(replies), **{k: v for k, v in kwargs.items() if k in MODEL_SETTINGS}),
                      **{k: v for k, v in kwargs.items() if k not in MODEL_SETTINGS})


def last_user_text(model: ScriptedModel, call: int) -> str:
    content = model.calls[call][-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


def test_bad_program_then_repaired():
    p = planner("answer distance(objects(\"sofa\"), objects(\"lamp\")",  # unbalanced
                step('answer distance(objects("sofa"), objects("lamp"))'))
    answer = ask(SCENE, "How far is the lamp from the sofa?", p)
    assert answer.value == pytest.approx(0.9) and answer.unit == "m"
    assert answer.attempts == 2 and answer.planner == "llm" and answer.model == "scripted/fake"
    repair = last_user_text(p.model, 1)
    assert 'answer distance(objects("sofa"), objects("lamp")' in repair  # what the model sent
    assert "syntax error" in repair and "^" in repair and "expected" in repair


def test_unknown_label_then_the_right_one():
    p = planner(step('answer count(objects("couch"))'), step('answer count(objects("sofa"))'))
    answer = ask(SCENE, "How many couches are there?", p)
    assert answer.value == 1
    repair = last_user_text(p.model, 1)
    assert "unknown label 'couch' (closest match: 'sofa')" in repair
    assert "the scene has: chair, door, lamp, sofa" in repair


def test_runtime_failure_goes_back_for_repair():
    p = planner(step('answer size(objects("chair"))'),
                step('answer largest([objects("chair")])'),  # still ambiguous
                step('answer to(size(objects("sofa")), "cm")'))
    answer = ask(SCENE, "How long is the sofa?", p)
    assert answer.value == pytest.approx(210)
    assert "needs one chair but the scene has 2" in last_user_text(p.model, 1)


def test_multi_step_plan_sees_results_and_cites_all_evidence():
    p = planner(step('answer count(objects("chair"))', final=False),
                step('answer nearest([objects("lamp"), objects("door")], objects("sofa"))'))
    answer = ask(SCENE, "Is there more than one chair, and which is closer to the sofa, the lamp or the door?", p)
    assert answer.value == "lamp"
    observation = last_user_text(p.model, 1)
    assert "Result: 2" in observation and "count(things=chair [chair_0, chair_1]) -> 2" in observation
    assert answer.objects == ["chair_0", "chair_1", "lamp_0", "door_0", "sofa_0"]
    assert [s["op"] for s in answer.trace][:2] == ["objects", "count"]


def test_the_conversation_is_the_opening_and_each_steps_messages():
    """One step record: what the model saw at each call is the opening plus every earlier step's own
    messages (its reply, then the errors or the result that went back); the session keeps those steps."""
    p = planner(step('answer count(objects("piano"))'), step('answer count(objects("chair"))', final=False),
                step('answer nearest([objects("lamp"), objects("door")], objects("sofa"))'))
    memory = AgentMemory()
    ask(SCENE, "Is there more than one chair, and which is closer to the sofa, the lamp or the door?", p,
        memory=memory)
    steps = memory.records[-1].attempts
    assert [s.kind for s in steps] == ["repair", "observation", "final"]
    opening = p.model.calls[0]
    for call, seen in enumerate(p.model.calls):
        assert seen == opening + [m for s in steps[:call] for m in s.to_messages()]
    assert steps[0].feedback and "unknown label 'piano'" in steps[0].feedback and steps[0].errors
    assert "Result: 2" in steps[1].feedback and steps[2].feedback is None
    assert '"answer nearest(' in steps[2].reply and steps[2].program.startswith("answer nearest(")
    assert memory.records[-1].answer.value == "lamp"


def test_a_failed_question_keeps_the_programs_that_failed():
    p = planner(*[step('answer count(objects("piano"))')] * 2, max_repairs=1)
    memory = AgentMemory()
    with pytest.raises(RepairBudgetExhausted):
        ask(SCENE, "How many pianos?", p, memory=memory)
    record = memory.records[-1]
    assert record.answer is None and [a.kind for a in record.attempts] == ["repair", "repair"]
    assert "unknown label 'piano'" in record.attempts[-1].errors[0].message


def test_step_limit_takes_the_last_result():
    p = planner(step('answer count(objects("chair"))', final=False),
                step('answer count(objects("lamp"))', final=False), max_steps=2)
    assert ask(SCENE, "How many lamps?", p).value == 1


def test_retry_budget_ends_in_a_typed_error():
    p = planner(*[step('answer count(objects("piano"))')] * 3, max_repairs=2)
    memory = AgentMemory()
    with pytest.raises(RepairBudgetExhausted) as info:
        ask(SCENE, "How many pianos?", p, memory=memory)
    assert len(info.value.attempts) == 3 and "unknown label 'piano'" in str(info.value)
    assert len(p.model.calls) == 3
    assert memory.records[-1].error.startswith("RepairBudgetExhausted")


def test_prompt_is_rendered_from_the_registry_and_the_scene():
    p = planner(step('answer room_area()'))
    ask(SCENE, "How big is the room?", p, options=["A. 10 m2", "B. 20 m2"])
    system, user = p.model.calls[0][0]["content"], p.model.calls[0][1]["content"]
    served = {name for name, op in REGISTRY.items() if scene_serves(op, SCENE)}
    assert {"count", "distance", "room_area", "direction"} <= served
    for name, op in REGISTRY.items():  # a layout without views or a timeline gets no view or time ops
        assert (op.signature() in system) == (name in served), name
    assert "chair: 2, door: 1, lamp: 1, sofa: 1" in user
    assert "Question: How big is the room?" in user and "B. 20 m2" in user


def test_the_prompt_shows_the_bank_examples_closest_to_the_question():
    p = planner(step('answer count(objects("chair"))'))
    ask(SCENE, "What number of chairs does this room contain?", p)
    system = p.model.calls[0][0]["content"]
    shown = [e for e in few_shot_examples() if f"Question: {e.question}\n" in system]
    assert 1 <= len(shown) <= 4 and shown[0].task == "object_counting"
    assert all(json.dumps(e.program) in system for e in shown)
    assert system.count("Question:") == len(shown)


def test_models_that_take_images_get_a_birds_eye_view():
    p = planner(step('answer room_area()'), images=True)
    ask(SCENE, "How big is the room?", p)
    content = p.model.calls[0][1]["content"]
    assert content[0]["type"] == "text" and "bird's-eye view" in content[0]["text"]
    assert content[1]["type"] == "image_url" and content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_parse_step_accepts_json_fences_and_raw_text():
    assert parse_step('{"program": "answer 1", "final": false}') == PlannerStep(program="answer 1", final=False)
    assert parse_step('Sure! {"program": "answer 2"} hope it helps') == PlannerStep(program="answer 2", final=True)
    assert parse_step("```sagent\nanswer 3\n```") == PlannerStep(program="answer 3\n", final=True)
    assert parse_step("answer 4") == PlannerStep(program="answer 4", final=True)


def test_later_questions_see_earlier_answers():
    memory = AgentMemory()
    first = planner(step('answer nearest([objects("lamp"), objects("door")], objects("sofa"))'))
    ask(SCENE, "Which is closer to the sofa, the lamp or the door?", first, memory=memory)
    second = planner(step('answer to(size(objects("lamp"), dimension="height"), "cm")'))
    answer = ask(SCENE, "How tall is the one you found before?", second, memory=memory)
    assert answer.value == pytest.approx(160)
    prompt = last_user_text(second.model, 0)
    assert "Earlier in this session:" in prompt
    assert "'Which is closer to the sofa, the lamp or the door?' -> lamp [objects: lamp_0, door_0, sofa_0]" in prompt


# ---- what each call carries: the constraint, the stop sequence, the temperature ----------------

def test_each_call_carries_the_schema_a_lazy_cached_grammar_a_stop_and_the_default_temperature(monkeypatch):
    built = []
    monkeypatch.setattr(llm_planner, "grammar_for", lambda scene, flavour: built.append(flavour) or f"{flavour}:{scene.name}")
    p = planner(step('answer count(objects("couch"))'), step('answer count(objects("chair"))'))
    ask(SCENE, "How many chairs?", p)
    assert p.model.stops == [("\nQuestion:",)] * 2 and p.model.temperatures == [None, None]
    first, second = p.model.constraints
    assert isinstance(first, ReplyConstraint) and first.schema == PlannerStep.model_json_schema()
    assert built == []  # nothing is built until a provider asks for it
    assert first.grammar("gbnf") == "gbnf:synthetic" and second.grammar("gbnf") == "gbnf:synthetic"
    assert second.grammar("lark") == "lark:synthetic" and built == ["gbnf", "lark"]  # once per flavour
    other = make_scene([("sofa", (1, 1, 0.4), (2, 1, 0.8))])
    assert p.constraint(other).grammar("gbnf") and built == ["gbnf", "lark", "gbnf"]  # other labels, other grammar
    monkeypatch.undo()
    assert planner().constraint(SCENE).grammar("gbnf") == decoding_grammar.grammar_for(SCENE, "gbnf")


def test_a_grammar_constrained_reply_is_a_bare_final_program():
    p = planner(ModelReply('answer size(objects("chair"))', 90, 9, constrained_by="grammar"),
                ModelReply('answer to(size(objects("sofa")), "cm")', 95, 8, constrained_by="grammar"))
    answer = ask(SCENE, "How long is the sofa?", p)
    assert answer.value == pytest.approx(210) and answer.attempts == 2
    repair = last_user_text(p.model, 1)
    assert "needs one chair but the scene has 2" in repair
    assert "Reply with the corrected program only." in repair and "JSON" not in repair


def test_a_repair_quotes_the_error_and_its_line_not_the_whole_reply():
    program = 'objects1 = objects("sofa")\nobjects2 = objects("lamp")\nanswer distance(objects1, objects("piano"))'
    p = planner(step(program), step('answer distance(objects("sofa"), objects("lamp"))'))
    ask(SCENE, "How far is the lamp from the sofa?", p)
    repair = last_user_text(p.model, 1)
    assert 'answer distance(objects1, objects("piano"))' in repair and "unknown label 'piano'" in repair
    assert 'objects1 = objects("sofa")' not in repair and p.model.calls[1][-2]["content"] == step(program)


def test_a_model_that_will_enforce_the_grammar_is_asked_for_bare_programs():
    json_replies = planner(ModelReply(step('answer count(objects("chair"))')))
    bare_replies = planner(ModelReply('answer count(objects("chair"))', constrained_by="grammar"),
                           constraint_kind=lambda constraint: "grammar")
    ask(SCENE, "How many chairs?", json_replies)
    ask(SCENE, "How many chairs?", bare_replies)
    first, second = json_replies.model.calls[0][0]["content"], bare_replies.model.calls[0][0]["content"]
    assert '{"program": "answer count(objects(\\"chair\\"))", "final": true}' in first and "JSON" in first
    assert '\nanswer count(objects("chair"))\n' in second and "JSON" not in second and '"final"' not in second
    assert "Reply with the program only" in second


@pytest.mark.parametrize("kind", [None, "schema", "grammar"])
def test_a_questions_prompt_does_not_depend_on_earlier_questions(kind):
    replies = [ModelReply('answer count(objects("sofa"))' if kind == "grammar" else step('answer count(objects("sofa"))'),
                          constrained_by=kind)] * 3
    p = planner(*replies, constraint_kind=lambda constraint: kind)
    ask(SCENE, "How many chairs?", p)
    ask(SCENE, "How many sofas?", p)
    alone = planner(*replies[:1], constraint_kind=lambda constraint: kind)
    ask(SCENE, "How many sofas?", alone)
    assert p.model.calls[1][:2] == alone.model.calls[0][:2]
