"""Grounding backends: the VLM through a scripted model; ultralytics on the CPU with random weights."""

import importlib.util
import json

import numpy as np
import pytest

from sagent.cli import main
from sagent.tools.io.frames import read_manifest
from sagent.tools.perception.grounding import GroundingError
from sagent.tools.perception.scene_builder import SceneBuilder
from sagent.tools.perception.vlm_grounder import GroundingReply, GroundingReplyError, VlmGrounder, parse_reply
from tests.fakes import OpenAIServer, ScriptedModel, chat_reply
from tests.synthetic_rooms import room, without_detections

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


def test_vlm_schema_sent_is_the_reply_models_and_strict_ready():
    model = ScriptedModel(['{"objects": []}'])
    assert VlmGrounder(model).detect(synthetic_frame(), ["sofa"]) == []
    (schema,) = model.schemas
    assert schema == GroundingReply.model_json_schema()
    box = schema["$defs"]["GroundedBox"]
    for obj in (schema, box):
        assert obj["additionalProperties"] is False and obj["required"] == list(obj["properties"])
    assert box["properties"]["box"]["minItems"] == box["properties"]["box"]["maxItems"] == 4


def test_vlm_reply_is_validated_by_its_model():
    with_newline = '{"objects": [{"label": "sofa\n", "box": [1, 2, 30, 40]}]}'  # raw newline: invalid JSON
    assert parse_reply(with_newline).objects[0].box == [1, 2, 30, 40]
    assert parse_reply('Boxes {like this}: ```json\n{"objects": []}\n```').objects == []
    for bad, words in [("no idea", "no JSON object"), ('{"objects": [{"label": "sofa", "box": [1, 2, 3]}]}', "objects.0.box"),
                       ('{"boxes": []}', "objects: Field required")]:
        with pytest.raises(GroundingReplyError, match=words):
            parse_reply(bad)


def test_vlm_bad_reply_goes_back_once_then_is_read():
    model = ScriptedModel(["no idea", '{"objects": [{"label": "sofa", "box": [10, 20, 100, 200]}]}'])
    detections = VlmGrounder(model).detect(synthetic_frame(), ["sofa"])
    assert [(d.label, d.box) for d in detections] == [("sofa", (10, 20, 100, 200))]
    repair = model.calls[1]
    assert repair[1] == {"role": "assistant", "content": "no idea"}
    assert "could not be read: no JSON object in the reply" in repair[2]["content"]


def test_vlm_bad_replies_end_in_the_grounders_own_error():
    model = ScriptedModel(["no idea", '{"objects": [{"label": "sofa"}]}'])
    with pytest.raises(GroundingReplyError, match=r"scripted/fake gave no valid boxes for the frame at t=.* after 1 "
                                                  r"repair\(s\): objects.0.box: Field required"):
        VlmGrounder(model).detect(synthetic_frame(), ["sofa"])


def test_vlm_bad_replies_through_the_cli_are_one_line(tmp_path, capsys):
    frames = without_detections(room(1, masks=False), tmp_path)
    with OpenAIServer(lambda body: chat_reply("I cannot see anything")) as server:
        code = main(["ask", str(frames), "--detector", "vlm", "--model", "openai/any",
                     "--api-base", server.base_url, "How many chairs?"])
    err = capsys.readouterr().err
    assert code == 1 and "gave no valid boxes" in err and "Traceback" not in err
    assert len(server.requests) == 2


def test_missing_weights_is_one_clear_message(tmp_path):
    from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder

    grounder = UltralyticsGrounder(str(tmp_path / "yolov8s-worldv2.pt"))
    with pytest.raises(GroundingError, match="YOLO weights not found.*sagent models list"):
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
