"""Typed steps of the LLM planner: one per model call, with its kind, timing and tokens, as it ends."""

import time

import pytest

from sagent.agent import ask
from sagent.agent.agent import Agent
from sagent.agent.llm_planner import LLMPlanner, RepairBudgetExhausted
from sagent.agent.model import ModelReply
from sagent.agent.planners import PlannerConfigError, PlannerSettings, make_planner
from sagent.agent.rules_planner import RulesPlanner
from sagent.agent.solution import Attempt
from tests.fakes import ScriptedModel, step
from tests.scenes import make_scene

SCENE = make_scene([("sofa", (2.5, 0.5, 0.42), (2.1, 0.9, 0.84)), ("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9)),
                    ("chair", (4.1, 1.9, 0.45), (0.55, 0.55, 0.9))])


def slow(reply: ModelReply, seconds: float):
    def answer(messages):
        time.sleep(seconds)
        return reply
    return answer


def test_callbacks_get_one_typed_step_per_model_call_in_order():
    seen: list[tuple[str, Attempt]] = []
    model = ScriptedModel([
        ModelReply('answer count(objects("couch"))', 120, 7),                      # unknown label: repair
        slow(ModelReply(step('answer count(objects("chair"))', final=False), 200, 9), 0.05),  # observation
        ModelReply('{"program": "answer 1", "final": "false"}', 300, 11),           # bad reply: repair
        ModelReply(step('answer count(objects("sofa"))'), 400, 13),                 # final
    ])
    planner = LLMPlanner(model, step_callbacks=[lambda a: seen.append(("first", a)), lambda a: seen.append(("second", a))])
    answer = ask(SCENE, "How many sofas?", planner)
    assert answer.value == 1
    steps = [a for who, a in seen if who == "first"]
    assert [a for who, a in seen if who == "second"] == steps and [who for who, _ in seen[:2]] == ["first", "second"]
    assert [a.kind for a in steps] == ["repair", "observation", "repair", "final"]
    assert [(a.prompt_tokens, a.completion_tokens) for a in steps] == [(120, 7), (200, 9), (300, 11), (400, 13)]
    assert all(a.seconds > 0 for a in steps) and steps[1].seconds >= 0.05
    assert "unknown label 'couch'" in steps[0].errors[0].message and steps[1].result == "2"
    assert steps[2].program == '{"program": "answer 1", "final": "false"}' and "valid boolean" in steps[2].errors[0].message


def test_solution_totals_are_the_sum_of_the_steps():
    model = ScriptedModel([ModelReply("answer count(", 10, 1), ModelReply(step('answer count(objects("chair"))'), 20, 2)])
    solution = LLMPlanner(model).solve("How many?", SCENE)
    assert [a.kind for a in solution.attempts] == ["repair", "final"]
    assert (solution.prompt_tokens, solution.completion_tokens) == (30, 3)


def test_callbacks_see_failed_attempts_before_the_budget_error():
    seen: list[Attempt] = []
    planner = LLMPlanner(ScriptedModel([step('answer count(objects("piano"))')] * 2), max_repairs=1,
                         step_callbacks=[seen.append])
    with pytest.raises(RepairBudgetExhausted):
        planner.solve("How many pianos?", SCENE)
    assert [a.kind for a in seen] == ["repair", "repair"] and all(a.prompt_tokens == 100 for a in seen)


def test_run_steps_yields_each_step_as_it_ends_and_returns_the_solution():
    model = ScriptedModel([step('answer count(objects("chair"))', final=False), step('answer count(objects("sofa"))')])
    steps = LLMPlanner(model).run_steps("How many sofas?", SCENE)
    first = next(steps)
    assert first.kind == "observation" and len(model.calls) == 1  # the second call waits for the caller
    second = next(steps)
    assert second.kind == "final" and len(model.calls) == 2
    with pytest.raises(StopIteration) as done:
        next(steps)
    solution = done.value.value
    assert solution.program == 'answer count(objects("sofa"))' and solution.attempts == [first, second]


def test_callbacks_pass_through_make_planner_and_the_agent(monkeypatch):
    monkeypatch.delenv("SAGENT_MODEL", raising=False)
    callback = [].append
    planner = make_planner(PlannerSettings(kind="llm", model="openai/any"), [callback])
    assert isinstance(planner, LLMPlanner) and planner.step_callbacks == [callback]
    assert isinstance(make_planner(PlannerSettings(kind="rules"), [callback]), RulesPlanner)
    agent = Agent(planner="llm", model="openai/any", scene=SCENE, step_callbacks=[callback])
    assert agent.planner.step_callbacks == [callback]
    with pytest.raises(PlannerConfigError, match="pass them to the planner object"):
        Agent(planner=RulesPlanner(), scene=SCENE, step_callbacks=[callback])


def test_rules_planner_attempts_are_final_steps_without_a_model():
    solution = RulesPlanner().solve("How many chairs are there?", SCENE)
    (attempt,) = solution.attempts
    assert attempt.kind == "final" and attempt.prompt_tokens == 0 and attempt.seconds == 0.0
