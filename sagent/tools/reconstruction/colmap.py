"""Classical structure from motion on the CPU with pycolmap: SIFT features, sequential matching
(video frames overlap their neighbours), incremental mapping. Needs no weights.

Gives camera poses, one shared pinhole camera refined by bundle adjustment, and sparse points;
each view's depth map holds the depths of the points it sees (zero elsewhere; see
`reconstruction.visible_depth`), which is what lifting needs inside a detection box. The model
with the most registered images wins.

The same keyframes give the same reconstruction, bit for bit, whatever `threads` is and however
the build is run (benchmarks/bench_determinism.py). Three things made it depend on the threads:
- image ids: feature extraction writes each image to the database when its worker finishes, so
  with several threads the ids (which the mapper's choices tie-break on) followed the finishing
  order; the images are now imported first, in name order, and extraction only adds features;
- two-view verification: its RANSAC drew from each worker thread's own random stream, so which
  thread verified which pair changed the inliers; it is seeded, and matching with its verification
  runs on one thread (`MATCHING_THREADS`): seeded, several threads still differed now and then;
- mapping: its RANSAC runs in parallel and bundle adjustment sums over threads, so poses moved
  in the last bits (and a threshold can turn that into a different point set); mapping runs on
  one thread (`MAPPING_THREADS`), which costs nothing measurable at video sizes. Extraction, which
  is deterministic per image, keeps every thread it is given.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sagent.tools.geometry.camera import principal_point_from_corner
from sagent.tools.io.video import Keyframe
from sagent.tools.reconstruction.reconstruction import PosedView, Reconstruction, ReconstructionError, visible_depth


@dataclass
class ColmapSettings:
    max_image_size: int = 1024  # longer side, pixels, for feature extraction
    max_features: int = 8192
    peak_threshold: float = 0.004  # below COLMAP's 0.0067: more, fainter features, so denser depth for lifting
    overlap: int = 8  # neighbours each frame is matched with
    loop_detection: bool = False  # needs a vocabulary tree file
    threads: int = -1  # feature extraction (-1: all cores); the result does not depend on it
    init_min_angle: float = 4.0  # degrees between the rays of the first image pair
    seed: int = 0


# Incremental mapping's parallel RANSAC and bundle adjustment give results that depend on the thread
# count (and vary at one count), so mapping always runs on this many threads.
MAPPING_THREADS = 1
# Matching with its two-view verification on 2 threads gave 3 different reconstructions in 6 runs of one
# generated video (on 1 thread, 1 in 10); each pair's RANSAC draws from its thread's seeded stream, and
# which thread takes which pair depends on timing. So matching runs on one thread too.
MATCHING_THREADS = 1


def _pycolmap():
    try:
        import pycolmap
    except ImportError:
        raise ReconstructionError("the colmap backend needs pycolmap: pip install 'sagent[video]'") from None
    # COLMAP logs every step (glog) to stderr; sagent's own progress and errors are what a user should see.
    if hasattr(pycolmap, "logging"):
        pycolmap.logging.minloglevel = max(pycolmap.logging.minloglevel, 2)  # errors only
    return pycolmap


def _create_database(pycolmap, path: Path) -> None:
    opener = getattr(pycolmap.Database, "open", None)  # pycolmap 4; 3.x opens in its constructor
    (opener(path) if opener else pycolmap.Database(str(path))).close()


def reconstruct_colmap(keyframes: list[Keyframe], settings: ColmapSettings | None = None,
                       workdir: str | Path | None = None) -> Reconstruction:
    """Poses and sparse depth for `keyframes` (units: whatever the first image pair's baseline made them)."""
    if len(keyframes) < 3:
        raise ReconstructionError(f"structure from motion needs at least 3 frames with motion between them, "
                                  f"got {len(keyframes)}")
    settings = settings or ColmapSettings()
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="sagent-colmap-") as scratch:
            return _run(keyframes, settings, Path(scratch))
    return _run(keyframes, settings, Path(workdir))


