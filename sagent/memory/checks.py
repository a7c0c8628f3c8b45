"""The checks every scene value passes, wherever it comes from: layouts, saved scenes, frames, builders.

Each check raises ValueError with a short message (what is wrong, the value), so it serves both as a
pydantic validator and, wrapped by a reader, as one line naming the file and the field. Thresholds
are sanity bounds for indoor scenes, far outside anything real: they catch NaN, a wrong unit or a
corrupt number before it reaches geometry that would answer wrongly or grow without bound.
"""

from __future__ import annotations

import numpy as np
from pydantic import ValidationError

MAX_LENGTH = 10_000.0  # metres: any coordinate or box side in a scene memory
MAX_CAMERA_DISTANCE = 1_000.0  # metres from the origin: cameras, tighter, so what is seen from them (depth at most
#                                100 m, fields of view at most 170°) still lies within MAX_LENGTH
MAX_AREA = 1_000_000.0  # m², a room's floor area
MAX_COUNT = 10_000  # instances of one label a source may state
ROTATION_TOLERANCE = 1e-3  # largest |R Rᵀ - I| entry of a rotation (poses, box axes), before det is checked
FIELD_OF_VIEW = (0.5, 170.0)  # degrees a pinhole camera may see across its image (K against the image size)
UNIT_TOLERANCE = 1e-6  # fixed entries: the pose's bottom row 0 0 0 1, the intrinsics' bottom row 0 0 1


def finite_array(values, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Float array of `values`; ValueError when it is not numbers, has the wrong shape, or holds NaN/inf."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers, got {_short(values)}") from None
    if shape is not None and array.shape != shape:
        want = "x".join(map(str, shape))
        raise ValueError(f"{what} must be {want}, got shape {'x'.join(map(str, array.shape)) or 'scalar'}")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must be finite, got {_short(values)}")
    return array


def check_length(value: float, what: str, positive: bool = True) -> float:
    """A side or distance in metres: finite, positive (or non-negative), at most MAX_LENGTH."""
    value = float(finite_array(value, what))
    if (value <= 0 if positive else value < 0) or value > MAX_LENGTH:
        low = "above 0" if positive else "at least 0"
        raise ValueError(f"{what} must be {low} and at most {MAX_LENGTH:g} m, got {value:g}")
    return value


def check_point(values, what: str, size: int = 3, limit: float = MAX_LENGTH) -> np.ndarray:
    """A position in metres: finite, every coordinate within ±`limit`."""
    point = finite_array(values, what, (size,))
    if np.abs(point).max() > limit:
        raise ValueError(f"{what} must lie within {limit:g} m of the origin, got {_short(values)}")
    return point


def check_direction(values, what: str) -> np.ndarray:
    """A direction (3 numbers, not all zero); returned as a unit vector."""
    vector = finite_array(values, what, (3,))
    largest = float(np.abs(vector).max())
    if largest < 1e-9:
        raise ValueError(f"{what} must be a non-zero direction, got {_short(values)}")
    vector = vector / largest  # first to the unit cube: a huge component must not overflow the norm
    return vector / np.linalg.norm(vector)


def check_orthonormal(rows, what: str, proper: bool = False) -> np.ndarray:
    """3x3 rows of unit, mutually orthogonal vectors (within ROTATION_TOLERANCE); `proper`: det +1 too."""
    matrix = finite_array(rows, what, (3, 3))
    with np.errstate(all="ignore"):  # huge entries overflow to inf: refused below like any other
        error = float(np.abs(matrix @ matrix.T - np.eye(3)).max())
    if not error <= ROTATION_TOLERANCE:
        raise ValueError(f"{what} is not orthonormal (R Rᵀ differs from I by {error:.3g}; tolerance "
                         f"{ROTATION_TOLERANCE:g}): a scaled, sheared or singular matrix")
    if proper and np.linalg.det(matrix) < 0:
        raise ValueError(f"{what} is a reflection (det -1), not a rotation")
    return matrix


def check_pose(values, what: str = "cam_to_world") -> np.ndarray:
    """Float[4 4] rigid camera-to-world: finite, rotation (det +1), bottom row 0 0 0 1, position in bounds."""
    pose = finite_array(values, what, (4, 4))
    if np.abs(pose[3] - (0, 0, 0, 1)).max() > UNIT_TOLERANCE:
        raise ValueError(f"{what}'s bottom row must be 0 0 0 1, got {_short(pose[3].tolist())}")
    check_orthonormal(pose[:3, :3], f"{what}'s rotation", proper=True)
    check_point(pose[:3, 3], f"{what}'s position", limit=MAX_CAMERA_DISTANCE)
    return pose


def check_intrinsics(values, what: str = "K") -> np.ndarray:
    """Float[3 3] pinhole intrinsics in pixels: finite, positive focal lengths, bottom row 0 0 1."""
    K = finite_array(values, what, (3, 3))
    if np.abs(K[2] - (0, 0, 1)).max() > UNIT_TOLERANCE:
        raise ValueError(f"{what}'s bottom row must be 0 0 1, got {_short(K[2].tolist())}")
    if K[0, 0] <= 0 or K[1, 1] <= 0:
        raise ValueError(f"{what}'s focal lengths must be positive, got fx={K[0, 0]:g}, fy={K[1, 1]:g}")
    if abs(K[1, 0]) > UNIT_TOLERANCE:
        raise ValueError(f"{what} must be upper triangular ([[fx, s, cx], [0, fy, cy], [0, 0, 1]])")
    return K


def check_view(K: np.ndarray, width: int, height: int, what: str = "K") -> None:
    """K fits a width x height image: a field of view within FIELD_OF_VIEW both ways, and the principal
    point no farther than half the image outside it. A focal length of 0.25 px on a 320 px image would
    put every point kilometres away; K and image size from different cameras give such numbers."""
    low, high = FIELD_OF_VIEW
    for focal, size, axis in ((K[0, 0], width, "horizontal"), (K[1, 1], height, "vertical")):
        view = float(np.degrees(2 * np.arctan2(size / 2, focal)))
        if not low <= view <= high:
            raise ValueError(f"{what} gives a {view:.3g}° {axis} field of view on the {width}x{height} image "
                             f"(focal length {focal:g} px); a pinhole camera sees {low:g}-{high:g}°: are K and "
                             "the image from the same camera and resolution?")
    cx, cy = K[0, 2], K[1, 2]
    if not (-width / 2 <= cx <= 1.5 * width and -height / 2 <= cy <= 1.5 * height):
        raise ValueError(f"{what}'s principal point ({cx:g}, {cy:g}) lies far outside the {width}x{height} image")


def check_label(text: str, what: str = "label") -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be a non-empty name, got {text!r}")
    return text


def problem(error: ValidationError, prefix: str = "") -> str:
    """One line for the first problem pydantic found: 'field.path: what is wrong (and N more)'."""
    errors = error.errors(include_url=False)
    if not errors:
        return str(error).splitlines()[0]
    first = errors[0]
    where = ".".join(str(p) for p in (*([prefix] if prefix else []), *first["loc"]))
    message = first["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if first.get("type") not in ("value_error", "assertion_error", "missing") and "input" in first:
        message += f" (got {_short(first['input'])})"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"


def _short(value, limit: int = 60) -> str:
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
