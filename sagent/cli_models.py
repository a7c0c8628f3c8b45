"""`sagent models list | fetch`: the weights sagent knows, which are in the cache, and prefetching them."""

from __future__ import annotations

import json

from sagent.errors import InputError
from sagent.tools.io.weights import MODELS, WeightsStore, human_size


def _store(args) -> WeightsStore:
    return WeightsStore(args.perception.models_dir)


def cmd_models_list(args) -> int:
    store = _store(args)
    rows = [{"name": spec.name, "used_by": spec.used_by, "about": spec.about, "source": spec.source,
             "repo_id": spec.repo_id, "size_bytes": spec.size, "sha256": spec.sha256, "sha256_from": spec.sha256_from,
             "needs": list(spec.needs), "cached": store.is_cached(spec.name), "path": str(store.location(spec.name))}
            for spec in MODELS]
    if args.json_output:
        print(json.dumps({"root": str(store.root), "offline": store.offline, "models": rows}, indent=2))
        return 0
    print(f"models dir: {store.root} (--models-dir, SAGENT_MODELS_DIR)"
          + (f"; downloads are off ({store.offline_reason})" if store.offline else ""))
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        state = "cached" if row["cached"] else "-"
        needs = f" (with {', '.join(row['needs'])})" if row["needs"] else ""
        size = "~" + human_size(row["size_bytes"])
        print(f"{row['name']:<{width}}  {row['used_by']:<14}  {size:>8}  {state:<6}  "
              f"{row['source']}{needs}")
    return 0


def cmd_models_fetch(args) -> int:
    if bool(args.names) == bool(args.all):
        raise InputError("sagent models fetch: name the models to fetch, or pass --all (not both); "
                         "`sagent models list` shows them")
    store = _store(args)
    names = [spec.name for spec in MODELS] if args.all else args.names
    wanted: list[str] = []
    for name in names:  # each model with the text encoders it loads by itself, once each
        spec = store.spec(name)
        for each in (spec.name, *spec.needs):
            if each not in wanted:
                wanted.append(each)
    for name in wanted:
        cached = store.is_cached(name)
        path = store.fetch(name)
        print(f"{name}: {'in the cache' if cached else 'fetched'} at {path}")
    return 0
