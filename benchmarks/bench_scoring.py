"""The dev layout QA scored from VSI-Bench's own file format and from sagent's JSONL: the same
questions written as the benchmark distributes them (a parquet whose ground truth is text: "2",
"1.5", "A") and as JSONL with numbers, each run through `sagent eval`'s predictor and scorer.

    .venv/bin/python benchmarks/bench_scoring.py [--no-write]

Reads ../shared/bench/layout_qa_scannet.jsonl and the ScanNet layouts; writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, write_section  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from sagent.agent import RulesPlanner  # noqa: E402
from sagent.agent.evaluate import LayoutScenes, predict, table_of  # noqa: E402
from sagent.agent.question_sets import read_questions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "bench" / "layout_qa_scannet.jsonl"
LAYOUTS = ROOT.parent / "shared" / "data" / "vsibench_meta_info" / "scannet_meta_info_val.json"
COLUMNS = ("id", "dataset", "scene_name", "question_type", "question", "options", "ground_truth")


def as_vsibench_parquet(questions: list[dict], path: Path) -> None:
    """The questions in VSI-Bench's columns, ground truth as text, options a list (null for numbers)."""
    table = pa.table({
        "id": [int(q["id"].rsplit("-", 1)[-1]) if q["id"].rsplit("-", 1)[-1].isdigit() else q["id"] for q in questions],
        "dataset": [q.get("dataset") or "scannet" for q in questions],
        "scene_name": [q["scene_name"] for q in questions],
        "question_type": [q["question_type"] for q in questions],
        "question": [q["question"] for q in questions],
        "options": pa.array([q.get("options") for q in questions], type=pa.list_(pa.string())),
        "ground_truth": [f"{q['ground_truth']:g}" if isinstance(q["ground_truth"], (int, float)) else str(q["ground_truth"])
                         for q in questions],
    })
    pq.write_table(table, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not QUESTIONS.exists() or not LAYOUTS.exists():
        sys.exit(f"needs {QUESTIONS} and {LAYOUTS}")
    jsonl = read_questions(QUESTIONS)
    with tempfile.TemporaryDirectory() as folder:
        parquet_path = Path(folder) / "layout_qa_scannet.parquet"
        as_vsibench_parquet(jsonl, parquet_path)
        parquet = read_questions(parquet_path)
    text_truths = sum(isinstance(q["ground_truth"], str) for q in parquet)
    tables = {}
    for name, questions in (("JSONL (numbers)", jsonl), ("parquet (text truth)", parquet)):
        tables[name] = table_of(list(predict(questions, LayoutScenes([LAYOUTS]), RulesPlanner())))
    names = list(tables)
    lines = [
        "## Scoring: VSI-Bench's file format and sagent's JSONL",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_scoring.py` ({machine()}).",
        "",
        f"The {len(jsonl)} dev questions of `layout_qa_scannet.jsonl`, and the same questions written as VSI-Bench "
        f"distributes them (a parquet in its columns, {text_truths} of {len(parquet)} ground truths as text), through "
        "the rules planner and `sagent eval`'s scorer (the official definitions: task kind by question type, first "
        "word of the prediction, float of text truth, MRA over numpy's thresholds; tests/test_scoring_parity.py "
        "checks it against them).",
        "",
        f"| task | {' | '.join(names)} |",
        f"|---|{'---:|' * len(names)}",
        *[f"| {task} | " + " | ".join(f"{tables[n].tasks[task]:.1f}" for n in names) + " |" for task in tables[names[0]].tasks],
        "| overall | " + " | ".join(f"{tables[n].overall:.1f}" for n in names) + " |",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("scoring_formats", body)


if __name__ == "__main__":
    main()
