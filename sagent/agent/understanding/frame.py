"""The task frame: what a question asks, understood once, whoever reads it.

The rules reader fills it offline; a model can fill the same frame under its JSON schema. One
compiler (compiler.py) turns a frame into a DSL program, and the frame says which kind of answer
fits (`kind`) and what was measured (`measured`), so every path checks and explains its answer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Every task a frame can ask, with what it is (the prompt's list of tasks is this table).
TASKS: dict[str, str] = {
    "exists": "is there a X (near Y)?",
    "count": "how many X?",
    "count_total": "how many X and Y together (no objects: every object)?",
    "list_related": "what is on / near / next to X?",
    "list_objects": "what objects are in the room?",
    "absent_choice": "which of these (options) is not in the room?",
    "locate": "where is A (relative to B)?",
    "list_side": "standing at A facing B, what is on my left (right, in front, behind)?",
    "measure": "a measure of one object, or the distance between two",
    "compare": "is A taller than B? is A taller than 2 m? is A closer to C than B is?",
    "choose": "which is taller, A or B? the tallest object? which is nearest to C?",
    "difference": "how much taller is A than B?",
    "ratio": "how many times longer is A than B?",
    "relation": "is A on / under / above / below / next to / near B?",
    "between": "is A between B and C?",
    "room_area": "the room's floor area",
    "room_size": "how long or wide the room is",
    "direction": "standing at A facing B, where is C?",
    "direction_check": "standing at A facing B, is C to my left?",
    "route": "the turns of a walk from A facing B through waypoints",
    "appearance_order": "the order objects first appear in the video",
    "view_movement": "how did the camera move from view i to view j?",
    "view_turn": "which way did the camera turn from view i to view j?",
    "view_turn_angle": "how far did the camera turn from view i to view j?",
    "view_after_turn": "which view do you see after turning from view i?",
    "view_direction": "in view i, is X to the left or right?",
}
Task = Literal[tuple(TASKS)]  # type: ignore[valid-type]

Measure = Literal[
    "distance", "horizontal_distance", "vertical_distance",  # between two objects (closest points)
    "longest", "height", "length", "width", "footprint", "volume",  # of one object's box
    "elevation_bottom", "elevation_top", "elevation_center",  # above the floor
    "bearing", "camera_distance",  # from the observer: angle to the left, distance from it
]
Relation = Literal["on", "under", "above", "below", "next_to", "near"]
Comparison = Literal["<", "<=", ">", ">="]
Scheme = Literal["left_right", "left_right_back", "quadrant", "front_back"]
AnswerKind = Literal["yes_no", "count", "length", "area", "volume", "number", "label", "labels", "direction",
                     "turns", "text", "angle", "view", "name"]

PAIR_MEASURES = ("distance", "horizontal_distance", "vertical_distance")
_AREA_MEASURES = ("footprint",)


class ObjectRef(BaseModel):
    """One object as the question refers to it: a label, or one instance of it picked by a relation
    to another object ("the lamp next to the bed") or by a measure ("the larger table")."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(description="the scene label (or the question's own word for an object the scene lacks)")
    pick: Literal["nearest", "farthest", "largest", "smallest", "related"] | None = Field(
        default=None, description="which instance, when the label has several")
    reference: "ObjectRef | None" = Field(default=None, description="the object `pick` is relative to")
    relation: Relation | None = Field(default=None, description="for pick=related")
    measure: Measure | None = Field(default=None, description="for pick=largest/smallest")

    def describe(self) -> str:
        if self.pick in ("nearest", "farthest") and self.reference:
            return f"the {self.label} {self.pick} the {self.reference.describe()}"
        if self.pick == "related" and self.reference:
            return f"the {self.label} {self.relation.replace('_', ' ')} the {self.reference.describe()}"
        if self.pick:
            return f"the {self.pick} {self.label} by {_MEASURE_WORDS.get(self.measure or 'volume')}"
        return self.label


class Observer(BaseModel):
    """Where the question stands: at one object facing another, or at an input view."""

    model_config = ConfigDict(frozen=True)

    at: ObjectRef | None = None
    facing: ObjectRef | None = None
    view: int | None = Field(default=None, description="an input view's number (0 first, -1 last)")


class Amount(BaseModel):
    """A number with its unit, as the question writes it ("2 m", "half a metre", "90 cm")."""

    model_config = ConfigDict(frozen=True)

    value: float
    unit: str


class TaskFrame(BaseModel):
    """What the question asks, in sagent's terms. Fields a task does not use stay empty."""

    model_config = ConfigDict(frozen=True)

    task: Task
    objects: list[ObjectRef] = Field(default=[], description="the objects asked about, in the question's order")
    target: ObjectRef | None = Field(default=None, description="what distances are measured to (nearest/farthest)")
    observer: Observer | None = None
    measure: Measure | None = None
    measures: list[Measure] = Field(default=[], description="a measure per object where they differ "
                                                              "(the bottom of A against the top of B)")
    relation: Relation | None = None
    comparison: Comparison | None = None
    amount: Amount | None = Field(default=None, description="a quantity the question states")
    best: Literal["max", "min"] | None = Field(default=None, description="for choose: the most or the least")
    over_scene: bool = Field(default=False, description="choose over every object of the scene")
    unit: str | None = Field(default=None, description="the unit the answer is asked in")
    scheme: Scheme | None = None
    word: str | None = Field(default=None, description="direction_check: the direction word asked about")
    views: list[int] = []
    angle: float | None = Field(default=None, description="view_after_turn: degrees, positive is left")

    @property
    def kind(self) -> AnswerKind:
        """The kind of answer that fits this frame."""
        if self.task in ("exists", "compare", "relation", "between", "direction_check"):
            return "yes_no"
        if self.task in ("count", "count_total"):
            return "count"
        if self.task in ("list_related", "list_objects", "appearance_order"):
            return "labels"
        if self.task == "choose":
            return "label"
        if self.task == "absent_choice":
            return "name"
        if self.task == "ratio":
            return "number"
        if self.task in ("direction", "view_turn", "view_direction"):
            return "direction"
        if self.task == "route":
            return "turns"
        if self.task in ("view_movement", "locate"):
            return "text"
        if self.task == "list_side":
            return "labels"
        if self.task == "view_turn_angle":
            return "angle"
        if self.task == "view_after_turn":
            return "view"
        if self.task == "room_area":
            return "area"
        if self.task == "room_size":
            return "length"
        return measure_kind(self.measure or "longest")

    def measured(self) -> str:
        """What the answer measured, in words ("by volume", "bottom of the tv above the floor"); "" when plain."""
        measure, task = self.measure, self.task
        if measure and measure.startswith("elevation") and self.objects and task in ("measure", "compare"):
            return f"{measure.split('_')[1]} of the {self.objects[0].describe()} above the floor"
        if measure in ("horizontal_distance", "vertical_distance") and task in ("measure", "compare"):
            return f"{_MEASURE_WORDS[measure]} between closest points"
        if measure in PAIR_MEASURES:
            return ""  # a distance is between closest points everywhere in sagent: no note
        if measure and task in ("choose", "compare", "difference", "ratio"):
            return f"by {_MEASURE_WORDS[measure]}"
        if measure in ("longest", "footprint", "volume") and task == "measure":
            return _MEASURE_WORDS[measure]
        if self.relation and task in ("relation", "list_related", "exists"):
            return _RELATION_WORDS[self.relation]
        return ""


def measure_kind(measure: Measure) -> AnswerKind:
    if measure in _AREA_MEASURES:
        return "area"
    if measure == "volume":
        return "volume"
    return "length"


_MEASURE_WORDS = {
    "distance": "distance", "horizontal_distance": "horizontal distance", "vertical_distance": "vertical gap",
    "longest": "longest side", "height": "height", "length": "length", "width": "width",
    "footprint": "footprint area", "volume": "volume", "elevation_bottom": "height of the bottom above the floor",
    "elevation_top": "height of the top above the floor", "elevation_center": "height above the floor",
    "bearing": "angle to the left as the observer sees it", "camera_distance": "distance from the observer",
}
_RELATION_WORDS = {
    "on": "on: its bottom within 10 cm of the top", "under": "under: below the top, sharing the footprint",
    "above": "above: bottom over the top, within 30 cm sideways", "below": "below: top under the bottom, within 30 cm sideways",
    "next_to": "next to: within 0.5 m", "near": "near: within 1 m",
}
