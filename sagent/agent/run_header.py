"""The header of an evaluation run's predictions file: what a number came from, so it can be cited
and repeated: sagent's version and commit, the run's settings, and every model with a digest of its
weights file where it has one."""

from __future__ import annotations

import dataclasses
import hashlib
import platform
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel

import sagent

_PACKAGE_ROOT = Path(sagent.__file__).resolve().parents[1]


def source_commit() -> str | None:
    """The git commit sagent runs from (with "+dirty" when its tracked files differ), None outside a checkout."""
    try:
        commit = subprocess.run(["git", "-C", str(_PACKAGE_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5)
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(_PACKAGE_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of a weights file, None when it is not a file (a hub name fetched later, a config)."""
    path = Path(path)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _plain(value):
    """Settings as JSON: settings and dataclasses as dicts, models by name, anything else as text."""
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return getattr(value, "name", None) or type(value).__name__


def _models(settings, answerer) -> list[dict]:
    models = []
    planner = getattr(answerer, "planner", None)
    baseline = getattr(answerer, "baseline", None)
    for role, owner in (("planner", planner), ("baseline", baseline)):
        model = getattr(owner, "model", None)
        if model is not None:
            models.append({"role": role, "name": getattr(model, "name", type(model).__name__),
                           "api_base": getattr(model, "api_base", None)})
    perception = getattr(settings, "perception", None)
    weights = getattr(perception, "detector_weights", None)
    if weights:
        models.append({"role": "detector", "name": str(weights), "sha256": file_digest(weights)})
    return models


def run_header(settings, answerer) -> dict:
    planner = getattr(answerer, "planner", None)
    return {
        "sagent": sagent.__version__,
        "commit": source_commit(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()}, {platform.system()}",
        "answerer": type(answerer).__name__,
        "planner": None if planner is None else {"name": getattr(planner, "name", None),
                                                 **{k: getattr(planner, k) for k in ("form", "votes", "max_repairs",
                                                                                     "max_steps") if hasattr(planner, k)}},
        "settings": _plain(settings),
        "models": _models(settings, answerer),
    }
