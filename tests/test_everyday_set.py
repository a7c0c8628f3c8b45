"""The everyday question set itself (benchmarks/everyday): its size and spread, well-formed records,
ground truths of the right type for their kind, and a sample of truths re-computed here with small
independent checks. sagent's score on it is not asserted here."""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, require_shared

EVERYDAY = ROOT / "benchmarks" / "everyday"
QUESTIONS = [json.loads(line) for line in (EVERYDAY / "questions.jsonl").read_text().splitlines() if line.strip()]
KINDS = {"yes_no", "count", "length", "area", "volume", "number", "label", "labels", "direction"}
UNITS = {"length": {"m", "cm", "mm", "ft", "in"}, "area": {"m2", "cm2", "ft2"}, "volume": {"m3", "cm3", "l", "ft3"}}
TO_BASE = {"m": 1.0, "cm": 0.01, "mm": 0.001, "ft": 0.3048, "in": 0.0254, "m2": 1.0, "cm2": 1e-4, "ft2": 0.3048**2}
DIRECTIONS = {"left", "right", "front", "back", "front-left", "front-right", "back-left", "back-right"}
FIELDS = {"id", "scene_file", "scene_name", "category", "question", "options", "kind", "ground_truth", "unit",
          "tolerance"}


def _phrasing():
    sys.path.insert(0, str(EVERYDAY))
    try:
        import phrasing
    finally:
        sys.path.remove(str(EVERYDAY))
    return phrasing


def _names(phrasing, labels) -> dict[str, str]:
    """Every way the set names a label (singular, plural, synonyms), lower case -> label."""
    out = {}
    for label in labels:
        for name in phrasing.all_names(label):
            out.setdefault(name.lower(), label)
    return out


