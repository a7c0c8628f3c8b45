"""Association of detections into objects: independent of frame order and of when the memory is
built, labels voted within synonym groups, memory bounded by the space seen."""

import json

import numpy as np
import pytest

from sagent.agent import RulesPlanner
from sagent.agent.evaluate import LayoutScenes, predict, table_of
from sagent.tools.io.frames import Detection2D, read_manifest
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.labels import label_group, majority_label, same_group
from sagent.errors import InputError
from sagent.tools.perception.association import sighting_from_state
from sagent.tools.perception.lifting import Sighting
from sagent.tools.perception.pointcloud import VoxelSums, voxel_keys
from sagent.tools.perception.scene_builder import SceneBuilder
from tests.synthetic_rooms import room
from tests.test_layout_qa import generated_questions

UP = np.array([0.0, 0.0, 1.0])


def stream(folder, order, build_every=0, grounder=None):
    """The room's frames in `order` through one builder, building the memory every `build_every` frames."""
    frames = read_manifest(folder / "frames.json").frames
    builder = SceneBuilder(grounder or AnnotationGrounder(), UP)
    for count, index in enumerate(order, 1):
        builder.add(frames[index])
        if build_every and count % build_every == 0:
            builder.build()
    return builder.build()


def centres_by_label(scene) -> dict[str, np.ndarray]:
    return {label: np.array(sorted(tuple(o.box.center) for o in scene.instances(label)))
            for label in scene.label_counts()}


@pytest.fixture(scope="module")
def noisy_room():
    """Realistic depth noise, loose boxes (no masks), missed detections."""
    folder = room(3, masks=False, noisy=True)
    return folder, stream(folder, range(len(read_manifest(folder / "frames.json").frames)))


def test_noisy_room_counts_are_exact_and_layout_questions_close(noisy_room):
    folder, scene = noisy_room
    layout = json.loads((folder / "layout.json").read_text())["synthetic_3"]
    assert scene.label_counts() == layout["object_counts"]
    questions = generated_questions(folder / "layout.json", per_scene=30, seed=3)
    truth = table_of(list(predict(questions, LayoutScenes([folder / "layout.json"]), RulesPlanner()))).overall
    built = table_of(list(predict(questions, {"synthetic_3": scene}, RulesPlanner()))).overall
    # Measured 93.4 against 100 on the ground truth (89.0 before objects cut by an occluder were
    # joined and the surface trim tightened; 73.2, and the bed lost, with the box-graph fusion
    # before that); boxes still come out a few cm fat under depth noise, which costs distances most.
    assert truth == 100.0 and built >= 90.0, built
    width, length = json.loads((folder / "ground_truth.json").read_text())["room"]
    assert scene.room.floor_area == pytest.approx(width * length, rel=0.05)


def test_same_memory_in_any_order_and_at_any_build_cadence(noisy_room):
    folder, reference = noisy_room
    count = len(read_manifest(folder / "frames.json").frames)
    expected = centres_by_label(reference)
    shuffled = np.random.default_rng(7).permutation(count)
    # Another order with no intermediate builds, and another order with builds every few frames.
    for order, every in ((range(count - 1, -1, -1), 0), (shuffled, 7)):
        scene = stream(folder, order, every)
        assert scene.label_counts() == reference.label_counts(), (list(order)[:3], every)
        for label, centres in centres_by_label(scene).items():
            assert np.abs(centres - expected[label]).max() < 0.02, (label, every)
        assert scene.room.floor_area == pytest.approx(reference.room.floor_area, rel=1e-6)


class Relabelling:
    """The annotations, with the table called a desk in every third frame (a detector's confusion)."""

    name = "relabelling"

    def __init__(self):
        self.calls = 0

    def detect(self, frame, labels=None):
        self.calls += 1
        found = AnnotationGrounder().detect(frame, labels)
        if self.calls % 3:
            return found
        return [Detection2D("desk", d.box, d.score, d.mask) if d.label == "table" else d for d in found]

    def settings(self):
        return {"grounder": self.name}


def test_a_table_sometimes_called_a_desk_is_one_table():
    folder = room(1)
    count = len(read_manifest(folder / "frames.json").frames)
    scene = stream(folder, range(count), grounder=Relabelling())
    assert scene.label_counts().get("table") == 1
    assert "desk" not in scene.label_counts()
    table = scene.instances("table")[0]
    assert len({o.frame for o in table.observations}) >= 3


