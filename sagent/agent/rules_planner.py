"""The rules planner: question to DSL program without any language model.

The rules reader fills the task frame (agent/understanding), the one compiler writes its
program, and the checker's answer type must be of the frame's kind before anything runs: a
program whose answer does not fit the question is a bug refused here, never an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sagent.agent.options import Option
from sagent.agent.solution import Attempt, Solution
from sagent.agent.understanding.compiler import Compiler
from sagent.agent.understanding.errors import PlanningError, UnknownObject
from sagent.agent.understanding.frame import TaskFrame
from sagent.agent.understanding.kinds import kind_of_frame
from sagent.agent.understanding.lexicon import requested_unit
from sagent.agent.understanding.reader import read
from sagent.dsl import ExecContext, check, execute, parse
from sagent.memory.scene import SceneMemory

__all__ = ["Plan", "PlanningError", "RulesPlanner", "UnknownObject", "requested_unit"]


@dataclass(frozen=True)
class Plan:
    program: str
    intent: str
    frame: TaskFrame | None = None


class RulesPlanner:
    """Plans from cue words and the scene inventory; no model, fully offline."""

    name = "rules"

    def solve(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
              history: list[str] | None = None) -> Solution:
        """Plan, then run; a program the scene refuses (unknown label, ambiguity) raises DslError."""
        plan = self.plan(question, scene, options)
        program = parse(plan.program)
        answer = check(program, scene)
        expected = kind_of_frame(plan.frame)
        if not expected.accepts(answer.type):
            raise PlanningError(f"the rules planner wrote a program answering {answer.type.__name__} for a question "
                                f"asking {expected.description}; this is a bug in sagent ({plan.program!r})")
        execution = execute(program, ExecContext(scene))
        return Solution(plan.program, execution, [Attempt(program=plan.program)], frame=plan.frame)

    def plan(self, question: str, scene: SceneMemory, options: list[Option] | None = None) -> Plan:
        frame = read(question, scene, options)
        return Plan(program=Compiler(scene.labels()).compile(frame), intent=frame.task, frame=frame)
