"""The numpy ray caster sagent used before Open3D: kept as the reference the Open3D caster is checked against.

Slab tests per box in numpy (about 7x slower); cameras are `tools.geometry.camera.PinholeCamera`s. Only
the ray-box intersection is its own: shading is the one in `tools.synthetic.raycast.shaded`.
"""

from __future__ import annotations

import numpy as np

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.camera import PinholeCamera
from sagent.tools.synthetic.raycast import Render, shaded


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
    return shaded(origin, directions, best_t, best_id, best_normal, colours, textured, width, height)
