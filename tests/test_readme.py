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
