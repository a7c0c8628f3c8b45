"""The model store: fetched once into the cache with progress, written atomically, checked on every use,
one line when offline or when the network fails. Nothing here reaches a network: urllib and the hub are
faked at their interfaces, and any real use of them fails the test (sockets are blocked in conftest too)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sagent import cli
from sagent.tools.io import weights
from sagent.tools.io.weights import (HF_FILES, MODELS, HttpDownloader, MissingWeights, UnknownModel, WeightsMismatch,
                                     WeightsStore, default_models_dir)

WORLD = "yolov8s-worldv2.pt"
WORLD_URL = "https://github.com/ultralytics/assets/releases/download/v8.4.0/yolov8s-worldv2.pt"
BODY = b"yolo-world weights " * 1000


def _no_network(*args, **kwargs):
    raise AssertionError(f"a test reached for the network: {args!r}")


@pytest.fixture(autouse=True)
def hub(monkeypatch):
    """A stand-in huggingface_hub module (installed or not): only what a test fakes may 'download'.
    urllib likewise; the environment's offline switches start unset."""
    module = types.ModuleType("huggingface_hub")
    module.snapshot_download = _no_network
    monkeypatch.setitem(sys.modules, "huggingface_hub", module)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    for variable in ("SAGENT_OFFLINE", "HF_HUB_OFFLINE", "SAGENT_MODELS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    return module


class FakeResponse(io.BytesIO):
    """What urlopen returns: the body, and a Content-Length that may promise more than arrives."""

    def __init__(self, body: bytes, length: int | None = None):
        super().__init__(body)
        self.headers = {"Content-Length": str(len(body) if length is None else length)}


def fake_urlopen(body: bytes, length: int | None = None, calls: list | None = None):
    def urlopen(request, timeout=None):
        if calls is not None:
            calls.append(request.full_url)
        return FakeResponse(body, length)
    return urlopen


def fake_snapshot_download(calls: list, fail_after: str | None = None):
    """huggingface_hub.snapshot_download at its interface: files into local_dir under the given tqdm class."""
    def snapshot_download(repo_id, *, local_dir, allow_patterns=None, tqdm_class=None, **kwargs):
        calls.append({"repo_id": repo_id, "local_dir": Path(local_dir), "allow_patterns": allow_patterns})
        folder = Path(local_dir)
        (folder / ".cache" / "huggingface").mkdir(parents=True, exist_ok=True)
        with tqdm_class(total=len(allow_patterns), desc=f"Fetching {len(allow_patterns)} files") as bar:
            for name in allow_patterns:
                (folder / name).write_bytes(f"{repo_id}:{name}".encode())
                if name == fail_after:
                    raise KeyboardInterrupt
                bar.update(1)
        return str(folder)
    return snapshot_download


class FakeDownloader:
    """An injected Downloader: each URL's file gets `body`, each hub repo its files."""

    def __init__(self, body: bytes = BODY):
        self.body = body
        self.urls: list[str] = []
        self.repos: list[str] = []

    def download_url(self, url, dest, progress):
        self.urls.append(url)
        Path(dest).write_bytes(self.body)

    def download_hub(self, repo_id, dest_folder, progress, files=()):
        self.repos.append(repo_id)
        Path(dest_folder).mkdir(parents=True, exist_ok=True)
        for name in files:
            (Path(dest_folder) / name).write_bytes(name.encode())


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_hub_model_is_fetched_once_with_progress_into_the_cache(tmp_path, hub, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(hub, "snapshot_download", fake_snapshot_download(calls))
    store = WeightsStore(tmp_path, offline=False, progress=True)

    path = store.path("depth-anything-indoor")

    assert path == tmp_path / "depth-anything-indoor"
    assert sorted(p.name for p in path.iterdir()) == sorted(HF_FILES)  # the hub's .cache bookkeeping is gone
    assert calls == [{"repo_id": "depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf",
                      "local_dir": tmp_path / ".depth-anything-indoor.partial", "allow_patterns": list(HF_FILES)}]
    err = capsys.readouterr().err
    assert "fetching depth-anything-indoor (~99 MB) from https://huggingface.co/depth-anything/" in err
    assert "Fetching 3 files" in err and "100%" in err
    record = json.loads(store.record_path("depth-anything-indoor").read_text())
    assert record["files"]["model.safetensors"]["sha256"] == hashlib.sha256(
        b"depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf:model.safetensors").hexdigest()

    assert store.path("depth-anything-indoor") == path  # from the cache: no second download
    assert store.path("depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf") == path  # the repo id names it too
    assert WeightsStore(tmp_path, offline=True).path("depth-anything-indoor") == path  # and offline
    assert len(calls) == 1
    assert _leftovers(tmp_path) == ["depth-anything-indoor", "depth-anything-indoor.sha256.json"]


def test_url_download_streams_under_a_bar_and_is_checked_on_later_uses(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen(BODY, calls=calls))
    store = WeightsStore(tmp_path, offline=False, progress=True)

    path = store.path(WORLD)

    assert path == tmp_path / WORLD and path.read_bytes() == BODY and calls == [WORLD_URL]
    err = capsys.readouterr().err
    assert f"fetching {WORLD} (~26 MB) from {WORLD_URL}" in err and "100%" in err
    assert store.path(WORLD) == path and len(calls) == 1

    os.utime(path, ns=(1, 1))  # touched, same bytes: hashed again, still good, the new mtime remembered
    assert store.path(WORLD) == path
    assert json.loads(store.record_path(WORLD).read_text())["files"][WORLD]["mtime_ns"] == 1

    expected = hashlib.sha256(BODY).hexdigest()
    with open(path, "r+b") as handle:  # truncated in place
        handle.truncate(100)
    with pytest.raises(WeightsMismatch) as caught:
        store.path(WORLD)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and expected in message
    assert hashlib.sha256(BODY[:100]).hexdigest() in message and "run again" in message
    assert _leftovers(tmp_path) == []  # the damaged copy and its record are removed; the next run fetches anew
    assert store.path(WORLD).read_bytes() == BODY and len(calls) == 2


def test_download_with_a_wrong_published_digest_is_refused_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen(b"not the clip weights"))
    store = WeightsStore(tmp_path, offline=False, progress=False)

    with pytest.raises(WeightsMismatch) as caught:
        store.path("ViT-B-32.pt")

    message = str(caught.value)
    assert "\n" not in message and "ViT-B-32.pt" in message
    assert "expected 40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af" in message
    assert f"found {hashlib.sha256(b'not the clip weights').hexdigest()}" in message
    assert _leftovers(tmp_path) == []


def test_a_cut_connection_is_one_line_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen(BODY[:500], length=len(BODY)))
    store = WeightsStore(tmp_path, offline=False, progress=False)

    with pytest.raises(MissingWeights) as caught:
        store.path(WORLD)

    message = str(caught.value)
    assert "\n" not in message and WORLD_URL in message and "check the connection" in message
    assert f"500 of {len(BODY)} bytes" in message and str(tmp_path / WORLD) in message
    assert _leftovers(tmp_path) == []


