"""How the services show a scene's objects and a program's result as JSON (the MCP tools and the HTTP API alike)."""

from __future__ import annotations

from sagent.agent.answer import plain_value
from sagent.dsl import Execution
from sagent.memory.scene import SceneMemory


def objects_json(scene: SceneMemory) -> list[dict]:
    """Each object: id, label, box centre and sides (metres, the scene's frame) and confidence."""
    return [{"id": o.id, "label": o.label, "center": list(o.box.center), "extents": list(o.box.extents),
             "confidence": o.confidence} for o in scene.objects]


def execution_json(execution: Execution) -> dict:
    """A program's value, unit and text, the objects it used and its trace."""
    value, unit, text = plain_value(execution.value)
    return {"value": value, "unit": unit, "text": text, "objects": execution.objects_used,
            "trace": [step.to_dict() for step in execution.trace]}
