"""The model interface the LLM planner talks to, and its litellm implementation.

Every call is bounded (max_tokens, timeout) and deterministic by default (temperature 0). What ends
one question is a ModelError (a reply cut at max_tokens, a prompt over the context, a refused
constraint, a timeout); what no question can get past (nothing answers, bad key, unknown model) is a
ProviderError. Tests swap in a scripted fake at this interface; the real client is exercised against
a local server that speaks the OpenAI chat-completions protocol.
"""

from __future__ import annotations

import logging
import random
import re
import time
from email.utils import parsedate_to_datetime
from dataclasses import dataclass, field
from typing import Callable, Protocol

from sagent.agent.planner_settings import MODEL_DEFAULTS
from sagent.agent.servers import ServerKind, detect_server, ollama_capabilities
from sagent.errors import ModelError, ProviderError
from sagent.settings import environment, secret_values, use_local_model_cost_map


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplyConstraint:
    """What a reply may be, for providers that can enforce it, built per scene by the planner."""

    schema: dict  # strict-ready JSON schema of the reply object (PlannerStep's)
    # flavour ("gbnf" | "lark") -> grammar text for a BARE program; built lazily, cached by the planner
    grammar: Callable[[str], str] | None = None


@dataclass
class ModelReply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    constrained_by: str | None = None  # "grammar" (text is a bare program), "schema" (the JSON object), None


class ChatModel(Protocol):
    name: str

    def complete(self, messages: list[dict], constraint: ReplyConstraint | None = None, *,
                 temperature: float | None = None, stop: tuple[str, ...] | None = None) -> ModelReply:
        """The model's reply to `messages`, constrained (where the provider can) by `constraint`.
        `temperature` None: the model's configured default (0.0 unless the user says otherwise)."""
        ...

    def supports_images(self) -> bool: ...


class ReplyTruncated(ModelError):
    """The reply hit max_tokens before it ended (finish_reason "length"): cut, not malformed."""


class ContextOverflow(ModelError):
    """The prompt (with the reply's room) does not fit the model's context (HTTP 400 from the server)."""


class ConstraintRefused(ModelError):
    """The server rejected the grammar or response_format sent with --constrain on."""


class ModelTimeout(ModelError):
    """The model did not answer in time. That question fails (an eval run goes on); never retried, since
    a single-slot local server would queue the retry behind the abandoned request. Exit 3 for `ask`."""

    exit_code = 3


CONNECT_RETRY_PAUSE_SECONDS = 1.0
# A rate limit (429) or an overloaded server (503) is tried again this many times, after exponentially
# longer pauses with jitter (or what its Retry-After asks), each at most BACKOFF_MAX_SECONDS.
BUSY_RETRIES = 4
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
OLLAMA_DEFAULT_BASE = "http://localhost:11434"

# What servers say when the prompt is over the context: llama.cpp, OpenAI / llama-cpp-python, vLLM, others.
_CONTEXT_WORDS = re.compile(r"exceeds? the available context size|exceed_context_size|context_length_exceeded|"
                            r"maximum context length|context window|prompt is too long|too many tokens", re.I)
# A refusal of the constraint names the field (llama-cpp-python's 500 names response_format.type).
_CONSTRAINT_WORDS = re.compile(r"response_format|json_schema|grammar|guided_|structured_output", re.I)


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """`text` with every API key this process knows (environment, explicit) replaced by '***'."""
    secrets = secret_values()
    secrets += [s for s in extra_secrets if s and len(s) >= 6]
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(r"\b(sk|pk|key)-[A-Za-z0-9_\-]{8,}", r"\1-***", text)


def retry_after_seconds(exc: Exception) -> float | None:
    """The pause a 429 or 503 asks for in its Retry-After header (seconds or an HTTP date), if it names one."""
    for headers in (getattr(getattr(exc, "response", None), "headers", None),
                    getattr(exc, "litellm_response_headers", None)):
        value = headers.get("retry-after") if headers else None
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    return None


