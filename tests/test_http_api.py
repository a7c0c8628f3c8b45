"""`sagent serve`'s HTTP API through FastAPI's test client: streamed frames, asks, refusals, restarts."""

import io
import json
import threading

import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from sagent.agent.agent import Agent  # noqa: E402
from sagent.cli import main  # noqa: E402
from sagent.service.http_api import build_app  # noqa: E402
from sagent.service.registry import Registry  # noqa: E402
from sagent.service.serve_settings import ServeSettings  # noqa: E402
from sagent.tools.io.frames import read_manifest  # noqa: E402
from tests.conftest import EXAMPLE_LAYOUT  # noqa: E402
from tests.synthetic_rooms import room  # noqa: E402

QUESTION = "How many chairs are there?"


@pytest.fixture(scope="module")
def frames():
    return read_manifest(room(3, masks=True, frames=6) / "frames.json").frames


def _detections(frame) -> list[dict]:
    return [{"label": d.label, "box": list(d.box), "score": d.score} for d in frame.detections]


def _png(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, np.float32))
    return buffer.getvalue()


def _send(client, frame, name="live", **changes):
    meta = {"K": np.asarray(frame.K).tolist(), "cam_to_world": np.asarray(frame.cam_to_world).tolist(),
            "time": frame.time, "detections": _detections(frame), **changes.pop("meta", {})}
    files = {"image": ("image.png", changes.pop("image", _png(frame.image)), "image/png"),
             "depth": ("depth.npy", changes.pop("depth", _npy(frame.depth)), "application/octet-stream")}
    return client.post(f"/scenes/{name}/frames", data={"meta": json.dumps(meta)}, files=files)


def _app(tmp_path, **settings):
    registry = Registry(tmp_path / "state", [tmp_path], queue_size=settings.pop("queue", 64))
    return registry, build_app(registry, ServeSettings(**settings))


def test_frames_streamed_then_asked_give_the_in_process_answer(tmp_path, frames):
    agent = Agent(planner="rules", up=(0.0, 0.0, 1.0))
    for frame in frames:
        agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=frame.time, image=frame.image,
                      depth=frame.depth, detections=_detections(frame))
    expected = agent.ask(QUESTION)
    _, app = _app(tmp_path)
    with TestClient(app) as client:
        assert client.post("/scenes", json={"name": "live"}).status_code == 201
        for index, frame in enumerate(frames):
            sent = _send(client, frame)
            assert sent.status_code == 202 and sent.json()["frame"] == index
        answer = client.post("/scenes/live/ask", json={"question": QUESTION})
        program = client.post("/scenes/live/program", json={"program": expected.program})
        summary = client.get("/scenes/live").json()
        bev = client.get("/scenes/live/bev.png")
        events = client.get("/scenes/live/events", params={"until_idle": True})
    assert answer.status_code == 200
    got = answer.json()
    assert (got["value"], got["program"], got["objects"]) == (expected.value, expected.program, expected.objects)
    assert program.json()["value"] == expected.value
    assert summary["acknowledged"] == summary["processed"] == len(frames) and len(summary["cameras"]) == len(frames)
    assert bev.headers["content-type"] == "image/png" and bev.content.startswith(b"\x89PNG")
    last = [json.loads(line[6:]) for line in events.text.splitlines() if line.startswith("data: ")][-1]
    assert last["processed"] == len(frames)


def test_a_malformed_frame_is_one_line_4xx_and_leaves_the_scene_as_it_was(tmp_path, frames):
    _, app = _app(tmp_path, max_body_mb=1.0)
    frame = frames[0]
    with TestClient(app) as client:
        client.post("/scenes", json={"name": "live"})
        assert _send(client, frame).status_code == 202
        wrong_size = _send(client, frames[1], image=_png(np.zeros((10, 10, 3), np.uint8)))
        nan_pose = _send(client, frames[1], meta={"cam_to_world": [[float("nan")] * 4] * 4})
        not_an_image = _send(client, frames[1], image=b"not a picture")
        huge = _send(client, frames[1], depth=b"\0" * 2_000_000)
        unknown = _send(client, frames[1], name="nowhere")
        status = client.get("/scenes/live").json()
    for response, code, words in ((wrong_size, 400, "image"), (nan_pose, 400, "cam_to_world"),
                                  (not_an_image, 400, "not a PNG or JPEG"), (huge, 413, "MB"),
                                  (unknown, 404, "no scene called 'nowhere'")):
        detail = response.json()["detail"]
        assert response.status_code == code and words in detail and "\n" not in detail, (code, detail)
    assert status["acknowledged"] == status["processed"] == 1
    assert len(list((tmp_path / "state" / "live" / "frames").iterdir())) == 1


