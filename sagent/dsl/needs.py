"""What an op may need of a scene beyond its objects, and whether a scene has it. Ops declare their
needs (`@op(needs={"cameras"})`); the planner's reference, the example bank and the decoding grammar
offer an op only where the scene serves it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from sagent.dsl.registry import Op
    from sagent.memory.scene import SceneMemory

# Each need, and whether a scene has it.
SCENE_NEEDS: dict[str, Callable[["SceneMemory"], bool]] = {
    "cameras": lambda scene: bool(scene.cameras),  # the input views (observer, paths, ego views)
    "timeline": lambda scene: any(o.first_seen is not None for o in scene.objects),  # when each object was first seen
    "floor_area": lambda scene: scene.room.floor_area is not None,
    "outline": lambda scene: scene.room.outline is not None,  # the room's walls, in plan
}


def scene_serves(op: "Op", scene: "SceneMemory") -> bool:
    """False when the op needs something the scene lacks."""
    return all(SCENE_NEEDS[need](scene) for need in op.needs)


def scene_signature(scene: "SceneMemory") -> tuple:
    """Everything of a scene the grammar depends on (its labels and the needs it serves): scenes with
    equal signatures get the same grammar, so a cache can key on it."""
    return tuple(scene.labels()), tuple(sorted(name for name, has in SCENE_NEEDS.items() if has(scene)))
