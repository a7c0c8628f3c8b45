"""The command line, generated from the config tree: every field with CLI metadata (`sagent.settings.knob`)
becomes one flag with the field's description, choices and default; parsed flags become the command's
settings object. Nothing here holds a default or a help text of its own.
"""

from __future__ import annotations

import argparse
import types
import typing
from typing import Any, Iterator, Literal

from pydantic import BaseModel

from sagent.settings import ConfigError, field_extra


def _settings_class(annotation) -> type[BaseModel] | None:
    """The settings class a field holds (`CacheSettings | None` too), or None for a plain value."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _plain_type(annotation):
    """`int | None` -> int; `list[str]` stays."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return inner[0] if len(inner) == 1 else annotation
    return annotation


def knobs(model: type[BaseModel], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any, dict]]:
    """(path, field, cli metadata) of every field of `model`'s tree that is on the command line."""
    for name, field in model.model_fields.items():
        extra = field_extra(field)
        nested = _settings_class(field.annotation)
        if nested is not None:
            only = extra.get("only")
            for inner_path, inner, cli in knobs(nested, path + (name,)):
                if only is None or inner_path[len(path) + 1] in only:
                    yield inner_path, inner, cli
        elif "cli" in extra:
            yield path + (name,), field, extra["cli"]


def flag_of(path: tuple[str, ...], cli: dict) -> str:
    return cli.get("flag") or "--" + path[-1].replace("_", "-")


def _help(field) -> str:
    text = field.description or ""
    default = field.default
    if field.is_required() or default is None or default is False or isinstance(default, (list, BaseModel)):
        return text
    shown = f"{default:g}" if isinstance(default, float) else str(default)
    return f"{text} (default {shown})"


def add_knobs(parser: argparse.ArgumentParser, model: type[BaseModel]) -> None:
    """One argument for each knob of `model`'s tree; an absent flag leaves the field's own default."""
    parser.set_defaults(_command_model=model)
    for path, field, cli in knobs(model):
        dest = ".".join(path)
        kind = _plain_type(field.annotation)
        kwargs: dict[str, Any] = {"help": _help(field)}
        if cli.get("metavar"):
            kwargs["metavar"] = cli["metavar"]
        elif not cli.get("positional"):
            kwargs["metavar"] = flag_of(path, cli).lstrip("-").upper().replace("-", "_")
        if typing.get_origin(kind) is Literal:
            kwargs["choices"] = list(typing.get_args(kind))
            kwargs.pop("metavar", None)
        if kind is bool:
            kwargs["action"] = "store_true"
            kwargs.pop("metavar", None)
        elif typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            kwargs["type"] = item
            if cli.get("nargs") is None:
                kwargs["action"] = "append"
        elif kind in (int, float):
            kwargs["type"] = kind
        for key in ("nargs", "const"):
            if cli.get(key) is not None:
                kwargs[key] = cli[key]
        if cli.get("positional"):
            if not field.is_required():
                kwargs["default"] = argparse.SUPPRESS
            parser.add_argument(dest, **kwargs)
            continue
        names = [cli["short"]] if cli.get("short") else []
        if field.is_required():
            kwargs["required"] = True
        parser.add_argument(*names, flag_of(path, cli), dest=dest, default=argparse.SUPPRESS, **kwargs)


def _nested_groups(model: type[BaseModel]) -> Iterator[tuple[str, ...]]:
    """Paths of the settings nodes that hold knobs: each is made from the command line, even when no
    flag of it was given (so a node that is None by default, like an evaluation's cache, is built)."""
    for path, _, _ in knobs(model):
        for end in range(1, len(path)):
            yield path[:end]


def _node(data: dict, path: tuple[str, ...]) -> dict:
    """The nested dict at `path` in `data`, made where missing."""
    for part in path:
        data = data.setdefault(part, {})
    return data


def settings_from(args: argparse.Namespace) -> BaseModel:
    """The command's settings object from parsed arguments. A value the tree refuses is one line
    naming its flag (an InputError)."""
    model = args._command_model
    data: dict = {}
    for group in _nested_groups(model):
        _node(data, group)
    flags = {path: flag_of(path, cli) for path, _, cli in knobs(model)}
    for dest, value in vars(args).items():
        path = tuple(dest.split("."))
        if path in flags:  # a knob's value (argparse's own entries, _run and the like, are not)
            _node(data, path[:-1])[path[-1]] = value
    try:
        return model(**data)
    except ConfigError as error:
        flag = flags.get(error.path)
        if flag is None:
            raise
        shown = "" if error.value is None else f", got {error.value!r}"
        raise ConfigError(f"{flag} {error.problem}{shown}", error.path, error.problem, error.value) from None