def _mentions(question: str, names: dict[str, str]) -> list[str]:
    """Labels named in the question, longest names first so 'tv stand' is not also a 'tv'."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.I)
    return [names[m.group(1).lower()] for m in pattern.finditer(question)]


def test_size_and_spread():
    assert len(QUESTIONS) >= 300
    assert len({(q["scene_file"], q["scene_name"]) for q in QUESTIONS}) >= 10
    ids = [q["id"] for q in QUESTIONS]
    assert len(ids) == len(set(ids))
    by_category = defaultdict(list)
    for q in QUESTIONS:
        by_category[q["category"]].append(q)
    assert len(by_category) >= 20
    for category, items in by_category.items():
        assert len(items) >= 10, category
        assert len({q["scene_name"] for q in items}) >= 3, f"{category} is asked in too few scenes"


def test_phrasings_vary_within_each_category():
    """At least 4 distinct question texts per category once object names and numbers are masked."""
    phrasing = _phrasing()
    labels = {label for label in phrasing.SPOKEN} | set(phrasing.ABSENT_POOL)
    labels |= {other for others in phrasing.ABSENT_POOL.values() for other in others}
    for item in QUESTIONS:
        path = ROOT / item["scene_file"]
        if path.exists():
            labels |= set(json.loads(path.read_text())[item["scene_name"]]["object_bbox"])
    names = _names(phrasing, labels)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.I)
    masked = defaultdict(set)
    for q in QUESTIONS:
        text = pattern.sub("<object>", q["question"])
        masked[q["category"]].add(re.sub(r"\d+(\.\d+)?", "<n>", text).lower())
    for category, texts in masked.items():
        assert len(texts) >= 4, (category, texts)


@pytest.mark.parametrize("item", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_record_is_well_formed(item):
    assert set(item) == FIELDS
    assert item["kind"] in KINDS
    assert isinstance(item["question"], str) and item["question"][0].isupper()
    truth, kind = item["ground_truth"], item["kind"]
    if item["options"] is not None:
        letters = [o.split(". ", 1)[0] for o in item["options"]]
        assert letters == [chr(65 + i) for i in range(len(letters))] and len(letters) >= 3
        assert truth in letters
        return
    if kind in UNITS:
        assert item["unit"] in UNITS[kind]
        assert isinstance(truth, (int, float)) and not isinstance(truth, bool) and np.isfinite(truth)
        assert 0 < item["tolerance"] <= 0.1
        return
    assert item["tolerance"] == (0.05 if kind == "number" else 0)
    if kind == "yes_no":
        assert isinstance(truth, bool)
    elif kind == "count":
        assert isinstance(truth, int) and not isinstance(truth, bool) and truth >= 0
    elif kind == "number":
        assert isinstance(truth, float) and truth > 0
    elif kind == "label":
        assert isinstance(truth, str) and truth
    elif kind == "labels":
        assert isinstance(truth, list) and all(isinstance(t, str) for t in truth) and truth == sorted(set(truth))
    elif kind == "direction":
        assert truth in DIRECTIONS


def test_label_truths_are_scene_labels():
    checked = 0
    for item in QUESTIONS:
        path = ROOT / item["scene_file"]
        if item["options"] is None and item["kind"] in ("label", "labels") and path.exists():
            scene = json.loads(path.read_text())[item["scene_name"]]
            truths = item["ground_truth"] if item["kind"] == "labels" else [item["ground_truth"]]
            assert set(truths) <= set(scene["object_bbox"]), item["id"]
            checked += 1
    assert checked >= 30


def test_real_scenes_are_there_with_eight_labels_or_more():
    real = {(q["scene_file"], q["scene_name"]) for q in QUESTIONS if q["scene_file"].startswith("../shared")}
    assert {Path(f).name.split("_")[0] for f, _ in real} == {"scannet", "arkitscenes", "scannetpp"}
    for file, name in sorted(real):
        scene = json.loads(require_shared(ROOT / file).read_text())[name]
        assert len(scene["object_bbox"]) >= 8, name


def test_counts_and_existence_follow_the_stated_counts():
    """A count is the sum of the stated counts of the labels the question names (0 for an absent one);
    existence is true exactly when the question names a label of the scene."""
    phrasing = _phrasing()
    checked = 0
    for item in QUESTIONS:
        if item["category"] not in ("counting", "existence") or item["options"]:
            continue
        path = ROOT / item["scene_file"]
        if not path.exists():
            continue
        scene = json.loads(path.read_text())[item["scene_name"]]
        named = _mentions(item["question"].replace("seats", ""), _names(phrasing, scene["object_bbox"]))
        if item["category"] == "counting":
            assert item["ground_truth"] == sum(scene["object_counts"][label] for label in dict.fromkeys(named)), item
        else:
            assert item["ground_truth"] == bool(named), item
        checked += 1
    assert checked >= 20


def test_heights_and_room_areas_recomputed():
    """Heights from the box axes (|axis . up| x extent summed), room areas from room_size."""
    phrasing = _phrasing()
    checked = 0
    for item in QUESTIONS:
        path = ROOT / item["scene_file"]
        if not path.exists():
            continue
        scene = json.loads(path.read_text())[item["scene_name"]]
        if item["category"] == "room_area":
            expected = scene["room_size"] / TO_BASE[item["unit"]]
        elif item["category"] == "size" and re.match(r"(how tall|what's the height|could you tell me how tall)",
                                                     item["question"], re.I):
            (label,) = _mentions(item["question"], _names(phrasing, scene["object_bbox"]))
            (box,) = scene["object_bbox"][label]
            axes = np.reshape(box["normalizedAxes"], (3, 3))
            expected = float(np.abs(axes[:, 2]) @ np.asarray(box["axesLengths"])) / TO_BASE[item["unit"]]
        else:
            continue
        assert item["ground_truth"] == pytest.approx(expected, rel=1e-3), item["id"]
        checked += 1
    assert checked >= 8


def test_generated_rooms_are_meta_info_and_reproducible():
    """rooms.json is what the generator code makes, loads with sagent's layout reader, and has objects
    resting on others (a bottom within 1 mm of another's top)."""
    from sagent.memory.layouts import load_layout

    sys.path.insert(0, str(EVERYDAY))
    try:
        import rooms
    finally:
        sys.path.remove(str(EVERYDAY))
    stored = json.loads((EVERYDAY / "rooms.json").read_text())
    assert json.loads(json.dumps(rooms.all_rooms())) == stored
    assert len(stored) >= 5
    stacked = 0
    for name, scene in stored.items():
        load_layout(EVERYDAY / "rooms.json", name)
        assert scene["object_counts"] == {k: len(v) for k, v in scene["object_bbox"].items()}
        boxes = [b for entries in scene["object_bbox"].values() for b in entries]
        for b in boxes:
            assert np.allclose(np.asarray(b["max"]) - np.asarray(b["min"]),
                               np.abs(np.reshape(b["normalizedAxes"], (3, 3))).T @ np.asarray(b["axesLengths"]))
        stacked += sum(1 for a in boxes for b in boxes if a is not b and abs(a["min"][2] - b["max"][2]) < 1e-3)
        assert any(len(v) >= 2 for v in scene["object_bbox"].values()), f"{name} has no repeated label"
    assert stacked >= 5


def test_generator_geometry_on_known_boxes():
    """The set's own geometry on boxes whose answers are known by hand."""
    sys.path.insert(0, str(EVERYDAY))
    try:
        import geometry as g
    finally:
        sys.path.remove(str(EVERYDAY))
    eye = np.eye(3)

    def box(center, size, yaw=0.0):
        c, s = np.cos(yaw), np.sin(yaw)
        axes = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1.0]])
        return g.Box("x", np.asarray(center, float), axes if yaw else eye, np.asarray(size, float))

    table = box((0, 0, 0.375), (1.2, 0.8, 0.75))
    lamp = box((0.1, 0, 0.95), (0.3, 0.3, 0.4))
    sofa = box((3, 0, 0.4), (2, 0.9, 0.8))
    assert g.dist3(table, sofa) == pytest.approx(3 - 1 - 0.6)
    assert g.hdist(table, lamp) == 0 and g.vdist(table, lamp) == pytest.approx(0.0, abs=1e-9)
    assert g.on(lamp, table) and not g.on(table, lamp) and g.under(table, lamp) and g.above(lamp, table)
    assert g.overlap(table, box((0.6, 0.4, 0.2), (0.4, 0.4, 0.4))) == pytest.approx(0.04)
    diamond = box((0, 0, 0.5), (1, 1, 1), yaw=np.pi / 4)
    assert diamond.area == pytest.approx(1.0) and diamond.measure("height") == pytest.approx(1.0)
    assert g.between(box((1.5, 0, 0.3), (0.3, 0.3, 0.6)), table, sofa)
    assert not g.between(box((1.5, 2, 0.3), (0.3, 0.3, 0.6)), table, sofa)
    assert g.bearing(table, sofa, box((1.5, 1.5, 0.3), (0.2, 0.2, 0.2))) > 0  # +y is left when facing +x
