"""The scene as a networkx graph: objects are nodes, pairwise spatial relations are edges."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from sagent.memory.scene import SceneMemory
from sagent.tools.geometry.boxes import box_distance

if TYPE_CHECKING:
    import networkx as nx

NEAR_METRES = 0.5


def scene_graph(memory: SceneMemory, near: float = NEAR_METRES) -> nx.Graph:
    """A complete graph over objects.

    Nodes carry `label`, `box` and `first_seen`. Every edge carries `distance` (closest points,
    metres) and `relation`: "touching" (0), "near" (< `near`) or "apart"; edges between vertically
    stacked objects also carry `above`: the id of the higher one.
    """
    import networkx as nx  # on use: importing it costs every command's start-up

    graph = nx.Graph(name=memory.name)
    up = memory.up
    for obj in memory.objects:
        graph.add_node(obj.id, label=obj.label, box=obj.box, first_seen=obj.first_seen)
    for a, b in itertools.combinations(memory.objects, 2):
        distance = box_distance(a.box, b.box)
        relation = "touching" if distance == 0.0 else "near" if distance < near else "apart"
        attributes = {"distance": distance, "relation": relation}
        ha, hb = a.box.extent_along(up) / 2, b.box.extent_along(up) / 2
        za, zb = a.box.center_array @ up, b.box.center_array @ up
        if za - ha >= zb + hb - 0.05:
            attributes["above"] = a.id
        elif zb - hb >= za + ha - 0.05:
            attributes["above"] = b.id
        graph.add_edge(a.id, b.id, **attributes)
    return graph
