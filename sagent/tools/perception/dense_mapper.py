"""Dense depth (a depth sensor, a depth model): each frame's detections are associated into the object
map as they come (`association.ObjectMap`), and a TSDF of the detections' pixels later trims each object
to its fused surface (`tsdf`). Memory follows the space covered, not the frames seen."""

from __future__ import annotations

import numpy as np

from sagent.tools.perception.association import ObjectMap
from sagent.tools.perception.floor import frame_floor
from sagent.tools.perception.fusion import Instance, make_instance
from sagent.tools.perception.lifting import Observation3D, depth_precision, isolate_object
from sagent.tools.perception.tsdf import SurfaceFusion

STATE_VERSION = 1
# How near the fused surface an object's voxels must be, in object voxels: the field's surface points
# are interpolated between voxels, and a whole voxel keeps a ring of the noise shell; half a voxel
# loses real edges and miscounts (BENCHMARKS.md, "Tuning history").
SURFACE_TOLERANCE = 0.7


class DenseMapper:
    def __init__(self, object_voxel: float, fuse_surfaces: bool, up: np.ndarray | None):
        self.object_voxel, self.fuse_surfaces, self.up = object_voxel, fuse_surfaces, up
        self.objects = ObjectMap(object_voxel)
        self.surfaces: SurfaceFusion | None = None  # made on the first frame with lifted detections

    def add(self, depth: np.ndarray, K: np.ndarray, cam_to_world: np.ndarray, seen: np.ndarray,
            lifted: list[Observation3D]) -> None:
        """One frame's lifted detections; `seen`: Float[N 3] the frame's cloud points (its floor is found there)."""
        floor = frame_floor(seen, self.up) if self.up is not None else None
        for observation in lifted:
            self._associate(observation, floor)
        if lifted and self.fuse_surfaces:
            if self.surfaces is None:
                self.surfaces = SurfaceFusion(self.object_voxel)
            self.surfaces.add(depth, K, cam_to_world, [o.box2d for o in lifted])

    def _associate(self, observation: Observation3D, floor: float | None) -> None:
        """The detection's own points (this frame's floor and the background in its box dropped) into the object map."""
        points = isolate_object(observation, self.up, floor, outliers=False)
        if len(points) >= 10:
            ranges = np.linalg.norm(points - observation.origin, axis=1)
            self.objects.add(observation.label, observation.sightings[0], points, depth_precision(ranges),
                             observation.masked)

    def candidates(self, up: np.ndarray, floor: float | None) -> list[Instance]:
        return self.objects.instances(up, floor)

    def on_surface(self, instance: Instance, up: np.ndarray, floor: float | None) -> Instance:
        """The instance without the voxels off the fused surface: the shell depth noise puts around an
        object makes its box a few centimetres too large; as it was where the field has too little of it."""
        if self.surfaces is None:
            return instance
        keep = self.surfaces.on_surface(instance.points, SURFACE_TOLERANCE * self.object_voxel)
        if keep.all() or keep.sum() < 10:
            return instance
        return make_instance(instance.points[keep], up, floor, instance.sightings, instance.votes)

    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays, meta = self.objects.state()
        meta = {"version": STATE_VERSION, "objects": meta}
        if self.surfaces is not None:  # the TSDF that trims objects at the build goes on after a resume
            arrays["surfaces"] = np.frombuffer(self.surfaces.state(), np.uint8)
            meta["surface_frames"] = self.surfaces.frames
        return arrays, meta

    def restore(self, data, meta: dict) -> None:
        if meta.get("version") != STATE_VERSION:
            raise ValueError(f"dense mapper state version {meta.get('version')}, expected {STATE_VERSION}")
        self.objects = ObjectMap.from_state(data, meta["objects"])
        self.surfaces = None
        if "surfaces" in data:
            self.surfaces = SurfaceFusion(self.object_voxel)
            self.surfaces.restore(bytes(data["surfaces"]), meta.get("surface_frames", 0))
