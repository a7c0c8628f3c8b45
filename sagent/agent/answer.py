"""The answer sagent gives: value, unit, the option chosen, and the evidence behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, PrivateAttr

from sagent.dsl.types import Bool, Count, Direction, Image, Number, Objects, Quantity, Turns, Viewpoint
from sagent.errors import InputError
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.render.evidence import evidence_picture


class Answer(BaseModel):
    """What `sagent ask` prints and the Python API returns."""

    question: str
    value: Any
    unit: str | None = None
    choice: str | None = None  # option letter, for multiple choice
    choice_text: str | None = None
    # For multiple choice: False when no option states the answer (the choice, if any, is then only
    # the nearest option); None without options.
    choice_fits: bool | None = None
    text: str
    confidence: float = 1.0  # the least confident object the answer rests on
    program: str
    planner: str
    model: str | None = None
    scene: str
    objects: list[str] = []  # evidence: object ids the program used
    frames: list[int] = []  # evidence: input frames those objects were seen in
    trace: list[dict] = []
    attempts: int = 1  # programs written, repairs and steps included
    scale: str = "annotations"  # where the scene's metres came from (sensor depth, size priors, ...)
    uncertainty: float | None = None  # 1-sigma, in `unit`, from the scale's uncertainty (lengths and areas)
    measured: str | None = None  # what the answer measured: "by volume", "bottom of the tv above the floor"
    coverage: str | None = None  # reconstructed inputs: how much of the video the scene was built from

    # What the pictures of the evidence need; not part of the answer's JSON.
    _scene: SceneMemory | None = PrivateAttr(default=None)
    _observer: Viewpoint | None = PrivateAttr(default=None)

    def with_evidence(self, scene: SceneMemory, observer: Viewpoint | None = None) -> "Answer":
        """This answer, able to draw its evidence from `scene` (and the observer the program stood at)."""
        self._scene, self._observer = scene, observer
        return self

    @property
    def observer(self) -> Viewpoint | None:
        """Where the program stood to look (a view or a position), when it stood anywhere."""
        return self._observer

    def plot(self, size_px: int = 768) -> bytes:
        """PNG bytes: the bird's-eye view with the evidence objects and the observer highlighted, beside
        the input views that saw those objects."""
        if self._scene is None:
            raise InputError("this answer has no scene to draw (answers from ask() have one; loaded ones do not)")
        observer = (self._observer.position, self._observer.facing) if self._observer is not None else None
        return evidence_picture(self._scene, self.objects, observer, size_px=size_px,
                                title=f"{self.question} -> {self.summary()}")

    def save(self, path: str | Path) -> Path:
        """Write the answer: `.json` its JSON, anything else the evidence picture (PNG). Atomic."""
        path = Path(path)
        data = self.model_dump_json(indent=2).encode() if path.suffix.lower() == ".json" else self.plot()
        atomic_write_bytes(path, data)
        return path

    def summary(self) -> str:
        if self.choice_fits is False:
            nearest = f"; nearest: {self.choice}. {self.choice_text}" if self.choice else ""
            return f"{self.text}: no option fits{nearest}"
        if self.choice:
            return f"{self.choice}. {self.choice_text}"
        return self.text


def _number_text(number: float) -> str:
    """Three significant digits, without an exponent for everyday magnitudes (1600, not 1.6e+03)."""
    return f"{number:.0f}" if 1e3 <= abs(number) < 1e9 else f"{number:.3g}"


def plain_value(value) -> tuple[Any, str | None, str]:
    """A DSL value as (JSON-ready value, unit, human text)."""
    match value:
        case Quantity(value=number, unit=unit):
            return round(float(number), 6), unit, f"{_number_text(number)} {unit}"
        case Count(value=number):
            return int(number), None, str(number)
        case Number(value=number):
            return float(number), None, f"{number:g}"
        case Bool(value=flag):
            return bool(flag), None, "yes" if flag else "no"
        case Objects(label=label):
            return label, None, label
        case Direction(value=word):
            return word, None, word
        case Turns(values=turns):
            return list(turns), None, ", ".join(turns)
        case Image(caption=caption):
            return caption, None, f"[picture: {caption}]"
        case Viewpoint():
            return str(value), None, str(value)
        case list():
            items = [plain_value(v) for v in value]
            return [i[0] for i in items], None, ", ".join(i[2] for i in items) or "nothing"
        case str():
            return value, None, value
    return str(value), None, str(value)
