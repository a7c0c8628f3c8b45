"""A scripted model at the model interface, and a local server speaking OpenAI chat completions."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from sagent.agent.model import ModelReply


def step(program: str, final: bool = True) -> str:
    return json.dumps({"program": program, "final": final})


@dataclass
class ScriptedModel:
    """Replies in order; each reply is a string, a ModelReply (to script token counts) or a function of
    the messages so far returning either. Records the messages and the response schema of every call."""

    replies: list
    images: bool = False
    name: str = "scripted/fake"
    calls: list[list[dict]] = field(default_factory=list)
    schemas: list[dict | None] = field(default_factory=list)

    def supports_images(self) -> bool:
        return self.images

    def complete(self, messages, response_schema=None) -> ModelReply:
        self.calls.append([dict(m) for m in messages])
        self.schemas.append(response_schema)
        if not self.replies:
            raise AssertionError("the model was called more often than scripted")
        reply = self.replies.pop(0)
        reply = reply(messages) if callable(reply) else reply
        return reply if isinstance(reply, ModelReply) else ModelReply(reply, prompt_tokens=100, completion_tokens=10)


class OpenAIServer:
    """Serves POST /v1/chat/completions on 127.0.0.1 with `respond(request_json) -> (status, body)`;
    records every request. Use as a context manager."""

    def __init__(self, respond: Callable[[dict], tuple[int, dict]], delay: float = 0.0):
        self.respond = respond
        self.delay = delay
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                time.sleep(server.delay)
                status, payload = server.respond(body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True  # a handler still sleeping (timeout tests) must not block shutdown
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def chat_reply(content: str, model: str = "any") -> tuple[int, dict]:
    return 200, {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62},
    }


def error_reply(status: int, message: str) -> tuple[int, dict]:
    return status, {"error": {"message": message, "type": "invalid_request_error", "code": status}}
