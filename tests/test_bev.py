"""The bird's-eye view drawn with PIL, evidence highlighted, and the evidence picture of an answer."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from sagent.memory import load_layout
from sagent.memory.scene import Camera, SceneMemory, SceneRecord
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.render.bev import EVIDENCE, OBSERVER, render_bev
from sagent.tools.render.evidence import evidence_picture, evidence_views
from sagent.tools.synthetic.generator import RoomSpec, generate

LIVING_ROOM = "examples/living_room/layout.json"


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB")).astype(int)


def near(image: np.ndarray, colour, tolerance: int = 12) -> np.ndarray:
    """Bool[H W]: pixels within `tolerance` of `colour` in every channel."""
    return (np.abs(image - np.array(colour)) <= tolerance).all(axis=-1)


@pytest.fixture(scope="module")
def living_room() -> SceneMemory:
    return load_layout(LIVING_ROOM, "living_room")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> SceneMemory:
    out = tmp_path_factory.mktemp("room")
    generate(out, RoomSpec(seed=2, frames=10, width=160, height=120, write_masks=True))
    return load_input(str(out / "frames.json"))


@pytest.mark.parametrize("size", [256, 640, 768])
def test_the_view_is_a_png_of_the_size_asked(living_room, size):
    assert pixels(render_bev(living_room, size_px=size)).shape == (size, size, 3)


def test_highlighted_objects_are_drawn_emphasized(living_room):
    plain = pixels(render_bev(living_room))
    sofa = pixels(render_bev(living_room, highlight=["sofa_0"]))
    lamp = pixels(render_bev(living_room, highlight=["lamp_0"]))
    assert (plain != sofa).any(axis=-1).sum() > 1000
    # The evidence outline (and its legend swatch) appears only when something is highlighted, and
    # a large object's outline is longer than a small one's.
    assert near(plain, EVIDENCE, 4).sum() == 0
    assert near(sofa, EVIDENCE, 4).sum() > near(lamp, EVIDENCE, 4).sum() > 20
    # The highlighted pixels sit where the objects are: the sofa's and the lamp's differ in place.
    sofa_at = np.argwhere(near(sofa, EVIDENCE, 4)).mean(axis=0)
    lamp_at = np.argwhere(near(lamp, EVIDENCE, 4)).mean(axis=0)
    assert np.linalg.norm(sofa_at - lamp_at) > 30
    # Ids the scene lacks are ignored.
    assert (pixels(render_bev(living_room, highlight=["ghost_3"])) == plain).all()


def test_the_observer_is_a_red_arrow(living_room):
    plain = pixels(render_bev(living_room))
    marked = pixels(render_bev(living_room, observer=(np.array([2.0, 2.0, 1.2]), np.array([0.0, 1.0, 0.0])),
                               title="observer"))
    assert near(marked, OBSERVER).sum() > 100 + near(plain, OBSERVER).sum()


def empty_scene(**record) -> SceneMemory:
    return SceneMemory(SceneRecord(name="empty", **record))


@pytest.mark.parametrize("scene", [
    empty_scene(),
    empty_scene(cameras=[Camera(K=((100, 0, 80), (0, 100, 60), (0, 0, 1)), cam_to_world=tuple(map(tuple, np.eye(4))))]),
    empty_scene(up=(0.0, -1.0, 0.0)),
], ids=["nothing", "one camera", "y down"])
def test_scenes_without_objects_or_cameras_render(scene):
    image = pixels(render_bev(scene, size_px=300, highlight=["anything"]))
    assert image.shape == (300, 300, 3) and image.std() > 0
    assert pixels(evidence_picture(scene, [])).shape == (768, 768, 3)


def test_the_view_draws_quickly(generated):
    render_bev(generated)  # fonts loaded once
    times = []
    for _ in range(3):
        started = time.perf_counter()
        render_bev(generated, highlight=[generated.objects[0].id])
        times.append(time.perf_counter() - started)
    assert min(times) < 1.0  # about 60 ms on the reference machine (BENCHMARKS.md, viewer); matplotlib took 3 s


def test_the_evidence_picture_shows_the_views_that_saw_the_objects(generated):
    ids = [generated.objects[0].id, generated.objects[-1].id]
    views = evidence_views(generated, ids)
    assert 1 <= len(views) <= 3
    for view in views:
        assert any(s.frame == view for o in generated.objects if o.id in ids for s in o.observations)
    picture = pixels(evidence_picture(generated, ids, size_px=600))
    assert picture.shape == (600, 900, 3)  # the bird's-eye view and a column of views beside it
    assert near(picture[:, 600:], EVIDENCE, 4).sum() > 50  # evidence boxes drawn on the views
    assert pixels(evidence_picture(generated, ids, size_px=600, views=0)).shape == (600, 600, 3)


def test_the_evidence_picture_of_a_layout_is_its_view(living_room):
    picture = pixels(evidence_picture(living_room, ["sofa_0", "tv_0"], observer=(np.array([2.5, 2.0, 1.2]),
                                                                                 np.array([0.0, 1.0, 0.0]))))
    assert picture.shape == (768, 768, 3) and near(picture, EVIDENCE, 4).sum() > 100
