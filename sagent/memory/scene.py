"""Scene memory: the objects, cameras and room that DSL programs query.

Frames: world frame in metres with a known `up` axis; cameras are camera-to-world with
OpenCV axes (x right, y down, z forward).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sagent.errors import InputError
from sagent.memory.box import OrientedBox, Vec3
from sagent.memory.checks import (
    MAX_AREA,
    MAX_COUNT,
    check_direction,
    check_intrinsics,
    check_label,
    check_point,
    check_pose,
    check_view,
    finite_array,
    problem,
)

Matrix3 = tuple[Vec3, Vec3, Vec3]
Matrix4 = tuple[tuple[float, float, float, float], ...]


class Observation(BaseModel):
    """One 2D sighting of an object: the frame index and its pixel box [x1, y1, x2, y2]."""

    model_config = ConfigDict(frozen=True)

    frame: int = Field(ge=0)
    box: tuple[float, float, float, float]
    score: float | None = None

    @field_validator("box")
    @classmethod
    def _finite_box(cls, box):
        finite_array(box, "observation box")
        return box


class SceneObject(BaseModel):
    """One object instance in the world frame."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    box: OrientedBox
    confidence: float = 1.0
    observations: tuple[Observation, ...] = ()
    first_seen: float | None = Field(default=None, description="seconds into the input")
    size_uncertainty: float = Field(default=0.0, ge=0, le=1, allow_inf_nan=False, description=(
        "relative 1-sigma of the box's extents beyond the scale's: sides never seen whole were taken "
        "from the category's typical size"))

    @field_validator("id", "label")
    @classmethod
    def _named(cls, text: str, info) -> str:
        return check_label(text, f"object {info.field_name}")

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: float) -> float:
        if not float(finite_array(value, "confidence")) >= 0:
            raise ValueError(f"confidence must be at least 0, got {value:g}")
        return value

    @field_validator("first_seen")
    @classmethod
    def _time(cls, value: float | None) -> float | None:
        if value is not None:
            finite_array(value, "first_seen")  # any finite time: inputs may start before 0
        return value


class Camera(BaseModel):
    """A pinhole camera: K (3x3, pixels), camera-to-world (4x4, OpenCV axes), time in seconds."""

    model_config = ConfigDict(frozen=True)

    K: Matrix3
    cam_to_world: Matrix4
    time: float = 0.0
    width: int | None = Field(default=None, gt=0)
    height: int | None = Field(default=None, gt=0)
    image: str | None = None

    @model_validator(mode="after")
    def _pinhole(self) -> "Camera":
        K = check_intrinsics(self.K)
        if self.width is not None and self.height is not None:
            check_view(K, self.width, self.height)
        check_pose(self.cam_to_world)
        finite_array(self.time, "time")
        return self

    @property
    def position(self) -> np.ndarray:
        """Float[3] camera centre, world frame."""
        return np.asarray(self.cam_to_world, float)[:3, 3]

    @property
    def forward(self) -> np.ndarray:
        """Float[3] viewing direction (camera +z), world frame."""
        return np.asarray(self.cam_to_world, float)[:3, 2]


class Room(BaseModel):
    """The room: floor area in m², optional floor footprint polygon (floor-plane xy, metres)."""

    model_config = ConfigDict(frozen=True)

    floor_area: float | None = None
    footprint: tuple[tuple[float, float], ...] | None = None
    center: Vec3 | None = None

    @field_validator("floor_area")
    @classmethod
    def _area(cls, area: float | None) -> float | None:
        if area is not None and not 0 < float(finite_array(area, "floor area")) <= MAX_AREA:
            raise ValueError(f"floor area must be above 0 and at most {MAX_AREA:g} m², got {area:g}")
        return area

    @field_validator("footprint")
    @classmethod
    def _footprint(cls, footprint):
        for point in footprint or ():
            check_point(point, "footprint point", size=2)
        return footprint

    @field_validator("center")
    @classmethod
    def _center(cls, center):
        if center is not None:
            check_point(center, "room center")
        return center

    @property
    def outline(self) -> np.ndarray | None:
        """Float[K 2] the footprint polygon (floor-plane xy, metres); None without one of 3 or more points."""
        if not self.footprint or len(self.footprint) < 3:
            return None
        return np.asarray(self.footprint, float)


ScaleSource = Literal["sensor depth", "depth model", "annotations", "user factor", "known size", "size priors", "none"]


class MetricScale(BaseModel):
    """How the scene's lengths came to be metres: where the scale came from, the factor applied to the
    reconstruction's own units, and the relative (1-sigma) uncertainty of every length it implies."""

    model_config = ConfigDict(frozen=True)

    source: ScaleSource = "annotations"
    metres_per_unit: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    relative_uncertainty: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    detail: str = ""

    @property
    def metric(self) -> bool:
        return self.source != "none"

    def describe(self) -> str:
        if not self.metric:
            return f"no metric scale ({self.detail})" if self.detail else "no metric scale"
        spread = f" ±{self.relative_uncertainty:.0%}" if self.relative_uncertainty else ""
        return f"{self.source}{spread}" + (f" ({self.detail})" if self.detail else "")


