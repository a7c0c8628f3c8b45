"""Which local server answers at an `api_base`, so the client sends the constraint each one takes.

Short GET probes at the server's root (the api_base without its `/v1`), each answered by one kind only:
- llama.cpp's `llama-server`: GET /props -> {"default_generation_settings", "total_slots", "modalities", ...};
  its chat requests take a GBNF `grammar` field.
- llama-cpp-python's server (FastAPI): /extras/tokenize is a POST route, so a GET gets 405 with FastAPI's
  {"detail": "Method Not Allowed"}; its chat requests take a GBNF `grammar` field.
- vLLM: GET /version -> {"version": "0.11.0"}; the grammar goes in `structured_outputs: {"grammar": ...}`
  from 0.10.2 on (the top-level `guided_grammar` before; 0.12 removed it and ignores it silently).
- Ollama: GET /api/version -> {"version": ...}; no grammar, only a JSON schema (`format`), which litellm
  fills from response_format. POST /api/show {"model"} lists its capabilities ("vision", ...).
Anything else is "unknown": no grammar, the JSON schema where litellm says the model takes one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import httpx

PROBE_TIMEOUT_SECONDS = 2.0
PROBE_MAX_BYTES = 1 << 20
_VLLM_STRUCTURED_OUTPUTS = (0, 10, 2)  # the first vLLM with the `structured_outputs` request field


@dataclass(frozen=True)
class ServerKind:
    name: str  # "llama.cpp" | "llama-cpp-python" | "vllm" | "ollama" | "unknown"
    version: str | None = None
    vision: bool | None = None  # what the server says of images (llama.cpp's /props modalities), None: not said

    @property
    def takes_grammar(self) -> bool:
        return self.grammar_fields("") is not None

    def grammar_fields(self, grammar: str) -> dict | None:
        """The request body fields that carry a GBNF grammar to this server, or None when it takes none."""
        if self.name in ("llama.cpp", "llama-cpp-python"):
            return {"grammar": grammar}
        if self.name == "vllm":
            if _version_tuple(self.version) >= _VLLM_STRUCTURED_OUTPUTS:
                return {"structured_outputs": {"grammar": grammar}}
            return {"guided_grammar": grammar}
        return None

    @property
    def takes_json_schema(self) -> bool | None:
        """Whether an OpenAI `json_schema` response_format is accepted; None: unknown (ask litellm)."""
        if self.name in ("llama.cpp", "vllm", "ollama"):
            return True
        if self.name == "llama-cpp-python":
            return False  # its response_format takes only "text" and "json_object": a json_schema is an HTTP 500
        return None


UNKNOWN = ServerKind("unknown")


def server_root(api_base: str) -> str:
    """`http://host:8080/v1/` -> `http://host:8080`: the probes live at the root, not under /v1."""
    return re.sub(r"/v1/?$", "", api_base.rstrip("/"))


class _Unreachable(Exception):
    pass


def _get(url: str, timeout: float, data: dict | None = None) -> tuple[int, object]:
    """(status, parsed JSON body or None) of a GET (a POST of `data` as JSON). _Unreachable when no
    connection could be made at all; a probe that timed out or failed otherwise says nothing (0, None)."""
    raw = b""
    try:
        with httpx.stream("POST" if data is not None else "GET", url, json=data, timeout=timeout) as response:
            for chunk in response.iter_bytes():  # the first MiB: a probe's answer is a few hundred bytes
                raw += chunk
                if len(raw) >= PROBE_MAX_BYTES:
                    break
            status = response.status_code
    except httpx.ConnectError as error:
        raise _Unreachable(str(error)) from None
    except httpx.HTTPError:
        return 0, None
    try:
        return status, json.loads(raw[:PROBE_MAX_BYTES] or b"null")
    except ValueError:
        return status, None


def _llama_cpp(root: str, timeout: float) -> ServerKind | None:
    status, body = _get(f"{root}/props", timeout)
    if status == 200 and isinstance(body, dict) and "default_generation_settings" in body:
        modalities = body.get("modalities")
        vision = modalities.get("vision") if isinstance(modalities, dict) else None
        return ServerKind("llama.cpp", str(body.get("build_info") or "") or None,
                          vision if isinstance(vision, bool) else None)
    return None


def _llama_cpp_python(root: str, timeout: float) -> ServerKind | None:
    status, body = _get(f"{root}/extras/tokenize", timeout)
    if status == 405 and isinstance(body, dict) and body.get("detail") == "Method Not Allowed":
        return ServerKind("llama-cpp-python")
    return None


def _versioned(name: str, path: str):
    def probe(root: str, timeout: float) -> ServerKind | None:
        status, body = _get(f"{root}{path}", timeout)
        if status == 200 and isinstance(body, dict) and isinstance(body.get("version"), str):
            return ServerKind(name, body["version"])
        return None
    return probe


_PROBES = {"llama.cpp": _llama_cpp, "llama-cpp-python": _llama_cpp_python,
           "vllm": _versioned("vllm", "/version"), "ollama": _versioned("ollama", "/api/version")}


def detect_server(api_base: str, hint: str | None = None, timeout: float = PROBE_TIMEOUT_SECONDS) -> ServerKind | None:
    """The kind of server at `api_base` (UNKNOWN when no probe recognises it), probing `hint`'s kind
    first; None when nothing answers at all (so the caller does not remember a guess)."""
    root = server_root(api_base)
    order = sorted(_PROBES, key=lambda name: name != hint)
    try:
        for name in order:
            kind = _PROBES[name](root, timeout)
            if kind is not None:
                return kind
    except _Unreachable:
        return None
    return UNKNOWN


def ollama_capabilities(api_base: str, model: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> list[str] | None:
    """What Ollama says `model` can do ("completion", "vision", "tools", ...), None when it does not say."""
    try:
        status, body = _get(f"{server_root(api_base)}/api/show", timeout, {"model": model})
    except _Unreachable:
        return None
    if status == 200 and isinstance(body, dict) and isinstance(body.get("capabilities"), list):
        return [str(c) for c in body["capabilities"]]
    return None


def _version_tuple(version: str | None) -> tuple[int, ...]:
    """"0.10.2rc1.dev5+g12ab" -> (0, 10, 2); an unreadable version counts as the newest."""
    numbers = re.findall(r"\d+", (version or "").split("+")[0])[:3]
    if not numbers:
        return (10**6,)
    parts = [int(n) for n in numbers]
    return tuple(parts + [0] * (3 - len(parts)))
