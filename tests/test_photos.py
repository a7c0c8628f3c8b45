"""Photos: reading them as users hand them over, their focal length, and the monocular path from a
photo to an answer (with a depth backend that returns a generated room's true depth)."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from sagent.agent.ask import ask
from sagent.agent.rules_planner import RulesPlanner
from sagent.cli import main
from sagent.errors import InputError
from sagent.memory.cache import SceneCache
from sagent.memory.vocabulary import canonical_label
from sagent.tools.io.photos import DIAGONAL_35MM, PhotoError, read_photo
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.pipeline.photos import ASSUMED_FOV, LEVEL_POSE
from sagent.tools.pipeline.settings import PerceptionSettings
from sagent.tools.reconstruction.densify import align_scale_shift, densify
from sagent.tools.reconstruction.monocular import DepthEstimate
from sagent.tools.reconstruction.reconstruction import PosedView, Reconstruction
from sagent.tools.synthetic.known_depth import KnownDepth
from tests.synthetic_rooms import room


def _jpeg(path, width=64, height=48, exif=None):
    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8))
    image.save(path, "JPEG", **({"exif": exif} if exif is not None else {}))
    return path


# --- reading photos ---

@pytest.mark.parametrize("make,expected", [
    (lambda p: p.write_bytes(b""), "the file is empty"),
    (lambda p: p.write_text("hello, not a picture"), "not an image"),
    (lambda p: p.write_bytes(_jpeg_bytes()[:300]), "damaged or truncated"),
    (lambda p: Image.new("RGB", (1, 1)).save(p, "JPEG"), "too small"),
    (lambda p: _huge_png(p), "more than sagent takes"),
])
def test_bad_photos_are_one_line_each(tmp_path, make, expected):
    path = tmp_path / "photo.jpg"
    make(path)
    with pytest.raises(PhotoError, match=expected) as error:
        read_photo(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (200, 300, 3), dtype=np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def _huge_png(path):
    # A valid header claiming 10,000 x 6,000 pixels: refused from the header, before anything is decoded.
    Image.new("1", (10_000, 6_000)).save(path, "PNG")


def test_not_an_image_is_one_line_after_ultralytics_patched_pillow(tmp_path):
    pytest.importorskip("ultralytics")
    import ultralytics.utils.patches  # noqa: F401  (replaces Image.open with one that installs a HEIF plugin)

    path = tmp_path / "notes.jpg"
    path.write_text("hello, not a picture")
    with pytest.raises(PhotoError, match="not an image"):
        read_photo(path)


def test_bad_photos_through_the_cli_exit_1_with_one_line(tmp_path, capsys):
    for name, content in (("empty.jpg", b""), ("text.jpg", b"not an image")):
        (tmp_path / name).write_bytes(content)
        assert main(["ask", str(tmp_path / name), "how many chairs are there?"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and name in err


def test_exif_focal_length_and_orientation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the stored pixels are sideways, the photo is portrait
    exif.get_ifd(0x8769)[0xA405] = 26  # 35 mm equivalent focal length, mm
    photo = read_photo(_jpeg(tmp_path / "phone.jpg", 64, 48, exif))
    assert photo.size == (64, 48)  # upright: 48 wide, 64 tall
    assert photo.focal_px == pytest.approx(26 * np.hypot(48, 64) / DIAGONAL_35MM)
    assert "35 mm equivalent 26" in photo.focal_source
    plain = read_photo(_jpeg(tmp_path / "plain.jpg"))
    assert plain.focal_px is None and plain.focal_source == ""


def test_exif_focal_length_from_the_sensor_follows_a_resized_copy(tmp_path):
    exif = Image.Exif()
    tags = exif.get_ifd(0x8769)
    tags[0x920A] = 4.0  # focal length, mm
    tags[0xA20E], tags[0xA210] = 750.0, 4  # 750 sensor pixels a millimetre: 3,000 px of focal length
    tags[0xA002], tags[0xA003] = 4000, 3000  # the size the camera wrote; this copy is a quarter of it
    photo = read_photo(_jpeg(tmp_path / "resized.jpg", 1000, 750, exif))
    assert photo.focal_px == pytest.approx(750.0) and "sensor resolution" in photo.focal_source
    del tags[0xA002]  # without the camera's size the copy's scale is unknown: no focal length claimed
    assert read_photo(_jpeg(tmp_path / "unknown.jpg", 1000, 750, exif)).focal_px is None


# --- aligning monocular depth to sparse structure-from-motion depth ---

def test_alignment_recovers_a_known_scale_and_shift_despite_outliers():
    rng = np.random.default_rng(3)
    mono = rng.uniform(0.5, 6.0, (120, 160)).astype(np.float32)
    truth = 0.37 * mono + 0.21
    sparse = np.zeros_like(mono)
    picked = rng.random(mono.shape) < 0.01  # ~190 SIFT points
    sparse[picked] = truth[picked] * (1 + rng.normal(0, 0.005, picked.sum()))
    wrong = picked & (rng.random(mono.shape) < 0.25)  # a quarter of them on something else
    sparse[wrong] = rng.uniform(0.1, 3.0, wrong.sum())
    fit = align_scale_shift(mono, sparse)
    assert fit.scale == pytest.approx(0.37, rel=0.01) and fit.shift == pytest.approx(0.21, abs=0.01)
    assert (picked & ~wrong).sum() <= fit.inliers <= (picked & ~wrong).sum() + 0.1 * wrong.sum()  # a few outliers fit by chance
    assert align_scale_shift(mono, np.where(rng.random(mono.shape) < 0.0005, sparse, 0)) is None  # too few points


def test_densify_replaces_sparse_depth_where_the_fit_holds():
    rng = np.random.default_rng(4)
    true_depth = rng.uniform(1, 4, (48, 64)).astype(np.float32)
    sparse = np.where(rng.random(true_depth.shape) < 0.05, true_depth * 0.5, 0).astype(np.float32)  # units: 0.5 m

    K = np.array([[50.0, 0, 31.5], [0, 50, 23.5], [0, 0, 1]])
    views = [PosedView(0, 0.0, np.zeros((48, 64, 3), np.uint8), K, np.eye(4), sparse),
             PosedView(1, 1.0, np.zeros((48, 64, 3), np.uint8), K, np.eye(4), np.zeros_like(sparse))]
    dense, count = densify(Reconstruction("colmap", views, np.zeros((0, 3)), frames_given=2), KnownDepth(true_depth))
    assert count == 1
    assert np.allclose(dense.views[0].depth, true_depth * 0.5, rtol=1e-3)
    assert (dense.views[1].depth == 0).all()  # no sparse depth to follow: left as it was
    assert dense.metric.source == "depth model" and dense.metric.metres_per_unit == pytest.approx(2.0, rel=1e-3)
    assert dense.scaled(4.0).metric.metres_per_unit == pytest.approx(0.5, rel=1e-3)  # follows the units


# --- one generated view through the monocular path against the RGB-D path ---

QUESTIONS = ["How long is the bed?", "How tall is the bookshelf?", "How far is the bed from the sofa?",
             "How many chairs are there?"]


def _single_view(tmp_path, view: int):
    """(a photo with its detections sidecar, a one-frame RGB-D manifest of the same view, its depth and K)."""
    folder = room(5, masks=False)
    manifest = json.loads((folder / "frames.json").read_text())
    entry = manifest["frames"][view]
    photo = tmp_path / "photo.png"
    shutil.copy(folder / entry["image"], photo)
    (tmp_path / "photo_detections.json").write_text(json.dumps({"frames": {"0": entry["detections"]}}))
    single = tmp_path / "rgbd"
    single.mkdir()
    for key in ("image", "depth"):
        entry[key] = str(folder / entry[key])
    (single / "frames.json").write_text(json.dumps({"frames": [entry], "up": manifest["up"]}))
    depth = np.asarray(Image.open(folder / json.loads((folder / "frames.json").read_text())["frames"][view]["depth"]),
                       np.float32) / 1000
    return photo, single / "frames.json", depth, np.asarray(entry["K"])


def _numbers(scene, questions):
    planner = RulesPlanner()
    return [ask(scene, q, planner).value for q in questions]


def test_a_single_view_through_a_depth_model_answers_as_rgbd_does(tmp_path):
    photo, rgbd, depth, K = _single_view(tmp_path, view=3)
    backend = KnownDepth(depth, K)
    mono = load_input(str(photo), perception=PerceptionSettings(depth=backend))
    sensor = load_input(str(rgbd))
    assert backend.calls == 1
    assert mono.scale.source == "depth model" and "focal length from the depth model" in mono.scale.detail
    # Up is found from the floor the depth shows: the true up, seen from the photo's level camera.
    true_pose = np.asarray(json.loads(rgbd.read_text())["frames"][0]["cam_to_world"])
    true_up = LEVEL_POSE[:3, :3] @ true_pose[:3, :3].T @ np.array([0.0, 0.0, 1.0])
    assert np.degrees(np.arccos(np.clip(mono.up @ true_up, -1, 1))) < 2.0
    labels = {canonical_label(o.label) for o in sensor.objects}
    asked = [q for q in QUESTIONS if any(word in q for word in labels)]
    assert len(asked) >= 3
    for question, got, want in zip(asked, _numbers(mono, asked), _numbers(sensor, asked)):
        # 2 cm: two objects the sensor build has 1.25 cm apart touch in the photo's, whose level camera
        # turns every box by a rounding's worth
        assert got == pytest.approx(want, rel=0.05, abs=0.02), question


def test_a_photo_without_a_stated_focal_length_says_its_field_of_view_was_assumed(tmp_path):
    photo, _, depth, _ = _single_view(tmp_path, view=3)
    scene = load_input(str(photo), perception=PerceptionSettings(depth=KnownDepth(depth, None)))
    camera = scene.cameras[0]
    width = camera.width
    assert np.asarray(camera.K)[0, 0] == pytest.approx((width / 2) / np.tan(np.radians(ASSUMED_FOV) / 2))
    assert "assumed" in scene.scale.detail


def test_scale_given_for_a_photo_replaces_the_models(tmp_path):
    photo, rgbd, depth, K = _single_view(tmp_path, view=3)
    perception = PerceptionSettings(depth=KnownDepth(depth * 1.1, K))  # a model 10 % too far
    perception.video.scale = str(1 / 1.1)
    scene = load_input(str(photo), perception=perception)
    assert scene.scale.source == "user factor"
    sensor = load_input(str(rgbd))
    def sides(memory):
        return sorted((o.label, round(float(o.box.extents_array.max()), 3)) for o in memory.objects)

    assert len(sides(sensor)) >= 3 and [label for label, _ in sides(scene)] == [label for label, _ in sides(sensor)]
    for (label, got), (_, want) in zip(sides(scene), sides(sensor)):
        assert got == pytest.approx(want, rel=0.05), label


def test_a_scale_given_for_a_photo_is_part_of_its_cache_key(tmp_path):
    photo, _, depth, K = _single_view(tmp_path, view=3)
    cache = SceneCache(tmp_path / "cache")
    plain = load_input(str(photo), cache, PerceptionSettings(depth=KnownDepth(depth, K)))
    halved = PerceptionSettings(depth=KnownDepth(depth, K))
    halved.video.scale = "0.5"
    scaled = load_input(str(photo), cache, halved)
    assert plain.scale.source == "depth model" and scaled.scale.source == "user factor"
    assert scaled.cameras[0].cam_to_world == plain.cameras[0].cam_to_world  # the camera stays at the origin
    def height(scene):  # measured; the bed's unseen sides are completed from its typical size in either scale
        return [o for o in scene.objects if o.label == "bed"][0].box.extent_along(scene.up)

    assert height(scaled) == pytest.approx(height(plain) / 2, rel=0.02)


def test_the_level_pose_is_a_camera_looking_along_y_with_z_up():
    assert np.allclose(LEVEL_POSE[:3, 2], (0, 1, 0)) and np.allclose(LEVEL_POSE[:3, 1], (0, 0, -1))
    assert np.linalg.det(LEVEL_POSE[:3, :3]) == pytest.approx(1.0)


# --- several photos of one scene ---

class DepthByImage:
    """A depth model that knows each generated view's true depth by its pixels."""

    name = "true depth by image"

    def __init__(self, pairs):
        self.pairs, self.calls = pairs, 0

    def estimate(self, image, K=None):
        self.calls += 1
        return DepthEstimate(next(d for rgb, d in self.pairs if np.array_equal(rgb, image)).copy())

    def settings(self):
        return {"depth_model": self.name}


