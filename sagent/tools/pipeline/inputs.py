"""What the user points sagent at, turned into a scene memory (through the cache when asked).

- a saved scene memory: `scene.npz`
- a layout: `META.json` or `META.json:SCENE` (VSI-Bench meta_info)
- posed RGB-D frames: a `frames.json` manifest, or a Redwood, TUM, ScanNet or 7-Scenes folder
- a plain video or a folder of images: reconstructed (COLMAP on a CPU, VGGT on a GPU), see plain_video.py
- a photo, or several photos of one scene: depth from a monocular model (and poses from the
  reconstruction backend for several), see photos.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sagent.errors import InputError
from sagent.memory.cache import SceneCache, cache_key
from sagent.memory.layouts import LayoutError, load_layout
from sagent.memory.scene import SceneMemory
from sagent.memory.storage import load_scene
from sagent.tools.io.readers import detect_layout, read_frames
from sagent.tools.io.photos import is_photo, read_photo
from sagent.tools.io.video import VIDEO_SUFFIXES, image_files, source_files
from sagent.tools.perception.scene_builder import BuildRecorder, build_scene
from sagent.tools.pipeline.photos import photo_keyframes, scene_from_photo
from sagent.tools.pipeline.plain_video import (
    choose_backend,
    read_sidecar,
    reconstruct,
    registered_enough,
    scene_from_reconstruction,
    scene_from_video,
    sidecar_path,
    video_grounder,
)
from sagent.tools.pipeline.settings import (
    PerceptionSettings,
    detection_labels,
    make_depth,
    make_grounder,
    scene_name,
)
from sagent.tools.reconstruction.vggt import HUB_WEIGHTS


def split_layout_spec(spec: str) -> tuple[str, str | None]:
    """`META.json:SCENE` -> (path, scene); a bare path -> (path, None)."""
    path, sep, scene = spec.rpartition(":")
    if sep and path.endswith(".json") and scene and "/" not in scene:
        return path, scene
    return spec, None


# Bumped when perception builds different memories from the same input and settings, so cached
# scenes from an older builder are rebuilt, not served (2: order-free association, triangulation,
# typical sizes for unseen sides; 3: parts an occluder cut apart joined, tighter surface trim and carving,
# boxes fitted to better-measured voxels; 4: COLMAP reconstructions independent of the thread count;
# 5: photos, and videos densified by a depth model; 6: keyframes evenly spaced in view change, COLMAP
# pairs by problem size, a hard-footage pass, split models joined, coverage recorded; far detections
# lifted a voxel apart, parts a detection spans joined, masked objects trimmed less, unseen sides grown
# away along the line of sight).
PERCEPTION_VERSION = 6


def _cached(cache: SceneCache | None, files: list[Path], root: Path, settings, build) -> SceneMemory:
    """The memory `build()` makes, through the cache when there is one: keyed by the content of `files`
    (what the input's reader opens, named relative to `root`) and `settings()` (what the build depends on,
    resolved: computed only when there is a cache to key)."""
    if cache is None:
        return build()
    key = cache_key(cache.digest(files, root), {**settings(), "perception_version": PERCEPTION_VERSION})
    memory, _ = cache.get_or_build(key, build)
    return memory


def weights_id(cache: SceneCache, weights: str) -> dict:
    """Weights as the key knows them: a file (or a pretrained folder) by name and content digest, so two
    `best.pt` are two entries; a hub name (or a path that is not there, which the loader refuses) by name."""
    path = Path(weights)
    if path.is_file():
        return {"name": path.name, "sha256": cache.digest([path], path.parent)}
    if path.is_dir():
        return {"name": path.name, "sha256": cache.digest(sorted(p for p in path.rglob("*") if p.is_file()), path)}
    return {"name": weights}


def _with_weights(component, cache: SceneCache) -> dict:
    """A grounder's or depth model's settings for the key, with the weights its output depends on by digest
    (a local file or folder; a hub name, resolved only when the model runs, stays a name)."""
    settings = component.settings()
    weights = getattr(component, "weights", None)
    return {**settings, "weights": weights_id(cache, weights)} if isinstance(weights, str) else settings


def _video_settings(perception: PerceptionSettings, cache: SceneCache) -> dict:
    """The video settings with the backend that will run ("auto" resolved here, so COLMAP and VGGT builds
    never share an entry), that backend's settings alone, and VGGT's weights by digest."""
    settings = perception.video.key()
    backend = choose_backend(settings["backend"])
    unused = "colmap" if backend == "vggt" else "vggt"
    settings = {key: value for key, value in settings.items() if key != unused}
    settings["backend"] = backend
    if backend == "vggt":
        settings["vggt"] = {**settings["vggt"], "weights": weights_id(cache, perception.video.vggt.weights or HUB_WEIGHTS),
                            "device": perception.device}
    return settings


def _image_folder(path: Path) -> bool:
    return path.is_dir() and bool(image_files(path))


def _video(path: Path, cache: SceneCache | None, perception: PerceptionSettings, question: str | None) -> SceneMemory:
    detections = read_sidecar(path) if path.is_file() else None
    # The grounder is settled first: a missing detector fails now, not after the reconstruction.
    grounder = video_grounder(detections, lambda: make_grounder(perception, None))
    labels = detection_labels(question, grounder)
    depth = make_depth(perception, photos=False)  # densifies only when a depth model is asked for
    files = source_files(path) + ([sidecar_path(path)] if detections is not None else [])
    root = path if path.is_dir() else path.parent
    densified = {} if depth is None else {"depth": _with_weights(depth, cache)}
    return _cached(cache, files, root, lambda: {
        "builder": "video", **_with_weights(grounder, cache), "labels": labels, **perception.build.key(),
        **_video_settings(perception, cache), **densified}, lambda: scene_from_video(
        path, grounder, labels, perception.build, perception.video, scene_name(path), detections, depth,
        perception.device))


def _photos(paths: list[Path], cache: SceneCache | None, perception: PerceptionSettings, question: str | None) -> SceneMemory:
    """One photo, or several of one scene (posed together by the reconstruction backend)."""
    photos = [read_photo(path) for path in paths]  # a bad photo fails before any model loads
    keyframes = photo_keyframes(photos) if len(photos) > 1 else []  # and photos of several sizes too
    depth = make_depth(perception, photos=True)  # an unknown name fails before a detector is fetched
    detections = read_sidecar(paths[0])
    grounder = video_grounder(detections, lambda: make_grounder(perception, None))
    labels = detection_labels(question, grounder)
    files = paths + ([sidecar_path(paths[0])] if detections is not None else [])
    root = paths[0].parent
    name = scene_name(paths[0])

    def settings() -> dict:
        base = {"builder": "photos", **_with_weights(grounder, cache), "labels": labels,
                **perception.build.key(), "depth": _with_weights(depth, cache), "scale": perception.video.scale}
        return base if len(paths) == 1 else {**base, **_video_settings(perception, cache)}

    def build() -> SceneMemory:
        if len(photos) == 1:
            given = None if detections is None else detections.get(0, [])
            return scene_from_photo(photos[0], depth, grounder, labels, perception.build, name, given,
                                    perception.video.scale)
        reconstruction = registered_enough(reconstruct(keyframes, perception.video, perception.device))
        return scene_from_reconstruction(reconstruction, grounder, labels, perception.build, name, detections,
                                         perception.video.scale, depth)

    return _cached(cache, files, root, settings, build)


def load_input(spec: str | Sequence[str], cache: SceneCache | None = None, perception: PerceptionSettings | None = None,
               question: str | None = None, recorder: BuildRecorder | None = None) -> SceneMemory:
    """The scene memory for `spec`; frames are grounded, lifted and fused (cached by content and settings).
    `recorder` watches a build from posed frames as it runs (nothing is recorded when the cache answers).
    Several photos of one scene come as a list of paths."""
    if not isinstance(spec, str):
        paths = [Path(p) for p in spec]
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise InputError(f"input not found: {missing[0]}")
        if len(paths) == 1:
            return load_input(str(paths[0]), cache, perception, question, recorder)
        if not all(is_photo(p) and p.is_file() for p in paths):
            raise InputError("several inputs are photos of one scene (JPEG, PNG, ...); got "
                             + ", ".join(p.name for p in paths))
        return _photos(paths, cache, perception or PerceptionSettings(), question)
    path_text, scene = split_layout_spec(spec)
    path = Path(path_text)
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if path.suffix.lower() == ".npz":
        return load_scene(path)
    kind = detect_layout(path)
    if kind is None and path.suffix.lower() == ".json":
        return _cached(cache, [path], path.parent, lambda: {"builder": "layout", "scene": scene},
                       lambda: load_layout(path, scene))
    if kind is not None:
        frames = read_frames(path)
        perception = perception or PerceptionSettings()
        grounder = make_grounder(perception, frames)
        labels = detection_labels(question, grounder)
        root = path if path.is_dir() else path.parent
        return _cached(cache, frames.files(), root, lambda: {
            "builder": "frames", "reader": kind, **_with_weights(grounder, cache), "labels": labels,
            **perception.build.key()},
            lambda: build_scene(frames, grounder, labels, perception.build, scene_name(path), recorder=recorder))
    if path.suffix.lower() in VIDEO_SUFFIXES or _image_folder(path):
        return _video(path, cache, perception or PerceptionSettings(), question)
    if path.is_file() and is_photo(path):
        return _photos([path], cache, perception or PerceptionSettings(), question)
    raise InputError(f"cannot read {path}: sagent reads scene memories (.npz), layouts (META.json[:SCENE]), "
                     "posed-frames manifests (frames.json), Redwood / TUM / ScanNet / 7-Scenes folders, videos, "
                     "image folders and photos")


__all__ = ["InputError", "LayoutError", "load_input", "split_layout_spec"]
