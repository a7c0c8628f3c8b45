"""The one op registry. Each op is a typed Python function whose first parameter is the
execution context; its signature and docstring generate the checker's signature table, the
run-time argument checks and the planner's op reference."""

from __future__ import annotations

import inspect
import re
import typing
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sagent.dsl import ast
from sagent.dsl.errors import Diagnostic
from sagent.dsl.needs import SCENE_NEEDS
from sagent.dsl.types import type_name

REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Param:
    name: str
    type: object
    default: object
    doc: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def render(self) -> str:
        text = f"{self.name}: {type_name(self.type)}"
        if not self.required:
            text += f" = {_render_default(self.default)}"
        return text


def _render_default(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if hasattr(value, "unit") and hasattr(value, "value"):  # a Quantity, written as DSL source
        return f"{value.value:g}{value.unit}"
    return str(value)


@dataclass(frozen=True)
class Op:
    name: str
    func: Callable
    params: tuple[Param, ...]
    returns: object
    summary: str
    examples: tuple[str, ...]
    result_type: Callable[[dict], object] | None = field(default=None, compare=False)
    needs: frozenset[str] = frozenset()  # of the scene, beyond its objects: names of needs.SCENE_NEEDS

    def signature(self) -> str:
        return f"{self.name}({', '.join(p.render() for p in self.params)}) -> {type_name(self.returns)}"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


REGISTRY: dict[str, Op] = {}


def _docstring_sections(doc: str) -> tuple[str, dict[str, str], list[str]]:
    """Summary paragraph, `Args:` entries by name, and `Examples:` programs (one per line)."""
    doc = inspect.cleandoc(doc or "")
    summary, args, examples, section = [], {}, [], "summary"
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Examples:"):
            section = stripped[:-1].lower()
            continue
        if section == "summary":
            summary.append(stripped)
        elif section == "args" and stripped:
            match = re.match(r"(\w+):\s*(.*)", stripped)
            if match and line.startswith("    ") and not line.startswith("        "):
                args[match.group(1)] = match.group(2)
            elif args:
                last = list(args)[-1]
                args[last] += " " + stripped
        elif section == "examples" and stripped:
            examples.append(stripped)
    return " ".join(" ".join(summary).split()), args, examples


def op(func: Callable | None = None, *, result_type: Callable[[dict], object] | None = None,
       needs: Iterable[str] = ()):
    """Register a DSL op. Use as `@op`, `@op(result_type=...)` where the result type depends on argument
    types (a dict of parameter name to static info), `@op(needs={"cameras"})` for what it reads of a
    scene beyond its objects (needs.SCENE_NEEDS): where a scene lacks it, the op is not offered."""
    unknown = set(needs) - set(SCENE_NEEDS)
    if unknown:
        raise TypeError(f"unknown needs {sorted(unknown)}; known: {', '.join(SCENE_NEEDS)}")

    def register(f: Callable) -> Callable:
        hints = typing.get_type_hints(f)
        parameters = list(inspect.signature(f).parameters.values())[1:]  # first is the context
        summary, arg_docs, examples = _docstring_sections(f.__doc__ or "")
        missing = [p.name for p in parameters if p.name not in arg_docs]
        if missing or "return" not in hints or not examples:
            raise TypeError(f"op {f.__name__} needs Args docs for {missing}, a return annotation and Examples")
        params = tuple(Param(p.name, hints[p.name], p.default, arg_docs[p.name]) for p in parameters)
        REGISTRY[f.__name__] = Op(f.__name__, f, params, hints["return"], summary, tuple(examples), result_type,
                                  frozenset(needs))
        return f

    return register(func) if func is not None else register


def bind_arguments(op_: Op, call: ast.Call) -> tuple[dict[str, ast.Expr], list[Diagnostic]]:
    """Match a call's arguments to the op's parameters, as Python would, with diagnostics."""
    bound: dict[str, ast.Expr] = {}
    problems: list[Diagnostic] = []
    if len(call.args) > len(op_.params):
        extra = call.args[len(op_.params)]
        problems.append(Diagnostic(
            "type", f"{op_.name} takes {len(op_.params)} argument(s) but got {len(call.args)}; signature: {op_.signature()}",
            extra.line, extra.column, extra.width))
    for param, arg in zip(op_.params, call.args):
        bound[param.name] = arg
    for keyword in call.keywords:
        param = op_.param(keyword.name)
        if param is None:
            names = ", ".join(p.name for p in op_.params) or "none"
            problems.append(Diagnostic("type", f"{op_.name} has no parameter {keyword.name!r}; parameters: {names}",
                                       keyword.line, keyword.column, len(keyword.name)))
        elif keyword.name in bound:
            problems.append(Diagnostic("type", f"{op_.name} got parameter {keyword.name!r} twice",
                                       keyword.line, keyword.column, len(keyword.name)))
        else:
            bound[keyword.name] = keyword.value
    for param in op_.params:
        if param.required and param.name not in bound:
            problems.append(Diagnostic("type", f"{op_.name} is missing argument {param.name!r}; signature: {op_.signature()}",
                                       call.line, call.column, len(call.op)))
    return bound, problems