class Coverage(BaseModel):
    """How much of a plain video (or set of photos) the reconstruction could pose: what the answers rest on."""

    model_config = ConfigDict(frozen=True)

    keyframes: int = Field(ge=0)  # handed to the reconstruction
    posed: int = Field(ge=0)
    posed_span: tuple[float, float] = (0.0, 0.0)  # seconds: the first and last posed keyframe
    given_span: tuple[float, float] = (0.0, 0.0)  # seconds: the first and last keyframe
    how: str = ""  # the backend and the way it got there

    @property
    def complete(self) -> bool:
        return self.posed == self.keyframes

    def describe(self) -> str:
        (start, end), (first, last) = self.posed_span, self.given_span
        return (f"posed {self.posed} of {self.keyframes} keyframes, {start:.1f}-{end:.1f} s of {first:.1f}-{last:.1f} s"
                + (f" ({self.how})" if self.how else ""))


class SceneRecord(BaseModel):
    """Everything in a scene memory except bulk arrays: the JSON part of the saved file."""

    name: str
    source: str = ""
    up: Vec3 = (0.0, 0.0, 1.0)
    objects: list[SceneObject] = []
    cameras: list[Camera] = []
    room: Room = Room()
    stated_counts: dict[str, int] = Field(
        default={}, description="instance counts the source states (annotations), which win over box counts")
    scale: MetricScale = MetricScale()
    coverage: Coverage | None = None  # reconstructed inputs: how much of the input was posed

    @field_validator("up")
    @classmethod
    def _up(cls, up: Vec3) -> Vec3:
        check_direction(up, "up")
        return up

    @field_validator("stated_counts")
    @classmethod
    def _counts(cls, counts: dict[str, int]) -> dict[str, int]:
        for label, count in counts.items():
            check_label(label, "counted label")
            if not 0 <= count <= MAX_COUNT:
                raise ValueError(f"the count of {label!r} must be between 0 and {MAX_COUNT}, got {count}")
        return counts


@dataclass
class SceneMemory:
    """A scene's objects, cameras and room, plus optional points.

    `object_points` maps object id to Float[N 3] points of that object; `point_cloud` is the
    fused Float[M 6] cloud (xyz metres, rgb 0-1) when one exists.
    """

    record: SceneRecord
    object_points: dict[str, np.ndarray] = field(default_factory=dict)
    point_cloud: np.ndarray | None = None

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def objects(self) -> list[SceneObject]:
        return self.record.objects

    @property
    def cameras(self) -> list[Camera]:
        return self.record.cameras

    @property
    def room(self) -> Room:
        return self.record.room

    @property
    def up(self) -> np.ndarray:
        """Float[3] unit up vector, world frame."""
        up = np.asarray(self.record.up, float)
        return up / np.linalg.norm(up)

    @property
    def scale(self) -> MetricScale:
        return self.record.scale

    def rescaled(self, factor: float, scale: MetricScale) -> "SceneMemory":
        """The same scene with every length multiplied by `factor` (areas by its square), now at `scale`."""
        def box(b: OrientedBox) -> OrientedBox:
            return b.model_copy(update=dict(center=tuple(float(v) * factor for v in b.center),
                                            extents=tuple(float(v) * factor for v in b.extents)))

        objects = [o.model_copy(update=dict(box=box(o.box))) for o in self.objects]
        cameras = []
        for camera in self.cameras:
            pose = np.asarray(camera.cam_to_world, float).copy()
            pose[:3, 3] *= factor
            cameras.append(camera.model_copy(update=dict(cam_to_world=tuple(map(tuple, pose)))))
        room = self.room
        room = room.model_copy(update=dict(
            floor_area=None if room.floor_area is None else room.floor_area * factor**2,
            footprint=None if room.footprint is None else tuple((x * factor, y * factor) for x, y in room.footprint),
            center=None if room.center is None else tuple(v * factor for v in room.center)))
        # Validated again: a factor can carry boxes, cameras or the floor area out of their bounds.
        try:
            record = type(self.record).model_validate({
                **self.record.model_dump(), "objects": [o.model_dump() for o in objects],
                "cameras": [c.model_dump() for c in cameras], "room": room.model_dump(), "scale": scale.model_dump()})
        except ValidationError as exc:
            raise InputError(f"scene {self.name!r} scaled by {factor:g} ({scale.describe()}) is out of bounds: "
                             f"{problem(exc)}") from None
        cloud = None
        if self.point_cloud is not None:
            cloud = self.point_cloud.copy()
            cloud[:, :3] *= factor
        return SceneMemory(record, {k: v * factor for k, v in self.object_points.items()}, cloud)

    def with_objects(self, objects: list[SceneObject]) -> "SceneMemory":
        """The same scene with these objects (same ids: their points are kept)."""
        record = self.record.model_validate({**self.record.model_dump(), "objects": [o.model_dump() for o in objects]})
        return SceneMemory(record, self.object_points, self.point_cloud)

    def labels(self) -> list[str]:
        """Distinct object labels, sorted."""
        return sorted({o.label for o in self.objects})

    def label_counts(self) -> dict[str, int]:
        return {label: self.count(label) for label in self.labels()}

    def count(self, label: str) -> int:
        """Instances of `label`: the source's stated count when it gives one, else the boxes."""
        return self.record.stated_counts.get(label, len(self.instances(label)))

    def instances(self, label: str) -> list[SceneObject]:
        return [o for o in self.objects if o.label == label]

    def get(self, object_id: str) -> SceneObject:
        for obj in self.objects:
            if obj.id == object_id:
                return obj
        raise KeyError(f"no object with id {object_id!r}")
