"""What seeing costs: the bird's-eye view (PIL), the evidence picture, and rerun recordings of a build,
a scene memory and an answer, for a generated room, ScanNet scene0000_00 and the largest VSI-Bench
ScanNet layout.

    .venv/bin/python benchmarks/bench_viewer.py

Writes its section of BENCHMARKS.md. Needs `sagent[viewer]` (rerun-sdk).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, write_section  # noqa: E402

from sagent.memory import load_layout  # noqa: E402
from sagent.memory.layouts import scene_from_mmdet3d_scannet  # noqa: E402
from sagent.tools.io.frames import read_manifest  # noqa: E402
from sagent.tools.perception.grounding import AnnotationGrounder  # noqa: E402
from sagent.tools.perception.scene_builder import build_scene  # noqa: E402
from sagent.tools.render.bev import render_bev  # noqa: E402
from sagent.tools.render.evidence import evidence_picture  # noqa: E402
from sagent.tools.render.recording import Recording, record_answer, record_scene  # noqa: E402
from sagent.tools.synthetic.generator import RoomSpec, generate  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
SCANNET = SHARED / "scannet_scene0000_00"
META = SHARED / "vsibench_meta_info" / "scannet_meta_info_val.json"
TRACE = [{"line": 1, "op": "objects", "inputs": {"label": "a"}, "output": "a [a_0]", "seconds": 1e-5}] * 4


def median_seconds(work, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f}"


class Timed:
    """A recorder that passes each call on to a Recording and adds up the seconds spent in it."""

    def __init__(self, recording: Recording):
        self.recording, self.seconds = recording, 0.0

    def frame(self, *args) -> None:
        started = time.perf_counter()
        self.recording.frame(*args)
        self.seconds += time.perf_counter() - started

    def built(self, scene) -> None:
        started = time.perf_counter()
        self.recording.built(scene)
        self.seconds += time.perf_counter() - started


def recorded(work, folder: Path) -> tuple[float, float]:
    """(seconds, MiB of the .rrd): `work(recording)` into a fresh file, closed (flushed) inside the time."""
    path = folder / f"r{time.perf_counter_ns()}.rrd"
    started = time.perf_counter()
    with Recording.open(path) as recording:
        work(recording)
    return time.perf_counter() - started, path.stat().st_size / 2**20


def scene_rows(name: str, scene, folder: Path) -> list[str]:
    evidence = [o.id for o in scene.objects[:2]]
    render_bev(scene)  # fonts and imports once
    rows = [
        f"| {name} | bird's-eye view, 640 px | {ms(median_seconds(lambda: render_bev(scene, size_px=640)))} | |",
        f"| {name} | bird's-eye view, 768 px, 2 objects highlighted | "
        f"{ms(median_seconds(lambda: render_bev(scene, highlight=evidence)))} | |",
        f"| {name} | evidence picture ({'view and input views' if any(o.observations for o in scene.objects) else 'view only: no sightings'}) | "
        f"{ms(median_seconds(lambda: evidence_picture(scene, evidence)))} | |",
    ]
    seconds, size = statistics.median([recorded(lambda r: record_scene(r, scene), folder) for _ in range(3)])
    rows.append(f"| {name} | recording the scene memory (`record_scene`) | {ms(seconds)} | {size:.1f} |")
    seconds, _ = recorded(lambda r: [record_answer(r, scene, "q", "answer x", TRACE, evidence, "a")
                                     for _ in range(20)], folder)
    rows.append(f"| {name} | recording an answer (`record_answer`, mean of 20) | {ms(seconds / 20)} | |")
    return rows


def main() -> None:
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        room_dir = work / "room"
        generate(room_dir, RoomSpec(seed=3, frames=30, write_masks=True))
        manifest = room_dir / "frames.json"
        build_scene(read_manifest(manifest), AnnotationGrounder())  # warm: imports, caches
        plain, watched, inside = [], [], []

        def build_watched(recording: Recording) -> None:
            timed = Timed(recording)
            build_scene(read_manifest(manifest), AnnotationGrounder(), recorder=timed)
            inside.append(timed.seconds)

        for _ in range(3):  # interleaved, so the shared machine's drift falls on both alike
            plain.append(median_seconds(lambda: build_scene(read_manifest(manifest), AnnotationGrounder()), 1))
            watched.append(recorded(build_watched, work))
        plain = statistics.median(plain)
        seconds, size = statistics.median(watched)
        scene = build_scene(read_manifest(manifest), AnnotationGrounder(), name="generated room")
        name = f"generated room (30 frames 320x240, {len(scene.objects)} objects)"
        rows.append(f"| {name} | build without a recorder | {ms(plain)} | |")
        rows.append(f"| {name} | build with the recorder (`build_scene(..., recorder=Recording)`), closed: in the "
                    f"recorder's calls {ms(statistics.median(inside) / 30)} ms a frame | {ms(seconds)} | {size:.1f} |")
        rows += scene_rows(name, scene, work)
        if SCANNET.exists():
            scannet = scene_from_mmdet3d_scannet(SCANNET)
            rows += scene_rows(f"ScanNet scene0000_00 ({len(scannet.objects)} boxes, {len(scannet.point_cloud)} cloud "
                               f"points, {len(scannet.cameras)} views)", scannet, work)
        else:
            notes.append("ScanNet scene0000_00 skipped: ../shared/data/scannet_scene0000_00 is absent.")
        if META.exists():
            layouts = json.loads(META.read_text())
            largest = max(layouts, key=lambda s: sum(len(v) for v in layouts[s].get("object_bbox", {}).values()))
            layout = load_layout(META, largest)
            rows += scene_rows(f"VSI-Bench layout {largest} ({len(layout.objects)} boxes, the most in "
                               f"scannet_meta_info_val.json)", layout, work)
        else:
            notes.append("VSI-Bench layouts skipped: ../shared/data/vsibench_meta_info is absent.")
    body = "\n".join([
        "## Viewer: bird's-eye view, evidence picture, rerun recordings",
        "",
        (f"Command: `.venv/bin/python benchmarks/bench_viewer.py` ({machine()}). Drawing: median of 5; recording: "
        "median of 3, from opening the .rrd to closing it (flushed). The bird's-eye view was drawn with matplotlib "
        "before (1.5-3 s, the rendering section); scene0000_00 is the mmdet3d ScanNet export (the VSI-Bench val "
        "layouts do not hold it). " + " ".join(notes)).rstrip(),
        "",
        "| scene | what | time (ms) | .rrd (MiB) |",
        "|---|---|---:|---:|",
        *rows,
    ])
    write_section("viewer", body)
    print(body)


if __name__ == "__main__":
    main()
