"""Runs a checked program against a scene memory, recording a trace of every op call."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sagent.dsl import ast
from sagent.dsl.context import ExecContext
from sagent.dsl.errors import Diagnostic, DslError, OpError
from sagent.dsl.registry import REGISTRY, bind_arguments
from sagent.dsl.types import Number, Objects, Quantity, Value, Viewpoint, matches, type_name
from sagent.dsl.validation import value_problem


@dataclass(frozen=True)
class TraceStep:
    """One op call: where it was, what went in, what came out, how long it took."""

    line: int
    op: str
    inputs: dict[str, str]
    output: str
    seconds: float

    def to_dict(self) -> dict:
        return {"line": self.line, "op": self.op, "inputs": self.inputs, "output": self.output,
                "seconds": round(self.seconds, 6)}


@dataclass
class Execution:
    """The answer value, the trace, and the ids of every object the program touched."""

    value: object
    trace: list[TraceStep] = field(default_factory=list)
    objects_used: list[str] = field(default_factory=list)
    observer: Viewpoint | None = None  # the last viewpoint the program stood at, for pictures of the evidence


def describe(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    return str(value)


class _Interpreter:
    def __init__(self, context: ExecContext, source: str):
        self.context = context
        self.source = source
        self.env: dict[str, object] = {}
        self.trace: list[TraceStep] = []
        self.objects_used: dict[str, None] = {}
        self.observer: Viewpoint | None = None

    def fail(self, message: str, node: ast.Node):
        raise DslError([Diagnostic("runtime", message, node.line, node.column, node.width)], self.source)

    def run(self, program: ast.Program) -> Execution:
        for statement in program.statements:
            match statement:
                case ast.Assign(name=name, value=value):
                    self.env[name] = self.evaluate(value)
                case ast.Answer(value=value):
                    return Execution(self.evaluate(value), self.trace, list(self.objects_used), self.observer)
        self.fail("the program ended without an answer", program.statements[-1])

    def evaluate(self, expr: ast.Expr):
        match expr:
            case ast.Number(value=value, unit=None):
                return Number(value)
            case ast.Number(value=value, unit=unit):
                return Quantity.of(value, unit)
            case ast.String(value=value):
                return value
            case ast.Var(name=name):
                if name not in self.env:
                    self.fail(f"undefined name {name!r}", expr)
                return self.env[name]
            case ast.ListExpr(items=items):
                return [self.evaluate(item) for item in items]
            case ast.Call():
                return self.call(expr)
        raise TypeError(f"unhandled node {expr!r}")

    def call(self, call: ast.Call):
        op = REGISTRY.get(call.op)
        if op is None:
            self.fail(f"unknown op {call.op!r}", call)
        bound, problems = bind_arguments(op, call)
        if problems:
            raise DslError(problems, self.source)
        kwargs = {}
        for name, expr in bound.items():
            value = self.evaluate(expr)
            param = op.param(name)
            if not matches(value, param.type):
                self.fail(f"argument {name!r} of {op.name} must be {type_name(param.type)}, got {describe(value)}", expr)
            problem = value_problem(param.type, value, self.context.scene)
            if problem:
                self.fail(problem[1], expr)
            kwargs[name] = value
        started = time.perf_counter()
        try:
            result = op.func(self.context, **kwargs)
        except (OpError, ValueError, ArithmeticError) as exc:
            self.fail(f"{op.name} failed: {exc}", call)
        seconds = time.perf_counter() - started
        if not matches(result, op.returns if op.returns is not Value else Value):
            raise TypeError(f"op {op.name} returned {type(result).__name__}, declared {type_name(op.returns)}")
        for value in [*kwargs.values(), result]:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Objects):
                    self.objects_used.update(dict.fromkeys(o.id for o in item.instances))
        if isinstance(result, Viewpoint):
            self.observer = result
        self.trace.append(TraceStep(call.line, op.name, {k: describe(v) for k, v in kwargs.items()},
                                    describe(result), seconds))
        return result


def execute(program: ast.Program, context: ExecContext) -> Execution:
    """Run a program (check it first); raise DslError (runtime) when an op cannot answer."""
    return _Interpreter(context, program.source).run(program)