def test_a_network_error_names_the_model_the_url_and_where_to_put_it(tmp_path, monkeypatch):
    def refused(request, timeout=None):
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    monkeypatch.setattr(urllib.request, "urlopen", refused)

    with pytest.raises(MissingWeights) as caught:
        WeightsStore(tmp_path, offline=False, progress=False).path("yoloe-11s-seg.pt")

    message = str(caught.value)
    assert "\n" not in message and message.startswith("yoloe-11s-seg.pt is not in the model cache")
    assert "Connection refused" in message and "check the connection" in message
    assert "releases/download/v8.4.0/yoloe-11s-seg.pt" in message and str(tmp_path / "yoloe-11s-seg.pt") in message
    assert "--detector-weights PATH" in message


def test_an_interrupted_download_leaves_nothing_that_looks_complete(tmp_path, hub, monkeypatch):
    class Interrupted(FakeDownloader):
        def download_url(self, url, dest, progress):
            Path(dest).write_bytes(BODY[:10])
            raise KeyboardInterrupt

    store = WeightsStore(tmp_path, offline=False, downloader=Interrupted(), progress=False)
    with pytest.raises(KeyboardInterrupt):
        store.path(WORLD)
    assert _leftovers(tmp_path) == [] and not store.is_cached(WORLD)

    calls = []
    monkeypatch.setattr(hub, "snapshot_download", fake_snapshot_download(calls, fail_after="config.json"))
    store = WeightsStore(tmp_path, offline=False, progress=False)
    with pytest.raises(KeyboardInterrupt):
        store.path("vggt-1b")
    assert not store.is_cached("vggt-1b") and not store.record_path("vggt-1b").exists()
    assert _leftovers(tmp_path) == [".vggt-1b.partial"]  # kept for the hub to resume, under a name never used

    monkeypatch.setattr(hub, "snapshot_download", fake_snapshot_download(calls))
    path = store.path("vggt-1b")
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "model.safetensors"]
    assert _leftovers(tmp_path) == ["vggt-1b", "vggt-1b.sha256.json"]


