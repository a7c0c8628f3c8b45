"""Source text to AST; every syntax problem becomes a DslError with a caret, never a lark exception."""

from __future__ import annotations

import ast as python_ast
import re
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from sagent.dsl import ast
from sagent.dsl.errors import Diagnostic, DslError
from sagent.memory.units import UNITS

_TERMINAL_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "QUANTITY": "a number with a unit", "STRING": "a string",
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "EQUAL": "'='", "LSQB": "'['", "RSQB": "']'",
    "ANSWER": "'answer'", "_NL": "a new line", "$END": "the end of the program",
}


class _DropNewlinesInBrackets:
    """Post-lexer: newlines inside (...) or [...] continue the line, as in Python."""

    always_accept = ("_NL",)

    def process(self, stream):
        depth = 0
        for token in stream:
            if token.type in ("LPAR", "LSQB"):
                depth += 1
            elif token.type in ("RPAR", "RSQB"):
                depth = max(0, depth - 1)
            elif token.type == "_NL" and depth:
                continue
            yield token


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark.open(
        "grammar.lark", rel_to=__file__, parser="lalr", propagate_positions=True,
        maybe_placeholders=True, postlex=_DropNewlinesInBrackets(), cache=True,
    )


def _position(meta_or_token) -> dict:
    line, column = meta_or_token.line, meta_or_token.column
    end_line = getattr(meta_or_token, "end_line", line)
    end_column = getattr(meta_or_token, "end_column", column + 1)
    width = end_column - column if end_line == line else 1
    return {"line": line, "column": column, "width": max(1, width)}


_NUMBER_PREFIX = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?![eE][-+]?\d)")


class _UnknownUnit(Exception):
    def __init__(self, token: Token, unit: str):
        self.token, self.unit = token, unit


def _split_quantity(token: Token) -> tuple[float, str]:
    number = _NUMBER_PREFIX.match(str(token)).group(0)
    unit = str(token)[len(number):]
    if unit not in UNITS:
        raise _UnknownUnit(token, unit)
    return float(number), unit


@v_args(meta=True)
class _ToAst(Transformer):
    def start(self, meta, statements):
        return [s for s in statements if s is not None]

    def assign(self, meta, children):
        name, value = children
        return ast.Assign(name=str(name), value=value, **_position(name))

    def answer(self, meta, children):
        return ast.Answer(value=children[0], **_position(meta))

    def var(self, meta, children):
        return ast.Var(name=str(children[0]), **_position(children[0]))

    def number(self, meta, children):
        return ast.Number(value=float(children[0]), unit=None, **_position(children[0]))

    def quantity(self, meta, children):
        value, unit = _split_quantity(children[0])
        return ast.Number(value=value, unit=unit, **_position(children[0]))

    def string(self, meta, children):
        return ast.String(value=python_ast.literal_eval(str(children[0])), **_position(children[0]))

    def list(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return ast.ListExpr(items=items, **_position(meta))

    def keyword(self, meta, children):
        name, value = children
        return ast.Keyword(name=str(name), value=value, **_position(name))

    def arguments(self, meta, children):
        return [c for c in children if c is not None]

    def call(self, meta, children):
        name, arguments = children
        arguments = arguments or []
        args = tuple(a for a in arguments if not isinstance(a, ast.Keyword))
        keywords = tuple(a for a in arguments if isinstance(a, ast.Keyword))
        return ast.Call(op=str(name), args=args, keywords=keywords, **_position(name))


def _expected_words(expected) -> str:
    words = sorted({_TERMINAL_WORDS.get(name, name.lower()) for name in expected})
    return ", ".join(words) if words else "nothing more"


def _syntax_diagnostic(error: UnexpectedInput, source: str) -> Diagnostic:
    line, column = max(1, error.line or 1), max(1, error.column or 1)
    if isinstance(error, UnexpectedCharacters):
        char = source[error.pos_in_stream] if error.pos_in_stream < len(source) else ""
        message = f"unexpected character {char!r}; expected {_expected_words(error.allowed)}"
        return Diagnostic("syntax", message, line, column)
    if isinstance(error, UnexpectedToken):
        token: Token = error.token
        if token.type == "$END":
            lines = source.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            return Diagnostic("syntax", f"the program ends too early; expected {_expected_words(error.expected)}", line, column)
        if token.type == "NAME" and token.start_pos > 0 and source[token.start_pos - 1].isdigit():
            units = ", ".join(UNITS)
            return Diagnostic("unit", f"unknown unit {str(token)!r}; units: {units}", line, column, len(token))
        shown = "a new line" if token.type == "_NL" else repr(str(token))
        message = f"unexpected {shown}; expected {_expected_words(error.expected)}"
        return Diagnostic("syntax", message, line, column, max(1, len(str(token).strip()) or 1))
    return Diagnostic("syntax", f"the program ends too early; expected {_expected_words(getattr(error, 'expected', []))}", line, column)


MAX_NESTING = 64  # brackets open at once; real programs use a handful, the AST passes recurse per level


def _too_deep(source: str) -> Diagnostic | None:
    """The first bracket opened past MAX_NESTING levels (outside strings and comments), as a diagnostic."""
    if source.count("(") + source.count("[") <= MAX_NESTING:
        return None
    depth, line, column, quote, comment = 0, 1, 0, "", False
    escaped = False
    for char in source:
        column += 1
        if char == "\n":
            line, column, quote, comment = line + 1, 0, "", False
        elif comment:
            continue
        elif quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            comment = True
        elif char in "([":
            depth += 1
            if depth > MAX_NESTING:
                return Diagnostic("syntax", f"brackets nested more than {MAX_NESTING} deep; name the inner parts "
                                            "with assignments instead", line, column)
        elif char in ")]":
            depth = max(0, depth - 1)
    return None


def parse(source: str) -> ast.Program:
    """Parse DSL source into a Program; raise DslError (syntax) on any malformed input."""
    if not source.strip():
        raise DslError([Diagnostic("syntax", "the program is empty; expected statements ending in `answer ...`", 1, 1)], source)
    deep = _too_deep(source)
    if deep is not None:
        raise DslError([deep], source)
    try:
        tree = _lark().parse(source)
        statements = _ToAst().transform(tree)
    except RecursionError:  # the nesting check keeps this out of reach; a last resort, never a traceback
        raise DslError([Diagnostic("syntax", "the program is nested too deeply to read", 1, 1)], source) from None
    except UnexpectedInput as error:
        raise DslError([_syntax_diagnostic(error, source)], source) from None
    except VisitError as error:  # a literal the grammar admits but sagent can't read
        if isinstance(error.orig_exc, RecursionError):
            raise DslError([Diagnostic("syntax", "the program is nested too deeply to read", 1, 1)], source) from None
        if isinstance(error.orig_exc, _UnknownUnit):
            token, unit = error.orig_exc.token, error.orig_exc.unit
            message = f"unknown unit {unit!r}; units: {', '.join(UNITS)}"
            column = token.column + len(str(token)) - len(unit)
            raise DslError([Diagnostic("unit", message, token.line, column, len(unit))], source) from None
        raise DslError([Diagnostic("syntax", f"malformed literal: {error.orig_exc}", 1, 1)], source) from None
    return ast.Program(statements=tuple(statements), source=source)
