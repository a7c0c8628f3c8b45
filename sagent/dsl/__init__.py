"""The spatial DSL: grammar, op registry, checker, interpreter and the planner's op reference."""

from sagent.dsl import ops as _ops  # noqa: F401  (registers the ops)
from sagent.dsl.ast import Program
from sagent.dsl.checker import Static, check
from sagent.dsl.context import ExecContext
from sagent.dsl.errors import Diagnostic, DslError, OpError
from sagent.dsl.interpreter import Execution, TraceStep, execute
from sagent.dsl.parser import parse
from sagent.dsl.reference import op_reference
from sagent.dsl.registry import REGISTRY


def run_program(source: str, context: ExecContext) -> Execution:
    """Parse, check against the context's scene, and execute; DslError on any problem."""
    program = parse(source)
    check(program, context.scene)
    return execute(program, context)


__all__ = [
    "Diagnostic", "DslError", "ExecContext", "Execution", "OpError", "Program", "REGISTRY", "Static",
    "TraceStep", "check", "execute", "op_reference", "parse", "run_program",
]
