"""Options and output paths are checked before any work; every failure is one line and a documented exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sagent import cli, cli_handlers
from tests.conftest import EXAMPLE_LAYOUT

LAYOUT = f"{EXAMPLE_LAYOUT}:living_room"
QUESTION = "How many chairs are in this room?"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("sagent: error: "), err
    for word in words:
        assert word in lines[0], (word, err)
    assert "Traceback" not in err


@pytest.mark.parametrize("flag, value, named", [
    ("--timeout", "0", "--timeout"), ("--timeout", "-5", "--timeout"), ("--timeout", "nan", "--timeout"),
    ("--max-steps", "0", "--max-steps"), ("--max-repairs", "-1", "--max-repairs"),
    ("--confidence", "5", "--confidence"), ("--confidence", "-0.1", "--confidence"),
    ("--max-frames", "-3", "--max-frames"), ("--max-frames", "1", "--max-frames"),
    ("--scale", "1e300", "--scale"), ("--scale", "inf", "--scale"), ("--scale", "nan", "--scale"),
    ("--scale", "-2", "--scale"), ("--scale", "door=0m", "--scale"), ("--scale", "door=3kg", "--scale"),
    ("--scale", "=2m", "--scale"),
    ("--max-tokens", "0", "--max-tokens"), ("--max-tokens", "-5", "--max-tokens"),
    ("--temperature", "-0.1", "--temperature"), ("--temperature", "2.5", "--temperature"),
    ("--temperature", "nan", "--temperature"), ("--votes", "0", "--votes"),
])
def test_bad_option_values_are_refused_up_front(capsys, flag, value, named):
    code, out, err = _run(capsys, "ask", "--layout", LAYOUT, QUESTION, f"{flag}={value}")
    assert code == 1 and out == ""
    _one_line_error(err, named)


@pytest.mark.parametrize("flag, value", [("--constrain", "maybe"), ("--max-tokens", "many"), ("--votes", "1.5")])
def test_unparseable_model_flags_are_argparse_errors(capsys, flag, value):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["ask", "--layout", LAYOUT, QUESTION, flag, value])
    assert exit_.value.code == 2 and flag in capsys.readouterr().err


def test_model_flags_reach_the_settings():
    command, _ = cli.parse_command(["eval", "q.jsonl", "--constrain", "off", "--max-tokens", "256",
                                    "--temperature", "0.4", "--votes", "5"])
    settings = command.planner
    assert (settings.constrain, settings.max_tokens, settings.temperature, settings.votes) == ("off", 256, 0.4, 5)
    defaults = cli.parse_command(["ask", "x", "q"])[0].planner
    assert (defaults.constrain, defaults.max_tokens, defaults.temperature, defaults.votes) == ("auto", 1024, 0.0, 1)


def test_bad_options_are_refused_before_perception(capsys, tmp_path, monkeypatch):
    """A bad flag must not cost a reconstruction: the input is never even read."""
    from sagent.tools.pipeline import inputs

    def must_not_load(*args, **kwargs):
        raise AssertionError("the input was loaded before the options were checked")

    monkeypatch.setattr(cli_handlers, "load_input", must_not_load)
    assert inputs.load_input is not must_not_load
    code, _, err = _run(capsys, "ask", str(tmp_path / "frames.json"), QUESTION, "--max-steps", "0")
    assert code == 1
    _one_line_error(err, "--max-steps")


def test_output_paths_are_checked_before_the_work(capsys, tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    code, _, err = _run(capsys, "inspect", LAYOUT, "--bev", str(folder))
    assert code == 1
    _one_line_error(err, "--bev", "folder")
    code, _, err = _run(capsys, "eval", str(tmp_path / "missing.jsonl"), "--layouts", str(EXAMPLE_LAYOUT),
                        "--out", str(folder))
    assert code == 1
    _one_line_error(err, "--out", "folder")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = _run(capsys, "ask", "--layout", LAYOUT, QUESTION, "--session", str(blocker / "s.jsonl"))
    assert code == 1
    _one_line_error(err, "--session")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_session_folder_is_refused(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = _run(capsys, "ask", "--layout", LAYOUT, QUESTION, "--session", str(locked / "s.jsonl"))
    assert code == 1
    _one_line_error(err, "--session", "writable")


def test_valid_outputs_are_written(capsys, tmp_path):
    bev = tmp_path / "new" / "bev.png"
    code, out, _ = _run(capsys, "inspect", LAYOUT, "--bev", str(bev))
    assert code == 0 and bev.read_bytes().startswith(b"\x89PNG")
    pred = tmp_path / "out" / "pred.jsonl"
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": 1, "scene_name": "living_room", "question_type": "object_counting", '
                         '"question": "How many chairs are in this room?", "ground_truth": "2"}\n')
    code, out, err = _run(capsys, "eval", str(questions), "--layouts", str(EXAMPLE_LAYOUT), "--out", str(pred))
    assert code == 0, err
    assert len(pred.read_text().splitlines()) == 2  # the run's header and the prediction


def test_a_bug_is_one_line_and_the_traceback_comes_on_request(capsys, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli_handlers, "cmd_dsl_reference", broken)
    code, _, err = _run(capsys, "dsl", "reference")
    assert code == 1
    assert err.startswith("sagent: internal error: ZeroDivisionError") and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("SAGENT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["dsl", "reference"])


def test_interrupt_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_handlers, "cmd_dsl_reference", interrupted)
    code, _, err = _run(capsys, "dsl", "reference")
    assert code == 130 and err.strip() == "sagent: interrupted"


def test_closed_pipe_prints_no_traceback():
    sagent = Path(sys.executable).with_name("sagent")
    result = subprocess.run(f"'{sagent}' dsl reference | head -1", shell=True, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


def test_non_utf8_program_file(capsys, tmp_path):
    program = tmp_path / "p.sagent"
    program.write_bytes(b'answer count(objects("\xff\xfe"))\n')
    code, _, err = _run(capsys, "dsl", "check", str(program))
    assert code == 1
    _one_line_error(err, "UTF-8", str(program))


def test_verbose_names_each_build_stage_once_and_quiet_says_nothing_but_the_answer(capsys, tmp_path):
    from tests.synthetic_rooms import room

    manifest = room(3, masks=True, frames=6) / "frames.json"
    argv = ["ask", str(manifest), "How many chairs are there?", "--cache-dir", str(tmp_path / "c")]
    assert cli.main([*argv, "-v"]) == 0
    err = capsys.readouterr().err.splitlines()
    stages = [line for line in err if line.startswith("sagent: ")]
    assert any("building the scene memory" in line for line in stages)
    assert sum("grounding (annotations) and lifting" in line for line in stages) == 1
    assert cli.main([*argv, "-v"]) == 0  # the second time the cache answers, and says so
    assert any("from the cache" in line for line in capsys.readouterr().err.splitlines())
    assert cli.main([*argv, "-q"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() and err == ""
