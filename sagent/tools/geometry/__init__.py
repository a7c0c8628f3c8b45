"""Exact geometry the query path needs: box distances and overlaps, floor-plane directions, floor
footprints, the pinhole camera, and the scene graph."""

from sagent.tools.geometry.boxes import box_distance, boxes_overlap, point_box_distance, segment_distances
from sagent.tools.geometry.camera import PinholeCamera, intrinsics, look_at, principal_point_from_corner
from sagent.tools.geometry.floor_plane import floor_basis, floor_direction, signed_floor_angle
from sagent.tools.geometry.scene_graph import scene_graph

__all__ = [
    "PinholeCamera", "box_distance", "boxes_overlap", "floor_basis", "floor_direction", "intrinsics", "look_at",
    "point_box_distance", "principal_point_from_corner", "scene_graph", "segment_distances", "signed_floor_angle",
]
