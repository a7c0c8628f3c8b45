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
             "import sagent.cli, sagent.memory.storage; print(calls, 'networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] False"
