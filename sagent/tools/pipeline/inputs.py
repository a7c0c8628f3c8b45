"""What the user points sagent at, turned into a scene memory (through the cache when asked).

- a saved scene memory: `scene.npz`
- a layout: `META.json` or `META.json:SCENE` (VSI-Bench meta_info)
- posed RGB-D frames: a `frames.json` manifest, or a Redwood, TUM, ScanNet or 7-Scenes folder
- a plain video or a folder of images: reconstructed (COLMAP on a CPU, VGGT on a GPU), see plain_video.py
"""

from __future__ import annotations

from pathlib import Path

from sagent.errors import InputError
from sagent.memory.cache import SceneCache, cache_key, content_digest
from sagent.memory.layouts import LayoutError, load_layout
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import load_scene
from sagent.tools.io.readers import detect_layout, read_frames
from sagent.tools.io.video import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from sagent.tools.perception.scene_builder import BuildRecorder, build_scene
from sagent.tools.pipeline.plain_video import read_sidecar, scene_from_video, sidecar_path, video_grounder
from sagent.tools.pipeline.settings import PerceptionSettings, detection_labels, make_grounder, scene_name


def split_layout_spec(spec: str) -> tuple[str, str | None]:
    """`META.json:SCENE` -> (path, scene); a bare path -> (path, None)."""
    path, sep, scene = spec.rpartition(":")
    if sep and path.endswith(".json") and scene and "/" not in scene:
        return path, scene
    return spec, None


# Bumped when perception builds different memories from the same input and settings, so cached
# scenes from an older builder are rebuilt, not served (2: order-free association, triangulation,
# typical sizes for unseen sides; 3: parts an occluder cut apart joined, tighter surface trim and carving,
# boxes fitted to better-measured voxels).
PERCEPTION_VERSION = 3


def _cached(cache: SceneCache | None, digest_paths: list[Path], settings: dict, build) -> SceneMemory:
    if cache is None:
        return build()
    settings = {**settings, "perception_version": PERCEPTION_VERSION}
    memory, _ = cache.get_or_build(cache_key(content_digest(*digest_paths), settings), build)
    return memory


def _image_folder(path: Path) -> bool:
    return path.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir())


def _video(path: Path, cache: SceneCache | None, perception: PerceptionSettings, question: str | None,
           progress: bool) -> SceneMemory:

    detections = read_sidecar(path) if path.is_file() else None
    # The grounder is settled first: a missing detector fails now, not after the reconstruction.
    grounder = video_grounder(detections, lambda: make_grounder(perception, None))
    labels = detection_labels(question, grounder)
    settings = {"builder": "video", **grounder.settings(), "labels": labels, **perception.build.to_dict(),
                **perception.video.to_dict()}
    digest = [path] + ([sidecar_path(path)] if detections is not None else [])
    return _cached(cache, digest, settings, lambda: scene_from_video(
        path, grounder, labels, perception.build, perception.video, scene_name(path), detections, progress))


def load_input(spec: str, cache: SceneCache | None = None, perception: PerceptionSettings | None = None,
               question: str | None = None, progress: bool = False, recorder: BuildRecorder | None = None) -> SceneMemory:
    """The scene memory for `spec`; frames are grounded, lifted and fused (cached by content and settings).
    `recorder` watches a build from posed frames as it runs (nothing is recorded when the cache answers)."""
    path_text, scene = split_layout_spec(spec)
    path = Path(path_text)
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if path.suffix.lower() == ".npz":
        return load_scene(path)
    kind = detect_layout(path)
    if kind is None and path.suffix.lower() == ".json":
        return _cached(cache, [path], {"builder": "layout", "scene": scene}, lambda: load_layout(path, scene))
    if kind is not None:
        frames = read_frames(path)
        perception = perception or PerceptionSettings()
        grounder = make_grounder(perception, frames)
        labels = detection_labels(question, grounder)
        settings = {"builder": "frames", "reader": kind, **grounder.settings(), "labels": labels,
                    **perception.build.to_dict()}
        root = path if path.is_dir() else path.parent
        return _cached(cache, [root], settings,
                       lambda: build_scene(frames, grounder, labels, perception.build, scene_name(path), progress,
                                           recorder))
    if path.suffix.lower() in VIDEO_SUFFIXES or _image_folder(path):
        return _video(path, cache, perception or PerceptionSettings(), question, progress)
    raise InputError(f"cannot read {path}: sagent reads scene memories (.npz), layouts (META.json[:SCENE]), "
                     "posed-frames manifests (frames.json), Redwood / TUM / ScanNet / 7-Scenes folders, videos and image folders")


__all__ = ["InputError", "LayoutError", "load_input", "split_layout_spec"]