def test_synonym_groups_and_majority():
    assert same_group("table", "desk") and same_group("couch", "sofa") and same_group("tv", "monitor")
    assert same_group("night stand", "bedside table") and same_group("trash can", "garbage can")
    assert not same_group("chair", "table") and label_group("spaceship") == "spaceship"
    assert majority_label({"desk": 1.5, "table": 2.0}) == "table"
    assert majority_label({"desk": 1.0, "table": 1.0}) == "desk"  # ties: alphabetical, never arrival order


def test_voxel_sums_do_not_depend_on_the_order_of_adds():
    rng = np.random.default_rng(0)
    batches = [rng.uniform(0, 1, (500, 3)) for _ in range(6)]
    forward, backward = VoxelSums(0.1, chunk=700), VoxelSums(0.1, chunk=1100)
    for batch in batches:
        forward.add(batch)
    for batch in reversed(batches):
        backward.add(batch)
    assert np.array_equal(forward.merged().keys, backward.merged().keys)
    assert np.allclose(forward.weights, backward.weights) and np.array_equal(forward.counts, backward.counts)
    assert np.allclose(forward.means(), backward.means(), atol=1e-12)


def test_memory_follows_the_space_not_the_frames():
    folder = room(1)
    frames = read_manifest(folder / "frames.json").frames
    builder = SceneBuilder(AnnotationGrounder(), UP)
    sizes = []
    for lap in range(3):
        for frame in frames:
            builder.add(frame)
        sizes.append(sum(len(grid.merged().keys) for grid in builder.dense.objects.grids.values()))
    assert sizes[2] <= sizes[0] * 1.05  # laps two and three see the same space again
    assert not builder.sparse_frames.observations  # dense depth keeps no whole detections


def test_voxel_keys_refuse_points_beyond_what_the_grid_holds():
    near = np.array([[0.0, 0.0, 0.0], [1000.0, -1000.0, 5.0]])
    assert len(np.unique(voxel_keys(near, 0.02))) == 2
    far = np.array([[0.0, 0.0, 0.0], [0.0, 30_000.0, 0.0]])  # past 2^20 voxels of 2 cm: would wrap into x
    with pytest.raises(InputError, match="3e\\+04 m"):
        voxel_keys(far, 0.02)
    assert len(voxel_keys(far, 0.1)) == 2  # a coarser voxel reaches it


def test_sightings_load_from_either_saved_form():
    sighting = Sighting(3, 0.5, 0.9, (1.0, 2.0, 3.0, 4.0))
    assert sighting_from_state({"frame": 3, "time": 0.5, "score": 0.9, "box2d": [1, 2, 3, 4]}) == sighting
    assert sighting_from_state([3, 0.5, 0.9, [1, 2, 3, 4]]) == sighting  # states saved before, in field order


def slab(low: float, high: float, x: tuple[float, float] = (0.0, 0.9), y: tuple[float, float] = (0.0, 0.05)) -> np.ndarray:
    """Float[N 3] points filling a box on a 2 cm grid: a piece of a door-like slab."""
    axes = [np.arange(a, b + 1e-9, 0.02) for a, b in (x, y, (low, high))]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)


def piece(points: np.ndarray, label: str = "door", frame: int = 0):
    from sagent.tools.perception.fusion import make_instance

    return make_instance(points, UP, 0.0, [Sighting(frame, float(frame), 1.0, (0, 0, 10, 10))], {label: 1.0})


def panel_views(boxes_of, label: str = "door", views: int = 12, spread: float = 1.0, eye: float = 1.4,
                target: float = 1.0) -> SceneBuilder:
    """A builder holding `views` views from 3 m in front of x = 0, y = 0 (x from -`spread` to `spread`,
    at height `eye`, looking at height `target`), no frames added; each frame's 2D boxes of `label` are
    `boxes_of(project)`, `project` taking Float[N 3] world points to Float[N 2] pixels."""
    from sagent.memory.scene import Camera
    from sagent.tools.geometry.camera import PinholeCamera, intrinsics, look_at

    builder = SceneBuilder(AnnotationGrounder(), UP)
    K = intrinsics(320, 240, 75.0)
    for frame, x in enumerate(np.linspace(-spread, spread, views)):
        pose = look_at((x, -3.0, eye), (0.0, 0.0, target))
        builder.cameras.append(Camera(K=tuple(map(tuple, K)), cam_to_world=tuple(map(tuple, pose)), time=frame,
                                      width=320, height=240))
        project = lambda points, pose=pose: PinholeCamera(K, pose).project(points)[0]  # noqa: E731
        builder.boxes2d.append([(label, tuple(map(float, box))) for box in boxes_of(project)])
    return builder


