"""The model interface the LLM planner talks to, and its litellm implementation.

Tests swap in a scripted fake at this interface; the real client is exercised against a local
server that speaks the OpenAI chat-completions protocol.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Protocol

from sagent.errors import ProviderError


@dataclass
class ModelReply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ChatModel(Protocol):
    name: str

    def complete(self, messages: list[dict], response_schema: dict | None = None) -> ModelReply:
        """The model's reply to `messages`. `response_schema`: a pydantic model's `model_json_schema()`,
        strict-ready (every property required, no others); providers that can constrain output to it do."""
        ...

    def supports_images(self) -> bool: ...


DEFAULT_TIMEOUT_SECONDS = 120.0  # per model call

# Worth one more try; everything else (bad key, unknown model, bad request) fails at once.
_TRANSIENT = {"timeout", "unreachable", "unavailable"}

_SECRET_ENV = re.compile(r"(API_KEY|_TOKEN|_SECRET)$")


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """`text` with every API key this process knows (environment, explicit) replaced by '***'."""
    secrets = [v for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v) >= 6]
    secrets += [s for s in extra_secrets if s and len(s) >= 6]
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(r"\b(sk|pk|key)-[A-Za-z0-9_\-]{8,}", r"\1-***", text)


def _import_litellm():
    # Without this, importing litellm fetches a model price map from the network.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError as exc:  # pragma: no cover - litellm is a core dependency
        raise ProviderError("the LLM planner needs litellm: pip install litellm") from exc
    litellm.suppress_debug_info = True
    return litellm


@dataclass
class LiteLLMModel:
    """Any provider litellm knows: "openai/gpt-4o-mini", "gemini/...", "ollama/qwen2.5vl",
    "hosted_vllm/..." with `api_base`. The key comes from the provider's usual environment
    variable; for a local `api_base` without one, a placeholder key is sent."""

    name: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    retries: int = 1
    images: bool | None = None  # None: ask litellm whether the model takes images

    def supports_images(self) -> bool:
        if self.images is not None:
            return self.images
        try:
            return bool(_import_litellm().supports_vision(model=self.name))
        except Exception:  # unknown models: litellm raises rather than answering no
            return False

    def _supports_schema(self) -> bool:
        if self.name.startswith("hosted_vllm/"):
            return True  # vLLM's OpenAI server takes json_schema response formats (guided decoding)
        try:
            return bool(_import_litellm().supports_response_schema(model=self.name))
        except Exception:
            return False

    def complete(self, messages: list[dict], response_schema: dict | None = None) -> ModelReply:
        litellm = _import_litellm()
        # max_retries=0: the retry policy is ours (below), not the client library's hidden one.
        kwargs: dict = {"model": self.name, "messages": messages, "timeout": self.timeout, "max_retries": 0}
        if self.api_base:
            kwargs["api_base"] = self.api_base
        key = self.api_key
        if key is None and self.api_base and self.name.startswith(("openai/", "hosted_vllm/")) and not os.environ.get("OPENAI_API_KEY"):
            key = "sk-local-placeholder"  # local OpenAI-protocol servers ignore it; the client insists on one
        if key:
            kwargs["api_key"] = key
        if response_schema is not None and self._supports_schema():
            name = re.sub(r"[^A-Za-z0-9_-]", "_", str(response_schema.get("title", "sagent_reply")))
            kwargs["response_format"] = {"type": "json_schema",
                                         "json_schema": {"name": name, "schema": response_schema, "strict": True}}
        for attempt in range(self.retries + 1):
            try:
                response = litellm.completion(**kwargs)
                break
            except Exception as exc:
                if self._classify(exc) not in _TRANSIENT or attempt == self.retries:
                    raise ProviderError(self._explain(exc)) from None
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = getattr(response, "usage", None)
        return ModelReply(text, getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0)

    def _classify(self, exc: Exception) -> str:
        """What went wrong, from the status code where there is one (litellm's class names vary)."""
        kind, status, text = type(exc).__name__, getattr(exc, "status_code", None), str(exc)
        if kind == "Timeout" or status == 408 or "timed out" in text.lower():
            return "timeout"
        if kind == "APIConnectionError" or "Connection error" in text:
            return "unreachable"
        if status == 401 or kind == "AuthenticationError":
            return "auth"
        if status == 403 or kind == "PermissionDeniedError":
            return "forbidden"
        if status == 404 or kind == "NotFoundError":
            return "not_found"
        if status == 429 or kind == "RateLimitError":
            return "rate_limit"
        if (status or 0) >= 500 or kind in ("ServiceUnavailableError", "InternalServerError", "BadGatewayError"):
            return "unavailable"
        return "other"

    def _explain(self, exc: Exception) -> str:
        where = f" at {self.api_base}" if self.api_base else ""
        summary = {
            "timeout": f"the model did not answer within {self.timeout:g} s{where}",
            "unreachable": f"could not reach the model provider{where}",
            "auth": "the provider rejected the API key: set the provider's key variable (e.g. OPENAI_API_KEY)",
            "forbidden": "the provider refused access for this key",
            "not_found": f"model {self.name!r} was not found{where}",
            "rate_limit": "the provider's rate limit was hit; try again later",
            "unavailable": f"the model provider{where} is unavailable",
            "other": f"the model call to {self.name!r}{where} failed",
        }[self._classify(exc)]
        detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        return redact(f"{summary} ({type(exc).__name__}: {detail})", (self.api_key or "",))
