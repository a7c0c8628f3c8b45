"""The Open3D ray caster renders what the exact numpy caster (tests/numpy_raycast.py) renders."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tests.numpy_raycast import render as reference_render
from sagent.errors import InputError
from sagent.tools.geometry.camera import intrinsics
from sagent.tools.synthetic.generator import RoomSpec, camera_path, place_objects
from sagent.tools.synthetic.raycast import render


@pytest.mark.parametrize("seed", [0, 3])
def test_open3d_caster_matches_the_numpy_caster(seed):
    rng = np.random.default_rng(seed)
    room = (float(rng.uniform(4.5, 6.5)), float(rng.uniform(4.0, 6.0)))
    objects = place_objects(rng, RoomSpec().labels, room)
    colours = np.array([o.colour for o in objects], float)
    K = intrinsics(320, 240, 75.0)
    for pose in list(camera_path(room, 4, rng)):
        args = ([o.box for o in objects], colours, (0, 0, 0), (*room, 2.8), K, pose, 320, 240)
        ours, reference = render(*args, textured=True), reference_render(*args, textured=True)
        same = ours.instance == reference.instance
        assert (~same).sum() <= 3  # a ray through an edge may take either face: a pixel or two
        np.testing.assert_allclose(ours.depth[same], reference.depth[same], atol=1e-5)
        assert (ours.rgb != reference.rgb).any(axis=-1).sum() <= 3


def test_a_missing_open3d_is_one_input_error_naming_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "open3d", None)  # importing it now fails
    with pytest.raises(InputError, match="open3d-cpu"):
        render([], np.zeros((0, 3)), (0, 0, 0), (4, 4, 2.8), intrinsics(32, 24, 75.0), np.eye(4), 32, 24)
