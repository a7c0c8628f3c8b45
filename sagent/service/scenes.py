"""Named scene memories a service answers about: each made once from an input (frames, a video, photos, a
layout, a saved memory) and kept by name, so an agent's later calls need not name the input again."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sagent.errors import InputError
from sagent.memory.cache import CacheSettings
from sagent.memory.scene import SceneMemory
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.pipeline.settings import PerceptionSettings


class UnknownScene(InputError):
    """A scene name that was never loaded (or created)."""


@dataclass
class SceneStore:
    cache: CacheSettings = field(default_factory=CacheSettings)
    scenes: dict[str, SceneMemory] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def load(self, spec: str, name: str | None = None, perception: PerceptionSettings | None = None,
             question: str | None = None) -> tuple[str, SceneMemory]:
        """The input `spec` as a scene memory kept under `name` (default: the input's own name)."""
        scene = load_input(spec, self.cache.scenes(), perception or PerceptionSettings(), question)
        key = name or scene.name
        with self._lock:
            self.scenes[key] = scene
        return key, scene

    def get(self, name: str) -> SceneMemory:
        with self._lock:
            scene = self.scenes.get(name)
            known = sorted(self.scenes)
        if scene is None:
            raise UnknownScene(f"no scene called {name!r}; load one first (loaded: {', '.join(known) or 'none'})")
        return scene