def _run(keyframes: list[Keyframe], settings: ColmapSettings, work: Path) -> Reconstruction:
    from PIL import Image

    pycolmap = _pycolmap()
    pycolmap.set_random_seed(settings.seed)  # this thread's stream; COLMAP's own threads are seeded per step below
    timings: dict[str, float] = {}
    images, database, output = work / "images", work / "database.db", work / "sparse"
    images.mkdir(parents=True, exist_ok=True)
    output.mkdir(exist_ok=True)
    names = [f"{i:05d}.png" for i in range(len(keyframes))]  # lossless: JPEG blurs fine texture
    for name, keyframe in zip(names, keyframes):
        Image.fromarray(keyframe.image).save(images / name)

    started = time.perf_counter()
    reader = pycolmap.ImageReaderOptions()
    reader.camera_model = "SIMPLE_RADIAL"
    # Image ids in name order: extraction would number the images in the order its threads finish them.
    _create_database(pycolmap, database)
    pycolmap.import_images(database, images, camera_mode=pycolmap.CameraMode.SINGLE, image_names=names,
                           options=reader)
    extraction = pycolmap.FeatureExtractionOptions()
    extraction.max_image_size = settings.max_image_size
    extraction.num_threads = settings.threads
    extraction.sift.max_num_features = settings.max_features
    extraction.sift.peak_threshold = settings.peak_threshold
    pycolmap.extract_features(database, images, image_names=names, camera_mode=pycolmap.CameraMode.SINGLE,
                              reader_options=reader, extraction_options=extraction, device=pycolmap.Device.cpu)
    timings["features"] = time.perf_counter() - started

    started = time.perf_counter()
    pairing = pycolmap.SequentialPairingOptions()
    pairing.overlap = settings.overlap
    pairing.loop_detection = settings.loop_detection
    pairing.num_threads = MATCHING_THREADS
    matching = pycolmap.FeatureMatchingOptions()
    matching.num_threads = MATCHING_THREADS
    verification = pycolmap.TwoViewGeometryOptions()
    verification.ransac.random_seed = settings.seed  # unseeded, each pair's draws depend on its thread's history
    pycolmap.match_sequential(database, matching_options=matching, pairing_options=pairing,
                              verification_options=verification, device=pycolmap.Device.cpu)
    timings["matching"] = time.perf_counter() - started

    started = time.perf_counter()
    options = pycolmap.IncrementalPipelineOptions()
    options.num_threads = MAPPING_THREADS
    options.random_seed = settings.seed  # COLMAP passes it on to registration, triangulation and the initial pair
    # Short clips are models too (COLMAP drops models under 10 images), and video baselines are
    # small: start from a pair seen 4 degrees apart rather than 16.
    options.min_model_size = min(options.min_model_size, max(3, len(keyframes) // 2))
    options.mapper.init_min_tri_angle = settings.init_min_angle
    models = pycolmap.incremental_mapping(database, images, output, options=options)
    timings["mapping"] = time.perf_counter() - started
    if not models:
        raise ReconstructionError(
            f"structure from motion could not register the video's frames ({len(keyframes)} keyframes): too "
            "little texture or motion between them; give depth and poses, or use the vggt backend on a GPU")
    model = max(models.values(), key=lambda m: m.num_reg_images())
    result = _from_model(model, keyframes, names)
    result.timings = timings
    return result


def _from_model(model, keyframes: list[Keyframe], names: list[str]) -> Reconstruction:
    by_name = dict(zip(names, keyframes))
    point_ids = list(model.points3D.keys())
    xyz = np.array([model.points3D[i].xyz for i in point_ids]).reshape(-1, 3)
    colours = np.array([model.points3D[i].color for i in point_ids], float).reshape(-1, 3) / 255.0
    views = []
    for image in sorted(model.images.values(), key=lambda im: im.name):
        if not image.has_pose:
            continue
        keyframe = by_name[image.name]
        camera = model.cameras[image.camera_id]
        K = principal_point_from_corner(camera.calibration_matrix())
        world_to_cam = np.eye(4)
        world_to_cam[:3] = np.asarray(image.cam_from_world().matrix(), float)
        cam_to_world = np.linalg.inv(world_to_cam)
        depth = visible_depth(xyz, K, cam_to_world, keyframe.image.shape[:2])
        views.append(PosedView(keyframe.index, keyframe.time, keyframe.image, K, cam_to_world, depth))
    return Reconstruction("colmap", views, xyz, colours, frames_given=len(keyframes))
