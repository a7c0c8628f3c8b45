"""Writes one benchmark's section into BENCHMARKS.md, between markers, atomically."""

from __future__ import annotations

import os
import platform
import re
from datetime import date
from pathlib import Path

from sagent.memory.storage import atomic_write_bytes

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
HEADER = ("# Benchmarks\n\nEvery number here is written by a script in `benchmarks/`; each section names its command "
          "and the machine. The machine is a shared 2-core VM whose speed drifts (the same code has run up to 3x "
          "slower at other times): each section's 'calibration loop' (10^7 pure-Python additions) says how fast it "
          "was then, so compare timings within a section, or scale by that loop.\n")


def calibration_seconds() -> float:
    """A fixed pure-Python loop (10^7 additions): this shared VM's speed varies, and this says how
    fast it was when the numbers beside it were taken."""
    import time

    started = time.perf_counter()
    total = 0
    for i in range(10**7):
        total += i
    return time.perf_counter() - started


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {date.today().isoformat()}; "
            f"calibration loop {calibration_seconds():.2f} s")


def write_section(name: str, body: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else HEADER
    section = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    atomic_write_bytes(BENCHMARKS, text.encode())
