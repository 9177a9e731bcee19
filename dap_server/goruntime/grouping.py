"""Goroutines with identical stacks, grouped panicparse-style (same state, same frames)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .describe import GoroutineSummary
from .goroutines import Goroutine
from .process import GoProcess


@dataclass
class GoroutineGroup:
    """Goroutines that wait in the same state at the same pcs; the first member stands for all."""

    members: list[Goroutine] = field(default_factory=list)
    summaries: list[GoroutineSummary] = field(default_factory=list)

    @property
    def representative(self) -> Goroutine:
        return self.members[0]

    @property
    def state(self) -> str:
        """`chan receive, 2–14 minutes, locked to thread`: the shared state, the spread of wait times."""
        first = self.summaries[0]
        waits = [s.wait_minutes for s in self.summaries if s.wait_minutes]
        parts = [first.state]
        if waits:
            low, high = min(waits), max(waits)
            parts.append(f"{low} minutes" if low == high else f"{low}–{high} minutes")
        if first.locked:
            parts.append("locked to thread")
        return ", ".join(parts)

    @property
    def where(self) -> str:
        """`main.worker (worker.go:40)`: the place in the program the group waits in."""
        first = self.summaries[0]
        place = first.user or first.top
        if place is None:
            return ""
        text = place.function
        if place.line > 0:
            text += f" ({os.path.basename(place.file)}:{place.line})"
        return text

    @property
    def name(self) -> str:
        """`342× [chan receive, 2–14 minutes] main.worker (worker.go:40)`."""
        where = self.where
        return f"{len(self.members)}× [{self.state}]" + (f" {where}" if where else "")


def group_goroutines(
    process: GoProcess,
    goroutines: list[Goroutine],
    summaries: list[GoroutineSummary],
    progress: Callable[[str, int, int], None] | None = None,
) -> list[GoroutineGroup]:
    """Groups, biggest first (ties in allgs order)."""
    groups: dict[tuple[object, ...], GoroutineGroup] = {}
    for i, (g, summary) in enumerate(zip(goroutines, summaries, strict=True)):
        if progress is not None and i % 4096 == 0:
            progress("Grouping identical stacks", i, len(goroutines))
        key = (summary.state, summary.locked, process.unwinder.pc_chain(g))
        group = groups.get(key)
        if group is None:
            group = groups[key] = GoroutineGroup()
        group.members.append(g)
        group.summaries.append(summary)
    return sorted(groups.values(), key=lambda grp: -len(grp.members))
