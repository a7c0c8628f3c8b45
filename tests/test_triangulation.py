"""Objects sparse depth cannot lift, found from their 2D boxes across posed views (ray least squares)."""

import math

import numpy as np
import pytest

from sagent.memory.box import OrientedBox
from sagent.tools.geometry.camera import PinholeCamera, intrinsics, look_at
from sagent.tools.io.frames import Detection2D, Frame
from sagent.tools.perception.fusion import make_instance
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.lifting import Sighting
from sagent.tools.perception.scene_builder import SceneBuilder
from sagent.tools.perception.triangulation import BoxView, box_points, covers, ray_intersection, triangulate

UP = np.array([0.0, 0.0, 1.0])
WIDTH, HEIGHT = 320, 240


def _box(centre, size, yaw) -> OrientedBox:
    c, s = math.cos(yaw), math.sin(yaw)
    return OrientedBox(center=tuple(centre), axes=((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, 1.0)), extents=tuple(size))


NIGHTSTAND = _box((1.0, 1.2, 0.25), (0.45, 0.40, 0.50), 0.3)
OTHER_NIGHTSTAND = _box((3.2, 1.0, 0.25), (0.45, 0.40, 0.50), -0.2)


def _cameras(count: int) -> list[PinholeCamera]:
    """A walk along an arc in front of the objects, eyes at 1.4 m looking down at them."""
    cameras = []
    for angle in np.linspace(math.radians(50), math.radians(130), count):
        eye = (2.1 + 3.2 * math.cos(angle), 1.1 + 3.2 * math.sin(angle), 1.4)
        cameras.append(PinholeCamera(intrinsics(WIDTH, HEIGHT, 75.0), look_at(eye, (2.1, 1.1, 0.3)), WIDTH, HEIGHT))
    return cameras


def _detection(camera: PinholeCamera, box: OrientedBox) -> tuple[float, float, float, float] | None:
    """The 2D box around the projected corners, clipped to the image (None when not in view)."""
    uv, depth = camera.project(box.corners())
    if not (depth > 0).all():
        return None
    x1, y1 = np.maximum(uv.min(axis=0), 0)
    x2, y2 = np.minimum(uv.max(axis=0), [WIDTH - 1, HEIGHT - 1])
    return (float(x1), float(y1), float(x2), float(y2)) if x2 > x1 + 2 and y2 > y1 + 2 else None


def _views(boxes: list[OrientedBox], frames: int) -> list[BoxView]:
    views = []
    for frame, camera in enumerate(_cameras(frames)):
        for box in boxes:
            found = _detection(camera, box)
            if found is not None:
                views.append(BoxView(frame, frame * 0.1, "nightstand", 0.9, found, camera))
    return views


def test_ray_intersection_finds_the_point_rays_meet_at():
    point = np.array([1.0, 2.0, 0.5])
    origins = np.array([[0.0, 0.0, 1.5], [3.0, 0.0, 1.5], [0.0, 4.0, 1.0]])
    directions = (point - origins) / np.linalg.norm(point - origins, axis=1, keepdims=True)
    assert np.allclose(ray_intersection(origins, directions), point, atol=1e-9)


def test_two_objects_of_one_label_are_placed_and_sized_from_their_boxes():
    found = triangulate(_views([NIGHTSTAND, OTHER_NIGHTSTAND], 8), UP, floor=0.0)
    assert len(found) == 2 and all(instance.label == "nightstand" for instance in found)
    for truth in (NIGHTSTAND, OTHER_NIGHTSTAND):
        instance = min(found, key=lambda i: np.linalg.norm(i.box.center_array - truth.center_array))
        assert np.linalg.norm((instance.box.center_array - truth.center_array)[:2]) < 0.1
        assert instance.box.extent_along(UP) == pytest.approx(0.5, rel=0.2)
        assert max(instance.box.extents[:2]) == pytest.approx(0.45, rel=0.25)
        assert instance.frames == 8 and instance.box.center_array[2] - instance.box.extents[2] / 2 >= -1e-9


def test_an_object_in_fewer_frames_than_asked_is_not_made_up():
    assert triangulate(_views([NIGHTSTAND], 2), UP, floor=0.0) == []
    assert len(triangulate(_views([NIGHTSTAND], 3), UP, floor=0.0)) == 1


def test_boxes_around_different_objects_do_not_make_one():
    """Three frames, but the middle one's box is around the other nightstand: two frames agree, not three."""
    first, second = _views([NIGHTSTAND], 6), _views([OTHER_NIGHTSTAND], 6)
    assert triangulate([first[0], second[1], first[2]], UP, floor=0.0) == []
    assert len(triangulate([first[0], first[1], first[2]], UP, floor=0.0)) == 1


