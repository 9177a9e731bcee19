"""Who refers to a wait object: the goroutines whose live pointer slots (the stack maps the GC
scans) hold its address, directly or in the first words of an object one pointer away (a closure's
captures, a stack-allocated defer closure, a small struct), and whether a package variable does.
A heap object's words are read only up to its end (its span's slot size): the words past it belong
to a neighbour, and a stale one there would name a goroutine that does not refer to the object.

The search is bounded: each goroutine follows at most HOPS_PER_GOROUTINE pointers, and the whole
search follows at most MAX_HOPS; what a bound cut short is said in `limits`. Package variables are
read word by word (.data and .bss), which may count a stale word: it only makes a wait look wakeable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...debuggee.api import UnreadableMemory
from ..goroutines import BULK_GOROUTINES, Goroutine
from ..process import GoProcess
from .pointees import MIN_POINTER, Unfollowed, heap_layout, pointee_hits
from .stackmaps import StackMaps, stack_words

HOPS_PER_GOROUTINE = 24
MAX_HOPS = 250_000
_POINTER_SECTIONS = (".data", ".bss")  # the noptr sections hold no pointers by construction
_DATA_SECTIONS = (".data", ".bss", ".noptrdata", ".noptrbss")  # where package variables live


@dataclass(slots=True)
class References:
    """target address → goroutine ids whose stacks refer to it; targets a package variable holds;
    how many goroutines (in the process's order) have been searched so far."""

    by_target: dict[int, list[int]] = field(default_factory=dict)
    from_globals: set[int] = field(default_factory=set)
    limits: list[str] = field(default_factory=list)
    searched: int = 0
    total: int = 0

    @property
    def complete(self) -> bool:
        return self.searched >= self.total


class ReferenceSearch:
    """The search for references to `targets`, advanced a page of goroutines at a time, so that a
    question about one object in a process of 100,000 goroutines answers after a bounded amount
    of work and says how far it got."""

    def __init__(self, process: GoProcess, targets: set[int]) -> None:
        self._process = process
        self._targets = targets
        self._goroutines = list(process.goroutines)
        self.result = References(total=len(self._goroutines) if targets else 0)
        self.result.from_globals = _global_references(process, targets) if targets else set()
        self._pointees: dict[int, frozenset[int]] = {}
        self._maps = StackMaps(process.program)
        text = (process.program.pclntab.text_start, process.program.pclntab.text_end)
        self._skip = Unfollowed(text, {g.addr for g in self._goroutines})
        self._heap = heap_layout(process)

    def advance(self, count: int, progress: Callable[[int, int], None] | None = None) -> References:
        """Search the next `count` goroutines (all that are left when `count` is None)."""
        result = self.result
        stop = min(result.total, result.searched + count)
        page = self._goroutines[result.searched : stop]
        words: list[list[int] | None] | None = None
        if len(page) >= BULK_GOROUTINES:
            if progress is not None:
                progress(result.searched, result.total)
            from .bulkrefs import PageSearch

            bulk = PageSearch(self._process, self._maps, page)
            found = bulk.hits(self._targets, self._skip, self._heap, self._pointees, MAX_HOPS, HOPS_PER_GOROUTINE)
            if found is not None:
                for target, goids in found.items():
                    result.by_target.setdefault(target, []).extend(goids)
                result.searched = stop
                return result
            words = bulk.lists()  # a goroutine would reach a bound: search one by one, as below
        for i in range(result.searched, stop):
            if progress is not None and i % 2048 == 0:
                progress(i, result.total)
            g = self._goroutines[i]
            for target in self._hits(g, words[i - result.searched] if words else None):
                result.by_target.setdefault(target, []).append(g.goid)
        result.searched = stop
        if len(self._pointees) >= MAX_HOPS and not result.limits:
            result.limits.append(f"pointers from stacks were followed only until {MAX_HOPS:,} objects had been read")
        return result

    def _hits(self, g: Goroutine, words: list[int] | None) -> set[int]:
        """The targets g's stack refers to; `words`, its live pointer words when already read."""
        if words is None:
            words = stack_words(self._process, self._maps, g)
        if words is None:
            return set()
        hits = self._targets.intersection(words)
        pointees = self._pointees  # every pointer followed so far: its count is the hops made
        budget = HOPS_PER_GOROUTINE if len(pointees) < MAX_HOPS else 0
        (text_start, text_end), records = self._skip
        for word in words:
            if budget == 0:
                break
            if word < MIN_POINTER or word & 7 or text_start <= word < text_end or word in records:
                continue
            if word not in pointees:
                pointees[word] = pointee_hits(self._process, self._heap, word, self._targets)
                budget -= 1
            hits |= pointees[word]
        return hits


def _global_references(process: GoProcess, targets: set[int]) -> set[int]:
    """Targets a pointer word of .data/.bss holds, or that are themselves package variables."""
    program = process.program
    found: set[int] = set()
    for name in _DATA_SECTIONS:
        section = program.image.section(name)
        if section is not None:
            start = section.addr + program.bias
            found |= {t for t in targets if start <= t < start + section.size}
    for name in _POINTER_SECTIONS:
        section = program.image.section(name)
        if section is None or not section.size:
            continue
        start = section.addr + program.bias
        for offset in range(0, section.size - section.size % 8, 1 << 20):
            size = min(1 << 20, section.size - offset) & ~7
            try:
                data = process.memory.read(start + offset, size)
            except UnreadableMemory:
                continue
            found |= targets.intersection(memoryview(data).cast("Q"))
    return found
