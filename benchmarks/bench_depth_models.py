"""What one photo's metric depth costs on the CPU: Depth Anything V2 metric Small and Depth Pro, each
built from its real architecture with random weights (no weights can be fetched here), run through
`TransformersDepth.estimate` on a 640x480 image. Time (a warm-up call, then the median of N calls)
and peak resident memory, each backend in its own process so that peaks are per backend. A backend
whose first call takes longer than --budget seconds (Depth Pro on 2 cores: minutes) is timed by that
call alone.

    .venv/bin/python benchmarks/bench_depth_models.py [--runs 3] [--budget 60] [--backends NAME ...]

Writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _report import machine, write_section  # noqa: E402

from sagent.tools.reconstruction.depth_models import DEPTH_MODELS, TransformersDepth  # noqa: E402

WIDTH, HEIGHT = 640, 480
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
# What each architecture is, as the hub's checkpoints hold it (their conversion scripts in transformers:
# depth_anything/convert_depth_anything_to_hf.py with facebook/dinov2-small, and
# depth_pro/convert_depth_pro_weights_to_hf.py; the hub model cards give max_depth 20 indoors).
ARCHITECTURES = {
    "depth-anything-indoor": "DINOv2 ViT-S/14 (384 wide, 12 layers, 6 heads) + DPT head (64 fusion channels), "
                             "metric, max_depth 20 m; processor: towards 518x518 with the aspect ratio kept "
                             "(518 on the side it changes least), multiples of 14",
    "depth-pro": "3 DINOv2-style ViT-L/16 encoders (1024 wide, 24 layers, 16 heads; patches, whole image, field "
                 "of view) over 384 px crops of a 1536 px square (35 crops at 3 scales), 256 fusion channels",
}


def depth_anything_small():
    """Depth-Anything-V2-Metric-Indoor-Small-hf's architecture and processor, random weights."""
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    backbone = Dinov2Config(hidden_size=384, num_hidden_layers=12, num_attention_heads=6, patch_size=14,
                            image_size=518, out_indices=[9, 10, 11, 12], apply_layernorm=True,
                            reshape_hidden_states=False)
    config = DepthAnythingConfig(backbone_config=backbone, reassemble_hidden_size=384, patch_size=14,
                                 fusion_hidden_size=64, neck_hidden_sizes=[48, 96, 192, 384],
                                 depth_estimation_type="metric", max_depth=20)
    processor = DPTImageProcessor(size={"height": 518, "width": 518}, keep_aspect_ratio=True, ensure_multiple_of=14,
                                  image_mean=IMAGENET_MEAN, image_std=IMAGENET_STD)
    return processor, DepthAnythingForDepthEstimation(config)


def depth_pro():
    """apple/DepthPro-hf's architecture and processor, random weights; the field-of-view head's output set to
    60 degrees so that post-processing takes its usual path (random weights give any number)."""
    import torch
    from transformers import DepthProConfig, DepthProForDepthEstimation, DepthProImageProcessor, Dinov2Config

    def vit_large():
        return Dinov2Config(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, patch_size=16,
                            image_size=384, layerscale_value=1.0, apply_layernorm=True)

    config = DepthProConfig(patch_size=384, fusion_hidden_size=256, intermediate_hook_ids=[11, 5],
                            intermediate_feature_dims=[256, 256], scaled_images_ratios=[0.25, 0.5, 1],
                            scaled_images_overlap_ratios=[0.0, 0.5, 0.25], scaled_images_feature_dims=[1024, 1024, 512],
                            use_fov_model=True, num_fov_head_layers=2, image_model_config=vit_large(),
                            patch_model_config=vit_large(), fov_model_config=vit_large())
    model = DepthProForDepthEstimation(config)
    with torch.no_grad():
        model.fov_model.head.layers[-1].bias.fill_(60.0)
        model.fov_model.head.layers[-1].weight.zero_()
    processor = DepthProImageProcessor(size={"height": 1536, "width": 1536}, image_mean=0.5, image_std=0.5)
    return processor, model


BUILDERS = {"depth-anything-indoor": depth_anything_small, "depth-pro": depth_pro}


