"""Dense depth for a plain video: each view's monocular depth put into the reconstruction's units by
the scale and shift that best fit the view's sparse structure-from-motion depth.

Structure from motion measures only where SIFT found points: plain walls and small objects get few.
A monocular model sees every pixel but in its own (roughly metric, per-image) scale. Fitting
`sparse ≈ scale · mono + shift` per view (robustly: RANSAC over pixel pairs, then least squares on
the inliers) keeps the reconstruction's geometry and gives it the model's coverage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from sagent.memory.scene import MetricScale
from sagent.tools.reconstruction.monocular import DepthModel
from sagent.tools.reconstruction.reconstruction import Reconstruction

MIN_POINTS = 20  # sparse depths a view needs before its monocular depth is trusted to follow them
INLIER_TOLERANCE = 0.05  # relative depth error of an inlier
ITERATIONS = 200
# Metric depth models' scale error on scenes not seen in training: around a tenth (Depth Anything V2
# metric and Depth Pro report AbsRel of 5-10 % zero-shot).
MODEL_SCALE_UNCERTAINTY = 0.10

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DepthAlignment:
    scale: float
    shift: float  # reconstruction units
    inliers: int  # sparse pixels the fit agrees with
    points: int  # sparse pixels it was fitted to

    @property
    def inlier_share(self) -> float:
        return self.inliers / max(self.points, 1)


def align_scale_shift(mono: np.ndarray, sparse: np.ndarray, tolerance: float = INLIER_TOLERANCE,
                      iterations: int = ITERATIONS, seed: int = 0) -> DepthAlignment | None:
    """The (scale, shift) with `sparse ≈ scale · mono + shift` at the pixels where both are positive
    (Float[H W] each; 0 = none): RANSAC over pairs of pixels, inliers within `tolerance` relative error,
    then least squares on the inliers. None when fewer than MIN_POINTS pixels have both, or no fit
    with a positive scale agrees with half of them."""
    both = (mono > 0) & (sparse > 0) & np.isfinite(mono) & np.isfinite(sparse)
    x, y = mono[both].astype(float), sparse[both].astype(float)
    if len(x) < MIN_POINTS:
        return None
    rng = np.random.default_rng(seed)  # seeded: one input, one scene memory
    best, best_count = None, 0
    for _ in range(iterations):
        i, j = rng.choice(len(x), 2, replace=False)
        if abs(x[i] - x[j]) < 1e-6 * max(x[i], x[j], 1e-9):
            continue
        scale = (y[i] - y[j]) / (x[i] - x[j])
        if scale <= 0:
            continue
        shift = y[i] - scale * x[i]
        count = int((np.abs(scale * x + shift - y) <= tolerance * y).sum())
        if count > best_count:
            best, best_count = (scale, shift), count
    if best is None or best_count < len(x) / 2:
        return None
    inliers = np.abs(best[0] * x + best[1] - y) <= tolerance * y
    scale, shift = np.polyfit(x[inliers], y[inliers], 1)
    if scale <= 0:
        scale, shift = best
    final = np.abs(scale * x + shift - y) <= tolerance * y
    return DepthAlignment(float(scale), float(shift), int(final.sum()), len(x))


def densify(reconstruction: Reconstruction, model: DepthModel) -> tuple[Reconstruction, int]:
    """The reconstruction with each view's sparse depth replaced by its aligned monocular depth, where
    the fit holds (the other views keep their sparse depth), and its metric scale from the fits (a
    metric model's metres against the reconstruction's units); and how many views were densified."""
    log.info("densifying %d views with %s", len(reconstruction.views), model.name)
    views, fits = [], []
    for view in reconstruction.views:
        estimate = model.estimate(view.image, view.K)
        fit = align_scale_shift(estimate.depth, view.depth)
        if fit is None:
            views.append(view)
            continue
        depth = np.where(estimate.depth > 0, fit.scale * estimate.depth + fit.shift, 0).astype(np.float32)
        views.append(replace(view, depth=np.where(depth > 0, depth, 0).astype(np.float32)))
        fits.append(fit)
    return replace(reconstruction, views=views, metric=metric_from_fits(fits, model.name)), len(fits)


def metric_from_fits(fits: list[DepthAlignment], name: str) -> MetricScale | None:
    """Metres per reconstruction unit from the views' fits (units per model metre is each fit's scale):
    their median, its uncertainty the larger of a metric model's own and the spread between views."""
    if not fits:
        return None
    logs = np.log([fit.scale for fit in fits])
    centre = float(np.median(logs))
    spread = 1.4826 * float(np.median(np.abs(logs - centre))) / np.sqrt(len(logs)) if len(logs) > 2 else 0.0
    return MetricScale(source="depth model", metres_per_unit=float(np.exp(-centre)),
                       relative_uncertainty=round(max(MODEL_SCALE_UNCERTAINTY, spread), 4),
                       detail=f"{name}, fitted to the sparse depth of {len(fits)} views")


__all__ = ["DepthAlignment", "MODEL_SCALE_UNCERTAINTY", "align_scale_shift", "densify", "metric_from_fits"]
