"""Monocular geometry: metric depth (and, where the model gives it, the focal length) from one image.

One interface, several backends (depth_models.py): Depth Anything V2 metric and Depth Pro through
`transformers`, or a fake in tests. A backend loads its weights lazily and is injected where a photo
or a plain video needs dense depth. `make_depth_model("depth-anything-indoor" | "depth-anything-outdoor"
| "depth-pro" | FOLDER)` builds one; a relative-depth checkpoint is refused, since only metres serve.
A K that a model estimates (Depth Pro) has fx = fy = its focal length in the original image's pixels
and the principal point at the image's centre, in sagent's pixel-centre convention (camera.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sagent.tools.reconstruction.reconstruction import ReconstructionError

__all__ = ["DepthEstimate", "DepthModel", "DepthModelError"]


class DepthModelError(ReconstructionError):
    """A depth model cannot run: not installed, weights missing or foreign, an image it cannot take."""


@dataclass
class DepthEstimate:
    """What a depth model saw in one image."""

    depth: np.ndarray  # Float32[H W] metres along the optical axis, at the image's size; 0 = none
    K: np.ndarray | None = None  # Float[3 3] pixels, when the model estimates the focal length (Depth Pro)


class DepthModel(Protocol):
    name: str

    def estimate(self, image: np.ndarray, K: np.ndarray | None = None) -> DepthEstimate:
        """Depth of UInt8[H W 3] RGB `image`; `K` (Float[3 3] pixels) when known, for models that use it."""
        ...

    def settings(self) -> dict:
        """What the depth depends on (the scene cache's key): backend, weights name, resolution."""
        ...
