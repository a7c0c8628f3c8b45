"""A mesh of a real RGB-D scan (`sagent inspect --mesh`): every frame's depth and colour into one TSDF,
then its triangle mesh. Time, frames a second, peak resident memory, triangles, surface area, extent.

    .venv/bin/python benchmarks/bench_mesh.py [--input ../shared/data/sevenscenes_kitchen]

Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _report import machine, write_section  # noqa: E402

from sagent.tools.pipeline.mesh import fuse_mesh, mesh_input  # noqa: E402

KITCHEN = ROOT.parent / "shared" / "data" / "sevenscenes_kitchen"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, default=KITCHEN)
    args = parser.parse_args()
    if not args.input.exists():
        sys.exit(f"{args.input} not found (the shared data sits beside the repository)")
    frames = mesh_input(str(args.input))
    started = time.perf_counter()
    mesh = fuse_mesh(frames)
    seconds = time.perf_counter() - started
    vertices = np.asarray(mesh.vertices)
    extent = vertices.max(axis=0) - vertices.min(axis=0)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = args.input.resolve()
    shown = f"../{where.relative_to(ROOT.parent)}" if where.is_relative_to(ROOT.parent) else str(where)
    body = "\n".join([
        "## A mesh of a real RGB-D scan (`sagent inspect --mesh`)",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_mesh.py --input {shown}` ({machine()}).",
        "Every frame's depth and colour, every 2nd pixel of 640x480, into one TSDF (Open3D VoxelBlockGrid on the CPU, "
        "2 cm voxels, truncation 4 cm), then its triangle mesh (surface seen in at least 2 frames).",
        "",
        "| frames | seconds | frames/s | peak resident (MiB) | triangles | surface (m2) | extent (m) |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {len(frames.frames)} | {seconds:.1f} | {len(frames.frames) / seconds:.0f} | {peak_mib:.0f} | {len(mesh.triangles)} | "
        f"{mesh.get_surface_area():.1f} | {' x '.join(f'{e:.2f}' for e in extent)} |",
    ])
    write_section("mesh", body)
    print(body)


if __name__ == "__main__":
    main()
