"""What a reconstruction backend gives back: posed views with depth, and points, in its own units.

VGGT and structure from motion recover geometry up to an unknown scale. `metric_scale.py` decides
the factor to metres; `scaled` applies it and `frame_set` hands the views to the usual lifting and
fusion.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sagent.errors import InputError
from sagent.memory.scene import Coverage, MetricScale
from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.io.frames import Detection2D, Frame, FrameSet


class ReconstructionError(InputError):
    """A backend could not run (not installed, no GPU, no weights) or recovered too little."""


@dataclass
class PosedView:
    """One keyframe with the geometry a backend found for it."""

    source_index: int  # frame number in the video
    time: float  # seconds into the video
    image: np.ndarray  # UInt8[H W 3] RGB
    K: np.ndarray  # Float[3 3] pixels, for `image`
    cam_to_world: np.ndarray  # Float[4 4], OpenCV axes, reconstruction units
    depth: np.ndarray  # Float32[H W] along the optical axis, reconstruction units; 0 = none (sparse for SfM)


@dataclass
class Reconstruction:
    backend: str  # "colmap" or "vggt"
    views: list[PosedView]
    points: np.ndarray  # Float[N 3] world, reconstruction units
    colours: np.ndarray | None = None  # Float[N 3] in 0-1
    frames_given: int = 0  # keyframes handed to the backend (views holds the ones it could pose)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    metric: MetricScale | None = None  # metres per unit when something measured it (a metric depth model)
    given_span: tuple[float, float] | None = None  # seconds of the first and last keyframe handed to the backend
    notes: list[str] = field(default_factory=list)  # how the backend got there ("COLMAP (hard footage pass, ...)")

    @property
    def registered_share(self) -> float:
        return len(self.views) / max(self.frames_given, 1)

    def coverage(self) -> Coverage:
        """How much of the input the posed views cover."""
        times = [view.time for view in self.views]
        posed = (min(times, default=0.0), max(times, default=0.0))
        return Coverage(keyframes=self.frames_given or len(self.views), posed=len(self.views), posed_span=posed,
                        given_span=self.given_span or posed, how="; ".join(self.notes) or self.backend)

    def scaled(self, factor: float) -> "Reconstruction":
        """The same geometry with lengths multiplied by `factor` (rotations unchanged)."""
        views = []
        for view in self.views:
            pose = view.cam_to_world.copy()
            pose[:3, 3] *= factor
            views.append(replace(view, cam_to_world=pose, depth=(view.depth * factor).astype(np.float32)))
        metric = None if self.metric is None else self.metric.model_copy(
            update=dict(metres_per_unit=self.metric.metres_per_unit / factor))
        return replace(self, views=views, points=self.points * factor, metric=metric)

    def median_depth(self) -> float:
        """Median of all valid depths: the typical viewing distance, in reconstruction units."""
        values = np.concatenate([v.depth[v.depth > 0] for v in self.views] or [np.zeros(0)])
        if not len(values):
            raise ReconstructionError(f"{self.backend} recovered no depth for any frame")
        return float(np.median(values))

    def frame_set(self, detections: dict[int, list[Detection2D]] | None = None, source: str = "") -> FrameSet:
        """Frames for lifting and fusion; `detections` (by source frame index) ride along when given."""
        frames = []
        for view in self.views:
            frame = Frame(K=view.K, cam_to_world=view.cam_to_world, time=view.time,
                          given=None if detections is None else detections.get(view.source_index, []))
            frame._image, frame._depth = view.image, view.depth
            frames.append(frame)
        return FrameSet(frames, up=None, source=source or f"{self.backend} reconstruction")


def visible_depth(points: np.ndarray, K: np.ndarray, cam_to_world: np.ndarray, shape: tuple[int, int],
                  window: int = 9, tolerance: float = 0.1) -> np.ndarray:
    """Float32[H W] depth of the sparse `points` a view sees: all of them projected, minus those far
    behind a nearer point in the surrounding `window` pixels (hidden by that surface).

    A view's own SfM observations are few; the points triangulated from other views land on the
    same surfaces and make the depth several times denser, which lifting small objects needs.
    """
    from scipy.ndimage import minimum_filter

    height, width = shape
    camera = PinholeCamera(K, cam_to_world, width, height)
    uv, z, inside = camera.in_view(points)
    cols, rows = camera.pixels(uv[inside])
    z = z[inside]
    nearest = np.full(shape, np.inf)
    np.minimum.at(nearest, (rows, cols), z)
    around = minimum_filter(nearest, size=window, mode="constant", cval=np.inf)
    visible = z <= around[rows, cols] * (1 + tolerance)
    depth = np.zeros(shape, np.float32)
    rows, cols = rows[visible], cols[visible]
    depth[rows, cols] = nearest[rows, cols]  # finite: a point landed on each of these pixels
    return depth


def similarity_align(source: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(s, R, t) minimising |s R source + t - target|² (Umeyama); source, target Float[N 3], N >= 3."""
    mu_s, mu_t = source.mean(0), target.mean(0)
    a, b = source - mu_s, target - mu_t
    U, S, Vt = np.linalg.svd(b.T @ a / len(source))
    D = np.eye(3)
    if np.linalg.det(U) * np.linalg.det(Vt) < 0:
        D[2, 2] = -1
    R = U @ D @ Vt
    variance = (a**2).sum() / len(source)
    s = float(np.trace(np.diag(S) @ D) / variance) if variance > 0 else 1.0
    return s, R, mu_t - s * R @ mu_s


def trajectory_error(estimated: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(RMS, scale) of camera-centre error after similarity alignment of Float[N 3] `estimated` to `truth`."""
    s, R, t = similarity_align(estimated, truth)
    aligned = s * estimated @ R.T + t
    return float(np.sqrt(((aligned - truth) ** 2).sum(1).mean())), s
