"""VGGT (facebookresearch/vggt): cameras and depth for every frame in one forward pass, on a GPU.

The model is loaded lazily and can be injected (tests pass a fake with the same interface):
`model(images)` takes Float[S 3 H W] in 0-1 (H, W multiples of 14, width 518) and returns a dict
with "pose_enc" Float[1 S 9] (translation, quaternion xyzw, vertical and horizontal field of view;
camera-from-world, OpenCV axes, first camera at the origin), "depth" Float[1 S H W 1] and
"depth_conf" Float[1 S H W].

Many frames are run in overlapping chunks, so memory stays bounded; each chunk is put into the
first chunk's frame by a similarity fitted to the 3D points its overlapping frames share with the
previous chunk (the same pixels, unprojected in both).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from pydantic import StrictInt

from sagent.settings import Settings, knob
from sagent.tools.geometry.camera import PinholeCamera, principal_point_from_corner
from sagent.tools.io.video import Keyframe
from sagent.tools.reconstruction.reconstruction import PosedView, Reconstruction, ReconstructionError, similarity_align

PATCH = 14
WIDTH = 518
HUB_WEIGHTS = "facebook/VGGT-1B"
# On a CPU, global attention over a chunk's ~1,400 tokens a frame is held in memory whole: 8 frames
# keep it to a few GiB, and a 1B-parameter model then takes about a minute a chunk.
CPU_CHUNK = 8

log = logging.getLogger(__name__)


class VggtSettings(Settings):
    weights: str | None = knob(None, "VGGT weights: model.pt or a pretrained folder (default: facebook/VGGT-1B from "
                               "the hub)", flag="--vggt-weights", metavar="PATH")
    chunk: StrictInt = knob(48, "frames per forward pass", ge=2)
    overlap: StrictInt = knob(6, "frames shared by consecutive chunks", ge=1)
    drop_confidence: float = knob(0.3, "share of each frame's least confident depths dropped", ge=0, lt=1)


def decode_pose_encoding(encoding: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(cam_to_world Float[S 4 4], K Float[S 3 3]) from VGGT's Float[S 9] pose encoding for H x W images."""
    world_to_cam = np.tile(np.eye(4), (len(encoding), 1, 1))
    world_to_cam[:, :3, :3] = Rotation.from_quat(encoding[:, 3:7]).as_matrix()  # x, y, z, w: scipy's order
    world_to_cam[:, :3, 3] = encoding[:, :3]
    fy = (height / 2) / np.tan(encoding[:, 7] / 2)
    fx = (width / 2) / np.tan(encoding[:, 8] / 2)
    K = np.zeros((len(encoding), 3, 3))
    K[:, 0, 0], K[:, 1, 1], K[:, 0, 2], K[:, 1, 2], K[:, 2, 2] = fx, fy, width / 2, height / 2, 1.0
    return np.linalg.inv(world_to_cam), K


@dataclass
class Preprocessed:
    """Images as the model takes them, and how they map back to the originals."""

    images: np.ndarray  # Float32[S 3 h w] in 0-1
    scale_x: float  # original pixels per model pixel
    scale_y: float
    top: int  # model rows cropped off the top (tall images are centre-cropped to 518 rows)


