"""The DSL's value types. Annotations on op functions use these; the checker and the runtime
checks read the same annotations, so the types below are the whole type system."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field

import numpy as np

from sagent.memory import units
from sagent.memory.scene import SceneObject


class Value:
    """Any DSL value (the type of `answer`'s argument)."""


class Text(str, Value):
    """A string literal."""


class Label(Text):
    """An object label that must exist in the scene memory, e.g. "chair"."""


class UnitName(Text):
    """A unit name: m, cm, mm, km, ft, in, m2, cm2, mm2, ft2, m3, cm3, ft3, l (litre), deg, rad, s."""


@dataclass(frozen=True)
class Quantity(Value):
    """A number with a unit."""

    value: float
    unit: str

    @staticmethod
    def of(value: float, unit: str) -> "Quantity":
        return _BY_DIMENSION[units.dimension_of(unit)](float(value), unit)

    def to(self, unit: str) -> "Quantity":
        return Quantity.of(units.convert(self.value, self.unit, unit), unit)

    @property
    def base_value(self) -> float:
        return units.convert(self.value, self.unit, units.BASE_UNIT[units.dimension_of(self.unit)])

    def __str__(self) -> str:
        return f"{self.value:.4g} {self.unit}"


class Length(Quantity):
    """A length (m, cm, mm, km, ft, in)."""


class Area(Quantity):
    """An area (m2, cm2, mm2, ft2)."""


class Volume(Quantity):
    """A volume (m3, cm3, ft3, l)."""


class Angle(Quantity):
    """An angle (deg, rad)."""


class Duration(Quantity):
    """A time (s)."""


_BY_DIMENSION: dict[str, type[Quantity]] = {
    "length": Length, "area": Area, "volume": Volume, "angle": Angle, "time": Duration}


def quantity_type(unit: str) -> type[Quantity]:
    return _BY_DIMENSION[units.dimension_of(unit)]


@dataclass(frozen=True)
class Number(Value):
    """A plain number without a unit."""

    value: float

    def __str__(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Count(Value):
    """A whole number of things."""

    value: int

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Bool(Value):
    """True or false."""

    value: bool

    def __str__(self) -> str:
        return "yes" if self.value else "no"


@dataclass(frozen=True)
class Objects(Value):
    """The instances of one label in the scene memory (one or more)."""

    label: str
    instances: tuple[SceneObject, ...]

    def __str__(self) -> str:
        ids = ", ".join(o.id for o in self.instances)
        return f"{self.label} [{ids}]"


@dataclass(frozen=True)
class Direction(Value):
    """A direction word: left, right, front, back, front-left, front-right, back-left, back-right."""

    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Turns(Value):
    """The turn before each leg of a route: forward, left, right or back."""

    values: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(self.values)


@dataclass(frozen=True, eq=False)
class Viewpoint(Value):
    """An observer: position Float[3] (world, metres) and unit facing Float[3] in the floor plane;
    `pose` is the full camera-to-world Float[4 4] (OpenCV axes) when it is an input view."""

    position: np.ndarray = field(repr=False)
    facing: np.ndarray = field(repr=False)
    description: str = ""
    pose: np.ndarray | None = field(default=None, repr=False)
    view_index: int | None = None

    def __str__(self) -> str:
        return self.description or f"at {np.round(self.position, 2).tolist()} facing {np.round(self.facing, 2).tolist()}"


@dataclass(frozen=True, eq=False)
class Image(Value):
    """A rendered picture (PNG) with a caption saying how it was made."""

    png: bytes = field(repr=False)
    caption: str = ""

    def __str__(self) -> str:
        return f"[picture: {self.caption}]"


def type_name(annotation) -> str:
    """How a type is written in the op reference and in error messages."""
    origin = typing.get_origin(annotation)
    if origin is list:
        return f"list[{type_name(typing.get_args(annotation)[0])}]"
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    return getattr(annotation, "__name__", str(annotation))


def is_assignable(actual, expected) -> bool:
    """Static check: can a value of type `actual` be passed where `expected` is declared?"""
    if expected is Value:
        return True
    exp_origin, act_origin = typing.get_origin(expected), typing.get_origin(actual)
    if exp_origin is list:
        return act_origin is list and is_assignable(typing.get_args(actual)[0], typing.get_args(expected)[0])
    if exp_origin is typing.Literal:
        return actual is Text  # the literal's value is checked separately
    if act_origin is not None:
        return False
    if actual is Text and isinstance(expected, type) and issubclass(expected, Text):
        return True  # a string literal may name a label or a unit; its value is checked separately
    if actual is Quantity and isinstance(expected, type) and issubclass(expected, Quantity):
        return True  # statically unknown dimension; checked at run time
    return isinstance(actual, type) and isinstance(expected, type) and issubclass(actual, expected)


def matches(value, expected) -> bool:
    """Run-time check of a value against a declared type."""
    origin = typing.get_origin(expected)
    if origin is list:
        (item_type,) = typing.get_args(expected)
        return isinstance(value, list) and all(matches(v, item_type) for v in value)
    if origin is typing.Literal:
        return value in typing.get_args(expected)
    if expected is Value:
        return isinstance(value, (Value, str, list))
    if isinstance(expected, type) and issubclass(expected, Text):
        return isinstance(value, str)
    return isinstance(value, expected)
