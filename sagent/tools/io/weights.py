"""The model store: the weights sagent knows, fetched on first use into one cache and checked on every use.

A model is given by its catalogue name (`yolov8s-worldv2.pt`, `depth-anything-indoor`, `vggt-1b`; a hub
model also by its repo id, `facebook/VGGT-1B`) or as a local file or folder, which is used as it is. A
catalogue model missing from the cache (`$SAGENT_MODELS_DIR`, default ~/.cache/sagent/models) is
downloaded into it: a single-file asset by its URL, a Hugging Face model as the folder its loader reads
(`from_pretrained(folder)`: only the files it needs). A bar on stderr shows the progress when stderr is
a terminal (or when asked: `progress=True`).

Integrity. A file is downloaded to a temporary name beside its place and renamed into place only once it
is whole and checked; a hub folder is fetched into `.NAME.partial` (kept, so that the hub resumes it)
and renamed when complete. An interrupted download therefore leaves nothing that looks complete. Where
a sha256 is published with the file (OpenAI's CLIP URLs carry theirs, which the `clip` package checks
too), the download must match it. Where none is known (ultralytics publishes no digests for its release
assets, and keeps none in its package; hub folders are several files), the store records the sha256 and
size of each file it downloaded in `NAME.sha256.json` beside it and checks them on later uses, so a
truncated or altered file is caught: it is removed, with one line naming it and both digests. Later uses
only stat the files (size, mtime) and hash again what changed, as the scene cache does. A file put into
the cache by hand is checked against the published digest when there is one, and recorded as found.

Offline (`offline=True`, SAGENT_OFFLINE=1 or HF_HUB_OFFLINE=1) nothing is downloaded: a missing model
is one MissingWeights line naming it, where to get it and the exact path to put it at.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from sagent.errors import InputError
from sagent.memory.cache import default_cache_dir, file_sha256
from sagent.memory.storage import atomic_write_bytes
from sagent.settings import environment, offline_reason
from sagent.tools.io.progress import bars_shown

# The release ultralytics 8.4's attempt_download_asset pins for its own assets.
ULTRALYTICS_RELEASE = "https://github.com/ultralytics/assets/releases/download/v8.4.0"
HF_FILES = ("config.json", "preprocessor_config.json", "model.safetensors")  # what transformers' from_pretrained reads


class MissingWeights(InputError):
    """A model's weights are not on disk and cannot be downloaded now (offline, or the network failed)."""


class UnknownModel(InputError):
    """A name that is neither a local file or folder nor a model in the catalogue."""


class WeightsMismatch(InputError):
    """A downloaded or cached file does not match its sha256 (published, or recorded when it was fetched)."""


@dataclass(frozen=True)
class ModelSpec:
    """One model sagent can fetch: from `url` (one file) or from the hub's `repo_id` (a folder of `files`)."""

    name: str  # the catalogue name; for a single-file asset, its file name
    used_by: str  # detector | depth | reconstruction
    about: str
    size: int  # approximate download, bytes
    url: str | None = None
    repo_id: str | None = None
    files: tuple[str, ...] = ()  # hub: the files fetched (its loader needs no others)
    sha256: str | None = None  # published digest of the single file, where one is known
    sha256_from: str | None = None  # where that digest is stated
    needs: tuple[str, ...] = ()  # catalogue models it loads by itself at run time (text encoders)
    flag: str | None = None  # the sagent option that takes a local copy instead

    @property
    def source(self) -> str:
        return self.url or f"https://huggingface.co/{self.repo_id}"

    @property
    def is_folder(self) -> bool:
        return self.repo_id is not None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.repo_id) if self.repo_id else (self.name,)


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("yolov8s-worldv2.pt", "detector", "YOLO-World v2 small, open-vocabulary boxes", 26_000_000,
              url=f"{ULTRALYTICS_RELEASE}/yolov8s-worldv2.pt", needs=("ViT-B-32.pt",), flag="--detector-weights"),
    ModelSpec("yoloe-11s-seg.pt", "detector", "YOLOE-11 small, open-vocabulary boxes and masks", 28_000_000,
              url=f"{ULTRALYTICS_RELEASE}/yoloe-11s-seg.pt", needs=("mobileclip_blt.ts",), flag="--detector-weights"),
    ModelSpec("ViT-B-32.pt", "detector", "OpenAI CLIP ViT-B/32: YOLO-World's text encoder (set_classes)",
              354_000_000,
              url="https://openaipublic.azureedge.net/clip/models/"
                  "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt",
              sha256="40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af",
              sha256_from="the URL's path, as clip.clip._MODELS states it and clip._download checks it"),
    ModelSpec("mobileclip_blt.ts", "detector", "MobileCLIP-B(LT) TorchScript text encoder: YOLOE-11's (set_classes)",
              572_000_000, url=f"{ULTRALYTICS_RELEASE}/mobileclip_blt.ts"),
    ModelSpec("depth-anything-indoor", "depth", "Depth Anything V2 small, metric, indoor scenes", 99_000_000,
              repo_id="depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf", files=HF_FILES, flag="--depth-model"),
    ModelSpec("depth-anything-outdoor", "depth", "Depth Anything V2 small, metric, outdoor scenes", 99_000_000,
              repo_id="depth-anything/Depth-Anything-V2-Metric-Outdoor-Small-hf", files=HF_FILES, flag="--depth-model"),
    ModelSpec("depth-pro", "depth", "Apple Depth Pro, metric depth and focal length", 1_900_000_000,
              repo_id="apple/DepthPro-hf", files=HF_FILES, flag="--depth-model"),
    ModelSpec("vggt-1b", "reconstruction", "VGGT 1B: cameras and depth from plain videos", 5_030_000_000,
              repo_id="facebook/VGGT-1B", files=("config.json", "model.safetensors"), flag="--vggt-weights"),
)


