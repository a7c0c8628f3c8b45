"""The static checker: runs before anything executes and reports every problem it finds."""

from __future__ import annotations

from dataclasses import dataclass

from sagent.dsl import ast
from sagent.dsl.errors import Diagnostic, DslError, OpError, did_you_mean
from sagent.dsl.registry import REGISTRY, bind_arguments
from sagent.dsl.types import Number, Text, Value, is_assignable, quantity_type, type_name
from sagent.dsl.validation import value_problem
from sagent.memory.scene import SceneMemory


class Unknown(Value):
    """The type of an expression that already has an error; fits anywhere, to avoid cascades."""


@dataclass(frozen=True)
class Static:
    """What the checker knows of an expression: its type and, for literals, its value."""

    type: object
    const: object = None


def _common_item_type(types: list) -> object | None:
    known = [t for t in types if t is not Unknown]
    for candidate in known:
        if all(is_assignable(t, candidate) for t in known):
            return candidate
    return None if known else Unknown


class _Checker:
    def __init__(self, scene: SceneMemory | None):
        self.scene = scene
        self.env: dict[str, Static] = {}
        self.problems: list[Diagnostic] = []

    def fail(self, kind: str, message: str, node: ast.Node) -> Static:
        self.problems.append(Diagnostic(kind, message, node.line, node.column, node.width))
        return Static(Unknown)

    def check_program(self, program: ast.Program) -> Static:
        answer: Static | None = None
        for index, statement in enumerate(program.statements):
            match statement:
                case ast.Assign(name=name, value=value):
                    if name in REGISTRY:
                        self.fail("name", f"{name!r} is an op; choose another variable name", statement)
                    self.env[name] = self.infer(value)
                case ast.Answer(value=value):
                    answer = self.infer(value)
                    if index != len(program.statements) - 1:
                        self.fail("syntax", "`answer` must be the last statement", statement)
        if answer is None:
            last = program.statements[-1]
            self.fail("syntax", "the program has no `answer` statement; end it with `answer <expression>`", last)
        return answer or Static(Unknown)

    def infer(self, expr: ast.Expr) -> Static:
        match expr:
            case ast.Number(value=value, unit=None):
                return Static(Number, value)
            case ast.Number(unit=unit):
                return Static(quantity_type(unit))
            case ast.String(value=value):
                return Static(Text, value)
            case ast.Var(name=name):
                if name not in self.env:
                    return self.fail("name", f"undefined name {name!r}" + did_you_mean(name, self.env, "defined so far"), expr)
                return self.env[name]
            case ast.ListExpr(items=items):
                item_types = [self.infer(item).type for item in items]
                common = _common_item_type(item_types) if items else Value
                if common is None:
                    shown = ", ".join(sorted({type_name(t) for t in item_types}))
                    return self.fail("type", f"list items must share one type; got {shown}", expr)
                return Static(list[common])
            case ast.Call():
                return self.infer_call(expr)
        raise TypeError(f"unhandled node {expr!r}")  # exhaustive over ast.Expr

    def infer_call(self, call: ast.Call) -> Static:
        op = REGISTRY.get(call.op)
        if op is None:
            for expr in [*call.args, *(k.value for k in call.keywords)]:
                self.infer(expr)  # still report what is wrong inside the call
            return self.fail("name", f"unknown op {call.op!r}" + did_you_mean(call.op, REGISTRY, "ops"), call)
        bound, problems = bind_arguments(op, call)
        self.problems.extend(problems)
        args: dict[str, Static] = {}
        for name, expr in bound.items():
            param = op.param(name)
            static = args[name] = self.infer(expr)
            if static.type is Unknown:
                continue
            if not is_assignable(static.type, param.type):
                self.fail("type", f"argument {name!r} of {op.name} must be {type_name(param.type)}, "
                                  f"got {type_name(static.type)}; signature: {op.signature()}", expr)
                continue
            problem = value_problem(param.type, static.const, self.scene)
            if problem:
                self.fail(problem[0], problem[1], expr)
        if problems or any(s.type is Unknown for s in args.values()):
            return Static(op.returns)
        return Static(self.result_type(op, args, call))

    def result_type(self, op, args: dict[str, Static], call: ast.Call) -> object:
        if op.result_type is None:
            return op.returns
        try:
            return op.result_type(args)
        except OpError as exc:
            self.fail("unit", str(exc), call)
            return op.returns


def check(program: ast.Program, scene: SceneMemory | None = None) -> Static:
    """Check names, ops, arity, types, labels and units; raise DslError listing every problem.

    Returns what is known of the answer. Without a scene, labels are not checked.
    """
    checker = _Checker(scene)
    answer = checker.check_program(program)
    if checker.problems:
        raise DslError(sorted(checker.problems, key=lambda d: (d.line, d.column)), program.source)
    return answer


