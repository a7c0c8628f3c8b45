"""Fuzzed manifests and layouts: a valid file with a few values replaced by anything JSON can hold (NaN,
huge numbers, strings, lists, null) or a few keys removed. Whatever comes in, the outcome is a scene
memory that saves and loads back, or an InputError; never another exception."""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagent.errors import InputError
from sagent.memory import load_layout, load_scene, save_scene
from sagent.tools.pipeline.inputs import load_input
from tests.conftest import EXAMPLE_LAYOUT
from tests.synthetic_rooms import room

# SAGENT_FUZZ=500 runs that many random examples per test instead of the fixed quick set: a deeper look.
DEEP = int(os.environ.get("SAGENT_FUZZ") or 0)


def fuzz(examples: int) -> settings:
    return settings(max_examples=DEEP or examples, derandomize=not DEEP, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

ODD_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e9, -1e-9, 1e308, 2**63, "", " ", "3", "nan", None, True, [], {}, [0, 0, 0],
                     [[1, 0, 0], [0, 1, 0], [0, 0, 1]], {"a": 1}, [1e9, 1e9, 1e9], [float("nan")] * 3]),
    st.integers(min_value=-10**6, max_value=10**6),
    st.text(max_size=4),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=5),
)


def _paths(value, prefix=()) -> list[tuple]:
    """Every place in a JSON value: keys of objects and indices of lists, depth first."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutated(base, paths: list[tuple], draw) -> object:
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(ODD_VALUES)
        except (KeyError, IndexError, TypeError):  # an earlier change removed or replaced the way there
            continue
    return data


def _dumps(data) -> str:
    return json.dumps(data, allow_nan=True)


def _round_trip(scene, folder: Path) -> None:
    """What one reader accepts, the scene file accepts too: the checks are one set."""
    loaded = load_scene(save_scene(scene, folder / "scene.npz"))
    assert [o.id for o in loaded.objects] == [o.id for o in scene.objects]


# --- manifests ---------------------------------------------------------------------------------------------

def _base_manifest() -> dict:
    folder = room(3, masks=True, frames=6)
    manifest = json.loads((folder / "frames.json").read_text())
    manifest["frames"] = manifest["frames"][:2]
    for entry in manifest["frames"]:
        for key in ("image", "depth"):
            entry[key] = str(folder / entry[key])
        entry["detections"] = entry["detections"][:2]
        for detection in entry["detections"]:
            if detection.get("mask"):
                detection["mask"] = str(folder / detection["mask"])
    return manifest


MANIFEST = _base_manifest()
MANIFEST_PATHS = _paths(MANIFEST)


@fuzz(80)
@given(st.data())
def test_fuzzed_manifests_build_or_say_why(data):
    manifest = _mutated(MANIFEST, MANIFEST_PATHS, data.draw)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frames.json"
        path.write_text(_dumps(manifest))
        try:
            scene = load_input(str(path))
        except InputError as error:
            assert str(error) and "\n" not in str(error)
            return
        _round_trip(scene, Path(folder))


# --- layouts -----------------------------------------------------------------------------------------------

LAYOUT = json.loads(EXAMPLE_LAYOUT.read_text())
LAYOUT_PATHS = _paths(LAYOUT)


@fuzz(150)
@given(st.data())
def test_fuzzed_layouts_load_or_say_why(data):
    layout = _mutated(LAYOUT, LAYOUT_PATHS, data.draw)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layout.json"
        path.write_text(_dumps(layout))
        try:
            scene = load_layout(path, "living_room")
        except InputError as error:
            assert str(error) and "\n" not in str(error)
            return
        assert scene.room.floor_area is None or 0 < scene.room.floor_area < math.inf
        _round_trip(scene, Path(folder))


@pytest.mark.parametrize("text", ["", "null", "[]", '{"living_room": null}', '{"living_room": {"object_bbox": 3}}',
                                  "NaN", '{"living_room": {"object_counts": {"chair": 1e400}}}'])
def test_odd_whole_layout_files(tmp_path, text):
    path = tmp_path / "layout.json"
    path.write_text(text)
    try:
        load_layout(path, "living_room")
    except InputError as error:
        assert "\n" not in str(error)
