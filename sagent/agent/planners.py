"""Choosing a planner from settings: `auto` is the LLM planner when a model is configured."""

from __future__ import annotations

from typing import Iterable

from sagent.agent.llm_planner import LLMPlanner
from sagent.agent.model import LiteLLMModel
from sagent.agent.planner_settings import ModelSettings, PlannerSettings
from sagent.agent.rules_planner import RulesPlanner
from sagent.agent.solution import StepCallback
from sagent.settings import ConfigError, environment
from sagent.tools.pipeline.settings import PerceptionSettings


class PlannerConfigError(ConfigError):
    """The planner settings don't fit together."""


__all__ = ["ModelSettings", "PlannerConfigError", "PlannerSettings", "make_model", "make_planner", "with_detector_model"]


def make_model(settings: ModelSettings) -> LiteLLMModel:
    name = settings.model_name()
    if not name:
        raise PlannerConfigError("no model configured: pass --model PROVIDER/MODEL (or set SAGENT_MODEL)")
    images = {"on": True, "off": False}.get(settings.images)
    return LiteLLMModel(name, api_base=settings.api_base or environment().api_base or None,
                        timeout=settings.timeout, images=images, constrain=settings.constrain,
                        max_tokens=settings.max_tokens, temperature=settings.temperature)


def with_detector_model(perception: PerceptionSettings, model: ModelSettings) -> PerceptionSettings:
    """The perception settings with the model the vlm detector asks (made only when it will be asked: the
    vlm detector, or auto with a model configured)."""
    if perception.detector == "vlm" or (perception.detector == "auto" and model.model_name()):
        return perception.model_copy(update={"model": make_model(model)})
    return perception


def make_planner(settings: PlannerSettings, step_callbacks: Iterable[StepCallback] = ()):
    """`step_callbacks` go to the LLM planner, which calls each with every step as it ends; the rules
    planner calls no model and has no steps to report."""
    if settings.kind == "rules" or (settings.kind == "auto" and not settings.model_name()):
        return RulesPlanner()
    if settings.kind not in ("auto", "llm"):
        raise PlannerConfigError(f"unknown planner {settings.kind!r}; choose auto, llm or rules")
    return LLMPlanner(make_model(settings), max_repairs=settings.max_repairs, max_steps=settings.max_steps,
                      step_callbacks=step_callbacks, votes=settings.votes, form=settings.form)
