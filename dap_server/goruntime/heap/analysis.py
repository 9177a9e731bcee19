"""One heap analysis: the objects, their types, the reference graph and the dominator tree, built
once per stop (and cached beside a core), then asked many questions: the type histogram, the
largest objects and retainers, who points to an address, one path from a root, retained size."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from ..process import GoProcess
from . import graphnative
from .graph import UNREACHED, Edges, HeapGraph, Nodes, build_graph, int32_nodes, word_indices
from .graphnative import Words
from .image import WordImage
from .layout import read_layout
from .objtypes import UNKNOWN, ObjectTyper
from .pointers import PointerWords, TypeMasks, pointer_words
from .roots import Roots, read_roots
from .spans import ObjectTable, read_objects, read_spans

Progress = Callable[[str, int, int], None]
CHUNK = 1 << 16  # objects whose temporaries numpy makes at once in the questions
ArrayT = TypeVar("ArrayT", bound=np.generic)


@dataclass(frozen=True)
class HistogramRow:
    type: str
    count: int
    bytes: int
    share: float  # of the live heap's bytes
    typed: bool


@dataclass(frozen=True)
class HeapNode:
    """One node of the graph as a user sees it: a root or an object."""

    index: int
    name: str  # the root's name, or the object's type
    address: int | None  # the object's address (None for a root)
    size: int
    retained: int


@dataclass(frozen=True)
class Reference:
    referrer: HeapNode
    offset: int  # of the pointer word in the object, or the word's address in a root


@dataclass
class HeapFacts:
    """Everything an analysis computed: the arrays it is cached as."""

    objects: ObjectTable
    types: npt.NDArray[np.int32]
    type_names: list[str]
    root_names: list[str]
    root_base: npt.NDArray[np.uint64]  # each root's first word: its edges' offsets count from there
    graph: HeapGraph
    retained: npt.NDArray[np.int64]
    notes: list[str]
    seconds: float


class HeapAnalysis:
    def __init__(self, facts: HeapFacts) -> None:
        self.facts = facts
        self._first_object = 1 + len(facts.root_names)

    @classmethod
    def build(cls, process: GoProcess, progress: Progress | None = None) -> HeapAnalysis:
        return cls(analyse(process, progress))

    # nodes ------------------------------------------------------------------------------------
    def node(self, index: int) -> HeapNode:
        facts = self.facts
        retained = int(facts.retained[index])
        if index < self._first_object:
            return HeapNode(index, facts.root_names[index - 1] if index else "(roots)", None, 0, retained)
        obj = index - self._first_object
        return HeapNode(
            index, self._type_name(obj), int(facts.objects.addr[obj]), int(facts.objects.size[obj]), retained
        )

    def _type_name(self, obj: int) -> str:
        typ = int(self.facts.types[obj])
        return self.facts.type_names[typ] if typ != UNKNOWN else f"unknown ({int(self.facts.objects.size[obj])} B)"

    def object_at(self, addr: int) -> HeapNode | None:
        """The object containing `addr`, if it is a heap object."""
        found = int(self.facts.objects.containing(np.array([addr], dtype=np.uint64))[0])
        return self.node(self._first_object + found) if found >= 0 else None

    def root_named(self, name: str) -> HeapNode | None:
        try:
            return self.node(1 + self.facts.root_names.index(name))
        except ValueError:
            return None

    # questions --------------------------------------------------------------------------------
    @property
    def live(self) -> npt.NDArray[np.bool_]:
        """Which objects are reachable from a root."""
        return self.facts.graph.parent[self._first_object :] != UNREACHED

    def histogram(self) -> list[HistogramRow]:
        """Live objects by type, most bytes first; untyped objects by size."""
        facts = self.facts
        live = self.live
        counts = np.zeros(len(facts.type_names), np.int64)
        totals = np.zeros(len(facts.type_names), np.int64)
        untyped: list[npt.NDArray[np.int64]] = []
        for lo in range(0, len(live), CHUNK):
            part = slice(lo, lo + CHUNK)
            types, sizes = facts.types[part][live[part]], facts.objects.size[part][live[part]]
            typed = types != UNKNOWN
            counts += np.bincount(types[typed], minlength=len(counts))
            totals += np.bincount(types[typed], weights=sizes[typed], minlength=len(totals)).astype(np.int64)
            untyped.append(sizes[~typed])
        slot_sizes, slot_counts = np.unique(np.concatenate(untyped), return_counts=True)  # untyped: by slot size
        heap = int(totals.sum() + (slot_sizes * slot_counts).sum()) or 1
        rows = [
            HistogramRow(name, count, total, total / heap, True)
            for name, count, total in zip(facts.type_names, counts.tolist(), totals.tolist(), strict=True)
            if count
        ]
        for size, count in zip(slot_sizes.tolist(), slot_counts.tolist(), strict=True):
            rows.append(HistogramRow(f"unknown ({size} B)", count, size * count, size * count / heap, False))
        rows.sort(key=lambda r: (-r.bytes, r.type))
        return rows

    def totals(self) -> tuple[int, int, int, int]:
        """(live objects, live bytes, allocated objects, allocated bytes)."""
        live = self.live
        sizes = self.facts.objects.size
        return int(live.sum()), int(sizes[live].sum()), len(sizes), int(sizes.sum())

    def largest_objects(self, count: int) -> list[HeapNode]:
        top = _largest(self.facts.objects.size, count, self.live)
        return [self.node(self._first_object + int(i)) for i in top]

    def largest_retainers(self, count: int, roots: bool = False) -> list[HeapNode]:
        """Objects (or roots) keeping the most bytes alive."""
        start = 1 if roots else self._first_object
        end = self._first_object if roots else len(self.facts.retained)
        retained = self.facts.retained[start:end]
        return [self.node(start + int(i)) for i in _largest(retained, count, retained > 0)]

    def referrers(self, node: HeapNode) -> list[Reference]:
        sources, offsets = self.facts.graph.predecessors(node.index)
        base = self.facts.root_base
        return [
            Reference(self.node(s), o + (int(base[s - 1]) if s < self._first_object else 0))
            for s, o in zip(sources.tolist(), offsets.tolist(), strict=True)
            if s > 0
        ]

    def path(self, node: HeapNode) -> list[HeapNode]:
        """From a root to `node` (empty when nothing reaches it)."""
        return [self.node(i) for i in self.facts.graph.path(node.index)]


def _largest(values: npt.NDArray[np.int64], count: int, keep: npt.NDArray[np.bool_]) -> list[int]:
    """Indices of the `count` largest `values` where `keep` holds, largest first, ties by index; a
    chunk at a time (a sort of all would make two 8-byte temporaries per object)."""
    found: list[tuple[int, int]] = []
    for lo in range(0, len(values), CHUNK):
        part = np.where(keep[lo : lo + CHUNK], values[lo : lo + CHUNK], -1)
        k = min(count, len(part))
        if k == 0:
            continue
        least = np.partition(part, len(part) - k)[len(part) - k]  # the k-th largest of the chunk
        above = np.nonzero(part > least)[0]
        ties = np.nonzero(part == least)[0][: k - len(above)]
        found += ((-int(part[i]), lo + int(i)) for i in np.concatenate([above, ties]) if part[i] >= 0)
    return [i for _, i in sorted(found)[:count]]


def analyse(process: GoProcess, progress: Progress | None = None) -> HeapFacts:
    started = time.monotonic()
    memory, program = process.memory, process.program
    layout = read_layout(program, process.layouts)
    spans = read_spans(memory, layout, progress)
    objects, missing_bits = read_objects(memory, spans)
    graphnative.release_free_memory()
    notes = []
    if spans.unreadable or missing_bits:
        notes.append(
            f"{spans.unreadable + missing_bits:,} spans could not be read from the core: their objects are missing"
        )
    if progress is not None:
        progress("Reading heap pointers", 0, len(objects))
    image = WordImage(memory, list(zip(spans.base.tolist(), spans.limit.tolist(), strict=True)))
    if image.missing:
        notes.append(
            f"{image.missing:,} bytes of heap spans are missing from the core: their pointers are not followed"
        )
    roots = read_roots(process, layout, spans)
    if roots.missing:
        shown = ", ".join(roots.missing[:5]) + (f" and {len(roots.missing) - 5} more" if len(roots.missing) > 5 else "")
        notes.append(f"roots missing from the core ({shown}): what only they reach counts as garbage")
    first = 1 + len(roots.names)
    words = pointer_words(memory, image, layout, spans, objects, TypeMasks(memory, layout))
    root_base = _root_bases(roots)
    edges = _edges(roots, root_base, objects, first, _object_edges(image, objects, first, words))
    del roots.addrs[:], roots.values[:]
    graph = build_graph(first + len(objects), edges, progress)  # consumes the edges
    del edges
    graphnative.release_free_memory()
    if progress is not None:
        progress("Typing objects", 0, len(objects))
    typer = ObjectTyper(memory, program, layout, spans, objects, image)
    typer.type_from_headers(spans)
    typer.type_from_globals(roots.globals)
    typer.propagate(progress)
    graphnative.release_free_memory()
    if progress is not None:
        progress("Summing retained sizes", 0, graph.nodes)
    sizes = np.concatenate([np.zeros(first, np.int64), objects.size])
    retained = graph.retained(sizes)
    return HeapFacts(
        objects,
        typer.types,
        typer.names.names,
        roots.names,
        root_base,
        graph,
        retained,
        notes,
        time.monotonic() - started,
    )


def _object_edges(
    image: WordImage, objects: ObjectTable, first: int, words: Iterator[PointerWords]
) -> Iterator[tuple[Nodes, Nodes, Words]]:
    """(source, target, word index) of the pointers between objects, a chunk of words at a time."""
    nodes = first + len(objects)
    for chunk in words:
        values, ok = image.gather(chunk.addr)
        targets = objects.containing(values)
        del values
        keep = ok & (targets >= 0)
        sources = chunk.source[keep]
        index = word_indices(chunk.addr[keep] - objects.addr[sources])
        yield int32_nodes(sources + first, nodes), int32_nodes(targets[keep] + first, nodes), index


def _root_bases(roots: Roots) -> npt.NDArray[np.uint64]:
    """The lowest word address of each root."""
    base = np.full(len(roots.names), np.iinfo(np.uint64).max, np.uint64)
    for addrs, owners in zip(roots.addrs, roots.owners, strict=True):
        np.minimum.at(base, owners, addrs)
    return base


def _edges(
    roots: Roots,
    root_base: npt.NDArray[np.uint64],
    objects: ObjectTable,
    first: int,
    between_objects: Iterator[tuple[Nodes, Nodes, Words]],
) -> Edges:
    nodes = first + len(objects)
    src = [np.zeros(first - 1, np.int32)]
    dst = [int32_nodes(np.arange(1, first), nodes)]
    off = [np.zeros(first - 1, np.uint32)]
    for chunk_src, chunk_dst, chunk_off in between_objects:
        src.append(chunk_src)
        dst.append(chunk_dst)
        off.append(chunk_off)
    for addrs, values, owners in zip(roots.addrs, roots.values, roots.owners, strict=True):
        hit = objects.containing(values)
        inside = hit >= 0
        src.append(int32_nodes(owners[inside] + 1, nodes))
        dst.append(int32_nodes(hit[inside] + first, nodes))
        off.append(word_indices(addrs[inside] - root_base[owners[inside]]))
    return Edges(_joined(src), _joined(dst), _joined(off))


def _joined(parts: list[npt.NDArray[ArrayT]]) -> npt.NDArray[ArrayT]:
    """One array of `parts`, which it empties: each part is let go once copied (a second copy of
    every edge at once would be the analysis's peak)."""
    out = np.empty(sum(len(p) for p in parts), dtype=parts[0].dtype)
    at = 0
    for part in parts[::-1]:
        out[len(out) - at - len(part) : len(out) - at] = part
        at += len(part)
        parts.pop()
    return out
