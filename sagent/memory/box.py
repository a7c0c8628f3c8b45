"""Oriented 3D boxes: the shape every scene object carries."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

from sagent.memory.checks import check_length, check_orthonormal, check_point

Vec3 = tuple[float, float, float]

# Corner signs in box coordinates, and the 12 edges as index pairs into `corners()`.
_CORNER_SIGNS = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], float)
BOX_EDGES = np.array(
    [(i, j) for i in range(8) for j in range(i + 1, 8) if np.abs(_CORNER_SIGNS[i] - _CORNER_SIGNS[j]).sum() == 2]
)


class OrientedBox(BaseModel):
    """A box in the world frame, metres.

    `axes` rows are the box's unit axes (world frame); `extents` are the full side lengths
    along those axes (not half-sizes).
    """

    model_config = ConfigDict(frozen=True)

    center: Vec3
    axes: tuple[Vec3, Vec3, Vec3]
    extents: Vec3

    @field_validator("center")
    @classmethod
    def _center_in_bounds(cls, center: Vec3) -> Vec3:
        check_point(center, "box center")
        return center

    @field_validator("axes")
    @classmethod
    def _orthonormal(cls, axes: tuple[Vec3, Vec3, Vec3]) -> tuple[Vec3, Vec3, Vec3]:
        check_orthonormal(axes, "box axes")  # a left-handed set is still a box
        return axes

    @field_validator("extents")
    @classmethod
    def _positive(cls, extents: Vec3) -> Vec3:
        for extent in extents:
            check_length(extent, "box extents")
        return extents

    @classmethod
    def axis_aligned(cls, center: Vec3, extents: Vec3) -> "OrientedBox":
        return cls(center=center, axes=((1, 0, 0), (0, 1, 0), (0, 0, 1)), extents=extents)

    @property
    def center_array(self) -> np.ndarray:
        """Float[3]."""
        return np.asarray(self.center, float)

    @property
    def axes_array(self) -> np.ndarray:
        """Float[3 3], rows are unit axes."""
        return np.asarray(self.axes, float)

    @property
    def extents_array(self) -> np.ndarray:
        """Float[3], full side lengths in metres."""
        return np.asarray(self.extents, float)

    def corners(self) -> np.ndarray:
        """Float[8 3] corner points in the world frame."""
        half = _CORNER_SIGNS * (self.extents_array / 2)
        return self.center_array + half @ self.axes_array

    def edges(self) -> np.ndarray:
        """Float[12 2 3] edge segments in the world frame."""
        return self.corners()[BOX_EDGES]

    def extent_along(self, direction: np.ndarray) -> float:
        """Length of the box's projection onto a unit direction (e.g. height along `up`)."""
        return float(np.abs(self.axes_array @ direction) @ self.extents_array)

    def to_local(self, points: np.ndarray) -> np.ndarray:
        """Float[N 3] world points expressed in box coordinates (centre origin, axes as basis)."""
        return (np.atleast_2d(points) - self.center_array) @ self.axes_array.T
