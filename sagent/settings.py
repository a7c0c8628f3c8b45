"""How sagent is configured: the base of every settings class in the config tree, the knobs' metadata
the CLI is generated from, and the process environment (the one module that reads `os.environ`).

Each knob is one pydantic field with its default, constraint and description; the CLI flag, its
help and its default come from that field (`sagent.cli_config`), the cache key from `model_dump`.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sagent.errors import InputError


class ConfigError(InputError):
    """A setting that cannot be used. `path` names the field in the config tree (("planner", "max_steps")),
    so the CLI can name its flag and a Python caller its field."""

    def __init__(self, message: str, path: tuple[str, ...] = (), problem: str = "", value: Any = None):
        super().__init__(message)
        self.path, self.problem, self.value = path, problem, value


def _problem(message: str) -> str:
    """pydantic's "Input should be greater than 0" as "must be greater than 0"."""
    message = re.sub(r"^(Value error, |Assertion failed, )", "", message)
    return re.sub(r"^Input should be\b", "must be", message)


def config_error(error: ValidationError, owner: str, prefix: tuple[str, ...] = ()) -> ConfigError:
    """The first problem of a validation error, as one line naming the field: `owner.path: problem, got value`."""
    first = error.errors()[0]
    path = prefix + tuple(str(part) for part in first["loc"])
    problem = _problem(first["msg"])
    value = first.get("input")
    where = ".".join((owner, *path)) if path else owner
    shown = "" if first["type"] in ("missing", "extra_forbidden") else f", got {value!r}"
    if first["type"] == "extra_forbidden":
        problem = "is not a setting of " + owner
    return ConfigError(f"{where}: {problem}{shown}", path, problem, value)


_BUILDING: ContextVar[bool] = ContextVar("building settings", default=False)


class Settings(BaseModel):
    """A node of the config tree. Invalid values raise ConfigError (an InputError) naming the field."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def __init__(self, **data: Any):
        # pydantic builds nested settings through this __init__ too: only the outermost one turns the
        # validation error into a ConfigError, so its path runs from the root ("planner.max_steps").
        outermost = _BUILDING.set(True) if not _BUILDING.get() else None
        try:
            super().__init__(**data)
        except ValidationError as error:
            if outermost is None:
                raise
            raise config_error(error, type(self).__name__) from None
        finally:
            if outermost is not None:
                _BUILDING.reset(outermost)

    def key(self) -> dict:
        """What a result built with these settings depends on (the cache key): every field but those
        marked `key=False` (threads, injected objects)."""
        return self.model_dump(mode="json", exclude=_unkeyed(type(self)))


def knob(default: Any = ..., description: str = "", *, flag: str | None = None, cli: bool = False,
         short: str | None = None, metavar: str | None = None, nargs: str | int | None = None, const: Any = None,
         positional: bool = False, key: bool = True, only: tuple[str, ...] | None = None, default_factory=None,
         **constraints: Any) -> Any:
    """A field of the config tree. `cli=True` (or a `flag`) puts it on the command line: the flag is
    `--field-name` unless `flag` says otherwise; `key=False` keeps it out of the cache key; a settings
    node with `only` puts just those of its fields on a command's line."""
    extra: dict[str, Any] = {}
    if only is not None:
        extra["only"] = only
    if cli or flag or positional:
        extra["cli"] = {"flag": flag, "short": short, "metavar": metavar, "nargs": nargs, "const": const,
                        "positional": positional}
    if not key:
        extra["key"] = False
    if default_factory is not None:
        return Field(default_factory=default_factory, description=description, json_schema_extra=extra or None,
                     **constraints)
    return Field(default, description=description, json_schema_extra=extra or None, **constraints)


def field_extra(field) -> dict:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _unkeyed(cls: type[BaseModel]) -> dict:
    exclude: dict = {}
    for name, field in cls.model_fields.items():
        if field_extra(field).get("key") is False:
            exclude[name] = True
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            inner = _unkeyed(field.annotation)
            if inner:
                exclude[name] = inner
    return exclude


# --- the process environment ---------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_SECRET_NAME = re.compile(r"(API_KEY|_TOKEN|_SECRET)$")


def _environment_class():
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Environment(BaseSettings):
        """The variables sagent reads. Values are kept as written; their users interpret them."""

        model_config = SettingsConfigDict(env_prefix="SAGENT_", extra="ignore")

        model: str = Field("", description="litellm model used when --model is not given")
        api_base: str = Field("", description="the provider's base URL when --api-base is not given")
        models_dir: str = Field("", description="where weights fetched on first use are kept")
        offline: str = Field("", description="1: never download weights")
        cache_dir: str = Field("", description="where scene memories and sessions are kept")
        cache_max_gb: str = Field("", description="the scene cache's bound in gigabytes")
        debug: str = Field("", description="1: an internal error shows its traceback")
        serve_token: str = Field("", description="the bearer token `sagent serve` asks for", repr=False)
        hf_hub_offline: str = Field("", validation_alias="HF_HUB_OFFLINE")
        xdg_cache_home: str = Field("", validation_alias="XDG_CACHE_HOME")
        openai_api_key: str = Field("", validation_alias="OPENAI_API_KEY", repr=False)

    return Environment


_ENVIRONMENT = None


def environment():
    """The environment now (read afresh each call: a caller may have changed it)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _environment_class()
    return _ENVIRONMENT()


def is_true(text: str) -> bool:
    return text.strip().lower() in _TRUE


def offline_reason() -> str | None:
    """Which environment variable turns downloads off (SAGENT_OFFLINE, HF_HUB_OFFLINE), or None."""
    env = environment()
    for variable, value in (("SAGENT_OFFLINE", env.offline), ("HF_HUB_OFFLINE", env.hf_hub_offline)):
        if is_true(value):
            return f"{variable}={value.strip()}"
    return None


def debugging() -> bool:
    return bool(environment().debug)


def secret_values() -> list[str]:
    """The values of variables named like keys (…API_KEY, …_TOKEN, …_SECRET): what logs and errors redact."""
    return [value for name, value in os.environ.items() if _SECRET_NAME.search(name) and len(value) >= 6]


def use_local_model_cost_map() -> None:
    """litellm fetches a model price map from the network when imported, unless told to use its own copy."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
