"""Classical structure from motion on the CPU with pycolmap: SIFT features, matching of the keyframe
pairs the size of the problem calls for (`sfm_pairs.py`), incremental mapping. Needs no weights.

Gives camera poses, one shared pinhole camera refined by bundle adjustment, and sparse points;
each view's depth map holds the depths of the points it sees (zero elsewhere; see
`reconstruction.visible_depth`), which is what lifting needs inside a detection box.

Real footage is harder than generated rooms: plain walls, small frames, fast turns, wide baselines.
When the first pass poses less than `retry_below` of the keyframes, a second pass extracts
features made for that (domain-size-pooled, affine-covariant SIFT at a lower threshold) and accepts
weaker registrations; its result replaces the first only when it poses more keyframes AND puts the
keyframes both posed where the first did (a weak registration can be confidently wrong).
When mapping splits the video into several models, those that share keyframes are joined into the
largest (`sfm_models.py`); the rest are left out, and the reconstruction says what it covers.

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

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from pydantic import StrictInt

from sagent.settings import Settings, knob
from sagent.tools.io.video import Keyframe
from sagent.tools.reconstruction.reconstruction import Reconstruction, ReconstructionError
from sagent.tools.reconstruction.sfm_models import agree, from_models, joinable
from sagent.tools.reconstruction.sfm_pairs import choose_pairs

log = logging.getLogger(__name__)


class ColmapSettings(Settings):
    max_image_size: StrictInt = knob(1024, "longer side, pixels, for feature extraction", gt=0)
    max_features: StrictInt = knob(8192, "SIFT features per image", gt=0)
    peak_threshold: float = knob(0.004, "SIFT peak threshold; below COLMAP's 0.0067: more, fainter features, so "
                                 "denser depth for lifting", gt=0)
    exhaustive_up_to: StrictInt = knob(32, "keyframes: every pair is matched up to this many (496 pairs)", ge=0)
    overlap: StrictInt = knob(8, "beyond exhaustive_up_to, each frame is matched with its next `overlap` frames ...",
                              ge=0)
    retrieval: StrictInt = knob(5, "... and its most similar frames in visual words", ge=0)
    retry_below: float = knob(0.9, "share of keyframes posed under which the hard-footage pass runs (0: never)",
                              ge=0, le=1)
    hard_exhaustive_up_to: StrictInt = knob(48, "the hard-footage pass matches every pair up to this many keyframes",
                                            ge=0)
    threads: StrictInt = knob(-1, "feature extraction threads (-1: all cores); the result does not depend on it",
                              key=False)
    init_min_angle: float = knob(4.0, "degrees between the rays of the first image pair", gt=0)
    seed: StrictInt = knob(0, "random seed of matching and mapping")


@dataclass(frozen=True)
class Pass:
    """One way of running COLMAP: the first for ordinary footage, then one for hard footage."""

    name: str
    dsp: bool = False  # domain-size pooling and affine shape: SIFT that survives plain and small images
    threshold_factor: float = 1.0  # times the settings' peak threshold
    init_min_inliers: int = 100  # COLMAP's defaults; the hard pass accepts weaker pairs and registrations
    abs_pose_min_inliers: int = 30
    abs_pose_min_inlier_ratio: float = 0.25
    min_matches: int = 15


FIRST = Pass("first")
HARD = Pass("hard footage", dsp=True, threshold_factor=0.5, init_min_inliers=30,
            abs_pose_min_inliers=15, abs_pose_min_inlier_ratio=0.15, min_matches=10)

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
        pycolmap.logging.minloglevel = max(pycolmap.logging.minloglevel, 3)  # fatal only: failures come back as results
    return pycolmap


def _create_database(pycolmap, path: Path) -> None:
    """A new, empty database at `path` (one left in a reused workdir would lend its stale features)."""
    path.unlink(missing_ok=True)
    pycolmap.Database.open(path).close()


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
    images = work / "images"
    images.mkdir(parents=True, exist_ok=True)
    names = [f"{i:05d}.png" for i in range(len(keyframes))]  # lossless: JPEG blurs fine texture
    for name, keyframe in zip(names, keyframes):
        Image.fromarray(keyframe.image).save(images / name)
    log.info("structure from motion (COLMAP) on %d keyframes", len(keyframes))
    first = _attempt(pycolmap, FIRST, settings.exhaustive_up_to, keyframes, names, settings, images, work / "first")
    chosen = first
    if settings.retry_below > 0 and (first is None or first.registered_share < settings.retry_below):
        log.info("COLMAP posed %d of %d keyframes; a second pass with hard-footage settings",
                 0 if first is None else len(first.views), len(keyframes))
        hard = _attempt(pycolmap, HARD, settings.hard_exhaustive_up_to, keyframes, names, settings, images,
                        work / "hard")
        chosen = _better(first, hard)
        if chosen is not None:
            runs = {"first": first, "hard": hard}
            chosen.timings = {f"{name} {stage}": seconds for name, run in runs.items() if run is not None
                              for stage, seconds in run.timings.items()}
    if chosen is not None:
        log.info("COLMAP: %s", chosen.coverage().describe())
    if chosen is None:
        raise ReconstructionError(
            f"structure from motion could not register the video's frames ({len(keyframes)} keyframes): too "
            "little texture or overlap between them; give depth and poses, or use the vggt backend on a GPU")
    return chosen


def _better(first: Reconstruction | None, hard: Reconstruction | None) -> Reconstruction | None:
    """The hard pass's result when it poses more keyframes and agrees with the first where both posed
    (with the first posing fewer than 3, there is nothing to check it against, nor to keep)."""
    if hard is None or (first is not None and len(hard.views) <= len(first.views)):
        return first
    if first is not None and len(first.views) >= 3 and not agree(first, hard):
        first.notes.append(f"a second pass with hard-footage settings posed {len(hard.views)} keyframes but "
                           "disagreed with the first where both posed; kept the first")
        return first
    return hard


def _attempt(pycolmap, mode: Pass, exhaustive_up_to: int, keyframes: list[Keyframe], names: list[str],
             settings: ColmapSettings, images: Path, work: Path) -> Reconstruction | None:
    pycolmap.set_random_seed(settings.seed)  # this thread's stream; COLMAP's own threads are seeded per step below
    work.mkdir(parents=True, exist_ok=True)
    database, output = work / "database.db", work / "sparse"
    output.mkdir(exist_ok=True)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    _extract(pycolmap, mode, settings, database, images, names)
    timings["features"] = time.perf_counter() - started

    started = time.perf_counter()
    pairing = _match(pycolmap, exhaustive_up_to, settings, database, work, names)
    timings["matching"] = time.perf_counter() - started

    started = time.perf_counter()
    options = pycolmap.IncrementalPipelineOptions()
    options.num_threads = MAPPING_THREADS
    options.random_seed = settings.seed  # COLMAP passes it on to registration, triangulation and the initial pair
    # Small models are kept (COLMAP drops those under 10 images), so that joining sees them and coverage
    # counts them; video baselines are small: start from a pair seen 4 degrees apart rather than 16.
    options.min_model_size = 3
    options.min_num_matches = mode.min_matches
    options.mapper.init_min_tri_angle = settings.init_min_angle
    options.mapper.init_min_num_inliers = mode.init_min_inliers
    options.mapper.abs_pose_min_num_inliers = mode.abs_pose_min_inliers
    options.mapper.abs_pose_min_inlier_ratio = mode.abs_pose_min_inlier_ratio
    models = sorted(pycolmap.incremental_mapping(database, images, output, options=options).values(),
                    key=lambda m: -m.num_reg_images())
    timings["mapping"] = time.perf_counter() - started
    if not models:
        return None
    joined = joinable(pycolmap, models)
    result = from_models(joined, keyframes, names)
    result.timings = timings
    result.notes.append(f"COLMAP ({mode.name} pass, {pairing} matched{_split(models, joined)})")
    return result


def _split(models: list, joined: list) -> str:
    """What became of the models mapping split the keyframes into ('' when the largest holds them all)."""
    def posed(model) -> set[str]:
        return {image.name for image in model.images.values() if image.has_pose}

    kept = set().union(*(posed(model) for model, _ in joined))
    left_out = set().union(*(posed(model) for model in models)) - kept
    if len(joined) == 1 and not left_out:
        return ""
    said = f"; mapping split it into {len(models)} models, {len(joined) - 1} joined to the largest"
    return said + (f", {len(left_out)} keyframes posed only in models left out" if left_out else "")


def _extract(pycolmap, mode: Pass, settings: ColmapSettings, database: Path, images: Path, names: list[str]) -> None:
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
    extraction.sift.peak_threshold = settings.peak_threshold * mode.threshold_factor
    extraction.sift.domain_size_pooling = mode.dsp
    extraction.sift.estimate_affine_shape = mode.dsp
    pycolmap.extract_features(database, images, image_names=names, camera_mode=pycolmap.CameraMode.SINGLE,
                              reader_options=reader, extraction_options=extraction, device=pycolmap.Device.cpu)


def _descriptors(pycolmap, database: Path, names: list[str]) -> Callable[[], list[np.ndarray]]:
    """A reader of each image's SIFT descriptors, in the order of `names`."""
    def read() -> list[np.ndarray]:
        db = pycolmap.Database.open(database)
        try:
            ids = {image.name: image.image_id for image in db.read_all_images()}
            return [np.asarray(db.read_descriptors(ids[name]).data) for name in names]
        finally:
            db.close()
    return read


def _match(pycolmap, exhaustive_up_to: int, settings: ColmapSettings, database: Path, work: Path,
           names: list[str]) -> str:
    """Matches and verifies the chosen pairs; returns how they were chosen."""
    pairs, how = choose_pairs(len(names), exhaustive_up_to, settings.overlap, settings.retrieval,
                              _descriptors(pycolmap, database, names), settings.seed)
    listing = work / "pairs.txt"
    listing.write_text("".join(f"{names[i]} {names[j]}\n" for i, j in pairs))
    pairing = pycolmap.ImportedPairingOptions()
    pairing.match_list_path = str(listing)
    matching = pycolmap.FeatureMatchingOptions()
    matching.num_threads = MATCHING_THREADS
    verification = pycolmap.TwoViewGeometryOptions()
    verification.ransac.random_seed = settings.seed  # unseeded, each pair's draws depend on its thread's history
    pycolmap.match_image_pairs(database, matching_options=matching, pairing_options=pairing,
                               verification_options=verification, device=pycolmap.Device.cpu)
    return how


__all__ = ["ColmapSettings", "ReconstructionError", "reconstruct_colmap"]
