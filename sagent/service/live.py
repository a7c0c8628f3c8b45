"""A scene a service keeps: streamed frames (one writer thread per scene, a bounded queue, every
acknowledged frame on disk before it is acknowledged) or a memory made from an input, and readers that
answer from the frames acknowledged before they asked."""

from __future__ import annotations

import io
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sagent.agent.agent import Agent
from sagent.agent.agent import detection as agent_detection
from sagent.errors import InputError, SagentError
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.io.frames import FramesError, frame_from_arrays

log = logging.getLogger(__name__)
FRAME_FILES = "frames"


class Busy(SagentError):
    """The scene cannot take the request now: the client should try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class QueueFull(Busy):
    """The scene's frame queue is full."""


class NotStreamed(InputError):
    """Frames sent to a scene made from an input."""


class NoFramesYet(InputError):
    """A question about a streamed scene that has no frames."""


class WriterBehind(Busy):
    """The scene's writer has not caught up with the frames acknowledged before a question."""


class StorageFull(SagentError):
    """A frame could not be written to disk (full, read-only): it was not acknowledged."""


@dataclass
class FramePayload:
    """One observed frame as the Python API's `Agent.observe` takes it, checked as a frame is."""

    K: np.ndarray
    cam_to_world: np.ndarray | None
    time: float | None
    image: np.ndarray | None = None
    depth: np.ndarray | None = None
    depth_scale: float = 1.0
    detections: list[dict] | None = None

    def check(self, first: bool) -> None:
        """FramesError (an InputError) naming what is wrong: K, pose, sizes, depth, boxes and masks; `first`:
        whether it is the scene's first frame (the only one that may leave out its pose)."""
        if self.cam_to_world is None and not first:
            raise FramesError("cam_to_world is needed for every frame after the first (without it, two frames "
                              "would stand at one place)")
        if self.detections is None:
            raise FramesError("detections: give the frame's detections (an empty list when it has none); this "
                              "server finds no objects itself")
        try:
            given = [agent_detection(d) for d in self.detections]
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise FramesError(f"detections: each needs a label, a box [x1, y1, x2, y2] and optionally a score and "
                              f"a mask ({type(error).__name__}: {str(error)[:80]})") from None
        pose = np.eye(4) if self.cam_to_world is None else self.cam_to_world
        frame_from_arrays(self.K, pose, 0.0 if self.time is None else self.time, self.image, self.depth,
                          self.depth_scale, given)

    def to_bytes(self) -> bytes:
        arrays = {"K": np.asarray(self.K, float), "depth_scale": np.array(self.depth_scale, float),
                  "meta": np.frombuffer(json.dumps({"time": self.time, "detections": self.detections}).encode(),
                                        np.uint8)}
        for name in ("cam_to_world", "image", "depth"):
            value = getattr(self, name)
            if value is not None:
                arrays[name] = np.asarray(value)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # uncompressed: a frame is acknowledged as soon as it is on disk
        return buffer.getvalue()

    @classmethod
    def from_file(cls, path: Path) -> "FramePayload":
        with np.load(path) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            get = lambda name: np.array(data[name]) if name in data.files else None  # noqa: E731
            return cls(np.array(data["K"]), get("cam_to_world"), meta["time"], get("image"), get("depth"),
                       float(data["depth_scale"]), meta["detections"])


