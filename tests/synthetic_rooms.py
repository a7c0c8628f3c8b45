"""Generated rooms shared by the perception tests (rendered once per test session)."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from sagent.tools.synthetic.generator import REALISTIC, Noise, RoomSpec, generate

_ROOT = Path(tempfile.mkdtemp(prefix="sagent-rooms-"))


@lru_cache(maxsize=None)
def room(seed: int, masks: bool = True, noisy: bool = False, frames: int = 30) -> Path:
    out = _ROOT / f"room{seed}-{'m' if masks else 'b'}{'-noisy' if noisy else ''}-{frames}"
    generate(out, RoomSpec(seed=seed, frames=frames, noise=REALISTIC if noisy else Noise(), write_masks=masks))
    return out
