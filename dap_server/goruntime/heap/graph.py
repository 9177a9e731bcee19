"""The heap as a graph: node 0 is a pseudo-root, then one node per root, then one per object.

python-igraph (C) does what must not be done in Python for 20 M objects: the breadth-first search
from the pseudo-root (what is reachable, and one shortest path from a root to each object) and
the dominator tree (Lengauer–Tarjan). Edges and per-node facts stay numpy arrays.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import igraph
import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
Ids = npt.NDArray[np.signedinteger[Any]]  # node ids: int32 below 2**31 nodes

UNREACHED = -2


@dataclass
class Edges:
    src: I64
    dst: I64
    offset: I64  # byte offset of the pointer word in its source (object or root word address)


@dataclass
class HeapGraph:
    """Reverse adjacency (CSR: who points to each node), the BFS tree and the dominator tree."""

    nodes: int
    rev_start: I64
    rev_src: Ids
    rev_offset: I64
    parent: I64  # BFS parent (-1 the pseudo-root, UNREACHED)
    order: I64  # reachable nodes in BFS order
    idom: I64  # immediate dominator (-1 for the pseudo-root, UNREACHED)

    def predecessors(self, node: int) -> tuple[Ids, I64]:
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
        """Bytes each node keeps alive: its size plus that of every node it dominates. A node's
        dominator is nearer the roots in BFS order, so one pass from the far end adds each node
        to its dominator after all it dominates was added to it (a Python loop over lists: chains
        such as linked lists make numpy's per-layer steps one node each)."""
        total = array("q", sizes.astype(np.int64).tobytes())
        idom = array("q", self.idom.astype(np.int64).tobytes())
        for v in array("q", self.order[:0:-1].astype(np.int64).tobytes()):
            total[idom[v]] += total[v]
        result = np.frombuffer(total, dtype=np.int64).copy()
        result[self.idom == UNREACHED] = 0
        return result


def build_graph(nodes: int, edges: Edges, progress: Callable[[str, int, int], None] | None = None) -> HeapGraph:
    key = edges.src * nodes + edges.dst
    key, first = np.unique(key, return_index=True)  # one edge per (source, target)
    index = np.int32 if nodes < 1 << 31 else np.int64
    src, dst, offset = (key // nodes).astype(index), (key % nodes).astype(index), edges.offset[first]
    del key, first
    by_dst = np.argsort(dst, kind="stable")
    rev_start = np.searchsorted(dst[by_dst], np.arange(nodes + 1)).astype(np.int64)
    rev_src, rev_offset = src[by_dst], offset[by_dst]
    del by_dst, offset
    if progress is not None:
        progress("Searching the heap graph", 0, 2)
    graph = igraph.Graph(n=nodes, directed=True)
    pairs = np.stack([src, dst], axis=1)
    del src, dst
    graph.add_edges(pairs)
    del pairs
    # igraph answers Python lists (tens of bytes an entry): each becomes an array at once.
    order_list, _, parent_list = graph.bfs(0)
    order = np.array(order_list, dtype=np.int64)
    del order_list
    parent = np.array(parent_list, dtype=np.int64)
    del parent_list
    parent[parent < -1] = UNREACHED
    if progress is not None:
        progress("Computing dominators", 1, 2)
    idom = np.array(graph.dominator(0, mode="out"), dtype=np.float64)
    del graph
    idom[np.isnan(idom)] = UNREACHED
    return HeapGraph(
        nodes=nodes,
        rev_start=rev_start,
        rev_src=rev_src,
        rev_offset=rev_offset,
        parent=parent,
        order=order,
        idom=idom.astype(np.int64),
    )