def test_a_full_queue_answers_429_with_retry_after(tmp_path, frames):
    registry, app = _app(tmp_path, queue=1)
    with TestClient(app) as client:
        client.post("/scenes", json={"name": "live"})
        scene = registry.get("live")
        with scene._builder_lock:  # the writer is busy: frames wait in the queue
            first = _send(client, frames[0])
            codes = [first.status_code]
            for frame in frames[1:4]:
                response = _send(client, frame)
                codes.append(response.status_code)
                if response.status_code == 429:
                    refused = response
                    break
        assert 429 in codes and int(refused.headers["Retry-After"]) >= 1 and "send again" in refused.json()["detail"]
        accepted = codes.count(202)
        assert client.get("/scenes/live").json()["acknowledged"] == accepted  # the refused frame was not kept


def test_a_restarted_server_keeps_every_acknowledged_frame(tmp_path, frames):
    registry, app = _app(tmp_path)
    with TestClient(app) as client:
        client.post("/scenes", json={"name": "live"})
        for frame in frames[:4]:
            assert _send(client, frame).status_code == 202
        before = client.post("/scenes/live/ask", json={"question": QUESTION}).json()
    _, again = _app(tmp_path)  # a new process over the same state folder
    with TestClient(again) as client:
        status = client.get("/scenes/live").json()
        after = client.post("/scenes/live/ask", json={"question": QUESTION}).json()
    assert status["acknowledged"] == status["processed"] == 4
    assert (after["value"], after["objects"]) == (before["value"], before["objects"])


def test_inputs_are_read_only_under_the_data_roots_and_a_token_guards_every_request(tmp_path):
    _, app = _app(tmp_path, token="sesame")
    layout = f"{EXAMPLE_LAYOUT}:living_room"
    with TestClient(app) as client:
        assert client.post("/scenes", json={"name": "room", "input": layout}).status_code == 401
        bearer = {"Authorization": "Bearer sesame"}
        outside = client.post("/scenes", json={"name": "room", "input": layout}, headers=bearer)
        assert outside.status_code == 403 and "outside the folders" in outside.json()["detail"]
    registry = Registry(tmp_path / "state2", [EXAMPLE_LAYOUT.parent])
    with TestClient(build_app(registry)) as client:
        assert client.post("/scenes", json={"name": "room", "input": layout}).status_code == 201
        answer = client.post("/scenes/room/ask", json={"question": "Which is closer to the sofa, the lamp or the door?"})
        frame = client.post("/scenes/room/frames", data={"meta": "{}"})
        bad = client.post("/scenes/room/program", json={"program": 'answer count(objects("piano"))'})
    assert answer.json()["value"] == "lamp"
    assert frame.status_code == 409 and "made from an input" in frame.json()["detail"]
    assert bad.status_code == 422 and "^" in bad.json()["detail"] and "piano" in bad.json()["detail"]


def test_a_server_beyond_loopback_without_a_token_refuses_to_start(capsys):
    assert main(["serve", "--host", "0.0.0.0", "--port", "9"]) == 1
    err = capsys.readouterr().err
    assert "--token" in err and len(err.strip().splitlines()) == 1


def test_the_python_client_streams_and_gets_the_same_answer_type(tmp_path, frames):
    from sagent.agent.answer import Answer
    from sagent.client import Client, ServiceError

    _, app = _app(tmp_path, token="sesame")
    with TestClient(app) as http:
        client = Client("http://testserver", token="sesame", http=http)
        client.create_scene("live")
        numbers = [client.send_frame("live", K=f.K, cam_to_world=f.cam_to_world, image=f.image, depth=f.depth,
                                     time=f.time, detections=_detections(f)) for f in frames]
        answer = client.ask("live", QUESTION)
        with pytest.raises(ServiceError) as refused:
            client.ask("nowhere", QUESTION)
    assert numbers == list(range(len(frames)))
    assert isinstance(answer, Answer) and answer.value >= 1 and answer.program
    assert refused.value.status == 404 and "no scene called 'nowhere'" in str(refused.value)


