"""Directions in the floor plane: its basis, a vector flattened onto it, signed turns within it.

All inputs are in the world frame; `up` is a unit vector.
"""

from __future__ import annotations

import math

import numpy as np


def floor_basis(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors spanning the floor plane, right-handed with `up` (x, y for z-up)."""
    up = up / np.linalg.norm(up)
    seed = np.array([1.0, 0.0, 0.0]) if abs(up[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    x = seed - (seed @ up) * up
    x /= np.linalg.norm(x)
    return x, np.cross(up, x)


def floor_xy(points: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Float[... 2] floor-plane coordinates (the `floor_basis` of `up`, metres) of Float[... 3] points."""
    x, y = floor_basis(up)
    return np.stack([points @ x, points @ y], axis=-1)


def floor_direction(vector: np.ndarray, up: np.ndarray) -> np.ndarray | None:
    """Unit Float[3]: `vector` projected on the floor plane; None when it is (nearly) vertical."""
    flat = vector - (vector @ up) * up
    norm = np.linalg.norm(flat)
    return flat / norm if norm > 1e-6 else None


def signed_floor_angle(facing: np.ndarray, target: np.ndarray, up: np.ndarray) -> float:
    """Degrees to turn from `facing` to `target`, both projected on the floor plane.

    Positive is counter-clockwise seen from above, i.e. a turn to the left; range (-180, 180].
    """
    x, y = floor_basis(up)
    fx, fy = facing @ x, facing @ y
    tx, ty = target @ x, target @ y
    if math.hypot(fx, fy) < 1e-9 or math.hypot(tx, ty) < 1e-9:
        raise ValueError("direction is undefined: the two points coincide in the floor plane")
    return math.degrees(math.atan2(fx * ty - fy * tx, fx * tx + fy * ty))


STRAIGHT_AHEAD_DEGREES = 10.0  # a turn smaller than this is no turn: "forward"
BACK_DEGREES = 135.0  # a turn at least this large is "back" (behind me)


def turn_word(angle: float, straight_ahead: float = STRAIGHT_AHEAD_DEGREES) -> str:
    """"forward", "left", "right" or "back" for a signed floor angle in degrees (positive is left)."""
    if abs(angle) < straight_ahead:
        return "forward"
    if abs(angle) >= BACK_DEGREES:
        return "back"
    return "left" if angle > 0 else "right"
