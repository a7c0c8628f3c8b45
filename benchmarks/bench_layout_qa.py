"""Speed of the layout-QA eval with the rules planner: questions per second, and where the time
goes (planning, parsing, checking, each DSL op).

    .venv/bin/python benchmarks/bench_layout_qa.py [--repeats 3]

Reads ../shared/bench/layout_qa_scannet.jsonl and writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, write_section  # noqa: E402

from sagent.agent import RulesPlanner  # noqa: E402
from sagent.agent.evaluate import LayoutScenes, predict, table_of  # noqa: E402
from sagent.agent.question_sets import read_questions  # noqa: E402
from sagent.agent.options import parse_options  # noqa: E402
from sagent.dsl import ExecContext, check, execute, parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "bench" / "layout_qa_scannet.jsonl"
LAYOUTS = ROOT.parent / "shared" / "data" / "vsibench_meta_info" / "scannet_meta_info_val.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not QUESTIONS.exists():
        sys.exit(f"needs {QUESTIONS}")
    questions = read_questions(QUESTIONS)
    planner = RulesPlanner()

    # End to end, as `sagent eval` runs it (layout file read and scenes built inside the timing).
    runs = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        predictions = list(predict(questions, LayoutScenes([LAYOUTS]), planner))
        runs.append(time.perf_counter() - started)
    table = table_of(predictions)

    # Stage by stage, on scenes already built.
    scenes = LayoutScenes([LAYOUTS])
    stages: dict[str, list[float]] = defaultdict(list)
    ops: dict[str, list[float]] = defaultdict(list)
    for item in questions:
        scene = scenes[item["scene_name"]]
        t0 = time.perf_counter()
        plan = planner.plan(item["question"], scene, parse_options(item.get("options")))
        t1 = time.perf_counter()
        program = parse(plan.program)
        t2 = time.perf_counter()
        check(program, scene)
        t3 = time.perf_counter()
        execution = execute(program, ExecContext(scene))
        t4 = time.perf_counter()
        for stage, seconds in (("plan", t1 - t0), ("parse", t2 - t1), ("check", t3 - t2), ("execute", t4 - t3)):
            stages[stage].append(seconds)
        for step in execution.trace:
            ops[step.op].append(step.seconds)

    best = min(runs)
    lines = [
        "## Layout QA speed (rules planner)",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_layout_qa.py --repeats {args.repeats}` ({machine()}).",
        "",
        f"- {len(questions)} questions end to end (building 88 scenes, planning, checking, running, scoring): "
        f"first run {runs[0]:.2f} s including reading the 1.6 MB layout file; best {best:.2f} s, "
        f"median {statistics.median(runs):.2f} s = **{len(questions) / best:.0f} questions/s**; "
        f"overall score {table.overall:.1f}.",
        "",
        "| stage | mean per question (ms) | total (s) |",
        "|---|---:|---:|",
        *[f"| {stage} | {1000 * statistics.mean(v):.3f} | {sum(v):.3f} |" for stage, v in stages.items()],
        "",
        "| DSL op | calls | mean (µs) | max (µs) |",
        "|---|---:|---:|---:|",
        *[f"| {op} | {len(v)} | {1e6 * statistics.mean(v):.1f} | {1e6 * max(v):.1f} |"
          for op, v in sorted(ops.items(), key=lambda kv: -statistics.mean(kv[1]))],
    ]
    body = "\n".join(lines)
    write_section("layout_qa", body)
    print(body)


if __name__ == "__main__":
    main()
