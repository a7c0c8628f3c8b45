"""Pictures of scene memories: the ego view and bird's-eye view of a generated room (committed under
docs/) and of the real ScanNet scene (written outside git), with render time and memory.

    .venv/bin/python benchmarks/bench_render.py [--out ../sagent-renders]

Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, write_section  # noqa: E402

from sagent.dsl import ExecContext, run_program  # noqa: E402
from sagent.memory.layouts import scene_from_mmdet3d_scannet  # noqa: E402
from sagent.memory.storage import atomic_write_bytes  # noqa: E402
from sagent.tools.io.frames import read_manifest  # noqa: E402
from sagent.tools.perception.grounding import AnnotationGrounder  # noqa: E402
from sagent.tools.perception.scene_builder import build_scene  # noqa: E402
from sagent.tools.render.bev import render_bev  # noqa: E402
from sagent.tools.render.ego import render_ego, viewpoint_pose  # noqa: E402
from sagent.tools.synthetic.generator import RoomSpec, generate  # noqa: E402

SCANNET = ROOT.parent / "shared" / "data" / "scannet_scene0000_00"


def timed(render, repeats: int = 5) -> tuple[bytes, float, float]:
    """(png, median seconds, peak MiB of Python allocations)."""
    times = []
    tracemalloc.start()
    for _ in range(repeats):
        started = time.perf_counter()
        png = render()
        times.append(time.perf_counter() - started)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return png, statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT.parent / "sagent-renders"), help="where the ScanNet pictures go")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        generate(work, RoomSpec(seed=3, frames=30, write_masks=True))
        scene = build_scene(read_manifest(Path(work) / "frames.json"), AnnotationGrounder(), name="generated room")
        context = ExecContext(scene)
        ego = run_program("answer render_view(view(8))", context).value.png
        atomic_write_bytes(ROOT / "docs" / "generated_room_ego.png", ego)
        atomic_write_bytes(ROOT / "docs" / "generated_room_bev.png", run_program("answer render_map(view(8))", context).value.png)
        viewer = viewpoint_pose(scene.cameras[8].position, np.asarray(scene.cameras[8].forward), scene.up)
        _, seconds, peak = timed(lambda: render_ego(scene, viewer, width=640, height=480))
        rows.append(f"| generated room: ego view, {len(scene.point_cloud)} cloud points | 640x480 | {1000 * seconds:.0f} | {peak:.0f} |")
        _, seconds, peak = timed(lambda: render_bev(scene, size_px=640))
        rows.append(f"| generated room: bird's-eye view, {len(scene.objects)} objects | 640 px | {1000 * seconds:.0f} | {peak:.0f} |")
    if SCANNET.exists():
        scannet = scene_from_mmdet3d_scannet(SCANNET)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        context = ExecContext(scannet)
        for index in range(len(scannet.cameras)):
            atomic_write_bytes(out / f"scannet_view{index}_ego.png", run_program(f"answer render_view(view({index}))", context).value.png)
            atomic_write_bytes(out / f"scannet_view{index}_bev.png", run_program(f"answer render_map(view({index}))", context).value.png)
        pose = np.asarray(scannet.cameras[0].cam_to_world)
        _, seconds, peak = timed(lambda: render_ego(scannet, pose, width=640, height=480))
        rows.append(f"| ScanNet scene0000_00: ego view, {len(scannet.point_cloud)} cloud points | 640x480 | {1000 * seconds:.0f} | {peak:.0f} |")
        _, seconds, peak = timed(lambda: render_bev(scannet, size_px=640))
        rows.append(f"| ScanNet scene0000_00: bird's-eye view, {len(scannet.objects)} boxes | 640 px | {1000 * seconds:.0f} | {peak:.0f} |")
        where = f"ScanNet pictures (ego and bird's-eye view from each of its three views) in `{out}` (outside git)."
    else:
        where = "ScanNet skipped: ../shared/data/scannet_scene0000_00 is absent."
    body = "\n".join([
        "## Rendering",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_render.py` ({machine()}). Median of 5; peak memory of Python "
        "allocations during the renders (tracemalloc). " + where,
        "",
        "| picture | size | time (ms) | peak memory (MiB) |",
        "|---|---|---:|---:|",
        *rows,
    ])
    write_section("render", body)
    print(body)


if __name__ == "__main__":
    main()
