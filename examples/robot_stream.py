"""Stream posed RGB-D frames into sagent's Agent, as a robotics stack would, then ask.

    .venv/bin/python examples/robot_stream.py

The frames come from sagent's synthetic room generator (so this runs anywhere, offline); on a robot
they come from the camera driver and the localisation stack, and detections from a detector.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sagent import Agent
from sagent.tools.io.frames import read_manifest
from sagent.tools.synthetic.generator import RoomSpec, generate


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        generate(work, RoomSpec(seed=7, frames=24, write_masks=True))
        agent = Agent(planner="rules", up=(0, 0, 1))  # the rules planner: no model needed
        for frame in read_manifest(Path(work) / "frames.json").frames:
            # What a driver hands over: RGB, depth in metres, intrinsics, camera-to-world pose, time,
            # and the detector's boxes (masks optional).
            detections = [{"label": d.label, "box": d.box, "score": d.score, "mask": frame.mask(d)}
                          for d in frame.detections]
            agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=frame.time, image=frame.image,
                          depth=frame.depth, detections=detections)
        print("objects:", agent.scene.label_counts())
        for question in ("How many chairs are in this room?",
                         "How far apart are the bed and the sofa, in centimeters?",
                         "What is the floor area of this room?"):
            answer = agent.ask(question)
            print(f"{question} -> {answer.summary()} (from frames {answer.frames[:5]}..., program: {answer.program!r})")
        agent.save(Path(work) / "memory")  # Agent.load(...) picks up where this left off


if __name__ == "__main__":
    main()
