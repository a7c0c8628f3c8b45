"""The LLM planner: a (vision-)language model writes DSL programs; the checker and the scene
memory keep it honest.

Loop: the model gets the op reference, the scene inventory, the question (and pictures where it
takes them) and replies with a `PlannerStep`, {"program", "final"}. A reply or program that fails
to parse, check or run goes back with its errors for repair, within a budget; a non-final program
runs and its result comes back as an observation, within a step limit. Every model call ends as one
typed `Attempt` (kind, timing, tokens), yielded by `run_steps` and handed to each step callback.
Infrastructure failures (ProviderError) stop.
"""

from __future__ import annotations

import json
import re
import time
from typing import Generator, Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sagent.agent.model import ChatModel, ModelReply
from sagent.agent.options import Option
from sagent.agent.pictures import Picture, scene_pictures
from sagent.agent.prompts import question_prompt, render, system_prompt
from sagent.agent.solution import Attempt, Solution, StepCallback, StepKind
from sagent.dsl import Diagnostic, DslError, ExecContext, Execution, check, execute, parse
from sagent.dsl.interpreter import describe
from sagent.dsl.types import Image
from sagent.errors import ModelError
from sagent.memory.files import json_objects
from sagent.memory.scene import SceneMemory


def _strict_json_schema(schema: dict) -> None:
    """Strict json_schema output wants every property required and no others; defaults stay for parsing."""
    schema["required"] = list(schema["properties"])
    schema["additionalProperties"] = False
    for prop in schema["properties"].values():
        prop.pop("default", None)


class PlannerStep(BaseModel):
    """One reply of the planner's model. Its `model_json_schema()` is the response schema providers
    receive; strict types, so `"final": "false"` (a string) is an error, not a final step."""

    model_config = ConfigDict(strict=True, json_schema_extra=_strict_json_schema)

    program: str = Field(description="the DSL program")
    final: bool = Field(True, description="true: its result is the answer; false: run it and show me the result")


class ReplyFormatError(ModelError):
    """The reply holds JSON that is not a step: a missing program, "final" not a JSON boolean, broken
    JSON. Goes back to the model for repair like a program error."""

    def __init__(self, problems: list[str]):
        self.diagnostics = [Diagnostic("syntax", problem, 1, 1) for problem in problems]
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"reply error: {d.message}" for d in self.diagnostics]
        rule = ('The reply must be one JSON object, {"program": "<the DSL program>", "final": true}, '
                'with "final" a JSON boolean (true or false, without quotes).')
        return "\n".join([*lines, rule])


class RepairBudgetExhausted(ModelError):
    """The model did not produce a program that checks and runs within the allowed repairs."""

    def __init__(self, attempts: list[Attempt], limit: int):
        self.attempts = attempts
        last = attempts[-1]
        errors = "\n".join(d.message for d in last.errors) or "no program"
        super().__init__(f"the model gave no valid program after {limit} repair(s); last errors: {errors}")


def _problems(error: ValidationError) -> list[str]:
    """Pydantic's errors in words for the model: `final: Input should be a valid boolean (got "false")`."""
    return [f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}"
            + ("" if e["type"] == "missing" else f" (got {json.dumps(e['input'])[:80]})")
            for e in error.errors(include_url=False)]


def parse_step(text: str) -> PlannerStep:
    """The step in a reply: the first JSON object that validates as a `PlannerStep` (also inside prose
    or a fence), else a fenced code block, else the raw text, each as a final program.

    Raises ReplyFormatError when the reply holds JSON objects but no valid step (e.g. `"final":
    "false"`), or starts like JSON that does not parse: the DSL has no braces, so neither is a program."""
    stripped = text.strip()
    problems: list[str] = []
    for raw, value in json_objects(stripped):
        try:
            return PlannerStep.model_validate_json(raw)
        except ValidationError:
            pass
        try:
            return PlannerStep.model_validate(value)  # invalid JSON only for raw control characters in strings
        except ValidationError as error:
            problems = problems or _problems(error)
    if problems:
        raise ReplyFormatError(problems)
    fenced = re.search(r"```[a-zA-Z]*\n(.*?)```", stripped, flags=re.S)
    body = fenced.group(1) if fenced else stripped
    if body.lstrip().startswith("{"):  # JSON that would not parse (JSON that parses was read above)
        try:
            json.loads(body, strict=False)
        except json.JSONDecodeError as error:
            raise ReplyFormatError([f"the reply is not valid JSON: {error}"]) from None
    return PlannerStep(program=body, final=True)


