"""Models on first use, end to end: a photo asked about with no weights on disk fetches its depth model
through the weights store (the hub faked at the downloader's interface), loads it with the real
transformers code (random weights from a tiny config, on the CPU) and answers; offline it is one line."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from sagent.cli import main
from sagent.tools.io import weights
from sagent.tools.pipeline.settings import DEFAULT_DETECTOR, PerceptionSettings, make_grounder
from tests.synthetic_rooms import room

pytest.importorskip("transformers")
from tests.test_depth_models import _depth_anything  # noqa: E402


class FakeHub:
    """The downloader: a hub repo arrives as a tiny random-weight Depth Anything V2 metric model; a URL as
    bytes. Records what was asked."""

    def __init__(self):
        self.asked: list[str] = []

    def download_hub(self, repo_id, dest_folder, progress, files=()):
        self.asked.append(repo_id)
        _depth_anything(dest_folder)

    def download_url(self, url, dest, progress):
        self.asked.append(url)
        dest.write_bytes(b"weights of " + url.encode())


@pytest.fixture
def photo(tmp_path):
    """A generated room's view as a JPEG, with its detections beside it."""
    folder = room(5, masks=False)
    entry = json.loads((folder / "frames.json").read_text())["frames"][3]
    path = tmp_path / "bedroom.jpg"
    Image.open(folder / entry["image"]).convert("RGB").save(path, "JPEG", quality=90)
    (tmp_path / "bedroom_detections.json").write_text(json.dumps({"frames": {"0": entry["detections"]}}))
    return path, entry


def test_a_jpeg_to_an_answer_through_a_depth_model_fetched_on_first_use(photo, tmp_path, monkeypatch, capsys):
    path, entry = photo
    monkeypatch.delenv("SAGENT_OFFLINE")
    hub = FakeHub()
    monkeypatch.setattr(weights, "default_downloader", lambda: hub)
    models = tmp_path / "models"
    args = ["ask", str(path), "How many chairs are there?", "--json", "--models-dir", str(models), "--no-cache"]
    assert main(args) == 0
    answer = json.loads(capsys.readouterr().out)
    # Random weights measure nothing real (the tiny model says 7.5 m everywhere): the count is whatever
    # its flat depth lifts, but it is a count, and the answer says where its metres came from.
    assert isinstance(answer["value"], int) and answer["value"] >= 0
    assert answer["scale"].startswith("depth model") and "focal length assumed" in answer["scale"]
    assert hub.asked == ["depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf"]
    assert (models / "depth-anything-indoor" / "config.json").is_file()
    assert main(args) == 0 and len(hub.asked) == 1  # the second question finds it in the cache
    assert json.loads(capsys.readouterr().out)["value"] == answer["value"]


def test_a_photo_offline_without_its_depth_model_is_one_line(photo, tmp_path, capsys):
    path, _ = photo
    models = tmp_path / "models"
    assert main(["ask", str(path), "How many chairs are there?", "--offline", "--models-dir", str(models)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "depth-anything" in err and str(models) in err and "--depth-model" in err


def test_the_default_detector_is_fetched_into_the_store_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("SAGENT_OFFLINE")
    hub = FakeHub()
    monkeypatch.setattr(weights, "default_downloader", lambda: hub)
    grounder = make_grounder(PerceptionSettings(models_dir=str(tmp_path)))
    assert grounder.name == "ultralytics" and grounder.weights == str(tmp_path / DEFAULT_DETECTOR)
    assert len(hub.asked) == 1 and hub.asked[0].endswith("/" + DEFAULT_DETECTOR)
    assert make_grounder(PerceptionSettings(models_dir=str(tmp_path))).weights == grounder.weights
    assert len(hub.asked) == 1

