"""Structure from motion on real footage: how much of each real sequence in ../shared/data COLMAP poses
from the colour images alone, how far its camera centres are from the recorded ones, and its time and
peak memory.

    .venv/bin/python benchmarks/bench_sfm.py [--label after] [--cases kitchen_video,kitchen_sparse_16]

Each case runs in a fresh process (peak memory = that process's maximum resident set: Python, numpy and
COLMAP's native code). Results are kept per label in benchmarks/sfm_results.json, so a change is shown
beside the numbers before it; the section of BENCHMARKS.md shows every label kept.

Cases (the depth, poses and labels the sets carry are never given to the reconstruction):
- kitchen_video: the 7-Scenes kitchen's 500 colour frames as an image folder, keyframes chosen the way
  `sagent ask FOLDER` chooses them (a phone walk-through's path);
- kitchen_sparse_N: N frames spread evenly over the 500 (how VSI-Bench and VLM-3R sample a video: wide
  baselines);
- kitchen_small_N: the same at 320x240 (small images give SIFT few features);
- scannet_3: ScanNet scene0000_00's 3 posed colour frames (1296x968, metres apart);
- redwood_5: Redwood's 5 frames (synthetic; a format check).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _report import machine, write_section  # noqa: E402

from sagent.tools.io.video import Keyframe, keyframes  # noqa: E402
from sagent.tools.pipeline.plain_video import VideoSettings, reconstruct  # noqa: E402
from sagent.tools.reconstruction.reconstruction import ReconstructionError, trajectory_error  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
KITCHEN, SCANNET, REDWOOD = DATA / "sevenscenes_kitchen", DATA / "scannet_scene0000_00", DATA / "redwood_rgbd"
RESULTS = Path(__file__).resolve().parent / "sfm_results.json"
CASES = ("kitchen_video", "kitchen_sparse_32", "kitchen_sparse_16", "kitchen_sparse_8", "kitchen_small_24",
         "kitchen_small_12", "scannet_3", "redwood_5")


def _kitchen() -> tuple[list[Path], list[np.ndarray]]:
    images = sorted(KITCHEN.glob("frame-*.color.jpg"))
    poses = [np.loadtxt(p.with_name(p.name.replace(".color.jpg", ".pose.txt"))) for p in images]
    return images, poses


def _picked(images: list[Path], poses: list[np.ndarray], count: int, width: int | None) -> tuple[list, dict]:
    chosen = np.linspace(0, len(images) - 1, count).round().astype(int)
    frames, truth = [], {}
    for index in chosen:
        image = Image.open(images[index]).convert("RGB")
        if width:
            image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
        frames.append(Keyframe(int(index), index / 15.0, np.asarray(image), 0.0))
        truth[int(index)] = poses[index][:3, 3]
    return frames, truth


def case_inputs(name: str, work: Path) -> tuple[list[Keyframe], dict[int, np.ndarray], str]:
    """(keyframes, recorded camera centre by keyframe index, what the input is)."""
    if name == "kitchen_video":
        images, poses = _kitchen()
        folder = work / "kitchen"
        folder.mkdir()
        for image in images:
            (folder / image.name).symlink_to(image)
        frames = keyframes(folder)
        return frames, {i: pose[:3, 3] for i, pose in enumerate(poses)}, f"{len(images)} frames 640x480, keyframes as `sagent ask` picks them"
    if name.startswith("kitchen_"):
        kind, count = name.split("_")[1], int(name.split("_")[2])
        frames, truth = _picked(*_kitchen(), count, 320 if kind == "small" else None)
        return frames, truth, f"{count} of 500 frames evenly spread, {frames[0].image.shape[1]}x{frames[0].image.shape[0]}"
    if name == "scannet_3":
        info = json.loads((SCANNET / "scannet_infos.json").read_text())[0]
        frames, truth = [], {}
        for index, (path, pose) in enumerate(zip(info["img_paths"], info["extrinsics"])):
            frames.append(Keyframe(index, float(index), np.asarray(Image.open(SCANNET / path).convert("RGB")), 0.0))
            truth[index] = np.asarray(pose, float)[:3, 3]
        return frames, truth, "3 posed frames 1296x968"
    if name == "redwood_5":
        from sagent.tools.io.readers import read_frames

        given = read_frames(REDWOOD).frames
        frames = [Keyframe(i, frame.time, frame.image, 0.0) for i, frame in enumerate(given)]
        return frames, {i: f.cam_to_world[:3, 3] for i, f in enumerate(given)}, "5 frames 640x480 (synthetic)"
    raise SystemExit(f"unknown case {name!r}; choose from {', '.join(CASES)}")


def run_case(name: str) -> dict:
    with tempfile.TemporaryDirectory() as work:
        frames, truth, says = case_inputs(name, Path(work))
        started = time.perf_counter()
        try:
            reconstruction = reconstruct(frames, VideoSettings(backend="colmap"))
            error = None
        except ReconstructionError as failure:
            reconstruction, error = None, str(failure)
        seconds = time.perf_counter() - started
    result = {"input": says, "keyframes": len(frames), "posed": 0, "seconds": round(seconds, 1),
              "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "error": error}
    if reconstruction is not None:
        views = reconstruction.views
        result["posed"] = len(views)
        result["covers"] = reconstruction.coverage().describe() if hasattr(reconstruction, "coverage") else ""
        if len(views) >= 3:
            estimated = np.array([v.cam_to_world[:3, 3] for v in views])
            recorded = np.array([truth[v.source_index] for v in views])
            ate, _ = trajectory_error(estimated, recorded)
            path = float(np.linalg.norm(np.diff(np.array([truth[k] for k in sorted(truth)]), axis=0), axis=1).sum())
            result.update(trajectory_cm=round(100 * ate, 1), path_m=round(path, 2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="after", help="name these results (e.g. before, after)")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--says", help="what code the label measured (kept beside its results)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child process: run one case, print its JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one)))
        return
    if not DATA.exists():
        sys.exit(f"{DATA} not found (the shared data sits beside the repository)")
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results = kept.setdefault(args.label, {})
    cases = [name for name in args.cases.split(",") if name]  # none: only rewrite the section from the kept results
    for name in cases:
        output = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True)
        results[name] = json.loads(output.stdout.strip().splitlines()[-1])
        print(name, results[name], flush=True)
    if args.says:
        kept.setdefault("_says", {})[args.label] = args.says
    if cases:
        kept.setdefault("_machine", {})[args.label] = machine()
    if not results:
        kept.pop(args.label)
    RESULTS.write_text(json.dumps(kept, indent=1) + "\n")
    write_section("sfm_real", report(kept))


def report(kept: dict) -> str:
    labels = [label for label in kept if not label.startswith("_")]
    rows = []
    for name in CASES:
        for label in labels:
            r = kept[label].get(name)
            if r is None:
                continue
            ate = f"{r['trajectory_cm']:.1f} cm over {r['path_m']:.1f} m" if "trajectory_cm" in r else "-"
            rows.append(f"| {name} | {label} | {r['input']} | {r['posed']}/{r['keyframes']} | {ate} | "
                        f"{r['seconds']:.0f} | {r['peak_mib']} | {r.get('covers') or (r['error'] or '')[:80]} |")
    return "\n".join([
        "## Structure from motion on real footage (COLMAP, colour images only)",
        "",
        "Command: `.venv/bin/python benchmarks/bench_sfm.py --label LABEL` (each label's machine: "
        + "; ".join(f"{label}: {kept['_machine'].get(label, '?')}" for label in labels) + ").",
        "",
        *(f"{label}: {kept['_says'][label]}" for label in labels if label in kept.get("_says", {})),
        "Keyframes posed: of those handed to COLMAP. Trajectory: RMS camera-centre error after a similarity fit to "
        "the recorded poses, over the length of the recorded path. Peak: the process's maximum resident memory.",
        "",
        "| case | label | input | posed | trajectory | seconds | peak MiB | covers / error |",
        "|---|---|---|---:|---|---:|---:|---|",
        *rows,
    ])


if __name__ == "__main__":
    main()