def find_model(name: str) -> ModelSpec | None:
    """The catalogue entry called `name` (its name or hub repo id), or None."""
    return next((spec for spec in MODELS if name in spec.names), None)


def default_models_dir() -> Path:
    """$SAGENT_MODELS_DIR, else `models` in sagent's cache (~/.cache/sagent/models; SAGENT_CACHE_DIR moves it)."""
    env = environment().models_dir.strip()
    return Path(env).expanduser() if env else default_cache_dir() / "models"


def human_size(size: int) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


class Downloader(Protocol):
    """How bytes arrive. Failures of the network or the server raise OSError (or http.client.HTTPException);
    the store turns them into one line naming the model and where to put a copy fetched by hand."""

    def download_url(self, url: str, dest: Path, progress: bool) -> None:
        """Write the body at `url` to the file `dest` (a temporary name; the store checks and renames it)."""

    def download_hub(self, repo_id: str, dest_folder: Path, progress: bool, files: tuple[str, ...] = ()) -> None:
        """Put hub model `repo_id`'s `files` (all when empty) into `dest_folder`."""


class _QuietTqdm(tqdm):
    """A bar that never draws: handed to huggingface_hub when progress is off."""

    def __init__(self, *args, **kwargs):
        kwargs["disable"] = True
        super().__init__(*args, **kwargs)


class HttpDownloader:
    """URLs through urllib, streamed in 1 MiB chunks under a tqdm bar; hub repos through
    huggingface_hub.snapshot_download (its own bars), which is imported only when a hub model is fetched."""

    timeout = 30.0  # seconds without a byte before a connection counts as failed

    def download_url(self, url: str, dest: Path, progress: bool) -> None:
        request = urllib.request.Request(url, headers={"User-Agent": "sagent"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response, open(dest, "wb") as out:
            length = int(response.headers.get("Content-Length") or 0)
            received = 0
            with tqdm(total=length or None, unit="B", unit_scale=True, unit_divisor=1024, desc=url.rsplit("/", 1)[-1],
                      file=sys.stderr, disable=not progress) as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        if length and received != length:
            raise OSError(f"the connection closed after {received} of {length} bytes")

    def download_hub(self, repo_id: str, dest_folder: Path, progress: bool, files: tuple[str, ...] = ()) -> None:
        try:
            from huggingface_hub import snapshot_download
        except ImportError:
            raise InputError(f"fetching {repo_id} from the Hugging Face hub needs huggingface_hub: pip install "
                             "'sagent[depth]' (or 'sagent[vggt]')") from None
        try:
            snapshot_download(repo_id, local_dir=dest_folder, allow_patterns=list(files) or None,
                              tqdm_class=tqdm if progress else _QuietTqdm)
        except OSError:
            raise
        except Exception as error:  # httpx's and the hub's own network errors are not all OSErrors
            if type(error).__module__.split(".")[0] in ("huggingface_hub", "httpx", "httpcore", "requests", "urllib3"):
                raise OSError(f"{type(error).__name__}: {error}") from error
            raise


def default_downloader() -> Downloader:
    """The downloader a store uses when none is injected (tests replace this factory)."""
    return HttpDownloader()


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0][:200] if text else type(error).__name__)


