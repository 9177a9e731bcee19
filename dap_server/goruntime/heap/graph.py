"""The heap as a graph: node 0 is a pseudo-root, then one node per root, then one per object.

What must not be done in Python for 20 M objects — the adjacency in both directions, the
breadth-first search from the pseudo-root (what is reachable, and one shortest path from a root to
each object), the dominator tree and the retained sizes — is graphcore.c's (graphnative.py), over
int32 node ids: 4 bytes a node or edge per array, where python-igraph, used before, kept four
64-bit words per edge and answered Python lists (some 40 bytes an entry), 8.5× the heap in all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import graphnative
from .layout import WORD, HeapError

I64 = npt.NDArray[np.int64]
Nodes = npt.NDArray[np.int32]

UNREACHED = -2
MAX_NODES = (1 << 31) - 1
MAX_WORD = (1 << 32) - 1


@dataclass
class Edges:
    src: Nodes
    dst: Nodes
    word: graphnative.Words  # the pointer word's index in its source (an object, or a root from its first word)


@dataclass
class HeapGraph:
    """Reverse adjacency (CSR: who points to each node), the BFS tree and the dominator tree."""

    nodes: int
    rev_start: graphnative.Starts
    rev_src: Nodes
    rev_word: graphnative.Words  # as Edges.word
    parent: Nodes  # BFS parent (-1 the pseudo-root, UNREACHED)
    order: Nodes  # reachable nodes in BFS order
    idom: Nodes  # immediate dominator (-1 for the pseudo-root, UNREACHED)

    def predecessors(self, node: int) -> tuple[Nodes, I64]:
        """Who points to `node`, and the byte offset in each of its first word that does."""
        lo, hi = self.rev_start[node], self.rev_start[node + 1]
        return self.rev_src[lo:hi], self.rev_word[lo:hi].astype(np.int64) * WORD

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
        result = graphnative.retained(self.order, self.idom, sizes)
        result[self.idom == UNREACHED] = 0
        return result


def word_indices(offsets: npt.NDArray[np.uint64]) -> graphnative.Words:
    """Byte offsets of pointer words as word indices; past 32 GiB into one object they stay at the
    last index that fits (only a referrer's shown offset would be wrong)."""
    return np.minimum(offsets >> np.uint64(3), np.uint64(MAX_WORD)).astype(np.uint32)


def int32_nodes(values: npt.NDArray[np.signedinteger], nodes: int) -> Nodes:
    """Node ids as graphcore.c takes them."""
    if nodes > MAX_NODES:
        raise HeapError(f"the heap graph has {nodes:,} nodes: more than this analysis can index")
    return values.astype(np.int32)


def build_graph(nodes: int, edges: Edges, progress: Callable[[str, int, int], None] | None = None) -> HeapGraph:
    """The graph of `edges`, which it consumes: their arrays are let go once the adjacency is built."""
    rev_start, rev_src, rev_word = graphnative.reverse_csr(nodes, edges.src, edges.dst, edges.word)
    edges.src = edges.dst = np.zeros(0, np.int32)
    edges.word = np.zeros(0, np.uint32)
    if progress is not None:
        progress("Searching the heap graph", 0, 2)
    start, dst = graphnative.forward_csr(nodes, rev_start, rev_src)
    parent, order = graphnative.bfs(nodes, start, dst)
    if progress is not None:
        progress("Computing dominators", 1, 2)
    numbering = graphnative.dfs(nodes, start, dst)
    del start, dst  # the rest goes by predecessors
    idom = graphnative.dominators(nodes, rev_start, rev_src, *numbering)
    del numbering
    return HeapGraph(nodes, rev_start, rev_src, rev_word, parent, order, idom)
