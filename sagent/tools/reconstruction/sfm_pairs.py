"""Which keyframe pairs structure from motion matches, by the size of the problem.

Up to `exhaustive_up_to` keyframes every pair is matched: benchmark samples and short clips are a few
dozen frames metres apart, where a frame's best partner is rarely its neighbour in time. Longer
inputs match each frame with its next `overlap` frames (all of them: COLMAP's own sequential pairing
in pycolmap 4 keeps only the neighbours 1, 2, 4, 8 apart) and with the `retrieval` frames most like
it in visual words, so a walk that comes back to a place is matched there too.

Visual words: a k-means vocabulary over a fixed sample of the keyframes' own SIFT descriptors, each
frame a tf-idf histogram, similarity the cosine; seeded, so the same frames give the same pairs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

WORDS = 256  # vocabulary size: enough to tell the rooms of a flat apart, small enough to fit on a few thousand descriptors
SAMPLE_PER_IMAGE = 200  # descriptors each keyframe gives the vocabulary


def window_pairs(count: int, overlap: int) -> set[tuple[int, int]]:
    return {(i, j) for i in range(count) for j in range(i + 1, min(count, i + overlap + 1))}


def exhaustive_pairs(count: int) -> set[tuple[int, int]]:
    return window_pairs(count, count)


def word_histograms(descriptors: list[np.ndarray], seed: int = 0) -> np.ndarray:
    """Float[N WORDS] unit tf-idf histograms of each image's descriptors (UInt8[n 128] or Float)."""
    from scipy.cluster.vq import kmeans2, vq

    rng = np.random.default_rng(seed)
    sample = [d[np.sort(rng.choice(len(d), min(len(d), SAMPLE_PER_IMAGE), replace=False))] for d in descriptors if len(d)]
    if not sample:
        return np.zeros((len(descriptors), 1))
    training = np.concatenate(sample).astype(np.float32)
    words = min(WORDS, len(training))
    vocabulary, _ = kmeans2(training, words, iter=10, minit="++", seed=seed)
    counts = np.zeros((len(descriptors), words))
    for i, d in enumerate(descriptors):
        if len(d):
            counts[i] = np.bincount(vq(d.astype(np.float32), vocabulary)[0], minlength=words)
    idf = np.log(len(descriptors) / np.maximum((counts > 0).sum(0), 1))
    weighted = counts / np.maximum(counts.sum(1, keepdims=True), 1) * idf
    return weighted / np.maximum(np.linalg.norm(weighted, axis=1, keepdims=True), 1e-12)


def retrieval_pairs(histograms: np.ndarray, neighbours: int) -> set[tuple[int, int]]:
    """Each image with its `neighbours` most similar others (ties by index, so deterministic)."""
    similarity = histograms @ histograms.T
    np.fill_diagonal(similarity, -np.inf)
    pairs = set()
    for i, row in enumerate(similarity):
        for j in np.argsort(-row, kind="stable")[:min(neighbours, len(row) - 1)]:  # the diagonal sorts last
            pairs.add((min(i, int(j)), max(i, int(j))))
    return pairs


def choose_pairs(count: int, exhaustive_up_to: int, overlap: int, retrieval: int,
                 descriptors: Callable[[], list[np.ndarray]] | None = None, seed: int = 0) -> tuple[list[tuple[int, int]], str]:
    """(sorted index pairs, how they were chosen). `descriptors()`: each image's descriptors, read only
    when retrieval needs them."""
    if count <= exhaustive_up_to:
        return sorted(exhaustive_pairs(count)), "every pair"
    pairs = window_pairs(count, overlap)
    if retrieval > 0 and descriptors is not None:
        pairs |= retrieval_pairs(word_histograms(descriptors(), seed), retrieval)
        return sorted(pairs), f"{overlap} neighbours and {retrieval} look-alikes per frame"
    return sorted(pairs), f"{overlap} neighbours per frame"
