"""Units of the DSL's quantities: each has a dimension and a factor to the dimension's base unit."""

from __future__ import annotations

import math
from typing import Literal

Dimension = Literal["length", "area", "volume", "angle", "time"]

# unit -> (dimension, factor to base unit: m, m², m³, degrees, seconds)
UNITS: dict[str, tuple[Dimension, float]] = {
    "m": ("length", 1.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
    "km": ("length", 1000.0),
    "ft": ("length", 0.3048),
    "in": ("length", 0.0254),
    "m2": ("area", 1.0),
    "cm2": ("area", 1e-4),
    "mm2": ("area", 1e-6),
    "ft2": ("area", 0.3048**2),
    "m3": ("volume", 1.0),
    "cm3": ("volume", 1e-6),
    "ft3": ("volume", 0.3048**3),
    "l": ("volume", 1e-3),  # the litre
    "deg": ("angle", 1.0),
    "rad": ("angle", 180.0 / math.pi),
    "s": ("time", 1.0),
}
BASE_UNIT: dict[Dimension, str] = {"length": "m", "area": "m2", "volume": "m3", "angle": "deg", "time": "s"}


def dimension_of(unit: str) -> Dimension:
    return UNITS[unit][0]


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between units of one dimension; ValueError across dimensions."""
    (from_dim, from_factor), (to_dim, to_factor) = UNITS[from_unit], UNITS[to_unit]
    if from_dim != to_dim:
        raise ValueError(f"cannot convert {from_dim} ({from_unit}) to {to_dim} ({to_unit})")
    return value * from_factor / to_factor
