"""What structure from motion's models become: the largest, joined with the models that share keyframes
with it, as one Reconstruction; and whether two reconstructions of the same keyframes agree.

Incremental mapping starts a new model where registration breaks (a fast turn, a plain wall) and may
register a few keyframes in both (COLMAP's `max_model_overlap`). A model that shares keyframes with
the largest is brought into its frame by the similarity that best reprojects the shared keyframes'
points (`align_reconstructions_via_reprojections`); one that shares none cannot be placed and is left
out, which the reconstruction's coverage then says.
"""

from __future__ import annotations

import numpy as np

from sagent.tools.geometry.camera import principal_point_from_corner
from sagent.tools.io.video import Keyframe
from sagent.tools.reconstruction.reconstruction import PosedView, Reconstruction, similarity_align, visible_depth

AGREEMENT = 0.1  # RMS camera-centre disagreement after a similarity fit, as a share of the centres' spread


def joinable(pycolmap, models: list) -> list[tuple[object, np.ndarray]]:
    """[(model, Float[3 4] similarity into the first model's frame)], the first model (the largest)
    first, then each other model that shares keyframes with it and aligns."""
    base = models[0]
    joined = [(base, np.hstack([np.eye(3), np.zeros((3, 1))]))]
    base_names = {image.name for image in base.images.values() if image.has_pose}
    for other in models[1:]:
        shared = {image.name for image in other.images.values() if image.has_pose} & base_names
        if len(shared) < 2:
            continue
        similarity = pycolmap.align_reconstructions_via_reprojections(other, base)
        if similarity is not None:
            joined.append((other, np.asarray(similarity.matrix(), float)))
            base_names |= {image.name for image in other.images.values() if image.has_pose}  # a chain joins on
    return joined


def from_models(joined: list[tuple[object, np.ndarray]], keyframes: list[Keyframe], names: list[str]) -> Reconstruction:
    """One Reconstruction of the joined models: each keyframe's pose from the first model that has it."""
    by_name = dict(zip(names, keyframes))
    points, colours, poses = [], [], {}
    for model, similarity in joined:
        sR, t = similarity[:, :3], similarity[:, 3]
        ids = list(model.points3D.keys())
        xyz = np.array([model.points3D[i].xyz for i in ids]).reshape(-1, 3)
        points.append(xyz @ sR.T + t)
        colours.append(np.array([model.points3D[i].color for i in ids], float).reshape(-1, 3) / 255.0)
        rotation = sR / np.cbrt(np.linalg.det(sR))
        for image in model.images.values():
            if not image.has_pose or image.name in poses:
                continue
            world_to_cam = np.eye(4)
            world_to_cam[:3] = np.asarray(image.cam_from_world().matrix(), float)
            cam_to_world = np.linalg.inv(world_to_cam)
            cam_to_world[:3, :3] = rotation @ cam_to_world[:3, :3]
            cam_to_world[:3, 3] = sR @ cam_to_world[:3, 3] + t
            poses[image.name] = (cam_to_world, principal_point_from_corner(model.cameras[image.camera_id].calibration_matrix()))
    xyz, rgb = np.concatenate(points), np.concatenate(colours)
    views = []
    for name in sorted(poses):
        keyframe, (cam_to_world, K) = by_name[name], poses[name]
        depth = visible_depth(xyz, K, cam_to_world, keyframe.image.shape[:2])
        views.append(PosedView(keyframe.index, keyframe.time, keyframe.image, K, cam_to_world, depth))
    span = (keyframes[0].time, keyframes[-1].time)
    return Reconstruction("colmap", views, xyz, rgb, frames_given=len(keyframes), given_span=span)


def agree(a: Reconstruction, b: Reconstruction, max_degrees: float = 10.0) -> bool:
    """Whether the keyframes both posed sit in the same places and look the same ways up to a similarity
    (False when fewer than 4 are shared: a similarity has 7 parameters, 3 shared centres fit anything)."""
    poses_a = {v.source_index: v.cam_to_world for v in a.views}
    poses_b = {v.source_index: v.cam_to_world for v in b.views}
    shared = sorted(set(poses_a) & set(poses_b))
    if len(shared) < 4:
        return False
    source = np.array([poses_b[i][:3, 3] for i in shared])
    target = np.array([poses_a[i][:3, 3] for i in shared])
    s, R, t = similarity_align(source, target)
    spread = np.sqrt(((target - target.mean(0)) ** 2).sum(1).mean())
    error = np.sqrt(((s * source @ R.T + t - target) ** 2).sum(1).mean())
    turned = [np.degrees(np.arccos(np.clip((np.trace(poses_a[i][:3, :3].T @ R @ poses_b[i][:3, :3]) - 1) / 2, -1, 1)))
              for i in shared]
    return bool(error <= AGREEMENT * spread and max(turned) <= max_degrees)
