"""The house plan holds: layers point down, modules stay small, no import hides inside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sagent"
MAX_LINES = 500


def test_import_contracts_hold(monkeypatch, capsys):
    import logging

    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    # import-linter configures logging with dictConfig, which disables every logger already made (sagent's
    # among them) for the rest of this process: later tests that read sagent's warnings would see none.
    loggers = [logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    disabled = {logger: logger.disabled for logger in loggers}
    try:
        status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    finally:
        for logger, was in disabled.items():
            logger.disabled = was
    assert status == 0, capsys.readouterr().out


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by concept"


def test_no_sagent_import_inside_functions():
    """A lazy import of sagent's own code dodges a cycle: the code is in the wrong room. (Heavy third-party
    packages, torch or ultralytics, are imported lazily on purpose; the root package's `Agent` shortcut too.)"""
    lazy = []
    for path in _modules():
        if path == PACKAGE / "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sagent"):
                    lazy.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}")
    assert not lazy, "imports inside functions:\n" + "\n".join(lazy)


def test_layout_section_of_readme_names_every_room():
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rooms = [p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    rooms += [p for p in (PACKAGE / "tools").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    for room in rooms:
        assert f"sagent/{room.relative_to(PACKAGE).as_posix()}" in layout, f"README Layout misses {room.name}"
    for name in ("inputs.py", "perception.py", "plain_video.py"):
        assert not (PACKAGE / name).exists()


def test_importing_the_cli_leaves_the_umask_and_skips_networkx():
    """The CLI's start-up: no library only one rarely used function needs, and no process-wide state
    changed by importing (the umask was set and restored at import, racing other threads' new files)."""
    import subprocess
    import sys

    probe = ("import os, sys; calls = []; real = os.umask; os.umask = lambda m: calls.append(m) or real(m); "
             "import sagent.cli, sagent.cli_run, sagent.cli_handlers, sagent.memory.storage; "
             "print(calls, 'networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] False"


def _settings_classes():
    """Every class of the config tree: the settings nodes, and the commands that hold them."""
    import sagent.cli_commands  # noqa: F401  (imports every settings module)
    from sagent.settings import Settings

    found, todo = [], [Settings]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _own_fields(cls):
    return [name for name in cls.__dict__.get("__annotations__", {}) if name in cls.model_fields]


def test_no_config_field_is_defined_twice():
    """A knob is one field of one settings class: no two classes hold a field of the same name and meaning,
    and no command re-declares a flag a settings class owns."""
    from sagent.cli_config import flag_of
    from sagent.settings import field_extra

    classes = _settings_classes()
    nodes = [c for c in classes if not c.__module__.startswith("sagent.cli")]
    commands = [c for c in classes if c.__module__.startswith("sagent.cli")]
    assert {"PlannerSettings", "PerceptionSettings", "BuildSettings", "VideoSettings", "ColmapSettings",
            "VggtSettings", "EvalSettings", "CacheSettings"} <= {c.__name__ for c in nodes}
    meanings, flags = {}, {}
    for cls in nodes:
        for name in _own_fields(cls):
            field = cls.model_fields[name]
            assert field.description, f"{cls.__name__}.{name} has no description"
            meaning = (name, field.description)
            assert meaning not in meanings, f"{cls.__name__}.{name} repeats {meanings[meaning]}.{name}"
            meanings[meaning] = cls.__name__
            cli = field_extra(field).get("cli")
            if cli and not cli.get("positional"):
                flag = flag_of((name,), cli)
                assert flag not in flags, f"{flag}: {cls.__name__}.{name} and {flags[flag]}"
                flags[flag] = f"{cls.__name__}.{name}"
    for cls in commands:
        for name in _own_fields(cls):
            cli = field_extra(cls.model_fields[name]).get("cli")
            if cli is None:  # a settings node the command holds
                continue
            flag = flag_of((name,), cli)
            assert flag not in flags, f"{cls.__name__}.{name} re-declares {flag} of {flags.get(flag)}"


def _subparsers(parser, path=()):
    import argparse

    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        yield path, parser
        return
    for name, sub in actions[0].choices.items():
        yield from _subparsers(sub, path + (name,))


def test_every_cli_flag_is_a_config_field_with_its_default():
    """The parser is generated: each argument's destination is a field of its command's tree, an absent flag
    leaves the field's default (argparse holds none), and the help shows that default."""
    import argparse

    from sagent import cli
    from sagent.cli_config import knobs

    for path, parser in _subparsers(cli.build_parser()):
        model = parser.get_default("_command_model")
        assert model is not None, f"sagent {' '.join(path)} is not generated from a command model"
        fields = {".".join(p): field for p, field, _ in knobs(model)}
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.dest in fields, f"sagent {' '.join(path)} {action.option_strings} has no config field"
            field = fields[action.dest]
            assert action.default is argparse.SUPPRESS or action.required, action.dest
            if isinstance(field.default, (int, float, str)) and not isinstance(field.default, bool) and action.help:
                shown = f"{field.default:g}" if isinstance(field.default, float) else str(field.default)
                assert f"(default {shown})" in action.help, (action.dest, action.help)


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for path in _modules():
        if path == PACKAGE / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "os" and \
                    any(alias.name in ("environ", "getenv") for alias in node.names):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno} from os import")
    assert not readers, "environment read outside sagent/settings.py:\n" + "\n".join(readers)


def test_top_level_help_imports_no_command():
    """`sagent --help` answers from the command table alone: no settings, model or geometry library loads."""
    import subprocess
    import sys

    probe = ("import sys\nfrom sagent.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('pydantic', 'numpy', 'sagent.cli_run', 'sagent.agent') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
