"""Prompt rendering: package templates filled from the op registry, the scene memory and the bank
of checked examples, sized for small contexts (only the ops the scene serves, a few examples)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jinja2

from sagent.agent.example_bank import DEFAULT_SHOTS, Example, bank, nearest_examples
from sagent.agent.options import Option, parse_options
from sagent.agent.understanding.frame import TASKS
from sagent.agent.understanding.frame_reply import FIELD_DOCS, TASK_FIELDS, reply_of, tasks_served
from sagent.agent.understanding.reader import RulesReader
from sagent.errors import SagentError
from sagent.dsl import REGISTRY, op_reference
from sagent.dsl.needs import scene_serves
from sagent.memory.scene import SceneMemory

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)


def few_shot_examples() -> list[Example]:
    """The whole bank of question/program pairs (each is parsed, checked and run in the tests)."""
    return list(bank())


def render(template: str, **values) -> str:
    return _environment().get_template(template).render(**values).strip() + "\n"


def system_prompt(max_steps: int, scene: SceneMemory | None = None, question: str = "",
                  shots: int = DEFAULT_SHOTS, bare: bool = False) -> str:
    """The reference for the ops `scene` can serve (all without a scene) and the `shots` bank examples
    closest to `question`. With examples, the ops they use get their full entry and the others one
    line each, and the ops' own docstring examples are left out: the few-shot examples show usage.
    `bare`: replies are bare programs (a provider enforces the program grammar), not JSON steps."""
    ops = [op for op in REGISTRY.values() if scene is None or scene_serves(op, scene)]
    examples = nearest_examples(question, scene, shots)
    detailed = {name for example in examples for name in example.ops} if examples else None
    return render("system.j2", reference=op_reference(ops, examples=not examples, detailed=detailed),
                  examples=examples, max_steps=max_steps, bare=bare)


@lru_cache(maxsize=256)
def _frame_reply(example: Example) -> str | None:
    """The task frame the rules reader makes of a bank example, as a model would write it; None when
    the reader cannot read it (that example is not shown)."""
    try:
        frame = RulesReader(example.question, sorted(example.labels), parse_options(list(example.options)),
                            {label: 2 for label in example.labels}).frame()
    except SagentError:
        return None
    return reply_of(frame)


def frame_system_prompt(scene: SceneMemory | None = None, question: str = "", shots: int = DEFAULT_SHOTS) -> str:
    """The task frame's tasks and keys (from the frame's own tables) and the `shots` bank examples
    closest to `question`, each with the frame the rules reader makes of it."""
    examples = []
    for example in nearest_examples(question, scene, 3 * shots):
        reply = _frame_reply(example)
        if reply is not None and (scene is None or json.loads(reply)["task"] in tasks_served(scene)):
            examples.append({"question": example.question, "options": example.options, "reply": reply})
        if len(examples) == shots:
            break
    served = tasks_served(scene) if scene is not None else list(TASKS)
    # The closest example last, right before the question: a small model copies the nearest pattern.
    return render("frame_system.j2", tasks={t: TASKS[t] for t in served}, fields=FIELD_DOCS, task_fields=TASK_FIELDS,
                  examples=examples[::-1])


def question_prompt(question: str, scene: SceneMemory, options: list[Option], history: list[str],
                    image_captions: list[str]) -> str:
    return render(
        "question.j2", scene_name=scene.name, up=list(scene.record.up), inventory=scene.label_counts(),
        has_room_area=scene.room.floor_area is not None, camera_count=len(scene.cameras),
        has_times=any(o.first_seen is not None for o in scene.objects), history=history,
        question=question, options=options, images=image_captions,
    )