def _files_in(path: Path) -> dict[str, Path]:
    """The files that make up a cached model, by their name in its record (the hub's .cache is no part)."""
    if path.is_file():
        return {path.name: path}
    return {file.relative_to(path).as_posix(): file for file in sorted(path.rglob("*"))
            if file.is_file() and ".cache" not in file.relative_to(path).parts}


def _entry(file: Path, sha256: str) -> dict:
    stat = file.stat()
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class WeightsStore:
    """Where sagent's model weights live: `path(name)` gives a local path, fetching into the cache on first use."""

    def __init__(self, root: str | os.PathLike | None = None, offline: bool | None = None,
                 downloader: Downloader | None = None, progress: bool | None = None):
        """`offline`: None lets SAGENT_OFFLINE / HF_HUB_OFFLINE decide. `progress`: None shows bars when
        stderr is a terminal. `downloader`: None uses `default_downloader()` when a download starts."""
        self.root = Path(root).expanduser() if root else default_models_dir()
        self.offline_reason = "--offline" if offline else None if offline is False else offline_reason()
        self.offline = self.offline_reason is not None
        self.downloader = downloader
        self.progress = progress

    def location(self, name: str) -> Path:
        """Where catalogue model `name` lives in this cache (whether it is there or not)."""
        return self.root / self.spec(name).name

    def record_path(self, name: str) -> Path:
        """The digests recorded for catalogue model `name` when it was fetched (or first found)."""
        return self.root / f"{self.spec(name).name}.sha256.json"

    def is_cached(self, name: str) -> bool:
        """Catalogue model `name` is in the cache (present; not hashed)."""
        return self.location(name).exists()

    def spec(self, name: str) -> ModelSpec:
        spec = find_model(name)
        if spec is None:
            raise UnknownModel(f"no model {name!r}: it is neither a file or folder here nor a model sagent fetches "
                               f"({', '.join(s.name for s in MODELS)})")
        return spec

    def path(self, name_or_path: str | os.PathLike) -> Path:
        """A local file or folder as it is; a catalogue model from the cache (checked), fetched on first use."""
        text = str(name_or_path).strip()
        local = Path(text).expanduser()
        if text and local.exists():
            return local
        return self.fetch(text)

    def fetch(self, name: str) -> Path:
        """Catalogue model `name` in the cache: checked when there, else downloaded (MissingWeights offline)."""
        spec = self.spec(name)
        dest = self.root / spec.name
        if dest.exists():
            self._check(spec, dest)
            return dest
        if self.offline:
            raise MissingWeights(self._missing(spec, dest, f"downloads are off ({self.offline_reason})"))
        self.root.mkdir(parents=True, exist_ok=True)
        progress = self.progress if self.progress is not None else bars_shown()
        if progress:
            print(f"sagent: fetching {spec.name} (~{human_size(spec.size)}) from {spec.source} to {dest}",
                  file=sys.stderr)
        downloader = self.downloader or default_downloader()
        if spec.is_folder:
            self._fetch_folder(spec, dest, downloader, progress)
        else:
            self._fetch_file(spec, dest, downloader, progress)
        return dest

    def _missing(self, spec: ModelSpec, dest: Path, why: str, hint: str = "") -> str:
        """One line: which model, why it is not here, where to get it and the exact path to put it at."""
        if spec.is_folder:  # the hub's own CLI puts the files exactly where the store looks
            files = " ".join(spec.files)
            where = f"fetch it from {spec.source} with `hf download {spec.repo_id} {files} --local-dir {dest}`"
        else:
            where = f"download {spec.url} and put it at {dest}"
        local = f", or pass a local copy with {spec.flag} PATH" if spec.flag else ""
        return f"{spec.name} is not in the model cache and {why}: {hint}{where}{local}"

    def _failed(self, spec: ModelSpec, dest: Path, error: BaseException) -> MissingWeights:
        return MissingWeights(self._missing(spec, dest, f"downloading it from {spec.source} failed "
                                                        f"({_first_line(error)})", "check the connection, or "))

    def _fetch_file(self, spec: ModelSpec, dest: Path, downloader: Downloader, progress: bool) -> None:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=self.root)
        os.close(fd)
        tmp = Path(name)
        try:
            try:
                downloader.download_url(spec.url, tmp, progress)
            except (OSError, http.client.HTTPException) as error:
                raise self._failed(spec, dest, error) from None
            found = file_sha256(tmp)
            if spec.sha256 and found != spec.sha256:
                raise WeightsMismatch(f"the download of {spec.name} from {spec.url} does not match its published "
                                      f"sha256 (expected {spec.sha256}, found {found}); nothing was kept at {dest}")
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; weights are shared like any cached file
            # The record goes first: a record without its file is a download that did not finish, never trusted.
            self._write_record(spec, {dest.name: _entry(tmp, found)})
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _fetch_folder(self, spec: ModelSpec, dest: Path, downloader: Downloader, progress: bool) -> None:
        partial = self.root / f".{spec.name}.partial"
        try:
            downloader.download_hub(spec.repo_id, partial, progress, spec.files)
        except (OSError, http.client.HTTPException) as error:
            raise self._failed(spec, dest, error) from None
        absent = [name for name in spec.files if not (partial / name).is_file()]
        if absent:
            raise MissingWeights(self._missing(spec, dest, f"the download from the hub brought no {', '.join(absent)} "
                                                           "(has the repo changed?)"))
        if dest.exists():  # another process finished the same fetch first: theirs is as good
            shutil.rmtree(partial, ignore_errors=True)
            return
        shutil.rmtree(partial / ".cache", ignore_errors=True)  # the hub's resume bookkeeping, done with
        files = _files_in(partial)
        self._write_record(spec, {key: _entry(file, file_sha256(file)) for key, file in files.items()})
        os.replace(partial, dest)

    def _read_record(self, spec: ModelSpec) -> dict | None:
        try:
            record = json.loads(self.record_path(spec.name).read_text())
            return record if isinstance(record.get("files"), dict) else None
        except (OSError, ValueError, AttributeError):
            return None

    def _write_record(self, spec: ModelSpec, files: dict) -> None:
        record = {"name": spec.name, "source": spec.source, "files": files}
        atomic_write_bytes(self.record_path(spec.name), json.dumps(record, indent=1).encode())

    def _check(self, spec: ModelSpec, dest: Path) -> None:
        """The cached copy matches its record (stat first, a hash only for what changed); without a record,
        a single file is held to its published digest, and what is there gets recorded."""
        record = self._read_record(spec)
        if record is None:
            files = _files_in(dest)
            digests = {key: file_sha256(file) for key, file in files.items()}
            if spec.sha256 and not spec.is_folder and digests.get(dest.name) != spec.sha256:
                self._reject(spec, dest, f"{dest} does not match its published sha256 (expected {spec.sha256}, "
                                         f"found {digests.get(dest.name)})")
            self._write_record(spec, {key: _entry(files[key], digest) for key, digest in digests.items()})
            return
        changed = False
        for key, entry in record["files"].items():
            file = dest / key if dest.is_dir() else dest
            if not file.is_file():
                self._reject(spec, dest, f"{spec.name} in the cache at {dest} is incomplete ({key} is missing)")
            stat = file.stat()
            if stat.st_size == entry.get("size") and stat.st_mtime_ns == entry.get("mtime_ns"):
                continue
            found = file_sha256(file)
            if found != entry.get("sha256"):
                self._reject(spec, dest, f"{file} does not match the sha256 recorded when it was fetched (expected "
                                         f"{entry.get('sha256')}, found {found}): it was truncated or altered")
            record["files"][key] = _entry(file, found)  # touched but equal: remember the new mtime
            changed = True
        if changed:
            self._write_record(spec, record["files"])

    def _reject(self, spec: ModelSpec, dest: Path, problem: str) -> None:
        """A damaged cached copy is removed (it would fail every run) and reported in one line."""
        if dest.is_dir():
            shutil.rmtree(dest, ignore_errors=True)
        else:
            dest.unlink(missing_ok=True)
        self.record_path(spec.name).unlink(missing_ok=True)
        raise WeightsMismatch(f"{problem}; it was removed: run again to fetch {spec.name} anew")
