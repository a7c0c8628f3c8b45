"""The program AST: frozen dataclasses with source positions, built from the lark parse tree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    line: int
    column: int
    width: int


@dataclass(frozen=True)
class Number(Node):
    value: float
    unit: str | None  # None for a bare number


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Var(Node):
    name: str


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple["Expr", ...]


@dataclass(frozen=True)
class Keyword(Node):
    name: str
    value: "Expr"


@dataclass(frozen=True)
class Call(Node):
    op: str
    args: tuple["Expr", ...]
    keywords: tuple[Keyword, ...]


Expr = Number | String | Var | ListExpr | Call


@dataclass(frozen=True)
class Assign(Node):
    name: str
    value: Expr


@dataclass(frozen=True)
class Answer(Node):
    value: Expr


Statement = Assign | Answer


@dataclass(frozen=True)
class Program:
    statements: tuple[Statement, ...]
    source: str


def render_expr(expr: Expr) -> str:
    """Source text for an expression (used by traces and by the planners)."""
    match expr:
        case Number(value=value, unit=unit):
            text = f"{value:g}"
            return text + (unit or "")
        case String(value=value):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        case Var(name=name):
            return name
        case ListExpr(items=items):
            return "[" + ", ".join(render_expr(i) for i in items) + "]"
        case Call(op=op, args=args, keywords=keywords):
            parts = [render_expr(a) for a in args] + [f"{k.name}={render_expr(k.value)}" for k in keywords]
            return f"{op}({', '.join(parts)})"
    raise TypeError(f"not an expression: {expr!r}")


def walk(program: Program):
    """Every expression of the program, outermost first."""
    stack: list = [s.value for s in reversed(program.statements)]
    while stack:
        node = stack.pop()
        yield node
        match node:
            case ListExpr(items=items):
                stack.extend(reversed(items))
            case Call(args=args, keywords=keywords):
                stack.extend(reversed([*args, *(k.value for k in keywords)]))