def backoff_seconds(attempt: int, asked: float | None = None) -> float:
    """The pause before retry `attempt` (0 first): what the server asked, else BACKOFF_BASE_SECONDS * 2^attempt
    with jitter (half to all of it, so clients that failed together do not retry together); capped."""
    if asked is not None:
        return min(asked, BACKOFF_MAX_SECONDS)
    return min(BACKOFF_BASE_SECONDS * 2 ** attempt * random.uniform(0.5, 1.0), BACKOFF_MAX_SECONDS)


def _import_litellm():
    use_local_model_cost_map()
    try:
        import litellm
    except ImportError as exc:  # pragma: no cover - litellm is a core dependency
        raise ProviderError("the LLM planner needs litellm: pip install litellm") from exc
    litellm.suppress_debug_info = True
    return litellm


def _is_ollama(name: str) -> bool:
    return name.startswith(("ollama/", "ollama_chat/"))


@dataclass
class LiteLLMModel:
    """Any provider litellm knows: "openai/gpt-4o-mini", "gemini/...", "ollama_chat/qwen2.5vl",
    "hosted_vllm/..." with `api_base`. The key comes from the provider's usual environment
    variable; for a local `api_base` without one, a placeholder key is sent.

    `constrain`: "auto" sends a grammar where the server takes one (llama.cpp, llama-cpp-python, vLLM),
    else the JSON schema where the provider takes it; a form the server refuses is dropped for good and
    the next one tried (grammar, then schema, then none); "on" sends them even where litellm does not list support, and a refusal fails the question;
    "off" sends neither. `retries`: tries again, after a short pause, only a connection that could not
    be made."""

    name: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = MODEL_DEFAULTS.timeout
    retries: int = 1
    images: bool | None = None  # None: ask the server (Ollama) or litellm whether the model takes images
    constrain: str = MODEL_DEFAULTS.constrain
    max_tokens: int = MODEL_DEFAULTS.max_tokens
    temperature: float = MODEL_DEFAULTS.temperature
    _server: ServerKind | None = field(default=None, init=False, repr=False)  # probed once, on first need
    _refused: set[str] = field(default_factory=set, init=False, repr=False)  # forms refused: "grammar", "schema"
    _drop_params: bool = field(default=False, init=False, repr=False)  # litellm refused a parameter (o-series)
    _vision: bool | None = field(default=None, init=False, repr=False)
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds), repr=False)  # tests inject one

    def supports_images(self) -> bool:
        if self.images is not None:
            return self.images
        if self._vision is None:
            self._vision = self._ask_vision()
        return self._vision

    def _ask_vision(self) -> bool:
        if _is_ollama(self.name):  # litellm's local map says no for e.g. ollama/qwen2.5vl; the server knows
            capabilities = ollama_capabilities(self.api_base or OLLAMA_DEFAULT_BASE, self.name.split("/", 1)[1])
            if capabilities is not None:
                return "vision" in capabilities
        elif self.api_base:  # llama.cpp's /props says whether a projector (mmproj) is loaded
            server = self.server()
            if server is not None and server.vision is not None:
                return server.vision
        try:
            return bool(_import_litellm().supports_vision(model=self.name))
        except Exception:  # unknown models: litellm raises rather than answering no
            return False

    def server(self) -> ServerKind | None:
        """The kind of server at api_base (probed once), None without an api_base or when unreachable."""
        if _is_ollama(self.name):
            return ServerKind("ollama")
        if self._server is None and self.api_base:
            hint = "vllm" if self.name.startswith("hosted_vllm/") else None
            self._server = detect_server(self.api_base, hint)
        return self._server

    def _supports_schema(self) -> bool:
        server = self.server()
        if server is not None and server.takes_json_schema is not None:
            return server.takes_json_schema
        if self.name.startswith("hosted_vllm/"):
            return True  # vLLM's guided decoding, also when its server did not answer the probes
        try:
            return bool(_import_litellm().supports_response_schema(model=self.name))
        except Exception:
            return False

    def constraint_kind(self, constraint: ReplyConstraint | dict | None) -> str | None:
        """The form the next call would send `constraint` in: "grammar", "schema" or None, decided without
        building the grammar (the planner words its prompt by it before the first call)."""
        if isinstance(constraint, dict):
            constraint = ReplyConstraint(constraint)
        if constraint is None or self.constrain == "off":
            return None
        if constraint.grammar is not None and "grammar" not in self._refused:
            server = self.server()
            if server is not None and server.takes_grammar:
                return "grammar"
        if "schema" not in self._refused and (self.constrain == "on" or self._supports_schema()):
            return "schema"
        return None

    def _constraint_fields(self, constraint: ReplyConstraint | None) -> tuple[str | None, dict]:
        """(constraint_kind, the request fields that carry it). The grammar is built only here, when it is
        sent: it is large."""
        kind = self.constraint_kind(constraint)
        if kind == "grammar":
            return kind, {"extra_body": self.server().grammar_fields(constraint.grammar("gbnf"))}
        if kind == "schema":
            name = re.sub(r"[^A-Za-z0-9_-]", "_", str(constraint.schema.get("title", "sagent_reply")))
            return kind, {"response_format": {"type": "json_schema", "json_schema": {
                "name": name, "schema": constraint.schema, "strict": True}}}
        return None, {}

    def complete(self, messages: list[dict], constraint: ReplyConstraint | dict | None = None, *,
                 temperature: float | None = None, stop: tuple[str, ...] | None = None) -> ModelReply:
        """See ChatModel. A plain dict `constraint` is a JSON schema alone (the VLM grounder's, below
        the agent layer). Raises ReplyTruncated, ContextOverflow, ConstraintRefused, ModelTimeout (that
        question's failure) or ProviderError (the provider cannot be used)."""
        if isinstance(constraint, dict):
            constraint = ReplyConstraint(constraint)
        # max_retries=0: the retry policy is ours (see _send), not the client library's hidden one.
        request: dict = {"model": self.name, "messages": messages, "timeout": self.timeout, "max_retries": 0,
                         "max_tokens": self.max_tokens,
                         "temperature": self.temperature if temperature is None else temperature}
        if stop:
            request["stop"] = list(stop)
        if self.api_base:
            request["api_base"] = self.api_base
        key = self.api_key
        if key is None and self.api_base and self.name.startswith(("openai/", "hosted_vllm/")) and not environment().openai_api_key:
            key = "sk-local-placeholder"  # local OpenAI-protocol servers ignore it; the client insists on one
        if key:
            request["api_key"] = key
        applied, fields = self._constraint_fields(constraint)
        while True:  # ends: each refusal drops one form for good, and a call with none cannot be refused
            try:
                response = self._send({**request, **fields}, constrained=applied is not None)
                break
            except ConstraintRefused:
                if self.constrain == "on":
                    raise
                self._refused.add(applied)  # auto: never send this form again; try the next one
                applied, fields = self._constraint_fields(constraint)
        choice = response.choices[0]
        usage = getattr(response, "usage", None)
        reply = ModelReply(choice.message.content or "", getattr(usage, "prompt_tokens", 0) or 0,
                           getattr(usage, "completion_tokens", 0) or 0, choice.finish_reason, applied)
        if reply.finish_reason == "length":
            excerpt = " ".join(reply.text.split())[-120:]
            raise ReplyTruncated(f"the model's reply was cut at {reply.completion_tokens or self.max_tokens} tokens "
                                 f"(--max-tokens {self.max_tokens}): ...{excerpt!r}")
        return reply

    def _send(self, request: dict, constrained: bool):
        litellm = _import_litellm()
        unreachable = busy = 0
        while True:  # ends: each kind of retry has its budget, and anything else raises
            try:
                return litellm.completion(**request, **({"drop_params": True} if self._drop_params else {}))
            except Exception as exc:
                cause = self._classify(exc, constrained)
                if cause == "unreachable" and unreachable < self.retries:
                    unreachable += 1
                    self.sleep(CONNECT_RETRY_PAUSE_SECONDS)  # a server still starting; a timeout is never retried
                    continue
                if self._busy(exc, cause) and busy < BUSY_RETRIES:
                    pause = backoff_seconds(busy, retry_after_seconds(exc))
                    log.warning("the model provider is busy (%s); trying again in %.1f s", cause.replace("_", " "),
                                pause)
                    busy += 1
                    self.sleep(pause)
                    continue
                if cause == "unsupported_params" and not self._drop_params:
                    self._drop_params = True  # e.g. o-series and gpt-5 take no temperature 0 or stop
                    continue
                raise self._error(exc, cause) from None

    @staticmethod
    def _busy(exc: Exception, cause: str) -> bool:
        """A rate limit or an overloaded server (503): worth another try after a pause (a timeout never is)."""
        from litellm import exceptions as kinds

        return cause == "rate_limit" or (cause == "unavailable" and (
            getattr(exc, "status_code", None) == 503 or isinstance(exc, kinds.ServiceUnavailableError)))

    def _classify(self, exc: Exception, constrained: bool = False) -> str:
        """What went wrong: litellm's exception types first, then the status code and the server's words."""
        from litellm import exceptions as kinds

        status, text = getattr(exc, "status_code", None), str(exc)
        # A connection not made (even a connect timeout: wrong host, firewall) first: no question can get past it.
        if "Connection error" in text or (isinstance(exc, kinds.APIConnectionError) and not isinstance(exc, kinds.Timeout)):
            return "unreachable"
        if isinstance(exc, kinds.Timeout) or status == 408 or "timed out" in text.lower():
            return "timeout"
        if isinstance(exc, kinds.ContextWindowExceededError) or (status in (None, 400, 413) and _CONTEXT_WORDS.search(text)):
            return "context"
        if constrained and status in (None, 400, 422, 500) and _CONSTRAINT_WORDS.search(text):
            return "refused"
        for cause, kind, code in (("unsupported_params", kinds.UnsupportedParamsError, None),
                                  ("auth", kinds.AuthenticationError, 401),
                                  ("forbidden", kinds.PermissionDeniedError, 403),
                                  ("not_found", kinds.NotFoundError, 404),
                                  ("rate_limit", kinds.RateLimitError, 429)):
            if isinstance(exc, kind) or (code is not None and status == code):
                return cause
        if (status or 0) >= 500 or isinstance(exc, (kinds.ServiceUnavailableError, kinds.InternalServerError,
                                                    kinds.BadGatewayError)):
            return "unavailable"
        return "other"

    def _error(self, exc: Exception, cause: str) -> ModelError | ProviderError:
        where = f" at {self.api_base}" if self.api_base else ""
        summary = {
            "timeout": f"the model did not answer within {self.timeout:g} s{where}",
            "unreachable": f"could not reach the model provider{where}",
            "context": f"the prompt does not fit the context of {self.name!r}{where}; shorten it or serve the "
                       "model with a larger context",
            "refused": f"the server{where} refused the constrained output sent with --constrain {self.constrain} "
                       "(use --constrain auto or off)",
            "unsupported_params": f"the model call to {self.name!r}{where} has a parameter the model does not take",
            "auth": "the provider rejected the API key: set the provider's key variable (e.g. OPENAI_API_KEY)",
            "forbidden": "the provider refused access for this key",
            "not_found": f"model {self.name!r} was not found{where}",
            "rate_limit": "the provider's rate limit was hit; try again later",
            "unavailable": f"the model provider{where} is unavailable",
            "other": f"the model call to {self.name!r}{where} failed",
        }[cause]
        # litellm prefixes its class names ("litellm.BadRequestError: OpenAIException - ..."): the server's words stay
        text = re.sub(r"^((litellm\.)?\w+(Error|Exception)(: | - ))+", "", str(exc).strip())
        detail = " ".join(text.split())[:300] if text else type(exc).__name__  # a validation error spans lines
        message = redact(f"{summary} ({type(exc).__name__}: {detail})", (self.api_key or "",))
        error = {"timeout": ModelTimeout, "context": ContextOverflow, "refused": ConstraintRefused}.get(cause, ProviderError)
        return error(message)