def test_covers_compares_the_projected_box_with_the_detection():
    camera = _cameras(3)[1]
    view = BoxView(0, 0.0, "nightstand", 0.9, _detection(camera, NIGHTSTAND), camera)
    assert covers(view, NIGHTSTAND) and not covers(view, OTHER_NIGHTSTAND)


def _sparse_frame(camera: PinholeCamera, frame: int, boxes: dict[str, OrientedBox]) -> Frame:
    """A structure-from-motion-like frame: a few depth samples of the floor only (nothing on the objects)."""
    rows, cols = np.mgrid[4:HEIGHT:12, 4:WIDTH:12]
    rays = np.stack([(cols - camera.K[0, 2]) / camera.K[0, 0], (rows - camera.K[1, 2]) / camera.K[1, 1],
                     np.ones_like(cols, float)], -1) @ camera.cam_to_world[:3, :3].T
    along = -camera.position[2] / rays[..., 2]  # ray parameter (= depth) where it meets the floor z = 0
    depth = np.zeros((HEIGHT, WIDTH), np.float32)
    depth[rows, cols] = np.where((rays[..., 2] < 0) & (along < 8), along, 0)
    detections = [Detection2D(label, found, 0.9) for label, box in boxes.items()
                  if (found := _detection(camera, box)) is not None]
    result = Frame(K=camera.K, cam_to_world=camera.cam_to_world, time=frame * 0.1, given=detections)
    result._depth, result._image = depth, np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    return result


def test_a_scene_builder_keeps_an_object_sparse_depth_never_lifted():
    """The nightstand has no depth at all in any frame: it is in the memory, where it stands."""
    builder = SceneBuilder(AnnotationGrounder(), up=UP)
    for frame, camera in enumerate(_cameras(8)):
        builder.add(_sparse_frame(camera, frame, {"nightstand": NIGHTSTAND}))
    assert builder.sparse
    scene = builder.build(metric=True)
    assert scene.label_counts() == {"nightstand": 1}
    nightstand = scene.objects[0]
    assert np.linalg.norm((nightstand.box.center_array - NIGHTSTAND.center_array)[:2]) < 0.1
    assert len(nightstand.observations) == 8


def test_a_saved_sparse_build_goes_on_with_the_same_boxes_and_scores(tmp_path):
    builder = SceneBuilder(AnnotationGrounder(), up=UP)
    cameras = _cameras(8)
    for frame, camera in enumerate(cameras[:4]):
        builder.add(_sparse_frame(camera, frame, {"nightstand": NIGHTSTAND}))
    builder.save_state(tmp_path / "state.npz")
    resumed = SceneBuilder(AnnotationGrounder(), up=UP)
    resumed.load_state(tmp_path / "state.npz")
    assert resumed.scores2d == builder.scores2d and resumed.boxes2d == builder.boxes2d
    for frame, camera in enumerate(cameras[4:], start=4):
        resumed.add(_sparse_frame(camera, frame, {"nightstand": NIGHTSTAND}))
    nightstand, = resumed.build(metric=True).objects
    assert len(nightstand.observations) == 8 and nightstand.confidence == pytest.approx(0.9)


def test_one_sparse_instance_fused_from_two_objects_boxes_is_split_by_them():
    """Two nightstands' few lifted points fused into one loose box: each frame holds two of its
    boxes, which place two objects, each keeping the points nearest to it."""
    near = _box((1.8, 1.1, 0.25), (0.45, 0.40, 0.50), 0.0)
    builder = SceneBuilder(AnnotationGrounder(), up=UP)
    for frame, camera in enumerate(_cameras(8)):
        builder.add(_sparse_frame(camera, frame, {"nightstand": NIGHTSTAND}))
        builder.boxes2d[-1].append(("nightstand", _detection(camera, near)))
        builder.scores2d[-1].append(0.9)
    sightings = [Sighting(frame, frame * 0.1, 0.9, box)
                 for frame, boxes in enumerate(builder.boxes2d) for _, box in boxes]
    fused = make_instance(np.concatenate([box_points(NIGHTSTAND, 5), box_points(near, 5)]), UP, 0.0, sightings,
                          {"nightstand": 0.9 * len(sightings)})
    parts = builder.sparse_frames._split(fused, builder, UP, 0.0)
    assert len(parts) == 2 and sorted(part.frames for part in parts) == [8, 8]
    for truth in (NIGHTSTAND, near):
        part = min(parts, key=lambda p: np.linalg.norm(p.box.center_array - truth.center_array))
        assert np.linalg.norm((part.box.center_array - truth.center_array)[:2]) < 0.1
        assert max(part.box.extents) == pytest.approx(0.5, rel=0.2)
    lone = make_instance(box_points(NIGHTSTAND, 5), UP, 0.0, sightings[::2], {"nightstand": 1.0})
    assert builder.sparse_frames._split(lone, builder, UP, 0.0) == [lone]
