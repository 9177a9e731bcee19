"""Heap questions in the adapter: the analysis made under a progress bar, and the body of godap's
own `heapSummary` request (`godap report --heap` sends it): the histogram, the largest objects and
retainers with their paths, as structured fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..dap.context import RequestContext
from ..session import Session
from .progress import reporter

if TYPE_CHECKING:  # numpy and the graph code load with the first heap question
    from ..goruntime.heap.analysis import HeapAnalysis, HeapNode

MAX_ROWS = 10_000
HEAP_BUDGET = 1800.0  # seconds: the first heap question on a 4 GB heap analyses it (with a progress bar)


def analysed(session: Session, ctx: RequestContext) -> HeapAnalysis:
    """The session's heap analysis, made under a progress bar the first time (SessionError if the
    heap cannot be read)."""
    if session.heap_analysed:
        return session.heap()
    ctx.set_budget(HEAP_BUDGET)
    with ctx.progress("Analysing the heap") as bar:
        return session.heap(reporter(ctx, bar))


def heap_summary(found: HeapAnalysis, rows: int, top: int) -> dict[str, Any]:
    histogram = found.histogram()
    live, live_bytes, allocated, allocated_bytes = found.totals()
    untyped = [row for row in histogram if not row.typed]
    return {
        "liveObjects": live,
        "liveBytes": live_bytes,
        "allocatedObjects": allocated,
        "allocatedBytes": allocated_bytes,
        "untypedObjects": sum(row.count for row in untyped),
        "untypedBytes": sum(row.bytes for row in untyped),
        "histogram": [
            {"type": r.type, "count": r.count, "bytes": r.bytes, "share": round(r.share, 6), "typed": r.typed}
            for r in histogram[: min(rows, MAX_ROWS)]
        ],
        "largestObjects": [_object(found, node) for node in found.largest_objects(top)],
        "largestRetainers": [_object(found, node) for node in found.largest_retainers(top)],
        "rootRetainers": [{"name": n.name, "retained": n.retained} for n in found.largest_retainers(top, roots=True)],
        "notes": list(found.facts.notes),
    }


def _object(found: HeapAnalysis, node: HeapNode) -> dict[str, Any]:
    return {
        "address": f"{node.address or 0:#x}",
        "type": node.name,
        "size": node.size,
        "retained": node.retained,
        "path": [n.name if n.address is None else f"{n.address:#x} {n.name}" for n in found.path(node)],
    }