def child(backend: str, runs: int, budget: float) -> dict:
    """One backend's numbers, measured in this process (the parent starts one per backend)."""
    import torch

    started = time.perf_counter()
    processor, network = BUILDERS[backend]()
    build = time.perf_counter() - started
    model = TransformersDepth(backend, loader=lambda _weights: (processor, network))
    image = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    seen = []
    network.register_forward_pre_hook(lambda _m, _a, kwargs: seen.append(list(kwargs["pixel_values"].shape[2:])),
                                      with_kwargs=True)
    started = time.perf_counter()
    estimate = model.estimate(image)
    warm_up = time.perf_counter() - started
    times = []
    for _ in range(runs if warm_up <= budget else 0):
        started = time.perf_counter()
        estimate = model.estimate(image)
        times.append(time.perf_counter() - started)
    assert estimate.depth.shape == (HEIGHT, WIDTH)
    return dict(backend=backend, parameters=sum(p.numel() for p in network.parameters()), build=build,
                warm_up=warm_up, times=times, model_input=seen[0], threads=torch.get_num_threads(),
                focal=None if estimate.K is None else float(estimate.K[0, 0]),
                peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(backend: str, runs: int, budget: float, timeout: float) -> dict:
    command = [sys.executable, __file__, "--child", backend, "--runs", str(runs), "--budget", str(budget)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return dict(backend=backend, failed=f"did not finish within {timeout:.0f} s")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return dict(backend=backend, failed=f"failed: {last[:160]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(result: dict) -> str:
    name = f"{result['backend']} ({DEPTH_MODELS[result['backend']].repo})"
    if "failed" in result:
        return f"| {name} | | | | | | {result['failed']} |"
    times = result["times"]
    h, w = result["model_input"]
    timed = f"{statistics.median(times):.2f} | {min(times):.2f}-{max(times):.2f}" if times else "- | -"
    return (f"| {name} | {result['parameters'] / 1e6:.1f} | {w}x{h} | {result['warm_up']:.2f} | {timed} | "
            f"{result['peak_mib']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="timed calls after the warm-up; their median is shown")
    parser.add_argument("--backends", nargs="+", choices=list(BUILDERS), default=list(BUILDERS))
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds: a backend whose first call takes longer is timed by that call alone")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds each backend's process may take")
    parser.add_argument("--child", choices=list(BUILDERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.runs, args.budget)))
        return
    results = [measure(backend, args.runs, args.budget, args.timeout) for backend in args.backends]
    threads = next((r["threads"] for r in results if "threads" in r), "?")
    command = " ".join([".venv/bin/python benchmarks/bench_depth_models.py", *sys.argv[1:]])
    body = "\n".join([
        "## Monocular metric depth on the CPU (`TransformersDepth.estimate`, one 640x480 photo)",
        "",
        f"Command: `{command}` ({machine()}; torch on {threads} threads).",
        "Each backend is its real architecture with **random weights** (no weights can be fetched on this "
        "machine), built in its own process and run through `TransformersDepth.estimate`: processor, network, "
        f"post-processing back to 640x480. Seconds: the first call, then the median and range of {args.runs} more, "
        f"unless the first took over {args.budget:.0f} s: then that one call is all that was measured. Peak RSS "
        "(resident memory, `ru_maxrss`) is the whole process's: Python, torch, the model in float32, its activations. "
        "These numbers are the cost of each architecture; how accurate the depth is needs the real weights, and is "
        "not measured here. Depth Pro's field-of-view head is set to say 60 degrees, so post-processing takes its "
        "usual path (random weights give any angle).",
        "",
        "| backend | parameters (M) | model input (px) | first call (s) | median (s) | range (s) | peak RSS (MiB) |",
        "|---|---:|---|---:|---:|---:|---:|",
        *[row(r) for r in results],
        "",
        *[f"- {name}: {ARCHITECTURES[name]}." for name in args.backends],
        *[f"- {r['backend']}: timed by its first call alone ({r['warm_up']:.0f} s, over the {args.budget:.0f} s "
          "budget)." for r in results if "times" in r and not r["times"]],
    ])
    write_section("depth_models", body)
    print(body)


if __name__ == "__main__":
    main()
