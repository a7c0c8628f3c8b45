"""The Python API: an agent a robotics stack streams frames into and asks questions of.

    agent = Agent(up=(0, 0, 1))
    for frame in stream:
        agent.observe(image=rgb, depth=depth_m, K=K, cam_to_world=pose, time=t,
                      detections=[{"label": "chair", "box": [x1, y1, x2, y2], "score": 0.9}])
    answer = agent.ask("How far is the chair from the door?")
    agent.save("run1")   # scene memory, observations and session; Agent.load("run1") resumes

Frames without depth (a phone, a plain camera) need a monocular depth model:
`Agent(depth_model=make_depth_model("depth-anything-indoor", ...))`, then `agent.observe(image=rgb)`;
K comes from the model or a typical field of view when not given, and the first frame's pose is a
level camera at the origin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np

from sagent.agent.agent_memory import AgentMemory
from sagent.agent.answer import Answer
from sagent.agent.ask import Planner, ask
from sagent.agent.planners import PlannerConfigError, PlannerSettings, make_planner
from sagent.agent.solution import StepCallback
from sagent.errors import InputError
from sagent.memory.scene import MetricScale, SceneMemory
from sagent.memory.storage import atomic_write_bytes, load_scene, save_scene
from sagent.tools.io.frames import Detection2D, frame_from_arrays, image_rgb
from sagent.tools.perception.grounding import AnnotationGrounder, Grounder
from sagent.tools.perception.scene_builder import BuildSettings, SceneBuilder
from sagent.tools.pipeline.photos import LEVEL_POSE, LEVEL_UP, depth_model_scale, floor_up, observed_depth
from sagent.tools.reconstruction.monocular import DepthModel
from sagent.tools.render.recording import Recording, record_answer


def detection(item) -> Detection2D:
    """A detection from what `Agent.observe` takes: a Detection2D, or a dict of label, box, score and mask."""
    if isinstance(item, Detection2D):
        return item
    mask = item.get("mask")
    return Detection2D(str(item["label"]), tuple(map(float, item["box"])), float(item.get("score", 1.0)),
                       None if mask is None else np.asarray(mask, bool))


class Agent:
    def __init__(self, planner: Planner | PlannerSettings | str = "auto", model: str | None = None, api_base: str | None = None,
                 grounder: Grounder | None = None, up=(0.0, 0.0, 1.0), labels: list[str] | None = None,
                 scene: SceneMemory | None = None, session: str | Path | None = None,
                 build: BuildSettings | None = None, name: str = "live",
                 step_callbacks: Iterable[StepCallback] = (), recording: Recording | str | Path | None = None,
                 depth_model: DepthModel | None = None):
        """`planner`: "auto" | "llm" | "rules", full `PlannerSettings` (constrained decoding, reply
        limits, votes...) or a planner object. `grounder`: finds objects in frames
        that come without detections (default: only the detections handed to `observe`). `up`: the
        world's up axis (None: found from the floor). `scene`: start from a known scene memory.
        `step_callbacks`: called with each step (`Attempt`: program, kind, seconds, tokens) of the LLM
        planner as soon as it ends; a planner object takes its own (`LLMPlanner(step_callbacks=...)`).
        `recording`: a rerun recording (a `Recording`, or an .rrd path) that receives each frame as it
        arrives, each rebuilt scene memory and each answer (needs sagent[viewer]). `depth_model`: gives
        depth (and K) to frames observed without depth."""
        step_callbacks = list(step_callbacks)
        if isinstance(planner, (str, PlannerSettings)):
            settings = planner if isinstance(planner, PlannerSettings) else PlannerSettings(kind=planner, model=model, api_base=api_base)
            self.planner = make_planner(settings, step_callbacks)
        elif step_callbacks:
            raise PlannerConfigError("step_callbacks go with a planner name; pass them to the planner object instead")
        else:
            self.planner = planner
        self.recording = Recording.open(recording) if isinstance(recording, (str, Path)) else recording
        self.builder = SceneBuilder(grounder or AnnotationGrounder(), None if up is None else np.asarray(up, float),
                                    labels, build, name, source="stream", recorder=self.recording)
        self.memory = AgentMemory(session)
        self.depth_model = depth_model
        self._model_scale: MetricScale | None = None  # set once a frame's depth came from the depth model
        self._scene = scene
        self._stale = False

    def observe(self, K=None, cam_to_world=None, time: float | None = None, image=None, depth=None,
                depth_scale: float = 1.0, detections: list | None = None) -> int:
        """Add one posed frame. `depth`: Float[H W] metres (or integers over `depth_scale`), 0 = missing
        (None with an image: the agent's depth model estimates it); `image`: UInt8[H W 3] RGB;
        `detections`: dicts with label, box [x1, y1, x2, y2], score, optional Bool[H W] mask (None: the
        grounder looks); `K` may be left out when the depth model gives it, `cam_to_world` for the first
        frame only (a level camera at the origin), `time` (default: the frame's number). Returns how many
        objects were lifted from it."""
        if depth is None and image is not None and self.depth_model is not None:
            image = image_rgb(image)
            depth, focal = observed_depth(image, None if K is None else np.asarray(K, float), self.depth_model)
            K, self._model_scale = focal.K, depth_model_scale(self.depth_model, focal)
        if K is None:
            raise InputError("observe: K (3x3 intrinsics) is needed unless the agent has a depth_model to "
                             "estimate it from the image")
        level = cam_to_world is None
        if level:
            if self.builder.cameras:
                raise InputError("observe: cam_to_world is needed for every frame after the first (without "
                                 "it, two frames would stand at one place)")
            cam_to_world = LEVEL_POSE
        time = float(len(self.builder.cameras)) if time is None else time
        given = [detection(d) for d in detections] if detections is not None else None
        frame = frame_from_arrays(K, cam_to_world, time, image, depth, depth_scale, given)
        if level and self.builder.up is None and frame.depth is not None:
            # Objects are cut from the floor as they arrive: the floor must be known before the first lift.
            found = floor_up(frame)
            self.builder.up = LEVEL_UP if found is None else found
        lifted = self.builder.add(frame)
        self._stale = True
        return len(lifted)

    @property
    def scene(self) -> SceneMemory:
        """The scene memory, rebuilt from the observations when frames arrived since it was last built."""
        if self._stale or self._scene is None:
            if not self.builder.cameras and self._scene is None:
                raise ValueError("the agent has no scene yet: observe frames or pass scene=")
            if self.builder.cameras:
                self._scene = self.builder.build()
                if self._model_scale is not None:  # lengths are as good as the depth model's, not a sensor's
                    self._scene = self._scene.rescaled(1.0, self._model_scale)
            self._stale = False
        return self._scene

    def ask(self, question: str, options: list[str] | None = None) -> Answer:
        scene = self.scene
        answer = ask(scene, question, self.planner, options, self.memory)
        if self.recording is not None:
            observer = answer.observer
            record_answer(self.recording, scene, question, answer.program, answer.trace, answer.objects,
                          answer.summary(), None if observer is None else (observer.position, observer.facing))
        return answer

    def close(self) -> None:
        """Finish the recording, if any (the session and caches need no closing)."""
        if self.recording is not None:
            self.recording.close()

    def save(self, folder: str | Path) -> Path:
        """Scene memory, the builder's observations and the session, so that `load` can go on observing."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_scene(self.scene, folder / "scene.npz")
        self.builder.save_state(folder / "observations.npz")
        lines = "".join(r.model_dump_json() + "\n" for r in self.memory.records)
        atomic_write_bytes(folder / "session.jsonl", lines.encode())
        return folder

    @classmethod
    def load(cls, folder: str | Path, planner: Planner | str = "auto", grounder: Grounder | None = None,
             **kwargs) -> "Agent":
        folder = Path(folder)
        scene = load_scene(folder / "scene.npz")
        agent = cls(planner=planner, grounder=grounder, scene=scene, up=scene.record.up, name=scene.name, **kwargs)
        agent.memory = AgentMemory(folder / "session.jsonl")
        agent.builder.load_state(folder / "observations.npz")
        return agent
