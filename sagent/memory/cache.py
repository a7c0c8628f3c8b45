"""On-disk cache of scene memories, keyed by the input's content hash and the build settings.

A second question on the same input loads the memory instead of rebuilding it. Entries are
written atomically; an entry that fails to load is deleted and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Callable

from sagent.errors import InputError
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import FORMAT_VERSION, load_scene, save_scene

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    base = os.environ.get("SAGENT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sagent")
    return Path(base)


def content_digest(*paths: str | os.PathLike) -> str:
    """SHA-256 over the bytes of the given files (and directories' files, in sorted order)."""
    digest = hashlib.sha256()
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
            try:
                with open(file, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
            except OSError as exc:
                raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    return digest.hexdigest()


def cache_key(input_digest: str, settings: dict) -> str:
    payload = json.dumps({"input": input_digest, "settings": settings, "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class SceneCache:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root else default_cache_dir() / "scenes"

    def path(self, key: str) -> Path:
        return self.root / f"{key}.npz"

    def get_or_build(self, key: str, build: Callable[[], SceneMemory]) -> tuple[SceneMemory, bool]:
        """(memory, True) from the cache, or (built memory, False) after storing it."""
        path = self.path(key)
        if path.exists():
            try:
                return load_scene(path), True
            except Exception as error:  # noqa: BLE001 - an entry that fails to load in any way is rebuilt
                log.warning("discarding unreadable cache entry %s: %s", path, error)
                try:
                    path.unlink(missing_ok=True)
                except OSError as unlink_error:
                    log.warning("cannot delete cache entry %s: %s", path, unlink_error)
        memory = build()
        try:
            save_scene(memory, path)
        except OSError as error:  # a cache that cannot be written costs the next question a rebuild, no more
            log.warning("cannot write cache entry %s: %s", path, error)
        return memory, False
