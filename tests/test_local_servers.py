"""The client against local servers (llama.cpp, llama-cpp-python, vLLM, Ollama) as the fake speaks them:
bounded calls, a failure that ends one question, the constraint each server kind takes."""

import json
import socket

import pytest

from sagent.agent import model as model_module
from sagent.agent.eval_run import PlannerAnswerer, run_evaluation
from sagent.agent.evaluate import LayoutScenes
from sagent.agent.llm_planner import LLMPlanner, PlannerStep
from sagent.agent.model import (ConstraintRefused, ContextOverflow, LiteLLMModel, ModelTimeout, ReplyConstraint,
                                ReplyTruncated)
from sagent.agent.planners import PlannerSettings, make_model
from sagent.agent.servers import ServerKind, detect_server, server_root
from sagent.errors import ModelError, ProviderError
from tests.conftest import EXAMPLE_LAYOUT
from tests.fakes import (LLAMA_CPP_PROPS, LLAMA_CPP_PYTHON, OLLAMA_VERSION, OpenAIServer, chat_reply, error_reply,
                         step, vllm_version)

HI = [{"role": "user", "content": "hi"}]
SCHEMA = PlannerStep.model_json_schema()
LLAMA_CPP_OVERFLOW = "request (4476 tokens) exceeds the available context size (4096 tokens), try increasing it"
LLAMA_CPP_PYTHON_REFUSAL = ("1 validation error for CreateChatCompletionRequest\nresponse_format.type\n  Input should "
                            "be 'text' or 'json_object' [type=literal_error, input_value='json_schema']")


class Grammar:
    """A constraint's grammar callable that counts its builds (the real one is ~190 KB)."""

    def __init__(self):
        self.flavours: list[str] = []

    def __call__(self, flavour: str) -> str:
        self.flavours.append(flavour)
        return 'root ::= "answer " [0-9]+'


def local(server, name="openai/gemma", **settings) -> LiteLLMModel:
    return LiteLLMModel(name, api_base=server.base_url, retries=0, **settings)


def test_calls_are_bounded_and_deterministic_by_default():
    with OpenAIServer(lambda body: chat_reply("answer 1")) as server:
        model = local(server)
        model.complete(HI)
        model.complete(HI, temperature=0.7, stop=("\nQuestion:",))
    first, second = (r["body"] for r in server.requests)
    assert first["max_tokens"] == 1024 and first["temperature"] == 0.0 and "stop" not in first
    assert second["temperature"] == 0.7 and second["stop"] == ["\nQuestion:"]


def test_settings_reach_the_request():
    with OpenAIServer(lambda body: chat_reply("answer 1")) as server:
        settings = PlannerSettings(model="openai/gemma", api_base=server.base_url, max_tokens=64, temperature=0.3)
        make_model(settings).complete(HI)
    body = server.requests[0]["body"]
    assert body["max_tokens"] == 64 and body["temperature"] == 0.3


def test_a_reply_cut_at_max_tokens_is_truncated_not_a_syntax_error():
    with OpenAIServer(lambda body: chat_reply('answer count(objects("ch', finish_reason="length",
                                              completion_tokens=16)) as server:
        with pytest.raises(ReplyTruncated, match=r"the model's reply was cut at 16 tokens \(--max-tokens 16\)"):
            local(server, max_tokens=16).complete(HI)


def test_reply_reports_its_finish_reason():
    with OpenAIServer(lambda body: chat_reply("answer 1")) as server:
        reply = local(server).complete(HI)
    assert reply.finish_reason == "stop" and reply.constrained_by is None


@pytest.mark.parametrize("message, code", [
    (LLAMA_CPP_OVERFLOW, None),                                                          # llama.cpp
    ("This model's maximum context length is 2048 tokens. However, you requested 3100 tokens "
     "(2076 in the messages, 1024 in the completion).", "context_length_exceeded"),      # OpenAI, llama-cpp-python
    ("This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens.", None),  # vLLM
])
def test_context_overflow_is_that_questions_failure(message, code):
    kind = "exceed_context_size_error" if code is None and "available" in message else "invalid_request_error"
    with OpenAIServer(lambda body: error_reply(400, message, kind, code)) as server:
        with pytest.raises(ContextOverflow, match="does not fit the context") as caught:
            local(server).complete(HI)
    assert isinstance(caught.value, ModelError) and not isinstance(caught.value, ProviderError)


