"""A triangle mesh of the surfaces a posed RGB-D input saw, for other tools (`sagent inspect --mesh`).

Every frame's depth (every n-th pixel, for about 320 columns) and colour go into one TSDF
(`perception.tsdf.SurfaceFusion`, Open3D's VoxelBlockGrid on the CPU); its zero crossing is the mesh.
The scene memory keeps no such field (it fuses only the detections' pixels, for trimming objects),
so the frames are read again. Sparse depth (structure from motion) has too few points to mesh.
"""

from __future__ import annotations

from pathlib import Path

from sagent.errors import InputError
from sagent.tools.io.frames import FrameSet
from sagent.tools.io.progress import bar
from sagent.tools.io.readers import detect_layout, read_frames
from sagent.tools.perception.sparse_mapper import sparse_depth
from sagent.tools.perception.tsdf import SurfaceFusion
from sagent.tools.pipeline.inputs import split_layout_spec


def mesh_input(spec: str) -> FrameSet:
    """The posed frames `spec` names, not yet read; InputError when it is something a mesh cannot be
    fused from (a command checks this before any work)."""
    path_text, _ = split_layout_spec(spec)
    if not Path(path_text).exists():
        raise InputError(f"input not found: {path_text}")
    frames = read_frames(spec) if detect_layout(Path(spec)) is not None else None
    if frames is None or not any(frame.depth_path is not None for frame in frames.frames):
        raise InputError(f"--mesh: {spec} is not posed RGB-D frames; a mesh is fused from depth frames (frames.json, "
                         "a Redwood / TUM / ScanNet / 7-Scenes folder). --ply writes a memory's points for any input")
    return frames


def fuse_mesh(frames: FrameSet, voxel: float = 0.02):
    """The Open3D (legacy) TriangleMesh, coloured, of posed RGB-D `frames` (`mesh_input`); InputError
    when they have no dense depth to fuse."""
    fusion = SurfaceFusion(voxel, colour=True)
    used = 0
    for frame in bar(frames.frames, desc="fusing a mesh", unit="frame"):
        depth = frame.depth
        if depth is not None and not sparse_depth(depth):
            fusion.add(depth, frame.K, frame.cam_to_world, image=frame.image)
            used += 1
        frame.release()
    mesh = fusion.mesh()
    if mesh is None:
        raise InputError(f"--mesh {frames.source}: no surface to mesh ({used} frames with dense depth)")
    return mesh
