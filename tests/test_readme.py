"""Every DSL snippet in the README parses and checks against the example scene, and the Python
snippet runs."""

import re
import shutil
import subprocess
import sys

from sagent.dsl import check, parse
from tests.conftest import ROOT


def snippets(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_readme_programs_check(living_room):
    programs = snippets("sagent")
    assert len(programs) >= 3
    for source in programs:
        check(parse(source), living_room)


def test_readme_python_runs(tmp_path):
    (python,) = snippets("python")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    result = subprocess.run([sys.executable, "-c", python], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": "", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "2"
    assert (tmp_path / "living_room.npz").is_file()


def test_readme_commands_use_flags_that_exist():
    """Every flag a README command line shows is one the command has (a documented flag always exists)."""
    from sagent.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    text = "\n".join(snippets("sh")).replace("\\\n", " ")
    checked = 0
    for line in text.splitlines():
        match = re.search(r"(?:^|\s|/)sagent (ask|eval|inspect|dsl)\b(.*)", line)
        if not match:
            continue
        known = {flag for action in commands[match.group(1)]._actions for flag in action.option_strings}
        if match.group(1) == "dsl":
            known = {flag for sub in commands["dsl"]._subparsers._group_actions[0].choices.values()
                     for action in sub._actions for flag in action.option_strings}
        for flag in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", match.group(2).split("#")[0]):
            assert flag in known, f"README: `sagent {match.group(1)}` has no {flag}"
            checked += 1
    assert checked >= 10
