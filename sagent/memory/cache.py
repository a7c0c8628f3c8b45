"""On-disk cache of scene memories, keyed by exactly what a build read and how it built, bounded in size.

The key (`cache_key`) holds the digest of the files the input's reader opens (their content, under names
relative to the input, so a copied or moved input keeps its entries and an output written beside it
changes nothing), the settings the memory depends on (the caller passes them resolved: the backend that
runs, each weights file by its digest) and the code's version. Digests are remembered per file state
(path, size, mtime, ctime, inode) in `digests/` beside the entries' folder (`scenes/`), so a second
question on an unchanged input stats its files instead of reading them.

Entries are `KEY.npz` files written atomically (storage.py); an entry that fails to load is deleted and
rebuilt, never trusted. The cache is bounded (SAGENT_CACHE_MAX_GB, default DEFAULT_MAX_GB) with
least-recently-used eviction: a hit touches its entry's mtime, and after each write the files used
longest ago are deleted until the whole cache fits. The file system is the index: nothing can drift
from it, and it holds on a folder shared by machines (no database lock to trust).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

from sagent.errors import InputError
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import FORMAT_VERSION, atomic_write_bytes, load_scene, save_scene
from sagent.settings import Settings, environment, knob

log = logging.getLogger(__name__)

# Bumped when the key's recipe changes, so entries keyed the old way are never served (2: the files the
# reader opens, not the input's folder; the resolved backend; weights by digest; the package version).
KEY_VERSION = 2
DEFAULT_MAX_GB = 20.0
GB = 10**9
STALE_TEMP_SECONDS = 24 * 3600  # a temporary file this old belongs to a writer that died
_HEX = re.compile(r"[0-9a-f]{64}")


def default_cache_dir() -> Path:
    env = environment()
    base = env.cache_dir or os.path.join(env.xdg_cache_home or os.path.expanduser("~/.cache"), "sagent")
    return Path(base)


class CacheSettings(Settings):
    dir: str | None = knob(None, "where scene memories and sessions are kept (default ~/.cache/sagent, or "
                           "SAGENT_CACHE_DIR)", flag="--cache-dir")
    off: bool = knob(False, "rebuild the scene memory, don't cache it", flag="--no-cache")

    def root(self) -> Path:
        return Path(self.dir) if self.dir else default_cache_dir()

    def scenes(self) -> "SceneCache | None":
        """The scene cache these settings name; None when caching is off."""
        return None if self.off else SceneCache(self.root() / "scenes")


def max_cache_bytes() -> int:
    """The cache's bound in bytes: SAGENT_CACHE_MAX_GB gigabytes (10^9 bytes), DEFAULT_MAX_GB when unset."""
    text = environment().cache_max_gb.strip()
    if not text:
        return int(DEFAULT_MAX_GB * GB)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"SAGENT_CACHE_MAX_GB must be a positive number of gigabytes, got {text!r}")
    return int(value * GB)


def code_version() -> str:
    try:
        return metadata.version("sagent")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "source"


def _named(files: Iterable[str | os.PathLike], root: str | os.PathLike | None) -> list[tuple[str, Path]]:
    """(name, path) of each distinct file, by name: relative to `root` when given, else the file's name."""
    named = {}
    for file in map(Path, files):
        name = os.path.relpath(file, root) if root is not None else file.name
        named[Path(name).as_posix()] = file
    return sorted(named.items())


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's content, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None  # missing or unreadable: the build that opens it says why


def _digest_named(named: list[tuple[str, Path]]) -> tuple[str, bool]:
    """(digest of the names and contents, whether every file could be read)."""
    digest, complete = hashlib.sha256(), True
    for name, path in named:
        file_digest = _file_sha256(path)
        complete = complete and file_digest is not None
        digest.update(f"{name}\0{file_digest or 'unreadable'}\n".encode())
    return digest.hexdigest(), complete