def _two_questions(tmp_path):
    return [{"id": 1, "scene_name": "living_room", "question_type": "object_counting",
             "question": "How many chairs are in this room?", "ground_truth": 2},
            {"id": 2, "scene_name": "living_room", "question_type": "object_counting",
             "question": "How many lamps are in this room?", "ground_truth": 1}]


def test_eval_goes_on_after_a_context_overflow(tmp_path):
    replies = [error_reply(400, LLAMA_CPP_OVERFLOW, "exceed_context_size_error"),
               chat_reply(step('answer count(objects("lamp"))'))]
    with OpenAIServer(lambda body: replies.pop(0)) as server:
        planner = LLMPlanner(local(server, constrain="off"))
        run = run_evaluation(_two_questions(tmp_path), LayoutScenes([EXAMPLE_LAYOUT]), PlannerAnswerer(planner))
    first, second = run.predictions
    assert first.error.startswith("ContextOverflow: ") and "exceeds the available context size" in first.error
    assert second.error is None and second.prediction == 1 and second.score == 1.0


def test_cli_eval_goes_on_after_a_refused_constraint(tmp_path, capsys):
    from sagent.cli import main

    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in _two_questions(tmp_path)))
    replies = [error_reply(500, LLAMA_CPP_PYTHON_REFUSAL, "internal_server_error"),
               chat_reply(step('answer count(objects("lamp"))'))]
    with OpenAIServer(lambda body: replies.pop(0)) as server:
        code = main(["eval", str(questions), "--layouts", str(EXAMPLE_LAYOUT), "--model", "hosted_vllm/gemma",
                     "--api-base", server.base_url, "--constrain", "on", "--out", str(tmp_path / "p.jsonl"), "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["failed"] == 1
    _, first, second = (json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines())
    assert first["error"].startswith("ConstraintRefused: ") and "--constrain on" in first["error"]
    assert second["error"] is None and second["prediction"] == 1


def test_auto_drops_a_refused_schema_and_remembers():
    seen = []

    def respond(body):
        seen.append(body)
        if "response_format" in body:
            return error_reply(500, LLAMA_CPP_PYTHON_REFUSAL, "internal_server_error")
        return chat_reply(step("answer 1"))

    with OpenAIServer(respond) as server:
        model = local(server, name="hosted_vllm/gemma")
        first = model.complete(HI, ReplyConstraint(SCHEMA))
        second = model.complete(HI, ReplyConstraint(SCHEMA))
    assert ["response_format" in body for body in seen] == [True, False, False]
    assert first.constrained_by is None and second.constrained_by is None


def test_auto_after_a_refused_grammar_sends_the_schema_and_remembers():
    grammar = Grammar()

    def respond(body):
        if "structured_outputs" in body or "grammar" in body:
            return error_reply(500, "structured_outputs: grammar backend not available", "internal_server_error")
        return chat_reply(step("answer 1"))

    with OpenAIServer(respond, routes=vllm_version("0.11.0")) as server:
        model = local(server)
        constraint = ReplyConstraint(SCHEMA, grammar)
        before = model.constraint_kind(constraint)
        first, second = (model.complete(HI, constraint) for _ in range(2))
        after = model.constraint_kind(constraint)
    sent = [("structured_outputs" in r["body"], "response_format" in r["body"]) for r in server.requests]
    assert sent == [(True, False), (False, True), (False, True)]
    assert (before, after) == ("grammar", "schema") and grammar.flavours == ["gbnf"]
    assert first.constrained_by == second.constrained_by == "schema"


def test_constraint_kind_names_the_form_sent_without_building_the_grammar():
    grammar = Grammar()
    with OpenAIServer(lambda body: chat_reply("answer 1"), routes=LLAMA_CPP_PYTHON) as server:
        kinds = [local(server, constrain=mode).constraint_kind(ReplyConstraint(SCHEMA, grammar)) for mode in ("auto", "off")]
        schema_only = local(server).constraint_kind(ReplyConstraint(SCHEMA))
    assert kinds == ["grammar", None] and schema_only is None  # llama-cpp-python takes no json_schema
    assert grammar.flavours == []


def test_constrain_on_fails_the_question_when_refused():
    with OpenAIServer(lambda body: error_reply(500, LLAMA_CPP_PYTHON_REFUSAL, "internal_server_error")) as server:
        with pytest.raises(ConstraintRefused, match="refused the constrained output"):
            local(server, name="hosted_vllm/gemma", constrain="on").complete(HI, ReplyConstraint(SCHEMA))
    assert len(server.requests) == 1


def test_constrain_on_sends_the_schema_where_litellm_lists_none():
    with OpenAIServer(lambda body: chat_reply(step("answer 1"))) as server:
        reply = local(server, constrain="on").complete(HI, ReplyConstraint(SCHEMA))
    assert server.requests[0]["body"]["response_format"]["type"] == "json_schema" and reply.constrained_by == "schema"


def test_constrain_off_sends_no_schema_no_grammar_and_builds_none():
    grammar = Grammar()
    with OpenAIServer(lambda body: chat_reply("answer 1"), routes=LLAMA_CPP_PROPS) as server:
        reply = local(server, name="hosted_vllm/gemma", constrain="off").complete(HI, ReplyConstraint(SCHEMA, grammar))
    body = server.requests[0]["body"]
    assert "response_format" not in body and "grammar" not in body and reply.constrained_by is None
    assert grammar.flavours == [] and server.probes == []


@pytest.mark.parametrize("routes, field", [
    (LLAMA_CPP_PROPS, ["grammar"]),
    (LLAMA_CPP_PYTHON, ["grammar"]),
    (vllm_version("0.11.0"), ["structured_outputs", "grammar"]),
    (vllm_version("0.10.2"), ["structured_outputs", "grammar"]),
    (vllm_version("0.9.2"), ["guided_grammar"]),
])
def test_servers_that_take_a_grammar_get_it(routes, field):
    grammar = Grammar()
    with OpenAIServer(lambda body: chat_reply('answer 1'), routes=routes) as server:
        model = local(server)
        replies = [model.complete(HI, ReplyConstraint(SCHEMA, grammar)) for _ in range(2)]
        probes = len(server.probes)
        assert probes >= 1
    for request in server.requests:
        value = request["body"]
        for key in field:
            value = value[key]
        assert value == 'root ::= "answer " [0-9]+'
        assert "response_format" not in request["body"]
    assert [r.constrained_by for r in replies] == ["grammar", "grammar"]
    assert grammar.flavours == ["gbnf", "gbnf"] and probes == len(server.probes)  # probed once


def test_probes_are_at_the_server_root_and_stop_at_the_first_kind():
    with OpenAIServer(lambda body: chat_reply("x"), routes=vllm_version("0.11.0")) as server:
        kind = detect_server(server.base_url, hint="vllm")
    assert kind == ServerKind("vllm", "0.11.0")
    assert server.probes == [("GET", "/version", None)]
    assert server_root("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080"


@pytest.mark.parametrize("vision", [True, False])
def test_llama_cpp_says_whether_it_takes_images(vision):
    routes = {"/props": (200, {**LLAMA_CPP_PROPS["/props"][1], "modalities": {"vision": vision}})}
    with OpenAIServer(lambda body: chat_reply("x"), routes=routes) as server:
        assert make_model(PlannerSettings(model="openai/gemma-3-4b", api_base=server.base_url)).supports_images() is vision
        assert make_model(PlannerSettings(model="openai/gemma-3-4b", api_base=server.base_url,
                                          images="off")).supports_images() is False


def test_ollama_behind_the_openai_protocol_gets_the_schema_not_a_grammar():
    grammar = Grammar()
    with OpenAIServer(lambda body: chat_reply(step("answer 1")), routes=OLLAMA_VERSION) as server:
        reply = local(server, name="openai/qwen2.5vl").complete(HI, ReplyConstraint(SCHEMA, grammar))
    body = server.requests[0]["body"]
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA and "grammar" not in body
    assert reply.constrained_by == "schema" and grammar.flavours == []


def test_an_unknown_server_gets_the_schema_where_litellm_lists_one_and_no_grammar():
    grammar = Grammar()
    with OpenAIServer(lambda body: chat_reply(step("answer 1"))) as server:
        vllm_named = local(server, name="hosted_vllm/qwen").complete(HI, ReplyConstraint(SCHEMA, grammar))
        unlisted = local(server, name="openai/some-local-model").complete(HI, ReplyConstraint(SCHEMA, grammar))
    assert vllm_named.constrained_by == "schema" and "response_format" in server.requests[0]["body"]
    assert unlisted.constrained_by is None and "response_format" not in server.requests[1]["body"]
    assert grammar.flavours == []


def test_the_planner_sends_the_grammar_to_llama_cpp_and_reads_a_bare_program():
    from tests.scenes import make_scene

    scene = make_scene([("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9))])
    with OpenAIServer(lambda body: chat_reply('answer count(objects("chair"))'), routes=LLAMA_CPP_PROPS) as server:
        solution = LLMPlanner(local(server)).solve("How many chairs?", scene)
    assert solution.execution.value.value == 1
    body = server.requests[0]["body"]
    assert "root" in body["grammar"] and "response_format" not in body


def test_a_timeout_fails_the_question_and_is_not_retried():
    with OpenAIServer(lambda body: chat_reply("answer 1"), delay=3) as server:
        with pytest.raises(ModelTimeout, match="did not answer within 1 s"):
            LiteLLMModel("openai/gemma", api_base=server.base_url, timeout=1, retries=3).complete(HI)
    assert len(server.requests) == 1
    assert issubclass(ModelTimeout, ModelError) and ModelTimeout.exit_code == 3


def test_a_server_error_is_not_retried():
    """A 500 is the server's failure, not a busy one (429 and 503 are retried: test_llm_client)."""
    with OpenAIServer(lambda body: error_reply(500, "model crashed", "server_error")) as server:
        with pytest.raises(ProviderError, match="unavailable"):
            LiteLLMModel("openai/gemma", api_base=server.base_url, retries=3).complete(HI)
    assert len(server.requests) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_connection_not_made_is_tried_once_more_after_a_pause(monkeypatch):
    port = _free_port()
    late: list[OpenAIServer] = []  # made (and listening) only during the pause
    real_sleep = model_module.time.sleep

    def pause(seconds):  # the server comes up while the client waits (its handler sleeps too: pass those on)
        if late or seconds != model_module.CONNECT_RETRY_PAUSE_SECONDS:
            return real_sleep(seconds)
        late.append(OpenAIServer(lambda body: chat_reply("answer 1"), port=port).__enter__())

    monkeypatch.setattr(model_module.time, "sleep", pause)
    try:
        reply = LiteLLMModel("openai/gemma", api_base=f"http://127.0.0.1:{port}/v1", timeout=10).complete(HI)
    finally:
        for server in late:
            server.__exit__(None, None, None)
    assert reply.text == "answer 1" and len(late) == 1 and len(late[0].requests) == 1


def test_a_connect_timeout_is_a_provider_error_not_a_question_timeout(monkeypatch):
    litellm = model_module._import_litellm()
    calls = []

    def connect_timeout(**request):
        calls.append(request)
        raise litellm.APIConnectionError(message="Connection error: [Errno 110] Connection timed out",
                                         llm_provider="openai", model="gemma")

    monkeypatch.setattr(litellm, "completion", connect_timeout)
    monkeypatch.setattr(model_module.time, "sleep", lambda seconds: None)
    with pytest.raises(ProviderError, match="could not reach") as raised:
        LiteLLMModel("openai/gemma", api_base="http://10.0.0.9:8080/v1", retries=1).complete(HI)
    assert not isinstance(raised.value, ModelError) and len(calls) == 2  # retried as a connection not made


def test_nothing_answering_stays_a_provider_error(monkeypatch):
    monkeypatch.setattr(model_module.time, "sleep", lambda seconds: None)
    with pytest.raises(ProviderError, match="could not reach"):
        LiteLLMModel("openai/gemma", api_base=f"http://127.0.0.1:{_free_port()}/v1").complete(HI)


def test_a_parameter_the_model_does_not_take_is_dropped_and_remembered():
    with OpenAIServer(lambda body: chat_reply("answer 1")) as server:
        model = local(server, name="openai/o3-mini")
        model.complete(HI)
        model.complete(HI)
    assert all("temperature" not in r["body"] for r in server.requests) and len(server.requests) == 2


@pytest.mark.parametrize("capabilities, expected", [(["completion", "vision"], True), (["completion"], False)])
def test_ollama_is_asked_whether_the_model_takes_images(capabilities, expected):
    with OpenAIServer(lambda body: chat_reply("x"),
                      routes={"/api/show": lambda body: (200, {"capabilities": capabilities})}) as server:
        model = make_model(PlannerSettings(model="ollama/qwen2.5vl", api_base=server.root))
        assert model.supports_images() is expected
        assert model.supports_images() is expected
    assert server.probes == [("POST", "/api/show", {"model": "qwen2.5vl"})]  # asked once


def test_ollama_images_fall_back_to_litellm_when_the_server_does_not_say(monkeypatch):
    litellm = model_module._import_litellm()
    monkeypatch.setattr(litellm, "supports_vision", lambda model: model == "ollama_chat/llava")
    with OpenAIServer(lambda body: chat_reply("x")) as server:
        assert make_model(PlannerSettings(model="ollama_chat/llava", api_base=server.root)).supports_images() is True
        assert [p[1] for p in server.probes] == ["/api/show"]


def test_the_grounders_plain_schema_still_works():
    with OpenAIServer(lambda body: chat_reply('{"objects": []}')) as server:
        reply = local(server, name="hosted_vllm/qwen").complete(HI, {"title": "GroundingReply", "type": "object"})
    assert reply.constrained_by == "schema"
    assert server.requests[0]["body"]["response_format"]["json_schema"]["name"] == "GroundingReply"


def test_the_baseline_eval_goes_on_after_a_failed_call(tmp_path):
    from sagent.agent.baseline import VlmBaseline
    from sagent.agent.eval_run import BaselineAnswerer
    from sagent.agent.evaluate import predict_baseline

    replies = [error_reply(400, LLAMA_CPP_OVERFLOW, "exceed_context_size_error"), chat_reply("1"),
               chat_reply("2", finish_reason="length"), chat_reply("1")]
    with OpenAIServer(lambda body: replies.pop(0)) as server:
        baseline = VlmBaseline(local(server, images=False))
        run = run_evaluation(_two_questions(tmp_path), LayoutScenes([EXAMPLE_LAYOUT]), BaselineAnswerer(baseline))
        streamed = list(predict_baseline(_two_questions(tmp_path), LayoutScenes([EXAMPLE_LAYOUT]), baseline))
    assert [p.error.split(":")[0] if p.error else p.prediction for p in run.predictions] == ["ContextOverflow", 1.0]
    assert [p.error.split(":")[0] if p.error else p.prediction for p in streamed] == ["ReplyTruncated", 1.0]


def test_ollama_gets_the_schema_as_its_format_and_the_bounds_as_options():
    def chat(body):
        return 200, {"model": "qwen2.5vl", "created_at": "2025-01-01T00:00:00Z", "done": True, "done_reason": "stop",
                     "message": {"role": "assistant", "content": step("answer 1")}, "prompt_eval_count": 10,
                     "eval_count": 5}

    grammar = Grammar()
    with OpenAIServer(lambda body: (500, {}), routes={"/api/chat": chat}) as server:
        model = LiteLLMModel("ollama_chat/qwen2.5vl", api_base=server.root, retries=0, max_tokens=33, images=False)
        reply = model.complete(HI, ReplyConstraint(SCHEMA, grammar), stop=("\nQuestion:",))
    assert len(server.probes) == 1, [(m, p) for m, p, _ in server.probes]
    ((method, path, body),) = server.probes
    assert body["format"] == SCHEMA and "grammar" not in body and grammar.flavours == []
    assert body["options"] == {"temperature": 0.0, "stop": ["\nQuestion:"], "num_predict": 33}
    assert reply.constrained_by == "schema" and reply.text == step("answer 1")


def test_llama_cpp_python_is_not_sent_a_json_schema_it_would_refuse():
    with OpenAIServer(lambda body: chat_reply("answer 1"), routes=LLAMA_CPP_PYTHON) as server:
        reply = local(server, name="hosted_vllm/gemma").complete(HI, ReplyConstraint(SCHEMA))
    assert "response_format" not in server.requests[0]["body"] and reply.constrained_by is None