def pixel_box(uv: np.ndarray) -> np.ndarray:
    return np.array([*uv.min(axis=0), *uv.max(axis=0)])


def test_an_object_cut_in_two_by_an_occluder_is_one_object():
    from sagent.tools.perception.fusion import merge_overlapping

    lower, upper = slab(0.0, 0.45), slab(0.56, 2.0)
    # One box a view holds both parts (the door seen above the table in front of it and below it): one door.
    one = panel_views(lambda project: [pixel_box(project(np.concatenate([lower, upper])))])
    merged = merge_overlapping([piece(lower), piece(upper, frame=1)], UP, 0.0, 0.3, 0.02, seen_as_one=one._seen_as_one)
    assert len(merged) == 1 and merged[0].box.extent_along(UP) == pytest.approx(2.0, abs=0.03)
    # A box for each part in every view (two things on shelves one above the other): two.
    two = panel_views(lambda project: [pixel_box(project(lower)), pixel_box(project(upper))])
    assert len(merge_overlapping([piece(lower), piece(upper)], UP, 0.0, 0.3, 0.02, seen_as_one=two._seen_as_one)) == 2
    # Never one object: a gap wider than an occluder's edge, parts side by side, or of other kinds.
    joined = one._seen_as_one
    for parts in ([piece(lower), piece(slab(0.9, 2.0))], [piece(lower), piece(slab(0.5, 2.0, x=(1.2, 2.0)))],
                  [piece(lower, "table"), piece(upper)]):
        assert len(merge_overlapping(parts, UP, 0.0, 0.3, 0.02, seen_as_one=joined)) == 2


def test_a_door_whose_bottom_was_never_seen_reaches_the_floor():
    from sagent.tools.perception.fusion import rest_on_support

    door = rest_on_support([piece(slab(0.6, 2.0))], UP, 0.0)[0]
    assert door.box.extent_along(UP) == pytest.approx(2.0, abs=0.03)


def test_carving_with_loose_and_tight_boxes_keeps_the_object_and_drops_the_wall_beside_it():
    """A 1 m wide panel on a wall, its points lifted with a strip of the wall beside it (a loose box
    takes some in); the views' boxes are loose on some sides and tight on others, as a detector's
    are. Carving keeps what most views' boxes agree on: the panel, not the strip."""
    panel = slab(1.0, 1.6, x=(-0.5, 0.5), y=(0.0, 0.0))
    strip = slab(1.0, 1.6, x=(0.52, 0.62), y=(0.0, 0.0))
    instance = piece(np.concatenate([panel, strip]), "tv")
    rng = np.random.default_rng(3)

    def loose_and_tight(project):
        box = pixel_box(project(panel))
        size = np.tile(box[2:] - box[:2], 2)
        return [box + rng.uniform(-0.08, 0.08, 4) * size * [-1, -1, 1, 1]]  # each side loose or tight by up to 8 %

    builder = panel_views(loose_and_tight, "tv", views=30, spread=1.5, eye=1.5, target=1.3)
    carved = builder._carve(instance, UP, 0.0)
    xs = carved.points[:, 0]
    assert xs.max() < 0.52 and xs.min() < -0.47, (xs.min(), xs.max())  # the strip gone, the panel whole


def _sighting(frame: int = 0) -> Sighting:
    return Sighting(frame, float(frame), 0.9, (0.0, 0.0, 10.0, 10.0))


def _surface(x: tuple[float, float], z: tuple[float, float], spacing: float, y: float = 3.0) -> np.ndarray:
    """Float[N 3] points of an upright panel facing a camera at the origin, `spacing` apart."""
    xs, zs = np.arange(*x, spacing), np.arange(*z, spacing)
    grid = np.stack(np.meshgrid(xs, zs), -1).reshape(-1, 2)
    return np.column_stack([grid[:, 0], np.full(len(grid), y), grid[:, 1]])


def _weights(points: np.ndarray) -> np.ndarray:
    from sagent.tools.perception.lifting import depth_precision

    return depth_precision(np.linalg.norm(points, axis=1))


