"""One question against one scene memory: plan, check, run, and match the options."""

from __future__ import annotations

from typing import Protocol

from sagent.agent.answer import Answer, plain_value
from sagent.agent.options import Option, choose, parse_options, split_inline_options
from sagent.agent.rules_planner import Plan
from sagent.memory.vocabulary import Vocabulary
from sagent.dsl import ExecContext, run_program
from sagent.dsl.types import Turns
from sagent.memory.scene import SceneMemory


class Planner(Protocol):
    name: str

    def plan(self, question: str, scene: SceneMemory, options: list[Option] | None = None) -> Plan: ...


def ask(scene: SceneMemory, question: str, planner: Planner, options: list[str] | None = None) -> Answer:
    """Answer `question` about `scene`. Raises PlanningError or DslError when it cannot."""
    parsed = parse_options(options)
    if not parsed:
        question_text, parsed = split_inline_options(question)
    else:
        question_text = question
    plan = planner.plan(question_text, scene, parsed)
    execution = run_program(plan.program, ExecContext(scene))
    value, unit, text = plain_value(execution.value)
    choice = choice_text = None
    if parsed:
        vocabulary = Vocabulary(scene.labels())
        picked = choose(value, parsed, vocabulary.resolve, turns=isinstance(execution.value, Turns))
        if picked:
            choice, choice_text = picked.letter, picked.text
    return Answer(
        question=question, value=value, unit=unit, choice=choice, choice_text=choice_text, text=text, program=plan.program,
        planner=planner.name, scene=scene.name, objects=execution.objects_used,
        trace=[step.to_dict() for step in execution.trace],
    )
