"""What the user points sagent at, turned into a scene memory (through the cache when asked)."""

from __future__ import annotations

from pathlib import Path

from sagent.memory.cache import SceneCache, cache_key, content_digest
from sagent.memory.layouts import LayoutError, load_layout
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import load_scene


class InputError(Exception):
    """The input names nothing sagent can read."""


def split_layout_spec(spec: str) -> tuple[str, str | None]:
    """`META.json:SCENE` -> (path, scene); a bare path -> (path, None)."""
    path, sep, scene = spec.rpartition(":")
    if sep and path.endswith(".json") and scene and "/" not in scene:
        return path, scene
    return spec, None


def load_input(spec: str, cache: SceneCache | None = None) -> SceneMemory:
    """A saved scene memory (`.npz`) or a layout (`META.json` or `META.json:SCENE`).

    With a cache, inputs that must be built are looked up by content hash and build settings.
    """
    path, scene = split_layout_spec(spec)
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        return load_scene(path)
    if suffix == ".json":
        if cache is None or not Path(path).is_file():
            return load_layout(path, scene)
        key = cache_key(content_digest(path), {"builder": "layout", "scene": scene})
        memory, _ = cache.get_or_build(key, lambda: load_layout(path, scene))
        return memory
    if not Path(path).exists():
        raise InputError(f"input not found: {path}")
    raise InputError(
        f"cannot read {path}: sagent reads scene memories (.npz) and layouts (META.json[:SCENE]); "
        "video and frame inputs need the perception backends"
    )


__all__ = ["InputError", "LayoutError", "load_input", "split_layout_spec"]
