"""Why a question could not be understood."""

from __future__ import annotations

from sagent.errors import InputError, ModelError


class PlanningError(ModelError):
    """The planner could not turn the question into a program."""


class UnknownObject(PlanningError, InputError):
    """The question names an object the scene lacks. The user's input, so an InputError; also a
    PlanningError, so that whoever handles the planner's refusals (the evaluation) handles it."""