@pytest.mark.parametrize("variable", ["SAGENT_OFFLINE", "HF_HUB_OFFLINE"])
def test_offline_without_weights_is_one_line_naming_the_file_the_source_and_the_place(tmp_path, monkeypatch, variable):
    monkeypatch.setenv(variable, "1")
    store = WeightsStore(tmp_path, downloader=FakeDownloader())
    assert store.offline

    with pytest.raises(MissingWeights) as caught:
        store.path(WORLD)
    message = str(caught.value)
    assert "\n" not in message and f"downloads are off ({variable}=1)" in message
    assert f"download {WORLD_URL} and put it at {tmp_path / WORLD}" in message
    assert "or pass a local copy with --detector-weights PATH" in message

    with pytest.raises(MissingWeights) as caught:
        store.path("facebook/VGGT-1B")
    message = str(caught.value)
    assert "\n" not in message and "https://huggingface.co/facebook/VGGT-1B" in message
    assert f"hf download facebook/VGGT-1B config.json model.safetensors --local-dir {tmp_path / 'vggt-1b'}" in message
    assert "--vggt-weights PATH" in message
    assert store.downloader.urls == [] and store.downloader.repos == [] and _leftovers(tmp_path) == []
    assert not WeightsStore(tmp_path, offline=False).offline  # an explicit choice beats the environment


def test_weights_put_in_the_cache_by_hand_are_used_offline_and_held_to_a_published_digest(tmp_path):
    store = WeightsStore(tmp_path, offline=True)
    (tmp_path / WORLD).write_bytes(BODY)
    assert store.path(WORLD) == tmp_path / WORLD  # no published digest: recorded as found
    assert json.loads(store.record_path(WORLD).read_text())["files"][WORLD]["sha256"] == hashlib.sha256(BODY).hexdigest()

    (tmp_path / "ViT-B-32.pt").write_bytes(b"something else")
    with pytest.raises(WeightsMismatch, match="does not match its published sha256"):
        store.path("ViT-B-32.pt")
    assert not (tmp_path / "ViT-B-32.pt").exists()


def test_local_paths_are_used_as_they_are_and_unknown_names_list_the_catalogue(tmp_path):
    mine = tmp_path / "elsewhere" / "my-yolo.pt"
    mine.parent.mkdir()
    mine.write_bytes(b"x")
    store = WeightsStore(tmp_path / "models", offline=False, downloader=FakeDownloader())
    assert store.path(mine) == mine and store.path(str(mine.parent)) == mine.parent
    assert store.downloader.urls == []

    for name in ("yolo-wrold.pt", str(tmp_path / "missing.pt"), ""):
        with pytest.raises(UnknownModel) as caught:
            store.path(name)
        message = str(caught.value)
        assert "\n" not in message and all(spec.name in message for spec in MODELS)


def test_the_default_root_follows_the_environment(tmp_path, monkeypatch):
    assert default_models_dir() == Path(os.environ["SAGENT_CACHE_DIR"]) / "models"  # conftest's private cache
    monkeypatch.setenv("SAGENT_MODELS_DIR", str(tmp_path / "weights"))
    assert WeightsStore().root == tmp_path / "weights"
    assert WeightsStore(tmp_path / "given").root == tmp_path / "given"