def test_several_photos_are_posed_together_and_densified(tmp_path, monkeypatch):
    import sagent.tools.pipeline.inputs as inputs

    folder = room(5, masks=False)
    entries = json.loads((folder / "frames.json").read_text())["frames"][:12:3]
    paths, pairs, views, sidecar = [], [], [], {}
    rng = np.random.default_rng(0)
    for index, entry in enumerate(entries):
        path = tmp_path / f"view{index}.png"
        shutil.copy(folder / entry["image"], path)
        rgb = np.asarray(Image.open(path).convert("RGB"))
        depth = np.asarray(Image.open(folder / entry["depth"]), np.float32) / 1000
        sparse = np.where(rng.random(depth.shape) < 0.02, depth / 2, 0).astype(np.float32)  # SfM: 2 units a metre
        pose = np.asarray(entry["cam_to_world"], float)
        pose[:3, 3] /= 2
        views.append(PosedView(index, float(index), rgb, np.asarray(entry["K"]), pose, sparse))
        pairs.append((rgb, depth))
        paths.append(str(path))
        sidecar[str(index)] = entry["detections"]
    (tmp_path / "view0_detections.json").write_text(json.dumps({"frames": sidecar}))
    asked = []

    def reconstruct(keyframes, settings, device=None):
        asked.append([k.index for k in keyframes])
        return Reconstruction("colmap", views, np.zeros((0, 3)), frames_given=len(keyframes))

    monkeypatch.setattr(inputs, "reconstruct", reconstruct)
    model = DepthByImage(pairs)
    scene = load_input(paths, perception=PerceptionSettings(depth=model))
    assert asked == [[0, 1, 2, 3]] and model.calls == 4
    truth = {(o["label"]): o for o in json.loads((folder / "ground_truth.json").read_text())["objects"]}
    bed = next(o for o in scene.objects if o.label == "bed")
    # The metric model's depth fitted to each view's sparse depth measures the reconstruction's unit (0.5 m).
    assert scene.scale.source == "depth model" and "fitted to the sparse depth of 4 views" in scene.scale.detail
    assert scene.scale.metres_per_unit == pytest.approx(2.0, rel=0.01)
    assert float(bed.box.extents_array.max()) == pytest.approx(max(truth["bed"]["size"]), rel=0.1)  # seen in part