def test_questions_that_come_together_share_one_build(tmp_path, frames):
    registry, app = _app(tmp_path)
    with TestClient(app) as client:
        client.post("/scenes", json={"name": "live"})
        for frame in frames[:3]:
            _send(client, frame)
        scene = registry.get("live")
        first, second = scene.memory(), scene.memory()
        assert first is second  # nothing new: no rebuild
        _send(client, frames[3])
        third = scene.memory()
    assert third is not first and len(third.cameras) == 4 and len(first.cameras) == 3


def test_what_a_frame_or_a_question_may_not_do_is_refused_up_front(tmp_path, frames):
    _, app = _app(tmp_path, token="sesame")
    bearer = {"Authorization": "Bearer sesame"}
    with TestClient(app, headers=bearer) as client:
        flat = client.post("/scenes", json={"name": "flat", "up": [0, 0, 0]})
        client.post("/scenes", json={"name": "live"})
        assert _send(client, frames[0]).status_code == 202
        cases = {
            "no label": _send(client, frames[1], meta={"detections": [{"box": [1, 2, 3, 4]}]}),
            "ragged mask": _send(client, frames[1], meta={"detections": [{"label": "chair", "box": [1, 2, 30, 40],
                                                                          "mask": [[1, 0], [1]]}]}),
            "no pose": _send(client, frames[1], meta={"cam_to_world": None}),
            "no detections": _send(client, frames[1], meta={"detections": None}),
            "ragged K": _send(client, frames[1], meta={"K": [[1, 0, 0], [0, 1]]}),
        }
        huge_header = io.BytesIO()
        np.lib.format.write_array_header_1_0(huge_header, {"descr": "<f4", "fortran_order": False,
                                                           "shape": (100000, 100000)})
        cases["a .npy promising 40 GB"] = _send(client, frames[1], depth=b"\x93NUMPY\x01\x00" + huge_header.getvalue()[8:])
        chunked = client.post("/scenes/live/ask", content=iter([b'{"question": "', b'How many chairs?"}']),
                              headers={"Content-Type": "application/json"})
        server_model = client.post("/scenes/live/ask", json={"question": QUESTION,
                                                             "planner": {"api_base": "http://elsewhere/v1"}})
        status = client.get("/scenes/live").json()
    without_token = TestClient(app).post("/scenes/live/frames", data={"meta": "not json"})
    assert flat.status_code == 422 and "up" in flat.json()["detail"]
    for what, response in cases.items():
        detail = response.json()["detail"]
        assert response.status_code == 400 and "\n" not in detail, (what, response.status_code, detail)
    assert chunked.status_code == 411
    assert server_model.status_code == 422 and "api_base" in server_model.json()["detail"]
    assert without_token.status_code == 401
    assert status["acknowledged"] == status["processed"] == 1 and not status["failed"]


def test_a_frame_that_fails_in_the_writer_is_recorded_and_the_scene_goes_on(tmp_path, frames, monkeypatch):
    registry, app = _app(tmp_path)
    with TestClient(app) as client:
        client.post("/scenes", json={"name": "live"})
        agent = registry.get("live").agent
        real, calls = agent.observe, []

        def flaky(**frame):
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("a bug in one frame")
            return real(**frame)

        monkeypatch.setattr(agent, "observe", flaky)
        for frame in frames[:4]:
            assert _send(client, frame).status_code == 202
        answer = client.post("/scenes/live/ask", json={"question": QUESTION})
        status = client.get("/scenes/live").json()
    assert answer.status_code == 200 and status["processed"] == 4
    assert len(status["failed"]) == 1 and "frame 1: RuntimeError" in status["failed"][0]


def test_a_scene_that_cannot_be_restored_does_not_stop_the_others(tmp_path, frames):
    _, app = _app(tmp_path)
    with TestClient(app) as client:
        client.post("/scenes", json={"name": "good"})
        _send(client, frames[0], name="good")
    broken = tmp_path / "state" / "broken"
    broken.mkdir()
    (broken / "scene.json").write_text("{not json")
    _, again = _app(tmp_path)
    with TestClient(again) as client:
        names = [scene["scene"] for scene in client.get("/scenes").json()]
    assert names == ["good"]