def test_default_downloader_sends_hub_progress_to_a_quiet_bar_when_off(tmp_path, hub, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(hub, "snapshot_download", fake_snapshot_download(calls))
    HttpDownloader().download_hub("apple/DepthPro-hf", tmp_path / "d", False, HF_FILES)
    assert capsys.readouterr().err == ""
    assert (tmp_path / "d" / "model.safetensors").read_bytes() == b"apple/DepthPro-hf:model.safetensors"


# The command line: `sagent models list | fetch`, through sagent.cli.main in this process.

def test_cli_models_list_shows_the_catalogue_and_what_is_cached(tmp_path, capsys):
    (tmp_path / "yoloe-11s-seg.pt").write_bytes(b"w")

    assert cli.main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"models dir: {tmp_path}" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert list(lines) == [spec.name for spec in MODELS]
    assert "cached" in lines["yoloe-11s-seg.pt"] and "cached" not in lines[WORLD]
    assert "detector" in lines[WORLD] and WORLD_URL in lines[WORLD] and "ViT-B-32.pt" in lines[WORLD]
    assert "https://huggingface.co/facebook/VGGT-1B" in lines["vggt-1b"] and "reconstruction" in lines["vggt-1b"]

    assert cli.main(["models", "list", "--json", "--models-dir", str(tmp_path)]) == 0
    listed = json.loads(capsys.readouterr().out)
    by_name = {row["name"]: row for row in listed["models"]}
    assert listed["root"] == str(tmp_path) and by_name["yoloe-11s-seg.pt"]["cached"] is True
    assert by_name["yoloe-11s-seg.pt"]["path"] == str(tmp_path / "yoloe-11s-seg.pt")
    assert by_name["depth-pro"] | {"cached": False} == by_name["depth-pro"]
    assert by_name["ViT-B-32.pt"]["sha256"].startswith("40d3657159") and by_name[WORLD]["sha256"] is None


def test_cli_models_fetch_downloads_a_model_and_its_text_encoder(tmp_path, monkeypatch, capsys):
    fake = FakeDownloader()
    monkeypatch.setattr(weights, "default_downloader", lambda: fake)

    assert cli.main(["models", "fetch", "yoloe-11s-seg.pt", "depth-pro", "--models-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"yoloe-11s-seg.pt: fetched at {tmp_path / 'yoloe-11s-seg.pt'}" in out
    assert f"mobileclip_blt.ts: fetched at {tmp_path / 'mobileclip_blt.ts'}" in out
    assert f"depth-pro: fetched at {tmp_path / 'depth-pro'}" in out
    assert [url.rsplit("/", 1)[-1] for url in fake.urls] == ["yoloe-11s-seg.pt", "mobileclip_blt.ts"]
    assert fake.repos == ["apple/DepthPro-hf"]
    assert (tmp_path / "depth-pro" / "model.safetensors").is_file()

    assert cli.main(["models", "fetch", "apple/DepthPro-hf", "--models-dir", str(tmp_path)]) == 0
    assert f"depth-pro: in the cache at {tmp_path / 'depth-pro'}" in capsys.readouterr().out
    assert fake.repos == ["apple/DepthPro-hf"]


def test_cli_models_fetch_offline_exits_1_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAGENT_OFFLINE", "1")
    monkeypatch.setattr(weights, "default_downloader", lambda: pytest.fail("an offline fetch must not download"))

    assert cli.main(["models", "fetch", "vggt-1b", "--models-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("sagent: error: vggt-1b is not in the model cache and downloads are off")
    assert str(tmp_path / "vggt-1b") in captured.err and "facebook/VGGT-1B" in captured.err


def test_cli_models_fetch_needs_names_or_all(tmp_path, capsys):
    assert cli.main(["models", "fetch", "--models-dir", str(tmp_path)]) == 1
    assert "--all" in capsys.readouterr().err
    assert cli.main(["models", "fetch", "no-such-model", "--models-dir", str(tmp_path)]) == 1
    assert "vggt-1b" in capsys.readouterr().err