def test_several_photos_of_different_sizes_are_one_line(tmp_path):
    small, large = _jpeg(tmp_path / "a.jpg", 64, 48), _jpeg(tmp_path / "b.jpg", 80, 60)
    with pytest.raises(PhotoError, match="one size.*a.jpg 64x48, b.jpg 80x60"):
        load_input([str(small), str(large)], perception=PerceptionSettings(depth=KnownDepth(np.ones((48, 64)))))


def test_an_agent_observes_an_image_without_depth_through_its_depth_model(tmp_path):
    from sagent import Agent

    photo, rgbd, depth, K = _single_view(tmp_path, view=3)
    detections = json.loads((tmp_path / "photo_detections.json").read_text())["frames"]["0"]
    agent = Agent(planner="rules", up=None, depth_model=KnownDepth(depth, K))
    image = np.asarray(Image.open(photo).convert("RGB"))
    assert agent.observe(image=image, detections=detections) > 0
    scene = agent.scene
    assert scene.scale.source == "depth model" and "focal length from the depth model" in scene.scale.detail
    sensor = load_input(str(rgbd))
    question = "How many chairs are there?"
    assert agent.ask(question).value == ask(sensor, question, RulesPlanner()).value
    with pytest.raises(InputError, match="cam_to_world is needed for every frame after the first"):
        agent.observe(image=image)
