"""A triangle mesh of the surfaces a posed RGB-D input saw, for other tools (`sagent inspect --mesh`).

Every frame's depth (every n-th pixel, for about 320 columns) and colour go into one TSDF
(`perception.tsdf.SurfaceFusion`, Open3D's VoxelBlockGrid on the CPU); its zero crossing is the mesh.
The scene memory keeps no such field (it fuses only the detections' pixels, for trimming objects),
so the frames are read again. Sparse depth (structure from motion) has too few points to mesh.
"""

from __future__ import annotations

from pathlib import Path

from sagent.errors import InputError
from sagent.tools.io.readers import detect_layout, read_frames
from sagent.tools.perception.scene_builder import SPARSE_COVERAGE
from sagent.tools.perception.tsdf import SurfaceFusion
from sagent.tools.pipeline.inputs import split_layout_spec


def mesh_input(spec: str) -> Path:
    """The posed-frames input `spec` names; InputError when it is something a mesh cannot be fused from
    (a command checks this before any work)."""
    if not Path(split_layout_spec(spec)[0]).exists():
        raise InputError(f"input not found: {split_layout_spec(spec)[0]}")
    path = Path(spec)
    if detect_layout(path) is None or not any(frame.depth_path is not None for frame in read_frames(path).frames):
        raise InputError(f"--mesh: {spec} is not posed RGB-D frames; a mesh is fused from depth frames (frames.json, "
                         "a Redwood / TUM / ScanNet / 7-Scenes folder). --ply writes a memory's points for any input")
    return path


def fuse_mesh(spec: str, voxel: float = 0.02, progress: bool = False):
    """The Open3D (legacy) TriangleMesh, coloured, of posed RGB-D input `spec` (`mesh_input`);
    InputError when it has no dense depth to fuse."""
    from tqdm import tqdm

    path = mesh_input(spec)
    fusion = SurfaceFusion(voxel, colour=True)
    used = 0
    for frame in tqdm(read_frames(path).frames, desc="fusing a mesh", unit="frame", disable=not progress):
        depth = frame.depth
        if depth is not None and (depth > 0).mean() >= SPARSE_COVERAGE:
            fusion.add(depth, frame.K, frame.cam_to_world, image=frame.image)
            used += 1
        frame.release()
    mesh = fusion.mesh()
    if mesh is None:
        raise InputError(f"--mesh {path}: no surface to mesh ({used} frames with dense depth)")
    return mesh

