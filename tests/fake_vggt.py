"""A stand-in for VGGT at its interface: the same input and output shapes, with geometry taken
from a generated room, so the backend's decoding, chunk joining and resizing can be checked
against exact ground truth.

Like VGGT, each call puts the first frame it is given at the origin and picks its own unit (here a
different, known one per call), so chunks only agree after the backend aligns them.
"""

from __future__ import annotations

import numpy as np
import torch

from sagent.tools.reconstruction.vggt import preprocess
from sagent.tools.synthetic.raycast import render


def rotation_to_quaternion(R: np.ndarray) -> np.ndarray:
    """(x, y, z, w) of a rotation matrix (scipy's convention is also scalar-last)."""
    from scipy.spatial.transform import Rotation

    return Rotation.from_matrix(R).as_quat()


class FakeVggt:
    def __init__(self, objects, colours, room, poses: list[np.ndarray], frames: list[np.ndarray], fov_x: float,
                 units_per_metre=(0.5, 0.8, 1.3, 0.6)):
        self.prepared = preprocess(frames).images
        self.original_shape = frames[0].shape[:2]
        self.poses = poses
        self.objects, self.colours, self.room, self.fov_x = objects, colours, room, fov_x
        self.units = list(units_per_metre)
        self.calls = 0

    def _index(self, image: np.ndarray) -> int:
        errors = np.abs(self.prepared - image[None]).reshape(len(self.prepared), -1).mean(1)
        return int(errors.argmin())

    def __call__(self, images: torch.Tensor) -> dict:
        batch = images.cpu().numpy()
        count, _, h, w = batch.shape
        indices = [self._index(image) for image in batch]
        unit = self.units[self.calls % len(self.units)]
        self.calls += 1
        fx = (w / 2) / np.tan(self.fov_x / 2)
        # Rounding the height to a multiple of 14 stretches the image a little: pixels are not square.
        fy = fx * h / (self.original_shape[0] * w / self.original_shape[1])
        K = np.array([[fx, 0, w / 2 - 0.5], [0, fy, h / 2 - 0.5], [0, 0, 1.0]])
        first_inverse = np.linalg.inv(self.poses[indices[0]])
        encodings, depths = [], []
        for index in indices:
            view = render(self.objects, self.colours, (0, 0, 0), self.room, K, self.poses[index], w, h)
            depths.append(view.depth * unit)
            relative = first_inverse @ self.poses[index]  # camera-to-world in the first camera's frame
            world_to_cam = np.linalg.inv(relative)
            fov_h, fov_w = 2 * np.arctan((h / 2) / fy), 2 * np.arctan((w / 2) / fx)
            encodings.append(np.concatenate([world_to_cam[:3, 3] * unit, rotation_to_quaternion(world_to_cam[:3, :3]),
                                             [fov_h, fov_w]]))
        depth = np.stack(depths)[None, ..., None]
        confidence = 1 + np.random.default_rng(len(indices)).random((1, count, h, w)) * 5
        return {"pose_enc": torch.tensor(np.stack(encodings)[None], dtype=torch.float32),
                "depth": torch.tensor(depth, dtype=torch.float32),
                "depth_conf": torch.tensor(confidence, dtype=torch.float32)}
