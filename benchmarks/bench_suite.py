"""How long the test suite takes: as `make test` runs it (one process per core, one thread each, a
file's tests in one process) and, with --serial, in one process; the files that take longest.

    .venv/bin/python benchmarks/bench_suite.py [--serial]

Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _report import machine, write_section  # noqa: E402

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # as the Makefile


def run(arguments: list[str], env: dict[str, str]) -> tuple[float, str]:
    """(wall seconds, output) of one pytest run from the repository root; a failing suite stops here."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the suite failed ({' '.join(arguments)}):\n{done.stdout[-3000:]}")
    return seconds, done.stdout


def summary(output: str) -> str:
    """pytest's last line: '845 passed, 1 skipped in 92.31s (0:01:32)'."""
    lines = [line.strip("= ") for line in output.splitlines() if re.search(r"\d+ passed", line)]
    return lines[-1] if lines else "?"


def slowest_files(output: str, count: int = 8) -> list[tuple[str, float]]:
    """Seconds per test file, from `--durations=0` lines ('1.23s call tests/test_x.py::test_y')."""
    per_file: dict[str, float] = defaultdict(float)
    for seconds, test in re.findall(r"^([\d.]+)s (?:call|setup|teardown)\s+(\S+)", output, re.M):
        per_file[test.split("::")[0]] += float(seconds)
    return sorted(per_file.items(), key=lambda item: -item[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serial", action="store_true", help="also run the suite in one process")
    args = parser.parse_args()
    rows = []
    wall, output = run(["-n", "auto", "--dist", "loadfile"], ONE_THREAD)
    rows.append(f"| `make test` (one process per core, one thread each) | {wall:.0f} | {summary(output)} |")
    slowest = []
    if args.serial:
        wall, output = run(["-n", "0", "--durations=0"], ONE_THREAD)
        rows.append(f"| one process (`make test TEST_WORKERS=0`) | {wall:.0f} | {summary(output)} |")
        slowest = [f"`{name}` {seconds:.1f} s" for name, seconds in slowest_files(output)]
    body = [
        "## Test suite time",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_suite.py{' --serial' if args.serial else ''}` ({machine()}).",
        "",
        "| run | wall seconds | pytest's summary |",
        "|---|---:|---|",
        *rows,
    ]
    if slowest:
        body += ["", "Slowest files in one process (setup, calls and teardown): " + ", ".join(slowest) + "."]
    text = "\n".join(body)
    write_section("suite_time", text)
    print(text)


if __name__ == "__main__":
    main()
