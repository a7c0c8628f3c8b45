"""Value checks shared by the checker (on literals) and the interpreter (on run-time values)."""

from __future__ import annotations

import typing

from sagent.dsl.errors import did_you_mean
from sagent.dsl.types import Label, UnitName
from sagent.memory import units
from sagent.memory.scene import SceneMemory
from sagent.memory.vocabulary import Vocabulary


def value_problem(declared, value, scene: SceneMemory | None) -> tuple[str, str] | None:
    """(error kind, message) when a string value doesn't fit a Label, UnitName or Literal parameter."""
    if not isinstance(value, str):
        return None
    if declared is Label and not value.strip():
        listing = f"; the scene has: {', '.join(scene.labels()) or 'no objects'}" if scene is not None else ""
        return "label", f"an empty label names no object; give an object label{listing}"
    if declared is Label and scene is not None and value not in scene.labels():
        # Synonyms and plurals first ("couch" -> "sofa"), then spelling.
        closest = Vocabulary(scene.labels()).resolve(value)
        if closest:
            return "label", f"unknown label {value!r} (closest match: {closest!r}); the scene has: {', '.join(scene.labels())}"
        return "label", f"unknown label {value!r}" + did_you_mean(value, scene.labels(), "the scene has")
    if declared is UnitName and value not in units.UNITS:
        return "unit", f"unknown unit {value!r}" + did_you_mean(value, units.UNITS, "units")
    if typing.get_origin(declared) is typing.Literal and value not in typing.get_args(declared):
        choices = ", ".join(repr(a) for a in typing.get_args(declared))
        return "type", f"{value!r} is not allowed here; choose one of {choices}"
    return None
