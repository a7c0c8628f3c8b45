"""What a planner returns: the final program, its execution, and every attempt on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from sagent.agent.understanding.frame import TaskFrame
from sagent.dsl import Diagnostic, Execution

StepKind = Literal["repair", "observation", "final"]


@dataclass
class Attempt:
    """One program the planner wrote; for the LLM planner, one model call, recorded as soon as it ends.

    `kind`: "repair" — it failed (`errors` say why) and went back to the model for repair, or used up
    the repair budget; "observation" — it ran and its result (`result`) went back to the model;
    "final" — its result is the answer. `seconds`: the model call plus parsing, checking and running;
    the token counts are that call's usage (0 where no model was asked, as in the rules planner).
    """

    program: str
    errors: list[Diagnostic] = field(default_factory=list)
    result: str | None = None  # what a non-final step showed the planner
    kind: StepKind = "final"
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0


StepCallback = Callable[[Attempt], None]  # called with each step as soon as it ends


@dataclass
class Solution:
    program: str
    execution: Execution
    attempts: list[Attempt]
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    frame: TaskFrame | None = None  # what the planner understood the question to ask, where it filled a frame
