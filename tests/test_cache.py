import shutil

from sagent.memory.cache import SceneCache, cache_key, content_digest
from sagent.tools.pipeline.inputs import load_input
from tests.conftest import EXAMPLE_LAYOUT
from tests.scenes import make_scene


def test_second_load_hits_the_cache(tmp_path):
    cache = SceneCache(tmp_path / "scenes")
    builds = []

    def build():
        builds.append(1)
        return make_scene([("chair", (0, 0, 0), (1, 1, 1))])

    first, hit1 = cache.get_or_build("k", build)
    second, hit2 = cache.get_or_build("k", build)
    assert (hit1, hit2) == (False, True) and len(builds) == 1
    assert second.record == first.record


def test_corrupt_entry_is_rebuilt_not_trusted(tmp_path):
    cache = SceneCache(tmp_path / "scenes")
    cache.get_or_build("k", lambda: make_scene([("chair", (0, 0, 0), (1, 1, 1))]))
    cache.path("k").write_bytes(b"garbage")
    memory, hit = cache.get_or_build("k", lambda: make_scene([("sofa", (0, 0, 0), (1, 1, 1))]))
    assert not hit and memory.labels() == ["sofa"]
    assert cache.get_or_build("k", lambda: None)[1]


def test_key_follows_content_and_settings(tmp_path):
    copy = tmp_path / "layout.json"
    shutil.copy(EXAMPLE_LAYOUT, copy)
    key = cache_key(content_digest(copy), {"builder": "layout", "scene": "living_room"})
    assert key == cache_key(content_digest(EXAMPLE_LAYOUT), {"builder": "layout", "scene": "living_room"})
    assert key != cache_key(content_digest(copy), {"builder": "layout", "scene": "other"})
    copy.write_text(copy.read_text().replace('"room_size": 20.0', '"room_size": 21.0'))
    assert key != cache_key(content_digest(copy), {"builder": "layout", "scene": "living_room"})


def test_load_input_uses_the_cache(tmp_path):
    cache = SceneCache(tmp_path / "scenes")
    first = load_input(f"{EXAMPLE_LAYOUT}:living_room", cache)
    assert len(list((tmp_path / "scenes").glob("*.npz"))) == 1
    second = load_input(f"{EXAMPLE_LAYOUT}:living_room", cache)
    assert second.record == first.record
