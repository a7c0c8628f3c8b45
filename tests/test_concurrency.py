"""Many processes asking at once on one input and one session: no record lost, no cache entry corrupted."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from sagent.agent.agent_memory import AgentMemory
from sagent.memory.storage import load_scene
from sagent.tools.synthetic.generator import RoomSpec, generate

PROCESSES = 10


def _ask(manifest: str, cache: str, session: str, out: str) -> None:
    # A forked child: run the CLI as a user would, capture its output and exit code in a file.
    import contextlib
    import io

    from sagent.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["ask", manifest, "How many chairs are in this room?", "--json", "--planner", "rules",
                     "--cache-dir", cache, "--session", session])
    Path(out).write_text(json.dumps({"code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}))
    os._exit(0)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_ten_processes_share_one_input_one_session_and_one_cache(tmp_path):
    room = tmp_path / "room"
    generate(room, RoomSpec(seed=2, frames=6, width=160, height=120, write_masks=True))
    cache, session = tmp_path / "cache", tmp_path / "session.jsonl"
    context = multiprocessing.get_context("fork")
    outs = [tmp_path / f"out{i}.json" for i in range(PROCESSES)]
    children = [context.Process(target=_ask, args=(str(room / "frames.json"), str(cache), str(session), str(out)))
                for out in outs]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=300)
        assert child.exitcode == 0
    results = [json.loads(out.read_text()) for out in outs]
    assert [r["code"] for r in results] == [0] * PROCESSES, [r["stderr"] for r in results]
    values = {json.loads(r["stdout"])["value"] for r in results}
    truth = json.loads((room / "ground_truth.json").read_text())
    chairs = sum(o["label"] == "chair" for o in truth["objects"])
    assert values == {chairs}

    # Every step is on record, each line whole.
    lines = session.read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if line.strip()]) == PROCESSES
    assert len(AgentMemory(session).records) == PROCESSES

    # One cache entry for the one input and settings, readable, and no temporary files left behind.
    entries = sorted((cache / "scenes").iterdir())
    assert [p.suffix for p in entries] == [".npz"], entries
    assert load_scene(entries[0]).label_counts().get("chair") == chairs
