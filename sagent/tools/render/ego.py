"""An ego view: the fused point cloud (and object boxes, labelled) seen from a viewpoint.

Points are splatted with a z-buffer into a pinhole camera; boxes are drawn as projected outlines.
An input view renders with its own pose and intrinsics, so its picture lines up with the frame.
"""

from __future__ import annotations

import io

import numpy as np

from sagent.memory.box import BOX_EDGES
from sagent.memory.scene import SceneMemory
from sagent.tools.geometry.camera import PinholeCamera, intrinsics, look_at


def viewpoint_pose(position: np.ndarray, facing: np.ndarray, up: np.ndarray, tilt_degrees: float = 10.0) -> np.ndarray:
    """Camera-to-world for an observer at `position` looking along `facing`, tilted down a little."""
    down = np.radians(tilt_degrees)
    target = position + facing * np.cos(down) - up * np.sin(down)
    return look_at(position, target, up)


def render_ego(scene: SceneMemory, cam_to_world: np.ndarray, K: np.ndarray | None = None, width: int = 640,
               height: int = 480, voxel: float | None = None, boxes: bool = True, caption: str = "") -> bytes:
    """PNG bytes of the scene memory seen from `cam_to_world` (OpenCV axes). Each cloud point covers
    its voxel's footprint on screen (near points are bigger), so surfaces render closed; the voxel
    size is the cloud's typical point spacing unless given."""
    from PIL import Image, ImageDraw

    K = intrinsics(width, height, 70.0) if K is None else np.asarray(K, float)
    canvas = np.full((height, width, 3), 235, np.uint8)
    zbuffer = np.full((height, width), np.inf)
    camera = PinholeCamera(K, cam_to_world, width, height)
    cloud = scene.point_cloud
    if cloud is not None and len(cloud):
        uv, depth = camera.project(cloud[:, :3].astype(float))
        colours = np.clip(cloud[:, 3:6] * 255, 0, 255).astype(np.uint8) if cloud.shape[1] >= 6 else \
            np.full((len(cloud), 3), 90, np.uint8)
        visible = (depth > 0.05) & np.isfinite(uv).all(axis=1)
        uv, depth, colours = uv[visible], depth[visible], colours[visible]
        if voxel is None:
            from scipy.spatial import cKDTree

            sample = cloud[np.random.default_rng(0).choice(len(cloud), min(len(cloud), 5000), replace=False), :3]
            # Spacing in a random sample overstates the full cloud's; scale back by the sampling rate.
            voxel = float(np.median(cKDTree(sample).query(sample, k=2)[0][:, 1])) * np.sqrt(len(sample) / len(cloud))
        cols, rows = camera.pixels(uv)
        radius = np.clip(np.ceil(K[0, 0] * voxel / (2 * depth)), 1, 8).astype(int)
        largest = int(radius.max())
        for dy in range(-largest + 1, largest):
            for dx in range(-largest + 1, largest):
                r, c = rows + dy, cols + dx
                inside = (r >= 0) & (r < height) & (c >= 0) & (c < width) & (radius > max(abs(dy), abs(dx)))
                r, c, d, rgb = r[inside], c[inside], depth[inside], colours[inside]
                nearer = d < zbuffer[r, c]
                zbuffer[r[nearer], c[nearer]] = d[nearer]
                canvas[r[nearer], c[nearer]] = rgb[nearer]
    image = Image.fromarray(canvas)
    draw = ImageDraw.Draw(image)
    if boxes:
        for obj in scene.objects:
            corners = obj.box.corners()
            uv, depth = camera.project(corners)
            if (depth <= 0.05).any():
                continue
            for i, j in BOX_EDGES:
                draw.line([tuple(uv[i]), tuple(uv[j])], fill=(200, 30, 30), width=1)
            top = uv[np.argmin(uv[:, 1])]
            if 0 <= top[0] < width and 0 <= top[1] < height:
                draw.text((top[0] + 2, max(0, top[1] - 12)), obj.label, fill=(150, 0, 0))
    if caption:
        draw.rectangle([0, height - 16, width, height], fill=(255, 255, 255))
        draw.text((4, height - 14), caption, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