@dataclass
class LiveScene:
    """A named scene: `agent` for one streamed frame by frame, else `fixed`, a memory made from an input."""

    name: str
    folder: Path
    agent: Agent | None = None
    fixed: SceneMemory | None = None
    queue_size: int = 64
    acknowledged: int = 0  # frames on disk, in order
    processed: int = 0  # frames the writer has added to the agent
    failed: list[str] = field(default_factory=list)
    _queue: queue.Queue = field(init=False)
    _builder_lock: threading.Lock = field(default_factory=threading.Lock)  # the agent's builder: writer and rebuilds
    _submit_lock: threading.Lock = field(default_factory=threading.Lock)  # frame numbers handed out in order
    _progress: threading.Condition = field(default_factory=threading.Condition)
    _seconds_per_frame: float = 0.05
    _built: tuple[int, SceneMemory] | None = None  # (frames processed when built, the memory) of the latest build
    _thread: threading.Thread | None = None

    def __post_init__(self):
        self._queue = queue.Queue(maxsize=self.queue_size)

    @property
    def frames_folder(self) -> Path:
        return self.folder / FRAME_FILES

    def start(self) -> None:
        """Replays the frames already on disk (a restart loses none), then takes new ones."""
        if self.agent is None:
            return
        saved = sorted(self.frames_folder.glob("*.npz")) if self.frames_folder.is_dir() else []
        self.acknowledged = len(saved)
        self._thread = threading.Thread(target=self._write, args=(saved,), name=f"scene {self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Ends the writer after the frames already queued (they are on disk either way)."""
        if self._thread is not None:
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                return  # a writer that far behind is a daemon thread: the frames replay on the next start
            self._thread.join(timeout)

    def streamed(self) -> "LiveScene":
        """This scene, or NotStreamed when it was made from an input."""
        if self.agent is None:
            raise NotStreamed(f"scene {self.name!r} was made from an input; stream frames into a scene created empty")
        return self

    def submit(self, payload: FramePayload) -> int:
        """The frame's number once it is on disk and queued; QueueFull (nothing written) when the queue is full."""
        self.streamed()
        with self._submit_lock:
            payload.check(first=self.acknowledged == 0)
            if self._queue.full():
                wait = max(1.0, round(self._queue.qsize() * self._seconds_per_frame, 1))
                raise QueueFull(f"scene {self.name!r} has {self._queue.qsize()} frames waiting; send again in "
                                f"{wait:g} s", wait)
            index = self.acknowledged
            try:
                atomic_write_bytes(self.frames_folder / f"{index:07d}.npz", payload.to_bytes())
            except OSError as error:
                raise StorageFull(f"scene {self.name!r}: cannot keep the frame on disk ({error.strerror or error}); "
                                  "nothing was acknowledged") from None
            self.acknowledged += 1
            self._queue.put_nowait((index, payload))
        return index

    def _write(self, saved: list[Path]) -> None:
        for index, path in enumerate(saved):
            self._observe(index, lambda path=path: FramePayload.from_file(path))
        while True:
            item = self._queue.get()
            if item is None:
                return
            index, payload = item
            self._observe(index, lambda payload=payload: payload)

    def _observe(self, index: int, payload) -> None:
        """Adds frame `index` (`payload()` gives it); a frame that fails is recorded and skipped, never the
        end of the writer: every later frame and question still gets through."""
        started = time.perf_counter()
        try:
            with self._builder_lock:
                frame = payload()
                self.agent.observe(K=frame.K, cam_to_world=frame.cam_to_world, time=frame.time, image=frame.image,
                                   depth=frame.depth, depth_scale=frame.depth_scale, detections=frame.detections)
        except Exception as error:  # noqa: BLE001 - one frame's failure (even a bug) must not stop the scene
            self.failed.append(f"frame {index}: {type(error).__name__}: {error}")
            log.warning("scene %s, frame %d: %s: %s", self.name, index, type(error).__name__, error)
        finally:
            self._seconds_per_frame = 0.8 * self._seconds_per_frame + 0.2 * (time.perf_counter() - started)
            with self._progress:
                self.processed += 1
                self._progress.notify_all()

    def memory(self, timeout: float = 600.0) -> SceneMemory:
        """A scene memory holding every frame acknowledged before this call (it waits for the writer), and
        perhaps later ones: a memory built for an earlier question that covers them is shared."""
        if self.agent is None:
            return self.fixed
        target = self.acknowledged
        with self._progress:
            if not self._progress.wait_for(lambda: self.processed >= target, timeout):
                wait = max(1.0, (self.acknowledged - self.processed) * self._seconds_per_frame)
                raise WriterBehind(f"scene {self.name!r}: {self.acknowledged - self.processed} frames still being "
                                   f"added after {timeout:g} s; ask again in {wait:.0f} s", wait)
        with self._builder_lock:
            if not self.agent.builder.cameras:
                raise NoFramesYet(f"scene {self.name!r} has no frames yet: send frames first")
            if self._built is None or self._built[0] < target:
                self._built = (self.processed, self.agent.scene)
            return self._built[1]

    def status(self) -> dict:
        return {"scene": self.name, "streamed": self.agent is not None, "acknowledged": self.acknowledged,
                "processed": self.processed, "queued": self._queue.qsize(), "failed": list(self.failed)}
