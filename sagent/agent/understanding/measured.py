"""What an answer measured, in words, so "yes" and "74.5 cm" say by which measure: from the task
frame where the planner filled one, else from the last measuring op the program ran."""

from __future__ import annotations

from sagent.agent.understanding.frame import TaskFrame

_BY_OP = {"volume": "volume", "footprint": "footprint area", "horizontal_distance": "horizontal distance between closest points",
          "vertical_distance": "vertical gap", "distance": "distance between closest points"}


def measured_by(frame: TaskFrame | None, trace) -> str:
    """"by volume", "bottom of the tv above the floor", ... or "" when the answer needs no such note."""
    if frame is not None:
        return frame.measured()
    for step in reversed(trace):
        inputs = step.inputs
        if step.op in ("largest", "smallest", "pick_largest", "pick_smallest"):
            return f"by {inputs.get('dimension', 'volume').strip(chr(34))}"
        if step.op == "elevation":
            return f"{inputs.get('part', 'bottom').strip(chr(34))} above the floor"
        if step.op in _BY_OP:
            return _BY_OP[step.op]
    return ""