def test_a_far_object_is_sampled_densely_enough_to_stay_one_object():
    """A real wardrobe 3 m from a Kinect (640x480, f 519), its box 190x264 px: lifted every 4th pixel, its
    samples lay 2.3 cm apart and, scattered by depth noise, fell apart into 846 parts of 2 cm voxels; it was
    lost. Lifted with the voxel as the largest spacing it is one object, its full height."""
    from sagent.tools.io.frames import frame_from_arrays
    from sagent.tools.perception.association import ObjectMap
    from sagent.tools.perception.lifting import lift
    from sagent.tools.perception.lifting import depth_precision

    K = np.array([[519.0, 0, 320], [0, 519, 240], [0, 0, 1]])
    depth = np.zeros((480, 640), np.float32)
    # The wardrobe's front, turned away from the camera (3.8 m at its left edge, 2.9 m at its right), in a
    # Kinect's depth steps (2.8 cm at 3 m): terraces whose risers the samples must still bridge.
    slant = np.linspace(3.8, 2.9, 200)[None, :].repeat(280, axis=0)
    depth[100:380, 220:420] = np.round(slant / 0.028) * 0.028
    # Camera looking along +y, z up: OpenCV axes (x right, y down, z forward) to the world's.
    pose = np.eye(4)
    pose[:3, :3] = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])
    pose[2, 3] = 1.4
    frame = frame_from_arrays(K, pose, 0.0, depth=depth, detections=[])
    detection = Detection2D("closet", (215.0, 95.0, 425.0, 385.0), 0.9)
    heights = {}
    for spacing in (None, 0.02):
        observation = lift(frame, 0, detection, spacing=spacing)
        objects = ObjectMap(0.02)
        points = observation.points.astype(float)
        objects.add("closet", observation.sightings[0], points, depth_precision(np.linalg.norm(points - pose[:3, 3], axis=1)))
        heights[spacing] = max((o.box.extent_along(UP) for o in objects.instances(UP, -10.0)), default=0.0)
    assert heights[0.02] == pytest.approx(280 / 519 * 3.8, abs=0.1)  # the far edge is the tallest on screen
    assert heights[None] < 0.5 * heights[0.02]  # the part most samples fell in, as before


def test_a_detection_whose_voxels_fall_in_parts_is_one_object():
    """A real cart (a frame of thin rods, two shelves) came out 47 of 79 cm: its mask's points fell into
    voxel parts with nothing between them and only the part most of them were in was kept. Every part
    that holds a good share of one masked detection's voxels is that detection's object."""
    from sagent.tools.perception.association import ObjectMap

    shelves = np.concatenate([_surface((0.0, 0.6), (0.1, 0.15), 0.01, y=1.0),
                              _surface((0.0, 0.6), (0.45, 0.5), 0.01, y=1.0),
                              _surface((0.0, 0.6), (0.75, 0.79), 0.01, y=1.0)])
    objects = ObjectMap(0.02)
    objects.add("cart", _sighting(), shelves, _weights(shelves), masked=True)
    [cart] = objects.instances(UP, 0.0)
    assert cart.box.extent_along(UP) == pytest.approx(0.69, abs=0.03)
    # A box's points (they may hold the background behind): parts a few centimetres apart are bridged (a
    # real wardrobe behind a see-through front, 0.87 of 1.6 m before), the cart's 30 cm gaps are not.
    boxed = ObjectMap(0.02)
    boxed.add("cart", _sighting(), shelves, _weights(shelves))
    assert boxed.instances(UP, 0.0)[0].box.extent_along(UP) < 0.1
    panels = np.concatenate([_surface((0.0, 0.6), (0.1, 0.8), 0.01, y=1.0), _surface((0.0, 0.6), (0.86, 1.6), 0.01, y=1.0)])
    wardrobe = ObjectMap(0.02)
    wardrobe.add("closet", _sighting(), panels, _weights(panels))
    assert wardrobe.instances(UP, 0.0)[0].box.extent_along(UP) == pytest.approx(1.5, abs=0.03)
    # Two boxes on shelves one above the other, the lower one's box reaching the upper: a box joins no
    # part that is another detection's main part; a mask would say they are one.
    lower, upper = _surface((0.0, 0.6), (0.1, 0.4), 0.01, y=1.0), _surface((0.0, 0.6), (0.5, 0.62), 0.01, y=1.0)
    both = np.concatenate([lower, upper])
    two = ObjectMap(0.02)
    two.add("box", _sighting(0), both, _weights(both))
    two.add("box", _sighting(1), upper, _weights(upper))
    assert len(two.instances(UP, 0.0)) == 2
