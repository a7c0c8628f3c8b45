"""What ops receive as their first argument: the scene memory and settings (never DSL-visible)."""

from __future__ import annotations

from dataclasses import dataclass

from sagent.memory.scene import SceneMemory


@dataclass
class ExecContext:
    scene: SceneMemory
    straight_ahead_degrees: float = 10.0  # a waypoint this close to the heading needs no turn
