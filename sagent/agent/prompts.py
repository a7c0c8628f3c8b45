"""Prompt rendering: package templates filled from the op registry and the scene memory."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jinja2

from sagent.agent.options import Option
from sagent.dsl import op_reference
from sagent.memory.scene import SceneMemory

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)


def few_shot_examples() -> list[dict]:
    """Question/program pairs shown to the planner (each is parsed and checked in the tests)."""
    lines = (TEMPLATES / "examples.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def render(template: str, **values) -> str:
    return _environment().get_template(template).render(**values).strip() + "\n"


def system_prompt(max_steps: int) -> str:
    return render("system.j2", reference=op_reference(), examples=few_shot_examples(), max_steps=max_steps)


def question_prompt(question: str, scene: SceneMemory, options: list[Option], history: list[str],
                    image_captions: list[str]) -> str:
    return render(
        "question.j2", scene_name=scene.name, up=list(scene.record.up), inventory=scene.label_counts(),
        has_room_area=scene.room.floor_area is not None, camera_count=len(scene.cameras),
        has_times=any(o.first_seen is not None for o in scene.objects), history=history,
        question=question, options=options, images=image_captions,
    )
