"""A scripted model at the model interface, and a local server speaking OpenAI chat completions."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from sagent.agent.model import ModelReply, ReplyConstraint


def step(program: str, final: bool = True) -> str:
    return json.dumps({"program": program, "final": final})


@dataclass
class ScriptedModel:
    """Replies in order; each reply is a string, a ModelReply (to script token counts) or a function of
    the messages so far returning either. Records what every call received: the messages, the
    constraint as passed (`constraints`), its schema (`schemas`: the dict, or a ReplyConstraint's
    `.schema`), and the `temperatures` and `stops` (None where the caller left them out).
    `constraint_kind`: None, like a model that says nothing of its constraint (the planner asks for JSON),
    or a function of the constraint returning "grammar" | "schema" | None, like LiteLLMModel's method."""

    replies: list
    images: bool = False
    name: str = "scripted/fake"
    calls: list[list[dict]] = field(default_factory=list)
    constraints: list = field(default_factory=list)
    schemas: list[dict | None] = field(default_factory=list)
    temperatures: list[float | None] = field(default_factory=list)
    stops: list[tuple[str, ...] | None] = field(default_factory=list)
    constraint_kind: Callable[[object], str | None] | None = None

    def supports_images(self) -> bool:
        return self.images

    def complete(self, messages, constraint=None, *, temperature=None, stop=None) -> ModelReply:
        self.calls.append([dict(m) for m in messages])
        self.constraints.append(constraint)
        self.schemas.append(constraint.schema if isinstance(constraint, ReplyConstraint) else constraint)
        self.temperatures.append(temperature)
        self.stops.append(tuple(stop) if stop is not None else None)
        if not self.replies:
            raise AssertionError("the model was called more often than scripted")
        reply = self.replies.pop(0)
        reply = reply(messages) if callable(reply) else reply
        return reply if isinstance(reply, ModelReply) else ModelReply(reply, prompt_tokens=100, completion_tokens=10)


class OpenAIServer:
    """Serves POST .../chat/completions on 127.0.0.1 with `respond(request_json) -> (status, body)` and
    records every such request in `requests`. `routes` answers other paths, GET probes (`/props`,
    `/version`, `/api/version`) and POSTs such as Ollama's `/api/show`: path -> (status, body) or a
    function of the request JSON returning one; those calls go to `probes` as (method, path, body).
    Paths in neither get 404. `port` 0: any free one. Use as a context manager."""

    def __init__(self, respond: Callable[[dict], tuple[int, dict]], delay: float = 0.0,
                 routes: dict[str, tuple[int, dict] | Callable[[dict], tuple[int, dict]]] | None = None,
                 port: int = 0):
        self.respond = respond
        self.delay = delay
        self.routes = dict(routes or {})
        self.requests: list[dict] = []
        self.probes: list[tuple[str, str, dict | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():  # e.g. a 429's Retry-After
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _route(self, method: str, body: dict | None) -> None:
                server.probes.append((method, self.path, body))
                answer = server.routes.get(self.path, (404, {"detail": "Not Found"}))
                self._send(*(answer(body or {}) if callable(answer) else answer))

            def do_GET(self):  # noqa: N802
                self._route("GET", None)

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    return self._route("POST", body)
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                time.sleep(server.delay)
                self._send(*server.respond(body))

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True  # a handler still sleeping (timeout tests) must not block shutdown
        self.httpd.block_on_close = False
        # A short poll: shutdown() waits up to one poll interval (0.5 s by default, in every test).
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def chat_reply(content: str, model: str = "any", finish_reason: str = "stop",
               completion_tokens: int = 12) -> tuple[int, dict]:
    return 200, {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 50, "completion_tokens": completion_tokens, "total_tokens": 50 + completion_tokens},
    }


def error_reply(status: int, message: str, kind: str = "invalid_request_error", code=None) -> tuple[int, dict]:
    return status, {"error": {"message": message, "type": kind, "code": status if code is None else code}}


# What the probes of each local server kind answer (the fields sagent reads; see sagent/agent/servers.py).
LLAMA_CPP_PROPS = {"/props": (200, {"default_generation_settings": {"n_ctx": 4096}, "total_slots": 1,
                                    "model_path": "gemma.gguf", "modalities": {"vision": False},
                                    "build_info": "b6000-abc"})}
LLAMA_CPP_PYTHON = {"/extras/tokenize": (405, {"detail": "Method Not Allowed"})}
OLLAMA_VERSION = {"/api/version": (200, {"version": "0.12.3"})}


def vllm_version(version: str) -> dict:
    return {"/version": (200, {"version": version})}
