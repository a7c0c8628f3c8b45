"""Choosing a planner from settings: `auto` is the LLM planner when a model is configured."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterable

from sagent.agent.llm_planner import LLMPlanner
from sagent.agent.model import DEFAULT_TIMEOUT_SECONDS, LiteLLMModel
from sagent.agent.rules_planner import RulesPlanner
from sagent.agent.solution import StepCallback
from sagent.errors import InputError


class PlannerConfigError(InputError):
    """The planner settings don't fit together."""


@dataclass
class PlannerSettings:
    kind: str = "auto"  # auto | llm | rules
    model: str | None = None  # litellm model name; SAGENT_MODEL when unset
    api_base: str | None = None
    images: str = "auto"  # auto | on | off
    max_repairs: int = 3
    max_steps: int = 3
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self):
        positive = {"--max-steps": self.max_steps, "--timeout": self.timeout}
        for flag, value in positive.items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise PlannerConfigError(f"{flag} must be a positive number, got {value!r}")
        if not (isinstance(self.max_repairs, int) and self.max_repairs >= 0):
            raise PlannerConfigError(f"--max-repairs must be 0 or more, got {self.max_repairs!r}")

    def model_name(self) -> str | None:
        return self.model or os.environ.get("SAGENT_MODEL") or None


def make_model(settings: PlannerSettings) -> LiteLLMModel:
    name = settings.model_name()
    if not name:
        raise PlannerConfigError("no model configured: pass --model PROVIDER/MODEL (or set SAGENT_MODEL)")
    images = {"on": True, "off": False}.get(settings.images)
    return LiteLLMModel(name, api_base=settings.api_base or os.environ.get("SAGENT_API_BASE"),
                        timeout=settings.timeout, images=images)


def make_planner(settings: PlannerSettings, step_callbacks: Iterable[StepCallback] = ()):
    """`step_callbacks` go to the LLM planner, which calls each with every step as it ends; the rules
    planner calls no model and has no steps to report."""
    if settings.kind == "rules" or (settings.kind == "auto" and not settings.model_name()):
        return RulesPlanner()
    if settings.kind not in ("auto", "llm"):
        raise PlannerConfigError(f"unknown planner {settings.kind!r}; choose auto, llm or rules")
    return LLMPlanner(make_model(settings), max_repairs=settings.max_repairs, max_steps=settings.max_steps,
                      step_callbacks=step_callbacks)
