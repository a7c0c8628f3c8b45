"""Shared fixtures. Real network calls are blocked: only loopback connections are allowed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sagent.memory import load_layout

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE_LAYOUT = ROOT / "examples" / "living_room" / "layout.json"
SCANNET_LAYOUTS = SHARED / "data" / "vsibench_meta_info" / "scannet_meta_info_val.json"
LAYOUT_QA = SHARED / "bench" / "layout_qa_scannet.jsonl"

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in ("localhost", "::1") or host.startswith("127.") or self.family == socket.AF_UNIX):
        return _real_connect(self, address)
    raise RuntimeError(f"tests may not reach the network (tried {address!r})")


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path_factory):
    """Each test gets its own cache directory; nothing is written to the user's ~/.cache."""
    monkeypatch.setenv("SAGENT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("YOLO_OFFLINE", "1")  # ultralytics: no update checks or downloads
    monkeypatch.setenv("SAGENT_OFFLINE", "1")  # sagent's weights store: a missing model is one line, never a download
    monkeypatch.delenv("SAGENT_MODEL", raising=False)


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"needs the shared data at {path} (present in CI beside the clone)")
    return path


@pytest.fixture(scope="session")
def living_room():
    return load_layout(EXAMPLE_LAYOUT, "living_room")


@pytest.fixture(scope="session")
def scannet_layouts() -> Path:
    return require_shared(SCANNET_LAYOUTS)
