"""Photos as users hand them over: decoded upright (EXIF orientation applied), checked, and with the
focal length their EXIF states when it states one.

A photo is refused with one line when it is empty, not an image, truncated, smaller than
MIN_SIDE pixels a side, or larger than MAX_PIXELS (a decompression bomb, or a panorama no depth
model takes whole).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sagent.tools.io.depth import FramesError

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
MIN_SIDE = 32  # pixels: below this no detector or depth model sees an object
MAX_PIXELS = 50_000_000  # 50 MP: larger than any phone's main camera writes
DIAGONAL_35MM = float(np.hypot(36.0, 24.0))  # mm: the "35 mm equivalent" focal length refers to this diagonal

# EXIF tags (Exif IFD)
_FOCAL_35MM = 0xA405
_FOCAL_MM = 0x920A
_PLANE_X_RESOLUTION = 0xA20E
_PLANE_RESOLUTION_UNIT = 0xA210
_PIXEL_X, _PIXEL_Y = 0xA002, 0xA003  # the image's size as the camera wrote it
_UNIT_MM = {2: 25.4, 3: 10.0, 4: 1.0, 5: 0.001}  # FocalPlaneResolutionUnit: inch, cm, mm, micrometre


class PhotoError(FramesError):
    """A photo could not be used: missing, empty, not an image, truncated, too small or too large."""


@dataclass
class Photo:
    path: Path
    image: np.ndarray  # UInt8[H W 3] RGB, upright
    focal_px: float | None  # focal length in pixels of `image` from EXIF, or None when it states none
    focal_source: str  # how focal_px was found ("EXIF 35 mm equivalent 26 mm"), "" when not

    @property
    def size(self) -> tuple[int, int]:
        """(height, width)"""
        return self.image.shape[0], self.image.shape[1]


def is_photo(path: Path) -> bool:
    return Path(path).suffix.lower() in PHOTO_SUFFIXES


def _exif_focal(exif, width: int, height: int) -> tuple[float | None, str]:
    """(focal length in pixels, how it was found) from EXIF, for the image as it is after orientation."""
    try:
        tags = exif.get_ifd(0x8769)  # the Exif sub-IFD holds the focal lengths
    except Exception:  # noqa: BLE001 - malformed EXIF is no focal length, not a bad photo
        return None, ""
    diagonal = float(np.hypot(width, height))
    f35 = _number(tags.get(_FOCAL_35MM))
    if f35 and 5 <= f35 <= 2000:
        return f35 * diagonal / DIAGONAL_35MM, f"EXIF 35 mm equivalent {f35:g} mm"
    focal_mm, per_unit = _number(tags.get(_FOCAL_MM)), _number(tags.get(_PLANE_X_RESOLUTION))
    unit = _UNIT_MM.get(int(_number(tags.get(_PLANE_RESOLUTION_UNIT)) or 2))
    exif_width, exif_height = _number(tags.get(_PIXEL_X)), _number(tags.get(_PIXEL_Y))
    if focal_mm and per_unit and unit and exif_width and exif_height:
        # The resolution is in the camera's own pixels: a resized copy has fewer of them, by the ratio of
        # its long side to the size EXIF states (a copy resized without updating EXIF cannot be told).
        focal = focal_mm * per_unit / unit * max(width, height) / max(exif_width, exif_height)
        if 0.2 * max(width, height) <= focal <= 20 * max(width, height):
            return focal, f"EXIF focal length {focal_mm:g} mm and sensor resolution"
    return None, ""


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if np.isfinite(number) and number > 0 else None


def read_photo(path: str | Path) -> Photo:
    """The photo at `path`, upright, as UInt8 RGB, with its EXIF focal length; PhotoError otherwise."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise PhotoError(f"photo not found: {path}")
    if path.stat().st_size == 0:
        raise PhotoError(f"cannot read photo {path}: the file is empty")
    try:
        with Image.open(path) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise PhotoError(f"photo {path} is {width}x{height} ({width * height / 1e6:.0f} MP), more than "
                                 f"sagent takes ({MAX_PIXELS / 1e6:.0f} MP): downscale it first")
            if min(width, height) < MIN_SIDE:
                raise PhotoError(f"photo {path} is {width}x{height}: too small to find or measure objects in "
                                 f"(at least {MIN_SIDE} pixels a side)")
            upright = ImageOps.exif_transpose(opened)  # phones store portrait shots sideways
            image = np.asarray(upright.convert("RGB"))
            focal, how = _exif_focal(opened.getexif(), image.shape[1], image.shape[0])
    except PhotoError:
        raise
    except (UnidentifiedImageError, ImportError):
        # ImportError: ultralytics, once imported, patches Image.open to install a HEIF plugin on any file
        # Pillow cannot identify; offline that fails on the import. Either way the file is no image we read.
        raise PhotoError(f"cannot read photo {path}: not an image (JPEG, PNG, BMP, WebP or TIFF)") from None
    except Image.DecompressionBombError as exc:
        raise PhotoError(f"photo {path} is too large to decode safely: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data fails while decoding
        raise PhotoError(f"cannot read photo {path}: the image data is damaged or truncated ({exc})") from None
    return Photo(path, np.array(image), focal, how)  # a writable copy: models may convert it in place


__all__ = ["MAX_PIXELS", "MIN_SIDE", "PHOTO_SUFFIXES", "Photo", "PhotoError", "is_photo", "read_photo"]
