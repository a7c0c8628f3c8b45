"""Videos and image folders decode into keyframes chosen by motion and coverage."""

import importlib.util

import numpy as np
import pytest

from sagent.tools.frames import FramesError, read_manifest
from sagent.tools.video import keyframes
from tests.synthetic_rooms import room

pytestmark = pytest.mark.skipif(importlib.util.find_spec("cv2") is None,
                                reason="needs OpenCV from the perception extra (make test installs it)")


def write_video(path, images, fps=10):
    import cv2

    height, width = images[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    for image in images:
        writer.write(np.ascontiguousarray(image[..., ::-1]))
    writer.release()


def walk_images(count=30):
    frames = read_manifest(room(1, masks=False) / "frames.json").frames[:count]
    return [f.image for f in frames]


def test_a_walk_keeps_moving_frames_and_drops_pauses(tmp_path):
    images = walk_images(12)
    # Pause on every view for 5 frames: a person stopping to look. Keyframes skip the pauses.
    paused = [image for image in images for _ in range(5)]
    write_video(tmp_path / "walk.avi", paused)
    chosen = keyframes(tmp_path / "walk.avi", max_gap=100)
    assert chosen[0].index == 0
    assert 6 <= len(chosen) <= 12  # at most one per view, not 60
    assert all(k.index % 5 == 0 for k in chosen)  # a view is taken when it appears, never again while it pauses
    assert all(b.time > a.time for a, b in zip(chosen, chosen[1:]))
    assert chosen[1].image.shape == images[0].shape


def test_a_still_camera_is_covered_every_max_gap(tmp_path):
    image = walk_images(1)[0]
    folder = tmp_path / "still"
    folder.mkdir()
    from PIL import Image

    for i in range(40):
        Image.fromarray(image).save(folder / f"{i:03d}.png")
    chosen = keyframes(folder, max_gap=1.0, fps_hint=10)
    assert [k.index for k in chosen] == [0, 10, 20, 30]


def test_max_frames_keeps_the_first_and_the_most_moved(tmp_path):
    write_video(tmp_path / "walk.avi", walk_images(20))
    chosen = keyframes(tmp_path / "walk.avi", min_motion=0.0, max_frames=5)
    assert len(chosen) == 5 and chosen[0].index == 0


def test_unreadable_inputs(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(FramesError, match="cannot open video|no decodable frames"):
        keyframes(bad)
    with pytest.raises(FramesError, match="not found"):
        keyframes(tmp_path / "missing.mp4")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FramesError, match="no images"):
        keyframes(tmp_path / "empty")
