"""Scene memory: objects with oriented boxes, cameras, room; saved atomically; layouts, units and the label vocabulary."""

from sagent.memory.box import OrientedBox
from sagent.memory.layouts import LayoutError, load_layout, read_layouts, scene_from_meta
from sagent.memory.scene import Camera, Observation, Room, SceneMemory, SceneObject, SceneRecord
from sagent.memory.storage import SceneFileError, load_scene, save_scene

__all__ = [
    "Camera", "LayoutError", "Observation", "OrientedBox", "Room", "SceneFileError", "SceneMemory",
    "SceneObject", "SceneRecord", "load_layout", "load_scene", "read_layouts", "save_scene",
    "scene_from_meta",
]
