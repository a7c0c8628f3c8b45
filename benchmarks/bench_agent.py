"""A second question on the same input reuses the cached scene memory: how much faster is it?

    .venv/bin/python benchmarks/bench_agent.py

Times `load_input` + `ask` (rules planner) the way `sagent ask` runs them, with an empty cache and
then with the entry the first question wrote. Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, write_section  # noqa: E402

from sagent.agent import RulesPlanner, ask  # noqa: E402
from sagent.memory.cache import SceneCache  # noqa: E402
from sagent.tools.pipeline.inputs import load_input  # noqa: E402
from sagent.tools.synthetic.generator import RoomSpec, generate  # noqa: E402


def first_and_second(spec: str, question: str, work: Path, repeats: int = 3) -> tuple[float, float]:
    firsts, seconds = [], []
    for attempt in range(repeats):
        cache = SceneCache(work / f"cache-{abs(hash(spec))}-{attempt}")
        started = time.perf_counter()
        ask(load_input(spec, cache, question=question), question, RulesPlanner())
        firsts.append(time.perf_counter() - started)
        started = time.perf_counter()
        ask(load_input(spec, cache, question=question), "How many chairs are in this room?", RulesPlanner())
        seconds.append(time.perf_counter() - started)
    return statistics.median(firsts), statistics.median(seconds)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sagent-bench-") as work:
        work = Path(work)
        generate(work / "room", RoomSpec(seed=5, frames=40, write_masks=True))
        rows = []
        for name, spec in (("posed RGB-D frames (40 at 320x240, masks)", str(work / "room" / "frames.json")),
                           ("layout (the example living room)", str(ROOT / "examples/living_room/layout.json:living_room"))):
            first, second = first_and_second(spec, "How far apart are the sofa and the door?", work)
            rows.append(f"| {name} | {first:.3f} | {second:.4f} | {first / second:.0f}x |")
    body = "\n".join([
        "## Cached second question",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_agent.py` ({machine()}). Median of 3; each first question "
        "starts from an empty cache.",
        "",
        "| input | first question (s) | second question (s) | speed-up |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        "The first question builds the scene memory (grounding, lifting, fusion for frames) and writes it to the "
        "cache under a key made of the input's content hash and the build settings; the second loads it (the "
        "content hash is still computed, so an edited input is never served stale).",
    ])
    write_section("agent_cache", body)
    print(body)


if __name__ == "__main__":
    main()
