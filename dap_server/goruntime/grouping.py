"""Goroutines with identical stacks, grouped panicparse-style (same state, same frames)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..program.pclntab import Pclntab
from .describe import GoroutineSummary
from .goroutines import Goroutine
from .process import GoProcess

_PAGE = 16384  # goroutines grouped between two progress reports


@dataclass
class GoroutineGroup:
    """Goroutines that wait in the same state at the same pcs; the first member stands for all."""

    members: list[Goroutine] = field(default_factory=list)
    summaries: list[GoroutineSummary] = field(default_factory=list)
    pcs: tuple[int, ...] = ()
    # Where the stack parts from another group's that would read the same: `pkg.f (file.go:12)`.
    parting: str = ""

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
        text = _place(place.function, place.file, place.line)
        return f"{text} via {self.parting}" if self.parting else text

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
    for start in range(0, len(goroutines), _PAGE):
        if progress is not None:
            progress("Grouping identical stacks", start, len(goroutines))
        members = goroutines[start : start + _PAGE]
        page = zip(members, summaries[start : start + _PAGE], process.pc_chains(members), strict=True)
        for g, summary, chain in page:
            key = (summary.state, summary.locked, chain)
            group = groups.get(key)
            if group is None:
                group = groups[key] = GoroutineGroup(pcs=key[2])
            group.members.append(g)
            group.summaries.append(summary)
    ordered = sorted(groups.values(), key=lambda grp: -len(grp.members))
    _tell_apart(process.program.pclntab, ordered)
    return ordered


def _place(function: str, file: str, line: int) -> str:
    return f"{function} ({os.path.basename(file)}:{line})" if line > 0 else function


def _tell_apart(pcln: Pclntab, groups: list[GoroutineGroup]) -> None:
    """Groups whose names would be the same get the first frame where their stacks part from the
    stack closest to theirs (with the pc's offset in its function when that still reads alike)."""
    alike: dict[tuple[str, str], list[GoroutineGroup]] = defaultdict(list)
    for group in groups:
        alike[(group.state, group.where)].append(group)
    for same in alike.values():
        if len(same) < 2:
            continue
        parting: dict[int, int] = {}
        for i, group in enumerate(same):
            depth = max(_common_depth(group.pcs, other.pcs) for other in same if other is not group)
            if depth < len(group.pcs) and group.pcs[depth] > 0:
                parting[i] = group.pcs[depth]
        texts = {i: _frame_at(pcln, pc) for i, pc in parting.items()}
        counts = Counter(texts.values())
        for i, text in texts.items():
            same[i].parting = text if counts[text] == 1 else f"{text} +{_offset(pcln, parting[i])}"


def _offset(pcln: Pclntab, pc: int) -> str:
    func = pcln.func_for_pc(pc - 1)
    return f"{pc - func.entry:#x}" if func is not None else f"{pc:#x}"


def _common_depth(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many innermost frames two stacks share."""
    depth = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        depth += 1
    return depth


def _frame_at(pcln: Pclntab, pc: int) -> str:
    """The outermost logical frame of the call that returns to `pc`."""
    locations = pcln.locations(pc - 1)
    if not locations:
        return f"{pc:#x}"
    loc = locations[-1]
    return _place(loc.function, loc.file, loc.line)
