"""Depth images to metres, checked: a supported type, one channel, and a plausible range for a room.

Integer depth is in units of 1/depth_scale metres (1000: millimetres); 0 and the type's largest value
(65535 for uint16: saturated, "no return" on many sensors) are missing. Float depth is already
metres where the caller says so (`.npy` files, arrays handed to the Python API); NaN, inf and
negative values are missing, and so is anything beyond MAX_DEPTH (100 m). A frame whose valid depth
has a median outside 0.05-20 m, or has no valid pixel at all, is refused with a message naming
depth_scale: a wrong scale (millimetres read as metres) would otherwise put the scene kilometres
wide, and every later step would pay for it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sagent.errors import InputError

MIN_MEDIAN_DEPTH = 0.05  # metres: closer than any depth sensor measures for most of a frame
MAX_MEDIAN_DEPTH = 20.0  # metres: half of the frame farther than this is no room
MAX_DEPTH = 100.0  # metres: a farther pixel is no measurement of a room (float outliers, sentinels): missing


class FramesError(InputError):
    """Frames could not be read: a missing file, a malformed manifest, an unreadable image, a bad pose."""


class DepthError(FramesError):
    """A depth image or array is unusable: the wrong type or shape, or implausible values."""


def depth_metres(raw, scale: float | None, where: str) -> np.ndarray:
    """Float32[H W] metres (0 = missing) from `raw` depth; integers (and floats when `scale` is given) are
    divided by `scale`. DepthError naming `where` and depth_scale when the result is not plausible."""
    raw = np.asarray(raw)
    if raw.ndim == 3 and raw.shape[2] == 1:
        raw = raw[..., 0]
    if raw.ndim != 2 or 0 in raw.shape:
        raise DepthError(f"{where} must be one channel H x W, has shape {raw.shape}")
    kind = raw.dtype.kind
    if kind not in "uif":
        raise DepthError(f"{where} has type {raw.dtype}; depth must be integers (1/depth_scale metres, "
                         "usually uint16 millimetres) or floats (metres)")
    saturated = raw == np.iinfo(raw.dtype).max if kind in "ui" else np.zeros(raw.shape, bool)
    if kind in "ui" and scale is None:
        raise DepthError(f"{where} is integer depth: give its depth_scale")
    with np.errstate(all="ignore"):
        metres = raw.astype(np.float32) / np.float32(scale if scale is not None else 1.0)
    metres[saturated | ~np.isfinite(metres) | (metres < 0)] = 0.0
    _check_plausible(metres, saturated, scale, kind, where)
    metres[metres > MAX_DEPTH] = 0.0
    return metres


def _check_plausible(metres: np.ndarray, saturated: np.ndarray, scale: float | None, kind: str, where: str) -> None:
    how = (f"depth_scale is {scale:g} (depth units per metre: 1000 for millimetres, 5000 for TUM)"
           if scale is not None else "float depth is read as metres: convert it, or give integers and depth_scale")
    sample = metres[::2, ::2]
    valid = sample[sample > 0]
    if valid.size == 0:
        valid = metres[metres > 0]
    if valid.size == 0:
        what = "saturated (the type's largest value)" if saturated.all() else "0 (missing) or saturated"
        raise DepthError(f"{where} has no usable depth: every pixel is {what}; check the file and its depth_scale")
    median = float(np.median(valid))
    if not MIN_MEDIAN_DEPTH <= median <= MAX_MEDIAN_DEPTH:
        raise DepthError(f"{where}: median depth {median:.4g} m is implausible for a room (expected "
                         f"{MIN_MEDIAN_DEPTH:g}-{MAX_MEDIAN_DEPTH:g} m); {how}")


def read_depth_file(path: Path, depth_scale: float) -> np.ndarray:
    """Float32[H W] metres from a depth image (16-bit PNG: 1/depth_scale metres) or a `.npy` (floats in
    metres, integers in 1/depth_scale metres)."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        try:
            raw = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise DepthError(f"depth file not found: {path}") from None
        except Exception as exc:  # noqa: BLE001 - a malformed .npy fails in many ways, each the file's fault
            raise DepthError(f"cannot read depth file {path}: {type(exc).__name__}: {exc}") from None
        scale = depth_scale if np.asarray(raw).dtype.kind in "ui" else None
        return depth_metres(raw, scale, f"depth file {path}")
    return depth_metres(read_pixels(path, "depth image", DepthError), depth_scale, f"depth image {path}")


def read_pixels(path: Path, what: str = "image", error: type[FramesError] = FramesError,
                mode: str | None = None) -> np.ndarray:
    """The pixels of an image file (converted to PIL `mode` when given, else as stored: 16-bit depth stays
    16-bit); `error` naming `what` and the file when it is missing or unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert(mode) if mode else image)
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise error(f"cannot read {what} {path}: {exc}") from None
    except ImportError:  # ultralytics' patched Image.open, offline, on a file Pillow cannot identify
        raise error(f"cannot read {what} {path}: not an image file") from None
    except Exception as exc:  # noqa: BLE001 - PIL raises SyntaxError, ValueError, DecompressionBombError on bad files
        raise error(f"cannot read {what} {path}: {type(exc).__name__}: {exc}") from None
