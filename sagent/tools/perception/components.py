"""Connected components of a match graph: the one way perception groups what links together."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def component_labels(count: int, pairs: np.ndarray) -> np.ndarray:
    """Int[count] component index of each of `count` nodes linked by Int[P 2] `pairs`.
    Components are numbered in order of their smallest node, so grouping is independent of pair order."""
    pairs = np.asarray(pairs, int).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1 if count else 0, count)
    np.minimum.at(first, labels, np.arange(count))
    return np.argsort(np.argsort(first))[labels]


def component_members(count: int, pairs) -> list[list[int]]:
    """The components of `count` nodes linked by `pairs`, each a sorted list of nodes, in order of first node."""
    labels = component_labels(count, np.asarray(pairs, int).reshape(-1, 2))
    groups: list[list[int]] = [[] for _ in range(labels.max() + 1 if count else 0)]
    for node, label in enumerate(labels):
        groups[label].append(node)
    return groups
