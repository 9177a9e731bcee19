"""graphcore.c's graph steps against networkx (pure Python, written elsewhere) on graphs shaped
like heaps: random references, long linked lists (doubly linked, with a back pointer to their
list as container/list has), cycles, unreachable parts, duplicate and self edges."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from dap_server.goruntime.heap.graph import UNREACHED, Edges, build_graph


def _random(rng: random.Random, nodes: int) -> list[tuple[int, int]]:
    """Each node one reference from an earlier one (some none: unreachable), plus random others."""
    edges = [(rng.randrange(v), v) for v in range(1, nodes) if rng.random() < 0.95]
    edges += [(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(nodes)]
    return edges + edges[: nodes // 10]  # duplicates


def _lists(rng: random.Random, nodes: int) -> list[tuple[int, int]]:
    """Node 1 a list header; 2.. a doubly linked ring whose elements point back to the header."""
    edges = [(0, 1), (1, 2), (1, nodes - 1)]
    for v in range(2, nodes):
        following = v + 1 if v + 1 < nodes else 2
        edges += [(v, following), (following, v), (v, 1)]
    edges += [(rng.randrange(2, nodes), v) for v in rng.sample(range(2, nodes), nodes // 20)]
    return edges + [(v, v) for v in range(0, nodes, 7)]


SHAPES = [("random", _random, 3000), ("lists", _lists, 2000), ("random-small", _random, 40)]


@pytest.mark.parametrize(("name", "make", "nodes"), SHAPES, ids=[s[0] for s in SHAPES])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_graph_steps_agree_with_networkx(name: str, make, nodes: int, seed: int) -> None:
    rng = random.Random(seed)
    pairs = make(rng, nodes)
    words = [rng.randrange(1 << 32) for _ in pairs]
    edges = Edges(
        np.array([s for s, _ in pairs], np.int32),
        np.array([d for _, d in pairs], np.int32),
        np.array(words, np.uint32),
    )
    graph = build_graph(nodes, edges)
    reference = nx.DiGraph()
    reference.add_nodes_from(range(nodes))
    reference.add_edges_from(pairs)

    # reverse adjacency: each (source, target) once, with the offset of its first pointer word
    smallest: dict[tuple[int, int], int] = {}
    for (s, d), word in zip(pairs, words, strict=True):
        smallest[(s, d)] = min(8 * word, smallest.get((s, d), 8 * word))
    for v in range(nodes):
        sources, offs = graph.predecessors(v)
        assert sorted(sources.tolist()) == sorted(reference.predecessors(v))
        assert offs.tolist() == [smallest[(int(s), v)] for s in sources]

    # breadth-first tree: reaches what networkx reaches, each parent one step nearer node 0
    distance = nx.single_source_shortest_path_length(reference, 0)
    for v in range(nodes):
        parent = int(graph.parent[v])
        if v not in distance:
            assert parent == UNREACHED
        elif v == 0:
            assert parent == -1
        else:
            assert reference.has_edge(parent, v) and distance[parent] == distance[v] - 1
    assert sorted(graph.order.tolist()) == sorted(distance)

    # dominators, and retained sizes summed over the dominator tree
    idom = {v: d for v, d in nx.immediate_dominators(reference, 0).items() if v != 0}  # some releases list 0
    expected = [-1 if v == 0 else idom.get(v, UNREACHED) for v in range(nodes)]
    assert graph.idom.tolist() == expected
    sizes = np.array([rng.randrange(1, 100) for _ in range(nodes)], np.int64)
    tree = nx.DiGraph((d, v) for v, d in idom.items())
    tree.add_node(0)
    retained = graph.retained(sizes)
    for v in range(nodes):
        want = int(sizes[v]) + sum(int(sizes[d]) for d in nx.descendants(tree, v)) if v in tree else 0
        assert retained[v] == want
