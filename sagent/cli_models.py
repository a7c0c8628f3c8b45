"""`sagent models list | fetch`: the weights sagent knows, which are in the cache, and prefetching them."""

from __future__ import annotations

import argparse
import json

from sagent.errors import InputError
from sagent.tools.io.weights import MODELS, WeightsStore, human_size


def _store(args) -> WeightsStore:
    return WeightsStore(args.models_dir)


def cmd_models_list(args) -> int:
    store = _store(args)
    rows = [{"name": spec.name, "used_by": spec.used_by, "about": spec.about, "source": spec.source,
             "repo_id": spec.repo_id, "size_bytes": spec.size, "sha256": spec.sha256, "sha256_from": spec.sha256_from,
             "needs": list(spec.needs), "cached": store.is_cached(spec.name), "path": str(store.location(spec.name))}
            for spec in MODELS]
    if args.json:
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


def add_models_commands(commands: argparse._SubParsersAction) -> None:
    """`sagent models list | fetch` on the CLI's subcommands."""
    models_cmd = commands.add_parser("models", help="the model weights sagent fetches on first use: list or prefetch")
    models_commands = models_cmd.add_subparsers(dest="models_command", required=True)
    list_cmd = models_commands.add_parser("list", help="each model: name, used by, size, cached or not, source")
    list_cmd.add_argument("--json", action="store_true")
    list_cmd.set_defaults(run=cmd_models_list)
    fetch_cmd = models_commands.add_parser("fetch", help="download models into the cache now (with the text encoders "
                                                         "they need); a cached one is checked")
    fetch_cmd.add_argument("names", nargs="*", metavar="NAME", help="catalogue names (`sagent models list`)")
    fetch_cmd.add_argument("--all", action="store_true", help="every model in the catalogue")
    fetch_cmd.set_defaults(run=cmd_models_fetch)
    for command in (list_cmd, fetch_cmd):
        command.add_argument("--models-dir",
                             help="the models cache (default ~/.cache/sagent/models, or SAGENT_MODELS_DIR)")
