"""The `sagent` command line.

Exit codes: 0 answered; 1 bad input or setup, or no answer (one line saying why); 2 `dsl check` found
an invalid program, or the command line did not parse; 3 the model provider could not be used;
130 interrupted. The error bases in `sagent.errors` carry their exit codes.

This module is the entry point and stays light: `sagent --help` imports no command. A command's
settings and code (`cli_run`, which generates its parser from the config tree) load when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Each command: (help, its settings object, what runs it) as "module:name"; a group nests its subcommands.
COMMANDS: dict = {
    "ask": ("answer one question about a scene", "cli_commands:AskCommand", "cli_handlers:cmd_ask"),
    "eval": ("answer a question set and print the VSI-Bench table", "cli_commands:EvalCommand",
             "cli_handlers:cmd_eval"),
    "inspect": ("what a scene memory holds; pictures of it", "cli_commands:InspectCommand", "cli_handlers:cmd_inspect"),
    "mcp": ("serve sagent's tools to agents over the Model Context Protocol (stdio; --http PORT for HTTP)",
            "cli_commands:McpCommand", "cli_service:cmd_mcp"),
    "serve": ("an HTTP API robots stream frames into and ask questions of (loopback; --token for any other host)",
              "cli_commands:ServeCommand", "cli_service:cmd_serve"),
    "cache": ("the scene cache: what it holds, or empty it", {
        "info": ("root, entries, size, bound (SAGENT_CACHE_MAX_GB), oldest and newest use",
                 "cli_commands:CacheInfoCommand", "cli_cache:cmd_cache_info"),
        "clear": ("delete every cached scene memory (sessions are kept)", "cli_commands:CacheClearCommand",
                  "cli_cache:cmd_cache_clear")}),
    "models": ("the model weights sagent fetches on first use: list or prefetch", {
        "list": ("each model: name, used by, size, cached or not, source", "cli_commands:ModelsListCommand",
                 "cli_models:cmd_models_list"),
        "fetch": ("download models into the cache now (with the text encoders they need); a cached one is checked",
                  "cli_commands:ModelsFetchCommand", "cli_models:cmd_models_fetch")}),
    "dsl": ("work with DSL programs", {
        "check": ("check a program; exit 2 when it is invalid", "cli_commands:DslCheckCommand",
                  "cli_handlers:cmd_dsl_check"),
        "run": ("run a program against a scene", "cli_commands:DslRunCommand", "cli_handlers:cmd_dsl_run"),
        "reference": ("print the op reference the planner sees", "cli_commands:DslReferenceCommand",
                      "cli_handlers:cmd_dsl_reference")}),
}
DESCRIPTION = "Answer spatial questions about real scenes."


def resolve(target: str):
    """The object a table entry names ("cli_commands:AskCommand")."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(f"sagent.{module}"), name)


def _run_module():
    return importlib.import_module("sagent.cli_run")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser (every command generated from its settings object); see cli_run."""
    return _run_module().build_parser(argv)


def parse_command(argv: list[str] | None = None):
    """(the command's settings object, the function that runs it) for a command line."""
    return _run_module().parse_command(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:  # no command, --help or a mistyped one: the table alone answers
        parser = argparse.ArgumentParser(prog="sagent", description=DESCRIPTION)
        commands = parser.add_subparsers(dest="command", required=True)
        for name, (help_text, *_) in COMMANDS.items():
            commands.add_parser(name, help=help_text)
        parser.parse_args(argv)
    return _run_module().main(argv)


if __name__ == "__main__":
    sys.exit(main())