def content_digest(*paths: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """SHA-256 over the names and bytes of the given files (a directory stands for the files under it,
    named relative to it); other files are named relative to `root`, or by their own name."""
    named = []
    for path in map(Path, paths):
        if path.is_dir():
            named += _named(sorted(p for p in path.rglob("*") if p.is_file()), path)
        else:
            named += _named([path], root)
    return _digest_named(sorted(named))[0]


def cache_key(input_digest: str, settings: dict) -> str:
    payload = json.dumps({"input": input_digest, "settings": settings, "format": FORMAT_VERSION,
                          "key": KEY_VERSION, "code": code_version()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _state(name: str, path: Path) -> list | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [name, os.path.abspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


@dataclass
class CacheInfo:
    root: Path
    entries: int  # scene memories
    digests: int  # remembered file digests
    total_bytes: int  # everything the cache holds
    max_bytes: int
    oldest_use: float | None  # seconds since the epoch
    newest_use: float | None

    def to_dict(self) -> dict:
        return {**self.__dict__, "root": str(self.root)}


class SceneCache:
    def __init__(self, root: str | os.PathLike | None = None, max_bytes: int | None = None):
        self.root = Path(root) if root else default_cache_dir() / "scenes"
        self.digest_dir = self.root.parent / "digests"  # beside the entries, as sessions/ is
        self.max_bytes = max_cache_bytes() if max_bytes is None else int(max_bytes)
        if self.max_bytes <= 0:
            raise InputError(f"the scene cache's bound must be positive, got {self.max_bytes} bytes")

    def path(self, key: str) -> Path:
        return self.root / f"{key}.npz"

    def digest(self, files: Iterable[str | os.PathLike], root: str | os.PathLike | None = None) -> str:
        """`content_digest` of `files`, read once per state of the files: unchanged files (same path, size,
        mtime, ctime and inode) are only stat-ed."""
        named = _named(files, root)
        states = [_state(name, path) for name, path in named]
        memo = self.digest_dir / f"{hashlib.sha256(json.dumps(states).encode()).hexdigest()}.sha256"
        try:
            remembered = memo.read_text().strip()
        except (OSError, UnicodeDecodeError):
            remembered = ""
        if _HEX.fullmatch(remembered):
            _touch(memo)
            return remembered
        value, complete = _digest_named(named)
        if complete and all(states):
            try:
                atomic_write_bytes(memo, value.encode())
            except OSError as error:  # costs the next question a re-read, no more
                log.warning("cannot remember a digest in %s: %s", memo, error)
        return value

    def get_or_build(self, key: str, build: Callable[[], SceneMemory]) -> tuple[SceneMemory, bool]:
        """(memory, True) from the cache, or (built memory, False) after storing it (and evicting what
        was used longest ago, should the cache outgrow its bound)."""
        path = self.path(key)
        if path.exists():
            try:
                memory = load_scene(path)
            except Exception as error:  # noqa: BLE001 - an entry that fails to load in any way is rebuilt
                if path.exists():  # not merely evicted by another process meanwhile
                    log.warning("discarding unreadable cache entry %s: %s", path, error)
                    try:
                        path.unlink(missing_ok=True)
                    except OSError as unlink_error:
                        log.warning("cannot delete cache entry %s: %s", path, unlink_error)
            else:
                _touch(path)
                log.info("scene memory from the cache (%s)", path)
                return memory, True
        log.info("building the scene memory (not in the cache)")
        memory = build()
        try:
            save_scene(memory, path)
        except OSError as error:  # a cache that cannot be written costs the next question a rebuild, no more
            log.warning("cannot write cache entry %s: %s", path, error)
            return memory, False
        self.evict()
        if not path.exists():
            log.warning("scene memory %s alone exceeds the cache's bound of %.3g GB; not kept", key,
                        self.max_bytes / GB)
        return memory, False

    def _files(self) -> list[tuple[Path, os.stat_result]]:
        """The cache's own files: entries, remembered digests, and temporary files of writes."""
        found = []
        for folder, pattern in ((self.root, "*.npz"), (self.digest_dir, "*.sha256"),
                                (self.root, ".*.tmp"), (self.digest_dir, ".*.tmp")):
            for path in folder.glob(pattern):
                try:
                    found.append((path, path.stat()))
                except OSError:  # deleted meanwhile
                    pass
        return found

    def evict(self) -> int:
        """Delete the files used longest ago until the cache fits its bound (and temporary files left by
        writers that died); the number of files deleted."""
        now, removed = time.time(), 0
        files, kept = [], 0
        for path, stat in self._files():
            if path.name.endswith(".tmp"):
                if now - stat.st_mtime > STALE_TEMP_SECONDS:
                    removed += _remove(path)
                else:
                    kept += stat.st_size  # a write under way: it counts, it is not ours to delete
                continue
            files.append((stat.st_mtime, path.name, path, stat.st_size))
        total = kept + sum(size for *_, size in files)
        for _, _, path, size in sorted(files):
            if total <= self.max_bytes:
                break
            removed += _remove(path)
            total -= size
        return removed

    def info(self) -> CacheInfo:
        files = self._files()
        uses = [stat.st_mtime for path, stat in files if path.suffix == ".npz"]
        return CacheInfo(self.root, len(uses), sum(path.suffix == ".sha256" for path, _ in files),
                         sum(stat.st_size for _, stat in files), self.max_bytes,
                         min(uses, default=None), max(uses, default=None))

    def clear(self) -> tuple[int, int]:
        """Delete every entry, remembered digest and temporary file; (files deleted, bytes freed)."""
        count = freed = 0
        for path, stat in self._files():
            if _remove(path):
                count, freed = count + 1, freed + stat.st_size
        return count, freed


def _touch(path: Path) -> None:
    """Mark `path` used now (its mtime is the cache's record of last use; atime is often not kept)."""
    try:
        os.utime(path)
    except OSError:  # a read-only cache still answers; it just cannot order its evictions
        pass


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError as error:
        log.warning("cannot delete cache file %s: %s", path, error)
        return 0
    return 1
