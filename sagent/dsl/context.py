"""What ops receive as their first argument: the scene memory and settings (never DSL-visible)."""

from __future__ import annotations

from dataclasses import dataclass

from sagent.memory.scene import SceneMemory
from sagent.tools.geometry.floor_plane import STRAIGHT_AHEAD_DEGREES


@dataclass
class ExecContext:
    scene: SceneMemory
    straight_ahead_degrees: float = STRAIGHT_AHEAD_DEGREES  # a waypoint this close to the heading needs no turn
