"""Load on `sagent serve` over loopback: CLIENTS threads stream 640x480 RGB-D frames into SCENES scenes
and ask questions for SECONDS, through `sagent.client.Client`, against a real server process.

    .venv/bin/python benchmarks/bench_service.py [--clients 16] [--scenes 4] [--seconds 60]

Each scene is a generated room (its own seed, 24 frames at 640x480 with their boxes as detections); its
clients send its frames in turn, round after round, and ask "How many chairs are there?" every
--ask-every frames. A 429 is waited out (Retry-After) and the same frame sent again. Afterwards it checks
that no acknowledged frame was lost (acknowledged = 202s the clients got = frames on disk = frames the
writer added) and that each scene's answer equals the in-process one (`Agent.observe` over the frames
the server kept, in its order). Writes its section of BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _report import machine, write_section  # noqa: E402

from sagent.agent.agent import Agent  # noqa: E402
from sagent.client import Client, ServiceError  # noqa: E402
from sagent.service.live import FramePayload  # noqa: E402
from sagent.tools.io.frames import read_manifest  # noqa: E402
from sagent.tools.synthetic.generator import RoomSpec, generate  # noqa: E402

QUESTION = "How many chairs are there?"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rooms(work: Path, scenes: int, frames: int) -> list[list[dict]]:
    """Per scene, its frames as `send_frame` keyword arguments."""
    out = []
    for k in range(scenes):
        folder = work / f"room{k}"
        generate(folder, RoomSpec(seed=k + 1, frames=frames, width=640, height=480))
        out.append([{"K": f.K, "cam_to_world": f.cam_to_world, "image": f.image, "depth": f.depth, "time": f.time,
                     "detections": [{"label": d.label, "box": list(d.box), "score": d.score} for d in f.detections]}
                    for f in read_manifest(folder / "frames.json").frames])
    return out


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked: dict[str, int] = {}
        self.busy = 0
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def add(self, field: str, value=None, scene: str | None = None):
        with self.lock:
            if field == "acked":
                self.acked[scene] = self.acked.get(scene, 0) + 1
            elif field == "busy":
                self.busy += 1
            elif field == "latency":
                self.latencies.append(value)
            else:
                self.failures.append(value)


def _client_loop(url: str, scene: str, frames: list[dict], offset: int, stride: int, deadline: float,
                 ask_every: int, stats: Stats) -> None:
    client = Client(url, timeout=600)
    sent, index = 0, offset
    while time.monotonic() < deadline:
        frame = frames[index % len(frames)]
        try:
            client.send_frame(scene, **frame)
        except ServiceError as error:
            if error.status == 429:
                stats.add("busy")
                time.sleep(error.retry_after or 1.0)
                continue  # the same frame again: nothing is dropped
            stats.add("failure", f"{scene}: {error}")
            return
        stats.add("acked", scene=scene)
        sent += 1
        index += stride
        if sent % ask_every == 0:
            started = time.perf_counter()
            try:
                client.ask(scene, QUESTION)
                stats.add("latency", time.perf_counter() - started)
            except ServiceError as error:
                stats.add("failure", f"{scene}: ask: {error}")


def _in_process(folder: Path) -> tuple[object, float, float, int]:
    """(the answer, seconds observing, seconds building, frames) of the scene's kept frames, in this process."""
    agent = Agent(planner="rules", up=(0.0, 0.0, 1.0))
    paths = sorted((folder / "frames").glob("*.npz"))
    payloads = [FramePayload.from_file(path) for path in paths]
    started = time.perf_counter()
    for f in payloads:
        agent.observe(K=f.K, cam_to_world=f.cam_to_world, time=f.time, image=f.image, depth=f.depth,
                      depth_scale=f.depth_scale, detections=f.detections)
    observed = time.perf_counter() - started
    started = time.perf_counter()
    agent.scene  # noqa: B018 - the build, timed alone
    built = time.perf_counter() - started
    return agent.ask(QUESTION), observed, built, len(payloads)