def _merged(evidence: list[Execution]) -> Execution:
    """The last program's value with every program's trace and objects, so the answer cites all of it."""
    return Execution(
        value=evidence[-1].value,
        trace=[step for e in evidence for step in e.trace],
        objects_used=list(dict.fromkeys(o for e in evidence for o in e.objects_used)),
        observer=next((e.observer for e in reversed(evidence) if e.observer is not None), None),
    )


class LLMPlanner:
    name = "llm"

    def __init__(self, model: ChatModel, max_repairs: int = 3, max_steps: int = 3, pictures=scene_pictures,
                 step_callbacks: Iterable[StepCallback] = ()):
        """`pictures(scene) -> list[Picture]` supplies views and keyframes for models that take images.
        `step_callbacks`: each is called with every `Attempt` as soon as its model call and run end."""
        self.model = model
        self.max_repairs = max_repairs
        self.max_steps = max_steps
        self.pictures = pictures
        self.step_callbacks = list(step_callbacks)

    def _opening(self, question, scene, options, history) -> list[dict]:
        pictures = self.pictures(scene) if self.pictures and self.model.supports_images() else []
        text = question_prompt(question, scene, options, history, [p.caption for p in pictures])
        content = [{"type": "text", "text": text}, *(p.to_content() for p in pictures)] if pictures else text
        return [{"role": "system", "content": system_prompt(self.max_steps)}, {"role": "user", "content": content}]

    def _ended(self, kind: StepKind, program: str, reply: ModelReply, started: float,
               errors: list[Diagnostic] | None = None, result: str | None = None) -> Attempt:
        attempt = Attempt(program, list(errors or []), result, kind, time.perf_counter() - started,
                          reply.prompt_tokens, reply.completion_tokens)
        for callback in self.step_callbacks:
            callback(attempt)
        return attempt

    def run_steps(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
                  history: list[str] | None = None) -> Generator[Attempt, None, Solution]:
        """Yields one `Attempt` per model call as it ends; returns the `Solution`.

        Raises RepairBudgetExhausted when the repairs run out, ProviderError when the model cannot be used."""
        messages = self._opening(question, scene, list(options or []), list(history or []))
        attempts: list[Attempt] = []
        evidence: list[Execution] = []  # every program that ran
        repairs = 0
        schema = PlannerStep.model_json_schema()
        while True:
            started = time.perf_counter()
            reply = self.model.complete(messages, schema)
            messages.append({"role": "assistant", "content": reply.text})
            source = reply.text
            try:
                step = parse_step(reply.text)
                source = step.program
                program = parse(source)
                check(program, scene)
                execution = execute(program, ExecContext(scene))
            except (ReplyFormatError, DslError) as error:
                attempts.append(self._ended("repair", source, reply, started, error.diagnostics))
                yield attempts[-1]
                if repairs >= self.max_repairs:
                    raise RepairBudgetExhausted(attempts, self.max_repairs) from None
                repairs += 1
                messages.append({"role": "user", "content": render("repair.j2", program=source, errors=error.render())})
                continue
            evidence.append(execution)
            if step.final or len(evidence) >= self.max_steps:
                attempts.append(self._ended("final", source, reply, started))
                yield attempts[-1]
                return Solution(source, _merged(evidence), attempts, self.model.name,
                                sum(a.prompt_tokens for a in attempts), sum(a.completion_tokens for a in attempts))
            observation = describe(execution.value)
            attempts.append(self._ended("observation", source, reply, started, result=observation))
            yield attempts[-1]
            text = render("observation.j2", result=observation, trace=[s.to_dict() for s in execution.trace])
            content: str | list = text
            if isinstance(execution.value, Image) and self.model.supports_images():
                content = [{"type": "text", "text": text}, Picture(execution.value.caption, execution.value.png).to_content()]
            messages.append({"role": "user", "content": content})

    def solve(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
              history: list[str] | None = None) -> Solution:
        steps = self.run_steps(question, scene, options, history)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
