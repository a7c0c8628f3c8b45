"""Running one command line: the parser generated from the command's settings object, and the one-line
report of whatever goes wrong (with --json also as JSON on stdout)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from sagent.cli import COMMANDS, DESCRIPTION, resolve
from sagent.cli_logging import command_logging
from sagent.cli_config import add_knobs, settings_from
from sagent.dsl import DslError
from sagent.errors import InternalError, ProviderError, SagentError
from sagent.settings import debugging


def _wanted(path: tuple[str, ...], words: list[str] | None) -> bool:
    return words is None or tuple(words[:len(path)]) == path


def _add_commands(subparsers, commands: dict, path: tuple[str, ...], words: list[str] | None) -> None:
    for name, (help_text, model, *run) in commands.items():
        parser = subparsers.add_parser(name, help=help_text)
        here = path + (name,)
        if isinstance(model, dict):
            _add_commands(parser.add_subparsers(dest=f"_command_{len(here)}", required=True), model, here, words)
        elif _wanted(here, words):  # only the command asked for is generated (and its modules imported)
            add_knobs(parser, resolve(model))
            parser.set_defaults(_run=run[0])


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the command it names is generated in full."""
    parser = argparse.ArgumentParser(prog="sagent", description=DESCRIPTION)
    words = None if argv is None else [word for word in argv if not word.startswith("-")]
    _add_commands(parser.add_subparsers(dest="_command_0", required=True), COMMANDS, (), words)
    return parser


def parse_command(argv: list[str] | None = None):
    """(the command's settings object, the function that runs it); argparse exits 2 on a line it cannot parse."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args, extra = parser.parse_known_args(argv)
    # `sagent ask INPUT --json "question"`: options may sit between INPUT and QUESTION.
    words = getattr(args, "words", None)
    if extra and words is not None and not any(e.startswith("-") for e in extra):
        args.words = words + extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return settings_from(args), resolve(args._run)


def main(argv: list[str] | None = None) -> int:
    command = None
    try:
        command, run = parse_command(argv)
        with command_logging(getattr(command, "log", None), getattr(command, "json_output", False)):
            return run(command)
    except DslError as error:
        return _failed(command, "invalid program", f"no answer: the program is invalid:\n{error.render()}", 1)
    except SagentError as error:  # one line; the base says who must act and which exit code
        kind = "model error" if isinstance(error, ProviderError) else "error"
        return _failed(command if command is not None else _json_requested(argv), type(error).__name__,
                       f"{kind}: {error}", error.exit_code)
    except KeyboardInterrupt:
        return _failed(command, "interrupted", "interrupted", 130)
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly; Python's own flush at exit must not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:  # a bug: one line, the traceback on request
        if debugging():
            raise
        return _failed(command, "InternalError", f"internal error: {type(error).__name__}: {error} (this is a bug in "
                       "sagent; SAGENT_DEBUG=1 shows the traceback)", InternalError.exit_code)


def _json_requested(argv: list[str] | None):
    """For a command line whose values were refused: whether it asked for --json."""
    return argparse.Namespace(json_output="--json" in (sys.argv[1:] if argv is None else argv))


def _failed(command, kind: str, message: str, code: int) -> int:
    """The failure's line on stderr; with --json also {"error", "kind", "exit"} on stdout, so a caller
    that parses stdout always gets JSON."""
    print(f"sagent: {message}", file=sys.stderr)
    if getattr(command, "json_output", False):
        print(json.dumps({"error": message, "kind": kind, "exit": code}))
    return code