def run(clients: int, scenes: int, seconds: float, frames: int, ask_every: int) -> str:
    work = Path(tempfile.mkdtemp(prefix="sagent-service-"))
    rooms = _rooms(work, scenes, frames)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "sagent", "serve", "--port", str(port), "--state",
                               str(work / "state"), "--data-root", str(work), "--no-cache", "-q"], cwd=ROOT)
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/scenes", timeout=1.0)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        names = [f"scene{k}" for k in range(scenes)]
        setup = Client(url)
        for name in names:
            setup.create_scene(name)
        stats = Stats()
        per_scene = clients // scenes
        started = time.monotonic()
        deadline = started + seconds
        threads = [threading.Thread(target=_client_loop, args=(url, names[i % scenes], rooms[i % scenes],
                                                               i // scenes, per_scene, deadline, ask_every, stats))
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        streamed = time.monotonic() - started
        rows, mismatches, timings = [], [], []
        for name in names:
            status = setup.scene(name)  # waits until every acknowledged frame is added
            final = setup.ask(name, QUESTION)
            on_disk = len(list((work / "state" / name / "frames").glob("*.npz")))
            expected, observed, built, count = _in_process(work / "state" / name)
            timings.append((observed / max(count, 1), built, count))
            same = (final.value, final.program, final.objects) == (expected.value, expected.program, expected.objects)
            if not same:
                mismatches.append(f"{name}: served {final.value}, in process {expected.value}")
            rows.append((name, stats.acked.get(name, 0), status["acknowledged"], on_disk, status["processed"],
                         status["failed"], final.value, same))
    finally:
        server.terminate()
        server.wait(timeout=60)
    lost = sum(acked != a or a != d or a != p for _, acked, a, d, p, _, _, _ in rows)
    latencies = sorted(stats.latencies)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    lines = [
        "## Service load: `sagent serve` on loopback",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_service.py --clients {clients} --scenes {scenes} --seconds "
        f"{seconds:g}` ({machine()}).",
        f"{clients} client threads ({clients // scenes} a scene) streamed 640x480 RGB-D frames (PNG colour, .npy "
        f"depth, boxes as detections) of {scenes} generated rooms into {scenes} scenes of a real `sagent serve` "
        f"process for {streamed:.0f} s, asking \"{QUESTION}\" every {ask_every} frames; a 429 was waited out and the "
        "frame sent again. Answers after the stream are compared with `Agent.observe` over the frames the server "
        "kept, in process.",
        "",
        "| scene | frames acknowledged (202) | kept on disk | added by the writer | frames/s | failed frames | answer | equals in process |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, acked, acknowledged, on_disk, processed, failed, value, same in rows:
        lines.append(f"| {name} | {acked} | {on_disk} | {processed} | {acked / streamed:.1f} | {len(failed)} | {value} | "
                     f"{'yes' if same else 'NO'} |")
    lines += ["", f"- ask latency over {len(latencies)} questions while streaming: p50 {p50 * 1000:.0f} ms, "
                  f"p99 {p99 * 1000:.0f} ms",
              f"- 429 (queue full, waited out and sent again): {stats.busy}; lost frames: {lost}; failed requests: "
              f"{len(stats.failures)}{' (' + '; '.join(stats.failures[:3]) + ')' if stats.failures else ''}; "
              f"answers differing from in process: {len(mismatches)}",
              f"- Where the time goes: a question waits until the scene's writer has added every frame acknowledged "
              f"before it, and the writer is the bottleneck. Replayed in one process, a kept frame took "
              f"{statistics.mean(t[0] for t in timings) * 1000:.0f} ms in `Agent.observe` (lifting, association, the "
              f"surface TSDF at 640x480), and a build of ~{statistics.mean(t[2] for t in timings):.0f} frames "
              f"{statistics.mean(t[1] for t in timings):.2f} s. Here {scenes} writer thread(s) share 2 cores and one "
              "interpreter (the GIL), so a queue of a few dozen frames ahead of a question is most of its latency. "
              "Writers in processes of their own, or a lighter frame path, would lift frames/s and cut it; not done "
              "yet."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--scenes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--frames", type=int, default=24, help="frames of each generated room")
    parser.add_argument("--ask-every", type=int, default=6)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    body = run(args.clients, args.scenes, args.seconds, args.frames, args.ask_every)
    print(body)
    if not args.no_write:
        write_section("service_load", body)


if __name__ == "__main__":
    main()
