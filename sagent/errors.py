"""One error base per cause. Every layer raises subclasses of these; the CLI maps the bases to exit
codes and the agent decides from them what goes back to the model for repair.

The message of each is one line written for whoever must act on it: what is wrong, where, and what
to pass, install or ask instead. This module imports nothing from sagent: every layer builds on it.
"""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    """`Type: message` of a third-party error, on one line and at most 200 characters of message: what
    sagent's own one-line messages quote of the cause."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}"


class SagentError(Exception):
    """Base of every error sagent raises on purpose."""

    exit_code = 1


class InputError(SagentError):
    """The user's input or setup: a missing or malformed file, a bad option, an object the scene
    lacks, weights or a package to install. Exit 1; nothing goes back to a model."""


class ModelError(SagentError):
    """What a planner produced cannot be used: an invalid program, no valid program within the
    repair budget, a reply cut off, a question the rules planner cannot read. Recorded on the
    step and, while the budget lasts, sent back for repair. Exit 1 (no answer)."""


class ProviderError(SagentError):
    """The model provider could not be used: down, unreachable, bad key, unknown model.
    Infrastructure: it stops the run instead of going back for repair. Exit 3. (A model that does
    not answer in time is a ModelError: that question fails, the run goes on.)"""

    exit_code = 3


class InternalError(SagentError):
    """sagent itself went wrong (a bug, or a state it should have refused earlier). Exit 1 with
    a line asking for a report; SAGENT_DEBUG=1 shows the traceback."""
