"""What a planner returns: the final program, its execution, and every attempt on the way."""

from __future__ import annotations

from dataclasses import dataclass, field

from sagent.dsl import Diagnostic, Execution


@dataclass
class Attempt:
    program: str
    errors: list[Diagnostic] = field(default_factory=list)
    result: str | None = None  # what a non-final step showed the planner


@dataclass
class Solution:
    program: str
    execution: Execution
    attempts: list[Attempt]
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
