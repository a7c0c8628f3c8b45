"""The scenes a service holds, each in a folder of its own under the state folder (scene.json and its
frames), so that a restarted service has every scene and every acknowledged frame back."""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

import numpy as np

from sagent.agent.agent import Agent
from sagent.errors import InputError, SagentError
from sagent.memory.cache import CacheSettings
from sagent.memory.storage import atomic_write_bytes
from sagent.service.live import LiveScene
from sagent.service.scenes import UnknownScene
from sagent.tools.pipeline.inputs import load_input, split_layout_spec
from sagent.tools.pipeline.settings import PerceptionSettings

log = logging.getLogger(__name__)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class SceneExists(InputError):
    """A scene of that name is there already."""


class OutsideDataRoots(InputError):
    """An input path outside the folders the service may read."""


class Registry:
    def __init__(self, state: Path, data_roots: list[Path], perception: PerceptionSettings | None = None,
                 cache: CacheSettings | None = None, queue_size: int = 64):
        self.state, self.data_roots = Path(state), [Path(r).resolve() for r in data_roots]
        self.perception = perception or PerceptionSettings()
        self.cache = cache or CacheSettings()
        self.queue_size = queue_size
        self.scenes: dict[str, LiveScene] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """Every scene saved under the state folder, its frames replayed in the background."""
        for meta in sorted(self.state.glob("*/scene.json")):
            try:
                spec = json.loads(meta.read_text())
                if spec.get("input") is not None:
                    self._readable(spec["input"])
                scene = self._made(spec["name"], spec.get("input"), spec.get("up"))
            except (SagentError, OSError, ValueError, KeyError) as error:  # one bad scene must not stop the others
                log.warning("scene in %s not restored: %s: %s", meta.parent, type(error).__name__, error)
                continue
            scene.start()
            self.scenes[scene.name] = scene

    def stop(self) -> None:
        for scene in list(self.scenes.values()):
            scene.stop()

    def create(self, name: str, input: str | None = None, up: list[float] | None = (0.0, 0.0, 1.0)) -> LiveScene:
        if not NAME.fullmatch(name or ""):
            raise InputError(f"scene name {name!r}: letters, digits, '_', '-' and '.', at most 64, not starting "
                             "with a punctuation mark")
        if input is not None:
            self._readable(input)
        with self._lock:
            if name in self.scenes:
                raise SceneExists(f"scene {name!r} exists; pick another name or delete it")
            scene = self._made(name, input, up)  # an input that cannot be read fails before anything is written
            atomic_write_bytes(scene.folder / "scene.json",
                               json.dumps({"name": name, "input": input, "up": up}).encode())
            scene.start()  # before anyone can send it a frame
            self.scenes[name] = scene
        return scene

    def get(self, name: str) -> LiveScene:
        scene = self.scenes.get(name)
        if scene is None:
            raise UnknownScene(f"no scene called {name!r} (there are: {', '.join(sorted(self.scenes)) or 'none'})")
        return scene

    def _made(self, name: str, input: str | None, up) -> LiveScene:
        folder = self.state / name
        if input is None:
            agent = Agent(planner="rules", up=None if up is None else np.asarray(up, float), name=name)
            return LiveScene(name, folder, agent=agent, queue_size=self.queue_size)
        return LiveScene(name, folder, fixed=load_input(input, self.cache.scenes(), self.perception))

    def _readable(self, input: str) -> None:
        path = Path(split_layout_spec(input)[0]).resolve()
        if not any(path == root or root in path.parents for root in self.data_roots):
            raise OutsideDataRoots(f"input {input!r} is outside the folders this service reads "
                                   f"({', '.join(map(str, self.data_roots)) or 'none: start it with --data-root DIR'})")
