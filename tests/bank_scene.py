"""A scene with every label the example bank uses, a timeline (first_seen) and input views, so
every bank program can be checked and run against it."""

from __future__ import annotations

import numpy as np

from sagent.memory.scene import Camera
from sagent.tools.geometry.camera import look_at
from tests.scenes import make_scene

# (label, centre, size): on a grid, so that every pair is apart and every viewpoint is well defined.
_ITEMS = [
    ("bed", (1.0, 1.0, 0.3), (2.0, 1.6, 0.6)), ("tv", (5.0, 1.0, 1.0), (1.2, 0.1, 0.7)),
    ("lamp", (3.0, 3.0, 0.8), (0.4, 0.4, 1.6)), ("door", (7.0, 0.2, 1.0), (0.9, 0.05, 2.0)),
    ("sofa", (1.0, 5.0, 0.4), (2.1, 0.9, 0.8)), ("table", (3.0, 6.0, 0.4), (1.2, 0.8, 0.75)),
    ("window", (7.0, 6.0, 1.5), (1.2, 0.05, 1.2)), ("refrigerator", (9.0, 1.0, 0.9), (0.8, 0.7, 1.9)),
    ("sink", (9.0, 4.0, 0.9), (0.6, 0.5, 0.3)), ("toilet", (11.0, 1.0, 0.4), (0.4, 0.7, 0.8)),
    ("trash bin", (11.0, 4.0, 0.3), (0.3, 0.3, 0.6)), ("nightstand", (1.0, 3.0, 0.3), (0.5, 0.4, 0.6)),
    ("plant", (5.0, 4.0, 0.5), (0.4, 0.4, 1.0)), ("bookshelf", (5.0, 7.0, 1.0), (1.0, 0.35, 2.0)),
    ("desk", (7.0, 3.0, 0.4), (1.4, 0.7, 0.75)), ("cabinet", (9.0, 7.0, 0.5), (0.8, 0.5, 1.0)),
    ("monitor", (7.0, 3.0, 1.0), (0.6, 0.1, 0.4)), ("chair", (3.0, 1.0, 0.45), (0.5, 0.5, 0.9)),
    ("chair", (3.0, 4.5, 0.45), (0.5, 0.5, 0.9)), ("chair", (11.0, 6.0, 0.45), (0.5, 0.5, 0.9)),
    ("pillow", (0.5, 1.0, 0.7), (0.4, 0.3, 0.15)), ("pillow", (1.5, 5.0, 0.9), (0.4, 0.3, 0.15)),
    ("stool", (9.0, 5.5, 0.3), (0.35, 0.35, 0.6)), ("stool", (11.0, 7.0, 0.3), (0.35, 0.35, 0.6)),
]


def _camera(x: float, y: float, heading_deg: float, time: float) -> Camera:
    """A view at (x, y, 1.5 m) looking along the floor at `heading_deg` (0 = +x); OpenCV axes."""
    a = np.radians(heading_deg)
    pose = look_at((x, y, 1.5), (x + np.cos(a), y + np.sin(a), 1.5))
    K = [[100.0, 0.0, 80.0], [0.0, 100.0, 60.0], [0.0, 0.0, 1.0]]
    return Camera(K=K, cam_to_world=pose.tolist(), time=time, width=160, height=120)


def bank_scene(views: bool = True, times: bool = True, floor_area: float | None = 60.0):
    items = [(*item, 0.0, 0.5 * i) if times else item for i, item in enumerate(_ITEMS)]
    cameras = [_camera(0.5 + 2 * i, 2.0 + (i % 2), 30.0 * i, 0.5 * i) for i in range(6)] if views else []
    # The outline (a 12.5 m x 8.5 m rectangle) comes with the floor area: rooms measured from frames have both.
    outline = [(-0.5, -0.5), (12.0, -0.5), (12.0, 8.0), (-0.5, 8.0)] if floor_area is not None else None
    return make_scene(items, name="bank", floor_area=floor_area, outline=outline, cameras=cameras)
