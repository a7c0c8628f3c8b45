"""A depth "model" that returns depth it was given: a generated room's true depth through the
monocular path, so that path can be measured against the RGB-D one without a model's error."""

from __future__ import annotations

import numpy as np

from sagent.tools.reconstruction.monocular import DepthEstimate


class KnownDepth:
    name = "known depth"

    def __init__(self, depth: np.ndarray, K: np.ndarray | None = None):
        """`depth`: Float[H W] metres of the one image it will be asked about; `K`: Float[3 3] to report
        as the model's camera (None: the model estimates no focal length, as Depth Anything)."""
        self.depth = np.asarray(depth, np.float32)
        self.K = None if K is None else np.asarray(K, float)
        self.calls = 0

    def estimate(self, image: np.ndarray, K: np.ndarray | None = None) -> DepthEstimate:
        self.calls += 1
        if image.shape[:2] != self.depth.shape:
            raise ValueError(f"known depth is {self.depth.shape}, the image {image.shape[:2]}")
        return DepthEstimate(self.depth.copy(), self.K)

    def settings(self) -> dict:
        return {"depth_model": self.name}
