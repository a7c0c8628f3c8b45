"""Choosing a planner from settings: `auto` is the LLM planner when a model is configured."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterable

from sagent.agent.llm_planner import FORMS, LLMPlanner
from sagent.agent.model import CONSTRAIN_MODES, DEFAULT_MAX_TOKENS, DEFAULT_TIMEOUT_SECONDS, LiteLLMModel
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
    constrain: str = "auto"  # auto | on | off: grammar or JSON schema sent with each call
    max_tokens: int = DEFAULT_MAX_TOKENS  # per reply
    temperature: float = 0.0  # 0: the same question gets the same program
    votes: int = 1  # programs sampled per question; the most common executed value answers
    form: str = "program"  # program | frame: the model writes DSL programs, or fills the task frame sagent compiles

    def __post_init__(self):
        positive = {"--max-steps": self.max_steps, "--timeout": self.timeout}
        for flag, value in positive.items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise PlannerConfigError(f"{flag} must be a positive number, got {value!r}")
        counts = {"--max-repairs": (self.max_repairs, 0), "--max-tokens": (self.max_tokens, 1), "--votes": (self.votes, 1)}
        for flag, (value, least) in counts.items():
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= least):
                raise PlannerConfigError(f"{flag} must be a whole number, {least} or more, got {value!r}")
        if not (isinstance(self.temperature, (int, float)) and math.isfinite(self.temperature)
                and 0 <= self.temperature <= 2):
            raise PlannerConfigError(f"--temperature must be between 0 and 2, got {self.temperature!r}")
        if self.form not in FORMS:
            raise PlannerConfigError(f"--form must be one of {', '.join(FORMS)}, got {self.form!r}")
        if self.constrain not in CONSTRAIN_MODES:
            raise PlannerConfigError(f"--constrain must be one of {', '.join(CONSTRAIN_MODES)}, got {self.constrain!r}")

    def model_name(self) -> str | None:
        return self.model or os.environ.get("SAGENT_MODEL") or None


def make_model(settings: PlannerSettings) -> LiteLLMModel:
    name = settings.model_name()
    if not name:
        raise PlannerConfigError("no model configured: pass --model PROVIDER/MODEL (or set SAGENT_MODEL)")
    images = {"on": True, "off": False}.get(settings.images)
    return LiteLLMModel(name, api_base=settings.api_base or os.environ.get("SAGENT_API_BASE"),
                        timeout=settings.timeout, images=images, constrain=settings.constrain,
                        max_tokens=settings.max_tokens, temperature=settings.temperature)


def make_planner(settings: PlannerSettings, step_callbacks: Iterable[StepCallback] = ()):
    """`step_callbacks` go to the LLM planner, which calls each with every step as it ends; the rules
    planner calls no model and has no steps to report."""
    if settings.kind == "rules" or (settings.kind == "auto" and not settings.model_name()):
        return RulesPlanner()
    if settings.kind not in ("auto", "llm"):
        raise PlannerConfigError(f"unknown planner {settings.kind!r}; choose auto, llm or rules")
    return LLMPlanner(make_model(settings), max_repairs=settings.max_repairs, max_steps=settings.max_steps,
                      step_callbacks=step_callbacks, votes=settings.votes, form=settings.form)
