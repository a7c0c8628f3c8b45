"""The LLM planner: a (vision-)language model writes DSL programs; the checker and the scene
memory keep it honest.

Loop: the model gets the op reference, the scene inventory, the question (and pictures where it
takes them) and replies with {"program", "final"}. A program that fails to parse, check or run
goes back with its errors for repair, within a budget; a non-final program runs and its result
comes back as an observation, within a step limit. Infrastructure failures (ProviderError) stop.
"""

from __future__ import annotations

import json
import re

from sagent.agent.model import ChatModel
from sagent.agent.options import Option
from sagent.agent.pictures import Picture, scene_pictures
from sagent.agent.prompts import question_prompt, render, system_prompt
from sagent.agent.solution import Attempt, Solution
from sagent.dsl import DslError, ExecContext, Execution, check, execute, parse
from sagent.dsl.interpreter import describe
from sagent.dsl.types import Image
from sagent.errors import ModelError
from sagent.memory.scene import SceneMemory

STEP_SCHEMA = {
    "type": "object",
    "properties": {"program": {"type": "string"}, "final": {"type": "boolean"}},
    "required": ["program", "final"],
    "additionalProperties": False,
}


class RepairBudgetExhausted(ModelError):
    """The model did not produce a program that checks and runs within the allowed repairs."""

    def __init__(self, attempts: list[Attempt], limit: int):
        self.attempts = attempts
        last = attempts[-1]
        errors = "\n".join(d.message for d in last.errors) or "no program"
        super().__init__(f"the model gave no valid program after {limit} repair(s); last errors: {errors}")


def extract_step(text: str) -> tuple[str, bool]:
    """(program, final) from a reply: the JSON object asked for, a fenced code block, or raw text."""
    stripped = text.strip()
    candidates = [stripped]
    braces = re.search(r"\{.*\}", stripped, flags=re.S)
    if braces:
        candidates.append(braces.group(0))
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(data.get("program"), str):
            return data["program"], bool(data.get("final", True))
    fenced = re.search(r"```[a-zA-Z]*\n(.*?)```", stripped, flags=re.S)
    return (fenced.group(1) if fenced else stripped), True


class LLMPlanner:
    name = "llm"

    def __init__(self, model: ChatModel, max_repairs: int = 3, max_steps: int = 3, pictures=scene_pictures):
        """`pictures(scene) -> list[Picture]` supplies views and keyframes for models that take images."""
        self.model = model
        self.max_repairs = max_repairs
        self.max_steps = max_steps
        self.pictures = pictures

    def _opening(self, question, scene, options, history) -> list[dict]:
        pictures = self.pictures(scene) if self.pictures and self.model.supports_images() else []
        text = question_prompt(question, scene, options, history, [p.caption for p in pictures])
        content = [{"type": "text", "text": text}, *(p.to_content() for p in pictures)] if pictures else text
        return [{"role": "system", "content": system_prompt(self.max_steps)}, {"role": "user", "content": content}]

    def solve(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
              history: list[str] | None = None) -> Solution:
        messages = self._opening(question, scene, list(options or []), list(history or []))
        attempts: list[Attempt] = []
        evidence: list[Execution] = []  # every program that ran, so the answer cites all of it
        repairs = steps = prompt_tokens = completion_tokens = 0
        while True:
            reply = self.model.complete(messages, STEP_SCHEMA)
            prompt_tokens += reply.prompt_tokens
            completion_tokens += reply.completion_tokens
            messages.append({"role": "assistant", "content": reply.text})
            source, final = extract_step(reply.text)
            try:
                program = parse(source)
                check(program, scene)
                execution = execute(program, ExecContext(scene))
            except DslError as error:
                attempts.append(Attempt(source, error.diagnostics))
                if repairs >= self.max_repairs:
                    raise RepairBudgetExhausted(attempts, self.max_repairs) from None
                repairs += 1
                messages.append({"role": "user", "content": render("repair.j2", program=source, errors=error.render())})
                continue
            steps += 1
            evidence.append(execution)
            if final or steps >= self.max_steps:
                attempts.append(Attempt(source))
                merged = Execution(
                    value=execution.value,
                    trace=[step for e in evidence for step in e.trace],
                    objects_used=list(dict.fromkeys(o for e in evidence for o in e.objects_used)),
                )
                return Solution(source, merged, attempts, self.model.name, prompt_tokens, completion_tokens)
            observation = describe(execution.value)
            attempts.append(Attempt(source, result=observation))
            text = render("observation.j2", result=observation, trace=[s.to_dict() for s in execution.trace])
            content: str | list = text
            if isinstance(execution.value, Image) and self.model.supports_images():
                content = [{"type": "text", "text": text}, Picture(execution.value.caption, execution.value.png).to_content()]
            messages.append({"role": "user", "content": content})