def preprocess(frames: list[np.ndarray]) -> Preprocessed:
    """Resize to 518 wide with the height a multiple of 14, centre-crop taller images to 518 rows."""
    import cv2

    height, width = frames[0].shape[:2]
    if any(f.shape[:2] != (height, width) for f in frames):
        raise ReconstructionError("all frames of one video must have the same size")
    resized_height = max(PATCH, int(round(height * WIDTH / width / PATCH)) * PATCH)
    top = max(0, (resized_height - WIDTH) // 2)
    batch = []
    for frame in frames:
        image = cv2.resize(frame, (WIDTH, resized_height), interpolation=cv2.INTER_CUBIC)
        batch.append(image[top:top + min(resized_height, WIDTH)])
    images = np.stack(batch).astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    return Preprocessed(np.clip(images, 0, 1), width / WIDTH, height / resized_height, top)


def _gpu_dtype(torch):
    major, _ = torch.cuda.get_device_capability()
    return torch.bfloat16 if major >= 8 else torch.float16  # bf16 from Ampere on


class VggtReconstructor:
    def __init__(self, settings: VggtSettings | None = None, model=None, device: str | None = None):
        """`device`: where the model runs (None: cuda, and an error without a GPU)."""
        self.settings = settings or VggtSettings()
        self._model = model
        self._device = device

    def _torch(self):
        try:
            import torch
        except ImportError:
            raise ReconstructionError("the vggt backend needs PyTorch and vggt: pip install 'sagent[vggt]'") from None
        return torch

    def device(self) -> str:
        torch = self._torch()
        if self._device:
            return self._device
        if not torch.cuda.is_available():
            raise ReconstructionError("the vggt backend needs a CUDA GPU and none was found; on a CPU use "
                                      "--backend colmap, or --device cpu to run VGGT there (slow: minutes)")
        return "cuda"

    def model(self):
        if self._model is not None:
            return self._model
        torch = self._torch()
        try:
            from vggt.models.vggt import VGGT
        except ImportError:
            raise ReconstructionError("the vggt backend needs the vggt package: pip install 'sagent[vggt]' "
                                      "(it installs from github.com/facebookresearch/vggt)") from None
        weights = self.settings.weights or HUB_WEIGHTS
        try:
            if Path(weights).is_file():
                model = VGGT()
                model.load_state_dict(torch.load(weights, map_location="cpu"))
            else:
                model = VGGT.from_pretrained(weights)
        except Exception as error:  # hub offline, a missing or foreign file: one message, not a traceback
            raise ReconstructionError(
                f"cannot load VGGT weights {weights!r} ({type(error).__name__}: {str(error)[:200]}); download "
                f"model.pt from huggingface.co/{HUB_WEIGHTS} and pass --vggt-weights PATH") from None
        self._model = model.to(self.device()).eval()
        return self._model

    def _infer(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pose encoding Float[S 9], depth Float[S h w], confidence Float[S h w]) for one chunk."""
        torch = self._torch()
        model, device = self.model(), self.device()
        batch = torch.from_numpy(images).to(device)
        with torch.no_grad():
            if device.startswith("cuda"):
                with torch.autocast("cuda", dtype=_gpu_dtype(torch)):
                    output = model(batch)
            else:
                output = model(batch)
        as_numpy = {k: output[k].float().cpu().numpy() for k in ("pose_enc", "depth", "depth_conf")}
        return as_numpy["pose_enc"][0], as_numpy["depth"][0, ..., 0], as_numpy["depth_conf"][0]

    def _chunk_sizes(self) -> tuple[int, int]:
        """(frames per forward pass, frames shared by consecutive passes) on this device."""
        chunk, overlap = self.settings.chunk, self.settings.overlap
        if self.device().startswith("cpu") and chunk > CPU_CHUNK:
            chunk, overlap = CPU_CHUNK, min(overlap, CPU_CHUNK // 2)
        return chunk, overlap

    def _chunks(self, count: int) -> list[range]:
        """Consecutive chunks of at most the chunk size, each sharing `overlap` frames with the one before
        (so each is aligned to the frames already placed)."""
        size, overlap = self._chunk_sizes()
        overlap = min(overlap, size - 1)
        chunks = [range(0, min(count, size))]
        while chunks[-1].stop < count:
            start = chunks[-1].stop - overlap
            chunks.append(range(start, min(count, start + size)))
        return chunks

    def reconstruct(self, keyframes: list[Keyframe]) -> Reconstruction:
        if len(keyframes) < 2:
            raise ReconstructionError(f"VGGT needs at least 2 frames, got {len(keyframes)}")
        if self.device().startswith("cpu"):
            log.warning("VGGT runs on the CPU as asked: %d frames in chunks of %d, which takes minutes "
                        "(a CUDA GPU takes seconds)", len(keyframes), self._chunk_sizes()[0])
        log.info("VGGT on %d keyframes (%s, chunks of %d)", len(keyframes), self.device(), self._chunk_sizes()[0])
        started = time.perf_counter()
        prepared = preprocess([k.image for k in keyframes])
        timings = {"preprocess": time.perf_counter() - started}
        h, w = prepared.images.shape[2:]
        poses = np.zeros((len(keyframes), 4, 4))
        K = np.zeros((len(keyframes), 3, 3))
        depth = np.zeros((len(keyframes), h, w), np.float32)
        started, poses_filled = time.perf_counter(), 0
        for chunk in self._chunks(len(keyframes)):
            encoding, chunk_depth, confidence = self._infer(prepared.images[chunk.start:chunk.stop])
            chunk_poses, chunk_K = decode_pose_encoding(encoding, h, w)
            chunk_depth = self._confident(chunk_depth, confidence)
            if chunk.start > 0:
                shared = range(chunk.start, poses_filled)
                s, R, t = self._align(shared, chunk, chunk_poses, chunk_depth, chunk_K, poses, depth, K)
                chunk_poses = chunk_poses.copy()
                chunk_poses[:, :3, :3] = R @ chunk_poses[:, :3, :3]
                chunk_poses[:, :3, 3] = s * chunk_poses[:, :3, 3] @ R.T + t
                chunk_depth = chunk_depth * s
            poses[chunk.start:chunk.stop], K[chunk.start:chunk.stop] = chunk_poses, chunk_K
            depth[chunk.start:chunk.stop] = chunk_depth
            poses_filled = chunk.stop
        timings["inference"] = time.perf_counter() - started
        views, points = [], []
        for index, keyframe in enumerate(keyframes):
            view_K, view_depth = self._to_original(K[index], depth[index], prepared, keyframe.image.shape[:2])
            views.append(PosedView(keyframe.index, keyframe.time, keyframe.image, view_K, poses[index], view_depth))
            rows, cols = np.nonzero(depth[index][::8, ::8] > 0)
            points.append(PinholeCamera(K[index], poses[index]).backproject(depth[index], rows * 8, cols * 8))
        return Reconstruction("vggt", views, np.concatenate(points), frames_given=len(keyframes), timings=timings)

    def _confident(self, depth: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """Depth with each frame's least confident share set to 0 (missing)."""
        cut = np.quantile(confidence.reshape(len(confidence), -1), self.settings.drop_confidence, axis=1)
        return np.where((confidence >= cut[:, None, None]) & (depth > 0), depth, 0).astype(np.float32)

    @staticmethod
    def _align(shared, chunk, chunk_poses, chunk_depth, chunk_K, poses, depth, K):
        """Similarity taking this chunk's frame into the previous chunks' one, from shared frames' points."""
        ours, theirs = [], []
        for index in shared:
            local = index - chunk.start
            valid = (chunk_depth[local] > 0) & (depth[index] > 0)
            rows, cols = np.nonzero(valid)
            if len(rows) > 4000:
                pick = np.linspace(0, len(rows) - 1, 4000).astype(int)
                rows, cols = rows[pick], cols[pick]
            ours.append(PinholeCamera(chunk_K[local], chunk_poses[local]).backproject(chunk_depth[local], rows, cols))
            theirs.append(PinholeCamera(K[index], poses[index]).backproject(depth[index], rows, cols))
        ours_a, theirs_a = np.concatenate(ours), np.concatenate(theirs)
        if len(ours_a) < 10:
            raise ReconstructionError("consecutive VGGT chunks share too few confident pixels to be joined; "
                                      "raise --vggt-overlap or --vggt-chunk")
        return similarity_align(ours_a, theirs_a)

    @staticmethod
    def _to_original(K: np.ndarray, depth: np.ndarray, prepared: Preprocessed, shape) -> tuple[np.ndarray, np.ndarray]:
        """K and depth for the original image: model pixels scaled back, cropped rows put back in place."""
        import cv2

        height, width = shape
        # VGGT measures pixels from the image's corner: scale back in that convention, then convert once.
        original_K = K.copy()
        original_K[0, 0] *= prepared.scale_x
        original_K[0, 2] = K[0, 2] * prepared.scale_x
        original_K[1, 1] *= prepared.scale_y
        original_K[1, 2] = (K[1, 2] + prepared.top) * prepared.scale_y
        original_K = principal_point_from_corner(original_K)
        first = int(round(prepared.top * prepared.scale_y))
        rows = int(round(depth.shape[0] * prepared.scale_y))
        full = np.zeros((height, width), np.float32)
        full[first:first + rows] = cv2.resize(depth, (width, rows), interpolation=cv2.INTER_NEAREST)[:height - first]
        return original_K, full

