"""The planner's settings: the model it calls (also the vlm detector's) and how it plans. One place for
every default: the CLI's flags, the Python API's LLMPlanner and LiteLLMModel read them from here."""

from __future__ import annotations

from typing import Literal

from pydantic import StrictInt

from sagent.settings import Settings, environment, knob

FORMS = ("program", "frame")  # what the model writes: DSL programs, or task frames sagent compiles
CONSTRAIN_MODES = ("auto", "on", "off")
DEFAULT_TIMEOUT_SECONDS = 120.0  # per model call
DEFAULT_MAX_TOKENS = 1024  # per reply; a program is a few hundred tokens at most


class ModelSettings(Settings):
    """The model sagent calls: the planner's, and the vlm detector's."""

    model: str | None = knob(None, "litellm model, e.g. openai/gpt-4o-mini, gemini/..., ollama_chat/qwen2.5vl (or "
                                   "SAGENT_MODEL); the key comes from the provider's usual variable", cli=True)
    api_base: str | None = knob(None, "the provider's base URL, e.g. http://127.0.0.1:8000/v1 (or SAGENT_API_BASE)",
                                cli=True)
    images: Literal["auto", "on", "off"] = knob(
        "auto", "send pictures (bird's-eye view, keyframes) to the model; auto asks litellm", cli=True)
    timeout: float = knob(DEFAULT_TIMEOUT_SECONDS, "seconds per model call; a call that runs out fails its question "
                          "and is not retried", cli=True, gt=0, allow_inf_nan=False)
    constrain: Literal[CONSTRAIN_MODES] = knob(
        "auto", "constrained decoding: a grammar of the DSL where the server takes one (llama.cpp, llama-cpp-python, "
        "vLLM), else the reply's JSON schema; auto drops a form the server refuses and tries the next (grammar, "
        "schema, none), on fails the question instead, off never sends either", cli=True)
    max_tokens: StrictInt = knob(DEFAULT_MAX_TOKENS, "longest reply, in tokens; a reply cut there fails as truncated",
                                 cli=True, ge=1)
    temperature: float = knob(0.0, "sampling temperature, 0 to 2 (0: the same question gets the same program)",
                              cli=True, ge=0, le=2, allow_inf_nan=False)

    def model_name(self) -> str | None:
        return self.model or environment().model or None


class PlannerSettings(ModelSettings):
    kind: Literal["auto", "llm", "rules"] = knob(
        "auto", "auto: the LLM planner when a model is configured, else the rules planner", flag="--planner")
    max_repairs: StrictInt = knob(3, "repairs allowed per question", cli=True, ge=0)
    max_steps: StrictInt = knob(3, "programs run before the answer", cli=True, gt=0)
    votes: StrictInt = knob(1, "programs sampled per question; the most common executed value answers", cli=True, ge=1)
    form: Literal[FORMS] = knob("program", "what the model writes: program (DSL programs, free to explore) or frame "
                                "(the task frame, under its grammar or schema; sagent compiles the program)", cli=True)


MODEL_DEFAULTS = ModelSettings()
PLANNER_DEFAULTS = PlannerSettings()
