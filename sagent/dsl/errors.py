"""DSL errors written for the model that wrote the program: place, caret, what was expected."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Literal

from sagent.errors import ModelError

ErrorKind = Literal["syntax", "name", "type", "label", "unit", "runtime"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a program. Lines and columns are 1-based; `width` is the caret length."""

    kind: ErrorKind
    message: str
    line: int
    column: int
    width: int = 1

    def render(self, source: str) -> str:
        lines = source.splitlines() or [""]
        text = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
        caret = " " * (self.column - 1) + "^" * max(1, self.width)
        return f"line {self.line}, column {self.column}: {self.kind} error: {self.message}\n    {text}\n    {caret}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "line": self.line, "column": self.column}


class DslError(ModelError):
    """One or more diagnostics about a program; `str()` renders them against the source."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: str = ""):
        self.diagnostics = list(diagnostics)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render(self.source) for d in self.diagnostics)

    @property
    def kinds(self) -> set[str]:
        return {d.kind for d in self.diagnostics}


class OpError(Exception):
    """Raised by an op when its inputs don't allow an answer; becomes a runtime diagnostic."""


def did_you_mean(name: str, choices: Iterable[str], what: str) -> str:
    """'unknown X 'y'; closest: z; the scene has: a, b, c' — the list the model needs to repair."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in choices], n=1, cutoff=0.5)
    hint = f" (closest match: {close[0]!r})" if close else ""
    listing = ", ".join(choices) if choices else "none"
    return f"{hint}; {what}: {listing}"
