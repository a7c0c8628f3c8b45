"""`sagent cache info | clear`: what the scene cache holds, and emptying it."""

from __future__ import annotations

import json
import time

from sagent.memory.cache import GB


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds)) if seconds is not None else "-"


def cmd_cache_info(args) -> int:
    info = args.cache.scenes().info()  # never off: the command has no --no-cache
    if args.json_output:
        print(json.dumps(info.to_dict(), indent=2))
        return 0
    print(f"root: {info.root}")
    print(f"entries: {info.entries} scene memories, {info.digests} remembered file digests")
    print(f"size: {info.total_bytes / 1e6:.1f} MB of {info.max_bytes / GB:g} GB (SAGENT_CACHE_MAX_GB); the files "
          "used longest ago are evicted past it")
    print(f"oldest use: {_when(info.oldest_use)}")
    print(f"newest use: {_when(info.newest_use)}")
    return 0


def cmd_cache_clear(args) -> int:
    cache = args.cache.scenes()
    count, freed = cache.clear()
    print(f"removed {count} files ({freed / 1e6:.1f} MB) from {cache.root}")
    return 0
