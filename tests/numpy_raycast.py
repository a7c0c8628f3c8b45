"""The numpy ray caster sagent used before Open3D: kept as the reference the Open3D caster is checked against.

Slab tests per box in numpy (about 7x slower); cameras are `tools.geometry.camera.PinholeCamera`s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.camera import PinholeCamera


@dataclass
class Render:
    depth: np.ndarray  # Float32[H W] metres along the optical axis (z), 0 where nothing is hit
    instance: np.ndarray  # Int32[H W]: box index, or -1 for the room shell
    rgb: np.ndarray  # UInt8[H W 3]


def surface_texture(points: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Float[N] brightness in [0.55, 1.25]: blocky value noise fixed to world positions (4 and 13 cm cells),
    so surfaces carry the texture that feature matching (structure from motion) needs."""
    inside = points - normals * 1e-4  # on a face, the cell must not flip between neighbouring cells
    brightness = np.zeros(len(points))
    for cell, weight in ((0.04, 0.35), (0.13, 0.35)):
        ijk = np.floor(inside / cell).astype(np.int64)
        hashed = (ijk[:, 0] * 73856093) ^ (ijk[:, 1] * 19349663) ^ (ijk[:, 2] * 83492791)
        brightness += weight * ((hashed % 1009) / 1008.0)
    return 0.55 + brightness


def render(boxes: list[OrientedBox], colours: np.ndarray, room_min, room_max, K: np.ndarray,
           cam_to_world: np.ndarray, width: int, height: int, textured: bool = False) -> Render:
    """Cast one ray per pixel against the boxes and the inside of the room's bounding box.
    `textured` puts world-fixed noise on every surface (flat shading otherwise)."""
    origin, directions = PinholeCamera(K, cam_to_world, width, height).rays()
    n = directions.shape[0]
    best_t = np.full(n, np.inf)
    best_id = np.full(n, -1, dtype=np.int32)
    best_normal = np.zeros((n, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        for index, box in enumerate(boxes):
            axes = box.axes_array
            o = (origin - box.center_array) @ axes.T
            d = directions @ axes.T
            half = box.extents_array / 2
            t1, t2 = (-half - o) / d, (half - o) / d
            near, far = np.minimum(t1, t2), np.maximum(t1, t2)
            t_near, t_far = near.max(axis=1), far.min(axis=1)
            hit = (t_far >= t_near) & (t_near > 1e-6) & (t_near < best_t)
            if not hit.any():
                continue
            face = near[hit].argmax(axis=1)
            sign = -np.sign(d[hit, face])
            normals = np.zeros((hit.sum(), 3))
            normals[np.arange(hit.sum()), face] = sign
            best_t[hit], best_id[hit], best_normal[hit] = t_near[hit], index, normals @ axes
        # The room shell: rays leave the room's box where the first wall, floor or ceiling is.
        lo, hi = np.asarray(room_min, float), np.asarray(room_max, float)
        t1, t2 = (lo - origin) / directions, (hi - origin) / directions
        exits = np.maximum(t1, t2)
        t_exit = exits.min(axis=1)
        shell = t_exit < best_t
        face = exits[shell].argmin(axis=1)
        normals = np.zeros((shell.sum(), 3))
        normals[np.arange(shell.sum()), face] = -np.sign(directions[shell, face])
        best_t[shell], best_id[shell], best_normal[shell] = t_exit[shell], -1, normals
    depth = np.where(np.isfinite(best_t), best_t, 0.0).astype(np.float32)  # z of the cam ray is 1: t is depth
    light = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    shade = 0.55 + 0.45 * np.abs(best_normal @ light)
    shell_colour = np.where(best_normal[:, 2:3] > 0.5, [[150, 120, 90]], np.where(best_normal[:, 2:3] < -0.5,
                                                                                 [[235, 235, 235]], [[200, 200, 190]]))
    base = np.where(best_id[:, None] >= 0, colours[np.maximum(best_id, 0)], shell_colour)
    if textured:
        hit = np.isfinite(best_t)
        points = origin + directions * np.where(hit, best_t, 0.0)[:, None]
        shade = shade * np.where(hit, surface_texture(points, best_normal), 1.0)
    rgb = np.clip(base * shade[:, None], 0, 255).astype(np.uint8)
    return Render(depth.reshape(height, width), best_id.reshape(height, width), rgb.reshape(height, width, 3))
