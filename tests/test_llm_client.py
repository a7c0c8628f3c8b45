"""The real litellm client path against a local server speaking OpenAI chat completions."""

import json
import os

import pytest

from sagent.agent.agent import Agent
from sagent.agent.llm_planner import LLMPlanner, PlannerStep
from sagent.agent import model as model_module
from sagent.agent.model import LiteLLMModel, redact
from sagent.errors import ProviderError
from sagent.cli import main
from tests.conftest import EXAMPLE_LAYOUT
from tests.fakes import OpenAIServer, chat_reply, error_reply, step
from tests.scenes import make_scene

SCENE = f"{EXAMPLE_LAYOUT}:living_room"


def test_client_sends_messages_and_reads_the_reply():
    with OpenAIServer(lambda body: chat_reply("hello")) as server:
        model = LiteLLMModel("openai/any", api_base=server.base_url, retries=0)
        reply = model.complete([{"role": "user", "content": "hi"}])
    assert reply.text == "hello" and reply.prompt_tokens == 50 and reply.completion_tokens == 12
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "any"
    assert request["body"]["messages"] == [{"role": "user", "content": "hi"}]


def test_cli_ask_with_a_local_model(capsys):
    program = 'answer nearest([objects("lamp"), objects("door")], objects("sofa"))'
    with OpenAIServer(lambda body: chat_reply(step(program))) as server:
        code = main(["ask", "--model", "openai/any", "--api-base", server.base_url, "--layout", SCENE, "--json",
                     "Which is closer to the sofa, the lamp or the door?"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["value"] == "lamp" and payload["planner"] == "llm" and payload["model"] == "openai/any"
    system = server.requests[0]["body"]["messages"][0]["content"]
    assert "distance(a: Objects, b: Objects) -> Length" in system


def test_plain_text_replies_are_read_too(capsys):
    with OpenAIServer(lambda body: chat_reply('answer count(objects("chair"))')) as server:
        assert main(["ask", "--model", "openai/any", "--api-base", server.base_url, "--layout", SCENE,
                     "How many chairs?"]) == 0
    assert capsys.readouterr().out.strip() == "2"


def test_requests_carry_images_when_the_model_takes_them():
    with OpenAIServer(lambda body: chat_reply(step("answer room_area()"))) as server:
        assert main(["ask", "--model", "openai/any", "--api-base", server.base_url, "--images", "on",
                     "--layout", SCENE, "How big is the room?"]) == 0
    user = server.requests[0]["body"]["messages"][1]["content"]
    kinds = [part["type"] for part in user]
    assert kinds[0] == "text" and "image_url" in kinds
    image = next(part for part in user if part["type"] == "image_url")
    assert image["image_url"]["url"].startswith("data:image/png;base64,")


def test_repair_loop_through_the_real_client(capsys):
    replies = [chat_reply(step('answer count(objects("couch"))')), chat_reply(step('answer count(objects("sofa"))'))]
    with OpenAIServer(lambda body: replies.pop(0)) as server:
        assert main(["ask", "--model", "openai/any", "--api-base", server.base_url, "--layout", SCENE,
                     "How many couches?"]) == 0
    assert capsys.readouterr().out.strip() == "1"
    repair = server.requests[1]["body"]["messages"][-1]["content"]
    assert "closest match: 'sofa'" in repair


@pytest.mark.parametrize("status, words", [
    (401, "rejected the API key"),
    (404, "was not found"),
    (503, "unavailable"),
])
def test_provider_errors_are_one_clear_message_without_the_key(monkeypatch, capsys, status, words):
    monkeypatch.setattr(model_module, "BACKOFF_BASE_SECONDS", 0.001)  # a 503 is retried first
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-0123456789")
    with OpenAIServer(lambda body: error_reply(status, "bad key sk-test-secret-0123456789 rejected")) as server:
        code = main(["ask", "--model", "openai/any", "--api-base", server.base_url, "--layout", SCENE,
                     "--session", "s1", "How many chairs?"])
    err = capsys.readouterr().err
    assert code == 3 and words in err, err
    assert "sk-test-secret-0123456789" not in err and "Traceback" not in err
    session = os.path.join(os.environ["SAGENT_CACHE_DIR"], "sessions", "s1.jsonl")
    assert not os.path.exists(session) or "sk-test-secret" not in open(session).read()


def test_a_busy_provider_is_retried_after_the_pause_it_asks(monkeypatch):
    """429 and 503 are tried again (Retry-After honoured, else exponential backoff with jitter); the
    answer then comes as if nothing had happened. A timeout is never retried (test_timeout)."""
    replies = [(429, error_reply(429, "slow down")[1], {"Retry-After": "2"}),
               (503, error_reply(503, "overloaded")[1]), chat_reply(step("answer room_area()"))]
    pauses = []
    with OpenAIServer(lambda body: replies.pop(0)) as server:
        model = LiteLLMModel("openai/any", api_base=server.base_url, retries=0, sleep=pauses.append)
        reply = model.complete([{"role": "user", "content": "q"}])
    assert "room_area" in reply.text and len(server.requests) == 3
    assert pauses[0] == 2.0 and 0.5 * model_module.BACKOFF_BASE_SECONDS * 2 <= pauses[1] <= 2 * model_module.BACKOFF_BASE_SECONDS


def test_a_provider_busy_for_good_fails_after_its_retries():
    pauses = []
    with OpenAIServer(lambda body: error_reply(429, "rate limit reached")) as server:
        model = LiteLLMModel("openai/any", api_base=server.base_url, retries=0, sleep=pauses.append)
        with pytest.raises(ProviderError, match="rate limit"):
            model.complete([{"role": "user", "content": "q"}])
    assert len(server.requests) == model_module.BUSY_RETRIES + 1
    base = model_module.BACKOFF_BASE_SECONDS
    for attempt, pause in enumerate(pauses):  # doubling, with jitter between half and all of each step
        assert 0.5 * base * 2 ** attempt <= pause <= min(base * 2 ** attempt, model_module.BACKOFF_MAX_SECONDS)


def test_unreachable_provider(capsys):
    with OpenAIServer(lambda body: chat_reply("x")) as server:
        base = server.base_url
    code = main(["ask", "--model", "openai/any", "--api-base", base, "--layout", SCENE, "--timeout", "5", "How many chairs?"])
    assert code == 3 and "could not reach" in capsys.readouterr().err


def test_timeout(capsys):
    with OpenAIServer(lambda body: chat_reply("answer 1"), delay=3) as server:
        code = main(["ask", "--model", "openai/any", "--api-base", server.base_url, "--layout", SCENE,
                     "--timeout", "1", "How many chairs?"])
    assert code == 3 and "did not answer within 1 s" in capsys.readouterr().err


def test_redact_removes_keys(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "AIzaSyD-secret-value")
    assert redact("key AIzaSyD-secret-value and sk-abcdefghijklmnop") == "key *** and sk-***"


def test_vllm_gets_a_json_schema_for_guided_decoding():
    with OpenAIServer(lambda body: chat_reply(step("answer room_area()"))) as server:
        model = LiteLLMModel("hosted_vllm/qwen", api_base=server.base_url, retries=0)
        model.complete([{"role": "user", "content": "q"}], {"type": "object", "properties": {}})
    body = server.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema"


def test_the_planner_sends_its_reply_models_schema():
    scene = make_scene([("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9))])
    with OpenAIServer(lambda body: chat_reply(step('answer count(objects("chair"))'))) as server:
        planner = LLMPlanner(LiteLLMModel("hosted_vllm/qwen", api_base=server.base_url, retries=0))
        assert planner.solve("How many chairs?", scene).execution.value.value == 1
    json_schema = server.requests[0]["body"]["response_format"]["json_schema"]
    assert json_schema == {"name": "PlannerStep", "schema": PlannerStep.model_json_schema(), "strict": True}


def test_agent_step_callbacks_through_the_real_client():
    scene = make_scene([("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9))])
    replies = [chat_reply('{"program": "answer count(objects(\\"chair\\"))", "final": "false"}'),
               chat_reply(step('answer count(objects("chair"))'))]
    seen = []
    with OpenAIServer(lambda body: replies.pop(0)) as server:
        agent = Agent(planner="llm", model="openai/any", api_base=server.base_url, scene=scene, step_callbacks=[seen.append])
        assert agent.ask("How many chairs?").value == 1
    assert [(a.kind, a.prompt_tokens, a.completion_tokens) for a in seen] == [("repair", 50, 12), ("final", 50, 12)]
    assert all(a.seconds > 0 for a in seen)


def test_agent_takes_full_planner_settings():
    from sagent.agent.planners import PlannerSettings

    scene = make_scene([("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9))])
    with OpenAIServer(lambda body: chat_reply(step('answer count(objects("chair"))'))) as server:
        settings = PlannerSettings(kind="llm", model="openai/any", api_base=server.base_url, max_tokens=77,
                                   temperature=0.3, constrain="off")
        assert Agent(planner=settings, scene=scene).ask("How many chairs?").value == 1
    body = server.requests[-1]["body"]
    assert body["max_tokens"] == 77 and body["temperature"] == 0.3 and "response_format" not in body
