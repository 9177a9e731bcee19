"""The heap as a graph: node 0 is a pseudo-root, then one node per root, then one per object.

python-igraph (C) does what must not be done in Python for 20 M objects: the breadth-first search
from the pseudo-root (what is reachable, and one shortest path from a root to each object) and
the dominator tree (Lengauer–Tarjan). Edges and per-node facts stay numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import igraph
import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
SMALL_LAYER = 64  # below this, a Python loop beats numpy's per-call cost

UNREACHED = -2


@dataclass
class Edges:
    src: I64
    dst: I64
    offset: I64  # byte offset of the pointer word in its source (object or root word address)


@dataclass
class HeapGraph:
    """Forward and reverse adjacency (CSR) over all nodes, the BFS tree and the dominator tree."""

    nodes: int
    fwd_start: I64
    fwd_dst: I64
    fwd_offset: I64
    rev_start: I64
    rev_src: I64
    rev_offset: I64
    parent: I64  # BFS parent (-1 the pseudo-root, UNREACHED)
    order: I64  # reachable nodes in BFS order
    layers: I64  # order[layers[d]:layers[d+1]] are at depth d
    idom: I64  # immediate dominator (-1 for the pseudo-root, UNREACHED)

    def successors(self, node: int) -> tuple[I64, I64]:
        lo, hi = self.fwd_start[node], self.fwd_start[node + 1]
        return self.fwd_dst[lo:hi], self.fwd_offset[lo:hi]

    def predecessors(self, node: int) -> tuple[I64, I64]:
        lo, hi = self.rev_start[node], self.rev_start[node + 1]
        return self.rev_src[lo:hi], self.rev_offset[lo:hi]

    def path(self, node: int) -> list[int]:
        """Nodes from a root down to `node` along the BFS tree (empty if unreachable)."""
        if self.parent[node] == UNREACHED:
            return []
        out = [node]
        while self.parent[out[-1]] > 0:
            out.append(int(self.parent[out[-1]]))
        return out[::-1]

    def retained(self, sizes: I64) -> I64:
        """Bytes each node keeps alive: its size plus that of every node it dominates."""
        total = sizes.copy()
        total[self.idom == UNREACHED] = 0
        idom = self.idom
        for depth in range(len(self.layers) - 2, 0, -1):
            layer = self.order[self.layers[depth] : self.layers[depth + 1]]
            if len(layer) < SMALL_LAYER:
                for v in layer.tolist():
                    total[idom[v]] += total[v]
            else:
                np.add.at(total, idom[layer], total[layer])
        return total


def build_graph(nodes: int, edges: Edges, progress: Callable[[str, int, int], None] | None = None) -> HeapGraph:
    key = edges.src * nodes + edges.dst
    key, first = np.unique(key, return_index=True)  # one edge per (source, target); sorted by source
    src, dst, offset = key // nodes, key % nodes, edges.offset[first]
    fwd_start = np.searchsorted(src, np.arange(nodes + 1)).astype(np.int64)
    by_dst = np.argsort(dst, kind="stable")
    rev_start = np.searchsorted(dst[by_dst], np.arange(nodes + 1)).astype(np.int64)
    if progress is not None:
        progress("Searching the heap graph", 0, 2)
    graph = igraph.Graph(n=nodes, directed=True)
    graph.add_edges(np.stack([src, dst], axis=1))
    order, layers, parent = graph.bfs(0)
    if progress is not None:
        progress("Computing dominators", 1, 2)
    idom = np.array(graph.dominator(0, mode="out"), dtype=np.float64)
    idom[np.isnan(idom)] = UNREACHED
    parent_array = np.array(parent, dtype=np.int64)
    parent_array[parent_array < -1] = UNREACHED
    return HeapGraph(
        nodes=nodes,
        fwd_start=fwd_start,
        fwd_dst=dst,
        fwd_offset=offset,
        rev_start=rev_start,
        rev_src=src[by_dst],
        rev_offset=offset[by_dst],
        parent=parent_array,
        order=np.array(order, dtype=np.int64),
        layers=np.array(layers, dtype=np.int64),
        idom=idom.astype(np.int64),
    )
