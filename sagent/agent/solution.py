"""What a planner returns: the final program, its execution, and every attempt on the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from sagent.agent.understanding.frame import TaskFrame
from sagent.dsl import Diagnostic, Execution

StepKind = Literal["repair", "observation", "final"]


class Attempt(BaseModel):
    """One program the planner wrote; for the LLM planner, one model call, recorded as soon as it ends.
    The one record of a step: the planner's conversation is made of its messages (`to_messages`), the
    session keeps its JSON, step callbacks receive it.

    `kind`: "repair" — it failed (`errors` say why) and went back to the model for repair, or used up
    the repair budget; "observation" — it ran and its result (`result`) went back to the model;
    "final" — its result is the answer. `seconds`: the model call plus parsing, checking and running;
    the token counts are that call's usage (0 where no model was asked, as in the rules planner).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    program: str
    errors: list[Diagnostic] = []
    result: str | None = None  # what a non-final step showed the planner
    kind: StepKind = "final"
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reply: str | None = None  # the model's reply as it came (None: no model was asked)
    feedback: str | None = None  # what went back to the model after it: the errors to repair, or the result
    picture: Any = Field(None, exclude=True, repr=False)  # a Picture shown with the feedback (an ego view)

    def to_messages(self) -> list[dict]:
        """This step in the model's conversation: its reply, then what went back to the model."""
        messages = [{"role": "assistant", "content": self.reply if self.reply is not None else self.program}]
        if self.feedback is not None:
            content = self.feedback if self.picture is None else \
                [{"type": "text", "text": self.feedback}, self.picture.to_content()]
            messages.append({"role": "user", "content": content})
        return messages


StepCallback = Callable[[Attempt], None]  # called with each step as soon as it ends


@dataclass
class Solution:
    program: str
    execution: Execution
    attempts: list[Attempt]
    model: str | None = None
    frame: TaskFrame | None = None  # what the planner understood the question to ask, where it filled a frame

    @property
    def prompt_tokens(self) -> int:
        return sum(a.prompt_tokens for a in self.attempts)

    @property
    def completion_tokens(self) -> int:
        return sum(a.completion_tokens for a in self.attempts)
