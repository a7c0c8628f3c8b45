"""The scene cache's key is what the build read and how it built; its size is bounded, least recently used first."""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np
import pytest
from PIL import Image

from sagent.cli import main
from sagent.errors import InputError
from sagent.memory import cache as cache_module
from sagent.memory.cache import SceneCache, cache_key, content_digest
from sagent.tools.io.readers import read_frames
from sagent.tools.io.video import source_files
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder
from sagent.tools.pipeline import inputs
from sagent.tools.pipeline.inputs import load_input, weights_id
from sagent.tools.pipeline.plain_video import VideoSettings, choose_backend
from sagent.tools.pipeline.settings import PerceptionSettings
from sagent.tools.reconstruction.vggt import VggtSettings
from tests.scenes import make_scene
from tests.synthetic_rooms import room
from tests.test_sevenscenes import write_sequence


class CountingCache(SceneCache):
    """A scene cache that records, per question, whether it answered from an entry."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hits: list[bool] = []

    def get_or_build(self, key, build):
        memory, hit = super().get_or_build(key, build)
        self.hits.append(hit)
        return memory, hit


@pytest.fixture
def frames_folder(tmp_path):
    """A small generated room (6 frames, masks) copied here: frames.json with paths relative to it."""
    return shutil.copytree(room(3, masks=True, frames=6), tmp_path / "room")


def _entries(cache: SceneCache) -> list:
    return sorted(cache.root.glob("*.npz"))


# --- what the key is made of -------------------------------------------------------------------------------

def test_an_output_beside_the_manifest_keeps_its_entry_an_edited_depth_image_does_not(frames_folder, tmp_path):
    cache = CountingCache(tmp_path / "scenes")
    manifest = str(frames_folder / "frames.json")
    load_input(manifest, cache)
    (frames_folder / "answer.png").write_bytes(b"an output written beside the input")
    (frames_folder / "scene.npz").write_bytes(b"another one")
    (frames_folder / "depth" / "notes.txt").write_text("and a note among the depth images")
    load_input(manifest, cache)
    assert cache.hits == [False, True]

    depth_file = read_frames(manifest).frames[2].depth_path
    depth = np.array(Image.open(depth_file))
    depth[depth > 0] += 7  # a few millimetres: plausible, and different
    Image.fromarray(depth).save(depth_file)
    load_input(manifest, cache)
    assert cache.hits == [False, True, False] and len(_entries(cache)) == 2


def test_the_manifest_lists_itself_its_images_depths_and_masks(frames_folder):
    frames = read_frames(frames_folder / "frames.json")
    files = set(frames.files())
    masks = {frame.mask_path(d) for frame in frames.frames for d in frame.detections or [] if d.mask}
    assert masks and masks <= files
    assert files == {frames_folder / "frames.json", *masks,
                     *(f.image_path for f in frames.frames), *(f.depth_path for f in frames.frames)}


def test_a_moved_input_keeps_its_entries(frames_folder, tmp_path):
    cache = CountingCache(tmp_path / "scenes")
    load_input(str(frames_folder / "frames.json"), cache)
    moved = shutil.move(frames_folder, tmp_path / "elsewhere")
    load_input(str(moved / "frames.json"), cache)
    assert cache.hits == [False, True]


def _tiny_png(path, value=0, dtype=np.uint8):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((6, 8), value, dtype)).save(path)


def _layouts(tmp_path):
    """A Redwood, a TUM, a ScanNet and a 7-Scenes folder of two frames; their metadata files by layout."""
    pose = "\n".join(" ".join(map(str, row)) for row in np.eye(4))
    redwood = tmp_path / "redwood"
    for i in range(2):
        _tiny_png(redwood / "color" / f"{i}.jpg")
        _tiny_png(redwood / "depth" / f"{i}.png", 1500, np.uint16)
    (redwood / "trajectory.log").write_text("".join(f"{i} {i} 2\n{pose}\n" for i in range(2)))
    tum = tmp_path / "tum"
    for i in range(2):
        _tiny_png(tum / "rgb" / f"{i}.png")
        _tiny_png(tum / "depth" / f"{i}.png", 7500, np.uint16)
    (tum / "rgb.txt").write_text("".join(f"{i}.0 rgb/{i}.png\n" for i in range(2)))
    (tum / "depth.txt").write_text("".join(f"{i}.0 depth/{i}.png\n" for i in range(2)))
    (tum / "groundtruth.txt").write_text("".join(f"{i}.0 0 0 0 0 0 0 1\n" for i in range(2)))
    scannet = tmp_path / "scannet"
    (scannet / "pose").mkdir(parents=True)
    (scannet / "intrinsic").mkdir()
    (scannet / "intrinsic" / "intrinsic_depth.txt").write_text("5 0 4 0\n0 5 3 0\n0 0 1 0\n0 0 0 1\n")
    for i in range(2):
        _tiny_png(scannet / "color" / f"{i}.jpg")
        _tiny_png(scannet / "depth" / f"{i}.png", 1500, np.uint16)
        (scannet / "pose" / f"{i}.txt").write_text(pose)
    sevenscenes = write_sequence(tmp_path / "seq", numbers=(0, 2))
    return {redwood: ["trajectory.log"], tum: ["rgb.txt", "depth.txt", "groundtruth.txt"],
            scannet: ["intrinsic/intrinsic_depth.txt", "pose/0.txt", "pose/1.txt"],
            sevenscenes: ["camera-intrinsics.txt", "frame-000000.pose.txt", "frame-000002.pose.txt",
                          "gravity-direction.txt"]}


def test_each_dataset_reader_lists_the_files_it_opens(tmp_path):
    for folder, metadata in _layouts(tmp_path).items():
        (folder / "README.txt").write_text("not read")
        frames = read_frames(folder)
        pixels = [path for frame in frames.frames for path in (frame.image_path, frame.depth_path)]
        assert sorted(frames.files()) == sorted([folder / name for name in metadata] + pixels), folder
        assert all(path.is_file() for path in frames.files())


def test_an_image_folder_is_its_images_and_a_video_its_file(tmp_path):
    for name in ("b.jpg", "a.png"):
        _tiny_png(tmp_path / "images" / name)
    (tmp_path / "images" / "out.json").write_text("{}")
    assert source_files(tmp_path / "images") == [tmp_path / "images" / "a.png", tmp_path / "images" / "b.jpg"]
    assert source_files(tmp_path / "walk.mp4") == [tmp_path / "walk.mp4"]


def test_digests_are_remembered_by_file_state_and_see_a_same_size_edit(tmp_path, monkeypatch):
    cache = SceneCache(tmp_path / "scenes")
    data = tmp_path / "depth.png"
    data.write_bytes(b"0123456789")
    first = cache.digest([data], tmp_path)
    assert first == content_digest(data)
    reads = []
    real = cache_module._file_sha256
    monkeypatch.setattr(cache_module, "_file_sha256", lambda path: reads.append(path) or real(path))
    assert cache.digest([data], tmp_path) == first and reads == []  # unchanged: stat-ed, not read
    stat = data.stat()
    data.write_bytes(b"0123456780")  # same size, and the old mtime put back
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.digest([data], tmp_path) != first and reads == [data]


def test_a_missing_file_is_left_to_the_build_to_name(frames_folder, tmp_path, capsys):
    (frames_folder / "depth" / sorted(os.listdir(frames_folder / "depth"))[0]).unlink()
    argv = ["ask", str(frames_folder / "frames.json"), "--cache-dir", str(tmp_path / "c"), "How many chairs?"]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("sagent: error:") and "\n" not in err and "depth" in err
    assert not list((tmp_path / "c" / "scenes").glob("*.npz")) and not list((tmp_path / "c").rglob("*.sha256"))


class WeightedGrounder(AnnotationGrounder):
    """The input's own detections, named after a weights file as a detector would be (the key's view)."""

    def __init__(self, weights: str):
        self.weights = weights

    def settings(self) -> dict:
        return {"grounder": "weighted", "weights": os.path.basename(self.weights)}


def test_two_weights_files_of_one_name_are_two_entries(frames_folder, tmp_path, monkeypatch):
    weights = {}
    for folder, payload in (("one", b"weights A"), ("two", b"weights B"), ("copy", b"weights A")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "best.pt").write_bytes(payload)
        weights[folder] = str(tmp_path / folder / "best.pt")
    cache = CountingCache(tmp_path / "scenes")
    for name in ("one", "two", "copy"):
        monkeypatch.setattr(inputs, "make_grounder", lambda settings, frames, w=weights[name]: WeightedGrounder(w))
        load_input(str(frames_folder / "frames.json"), cache)
    assert cache.hits == [False, False, True] and len(_entries(cache)) == 2
    assert weights_id(cache, weights["one"]) != weights_id(cache, weights["two"])
    assert weights_id(cache, weights["one"])["name"] == "best.pt"
    assert weights_id(cache, "facebook/VGGT-1B") == {"name": "facebook/VGGT-1B"}  # a hub name: by name
    detector = inputs._with_weights(UltralyticsGrounder(weights["two"]), cache)  # the real one, never loaded
    assert detector["weights"] == weights_id(cache, weights["two"]) and detector["grounder"] == "ultralytics"


def test_the_key_holds_the_backend_that_runs_and_vggt_weights_by_digest(tmp_path):
    cache = SceneCache(tmp_path / "scenes")
    auto = inputs._video_settings(PerceptionSettings(), cache)
    assert auto["backend"] == choose_backend("auto") != "auto"
    assert ("vggt" in auto) == (auto["backend"] == "vggt") and ("colmap" in auto) == (auto["backend"] == "colmap")
    (tmp_path / "model.pt").write_bytes(b"vggt weights")
    vggt = PerceptionSettings(video=VideoSettings(backend="vggt", vggt=VggtSettings(weights=str(tmp_path / "model.pt"))))
    settings = inputs._video_settings(vggt, cache)
    assert settings["backend"] == "vggt" and "colmap" not in settings
    assert settings["vggt"]["weights"] == {"name": "model.pt", "sha256": content_digest(tmp_path / "model.pt")}
    colmap = inputs._video_settings(PerceptionSettings(video=VideoSettings(backend="colmap")), cache)
    assert cache_key("x", colmap) != cache_key("x", settings)


def test_entries_of_an_older_key_are_not_trusted(monkeypatch):
    key = cache_key("digest", {"builder": "layout"})
    monkeypatch.setattr(cache_module, "KEY_VERSION", cache_module.KEY_VERSION + 1)
    assert cache_key("digest", {"builder": "layout"}) != key
    monkeypatch.setattr(cache_module, "code_version", lambda: "9.9.9")
    assert cache_key("digest", {"builder": "layout"}) != key


# --- the bound ---------------------------------------------------------------------------------------------

def _total(cache: SceneCache) -> int:
    return sum(path.stat().st_size for folder in (cache.root, cache.digest_dir) if folder.is_dir()
               for path in folder.iterdir() if path.is_file())


def test_eviction_keeps_the_cache_under_its_bound_least_recently_used_first(tmp_path):
    scene = make_scene([("chair", (0, 0, 0), (1, 1, 1))])
    probe = SceneCache(tmp_path / "probe")
    probe.get_or_build("probe", lambda: scene)
    size = probe.path("probe").stat().st_size
    cache = SceneCache(tmp_path / "scenes", max_bytes=int(3.5 * size))
    for key in "abcdef":
        cache.get_or_build(key, lambda: scene)
        assert _total(cache) <= cache.max_bytes
        time.sleep(0.02)  # distinct use times
        assert cache.get_or_build("a", lambda: pytest.fail("'a' is used after every write: never evicted"))[1]
        time.sleep(0.02)
    assert [path.stem for path in _entries(cache)] == ["a", "e", "f"]
    info = cache.info()
    assert (info.entries, info.total_bytes, info.max_bytes) == (3, _total(cache), int(3.5 * size))
    assert info.oldest_use <= info.newest_use


def test_an_entry_larger_than_the_bound_is_returned_not_kept(tmp_path):
    cache = SceneCache(tmp_path / "scenes", max_bytes=10)
    memory, hit = cache.get_or_build("big", lambda: make_scene([("chair", (0, 0, 0), (1, 1, 1))]))
    assert not hit and memory.labels() == ["chair"] and not _entries(cache)


def test_the_bound_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SAGENT_CACHE_MAX_GB", "0.5")
    assert SceneCache().max_bytes == 500_000_000
    monkeypatch.delenv("SAGENT_CACHE_MAX_GB")
    assert SceneCache().max_bytes == cache_module.DEFAULT_MAX_GB * cache_module.GB
    for bad in ("lots", "0", "-1", "nan"):
        monkeypatch.setenv("SAGENT_CACHE_MAX_GB", bad)
        with pytest.raises(InputError, match="SAGENT_CACHE_MAX_GB must be a positive number"):
            SceneCache()


def test_a_bad_bound_is_one_line_before_any_work(monkeypatch, capsys):
    monkeypatch.setenv("SAGENT_CACHE_MAX_GB", "lots")
    assert main(["cache", "info"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "sagent: error: SAGENT_CACHE_MAX_GB must be a positive number of gigabytes, got 'lots'"


def test_stale_temporary_files_are_swept_and_live_ones_kept(tmp_path):
    cache = SceneCache(tmp_path / "scenes")
    cache.root.mkdir(parents=True)
    stale, live = cache.root / ".x.npz.1.tmp", cache.root / ".y.npz.2.tmp"
    for path in (stale, live):
        path.write_bytes(b"partial")
    old = time.time() - 2 * cache_module.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    cache.evict()
    assert not stale.exists() and live.exists()


# --- sagent cache info / clear -----------------------------------------------------------------------------

def test_cache_info_and_clear(frames_folder, tmp_path, capsys):
    root = tmp_path / "c"
    assert main(["ask", str(frames_folder / "frames.json"), "--cache-dir", str(root), "How many chairs?"]) == 0
    (root / "sessions").mkdir()
    (root / "sessions" / "s.jsonl").write_text("{}\n")
    capsys.readouterr()
    assert main(["cache", "info", "--cache-dir", str(root), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["root"] == str(root / "scenes") and info["entries"] == 1 and info["digests"] == 1
    assert info["total_bytes"] > 0 and info["oldest_use"] == info["newest_use"]
    assert main(["cache", "info", "--cache-dir", str(root)]) == 0
    text = capsys.readouterr().out
    assert "entries: 1 scene memories" in text and "GB (SAGENT_CACHE_MAX_GB)" in text and "newest use: 20" in text
    assert main(["cache", "clear", "--cache-dir", str(root)]) == 0
    assert capsys.readouterr().out.startswith("removed 2 files (")
    assert main(["cache", "info", "--cache-dir", str(root)]) == 0
    text = capsys.readouterr().out
    assert "entries: 0 scene memories" in text and "oldest use: -" in text
    assert (root / "sessions" / "s.jsonl").is_file()  # sessions are not the cache's to clear
