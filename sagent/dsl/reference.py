"""The planner's op reference, rendered from the registry (never written by hand)."""

from __future__ import annotations

from sagent.dsl.registry import REGISTRY
from sagent.memory import units

_SYNTAX = """\
Programs are lines of `name = expression`, ending in one `answer expression`.
Expressions: op calls with positional or keyword arguments `op(a, key=b)`, variables,
strings "chair", numbers 2 or numbers with a unit 1.5m 30cm 90deg, lists [a, b].
Units: {units}. No loops, no other statements; `#` starts a comment."""


def op_reference() -> str:
    """Syntax summary plus every op's signature, summary, arguments and examples."""
    parts = [_SYNTAX.format(units=", ".join(units.UNITS)), "", "Ops:"]
    for op in sorted(REGISTRY.values(), key=lambda o: o.name):
        parts.append(f"\n{op.signature()}\n    {op.summary}")
        for param in op.params:
            parts.append(f"    {param.name}: {param.doc}")
        for example in op.examples:
            parts.append(f"    e.g. {example}")
    return "\n".join(parts)
