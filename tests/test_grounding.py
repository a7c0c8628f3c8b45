"""Grounding backends: the VLM through a scripted model; ultralytics on the CPU with random weights."""

import importlib.util
import json

import numpy as np
import pytest

from sagent.tools.io.frames import read_manifest
from sagent.tools.perception.grounding import GroundingError
from sagent.tools.perception.scene_builder import SceneBuilder
from sagent.tools.perception.vlm_grounder import VlmGrounder
from tests.fakes import ScriptedModel
from tests.synthetic_rooms import room

HAS_ULTRALYTICS = importlib.util.find_spec("ultralytics") is not None and importlib.util.find_spec("torch") is not None
needs_ultralytics = pytest.mark.skipif(not HAS_ULTRALYTICS, reason="needs the perception extra (make test installs it)")


def synthetic_frame():
    return read_manifest(room(1, masks=False) / "frames.json").frames[3]


def test_vlm_boxes_are_validated_clipped_and_relabelled():
    frame = synthetic_frame()
    reply = json.dumps({"objects": [
        {"label": "couch", "box": [10, 20, 400, 200]},      # synonym; clipped to the 320-wide image
        {"label": "chair", "box": [50, 60, 40, 90]},        # inverted: dropped
        {"label": "giraffe", "box": [0, 0, 10, 10]},        # not asked for: dropped
    ]})
    model = ScriptedModel([f"Here you go: {reply}"])
    detections = VlmGrounder(model).detect(frame, ["sofa", "chair"])
    assert [(d.label, d.box) for d in detections] == [("sofa", (10, 20, 320, 200))]
    content = model.calls[0][0]["content"]
    assert "sofa, chair" in content[0]["text"] and content[1]["image_url"]["url"].startswith("data:image/png")


def test_vlm_garbage_reply_gives_no_boxes():
    assert VlmGrounder(ScriptedModel(["no idea"])).detect(synthetic_frame(), ["sofa"]) == []


def test_missing_weights_is_one_clear_message(tmp_path):
    from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder

    grounder = UltralyticsGrounder(str(tmp_path / "yolov8s-worldv2.pt"))
    with pytest.raises(GroundingError, match="YOLO weights not found.*--detector-weights"):
        grounder.detect(synthetic_frame(), ["chair"])


@needs_ultralytics
def test_yolo_from_yaml_runs_on_cpu_and_flows_through_lifting():
    from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder

    grounder = UltralyticsGrounder("yolov8n.yaml", confidence=0.0)  # random weights: boxes anywhere
    frame = synthetic_frame()
    detections = grounder.detect(frame)
    assert detections and all(0 <= d.box[0] < d.box[2] <= 320 and 0 <= d.box[1] < d.box[3] <= 240 for d in detections)
    builder = SceneBuilder(grounder, np.array([0, 0, 1.0]))
    lifted = builder.add(read_manifest(room(1, masks=False) / "frames.json").frames[3])
    assert lifted and all(o.points.shape[1] == 3 for o in lifted)
    scene = builder.build()
    assert scene.objects  # random boxes still become (meaningless) instances through the same path


@needs_ultralytics
def test_open_vocabulary_classes_are_set_from_the_question():
    import torch

    from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder

    seen = []

    def text_embedder(classes):
        seen.append(list(classes))
        return torch.randn(1, len(classes), 512)

    grounder = UltralyticsGrounder("yolov8s-worldv2.yaml", confidence=0.0, text_embedder=text_embedder)
    detections = grounder.detect(synthetic_frame(), ["chair", "sofa", "couch"])
    assert seen == [["chair", "sofa", "couch"]]
    assert grounder._model.model.names == ["chair", "sofa", "couch"] or list(grounder._model.names.values()) == ["chair", "sofa", "couch"]
    assert {d.label for d in detections} <= {"chair", "sofa"}  # couch is the sofa
    grounder.detect(synthetic_frame(), ["chair", "sofa", "couch"])
    assert len(seen) == 1  # classes are set once, not per frame


@needs_ultralytics
def test_open_vocabulary_without_text_weights_says_what_is_missing(monkeypatch):
    from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder

    grounder = UltralyticsGrounder("yolov8s-worldv2.yaml")

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    grounder._load()
    monkeypatch.setattr(grounder._model.model, "get_text_pe", offline)
    with pytest.raises(GroundingError, match="could not set classes.*text encoder"):
        grounder.detect(synthetic_frame(), ["chair"])
