"""Which sync.Cond a goroutine in sync.Cond.Wait waits on, for every release: the receiver of its
`sync.(*Cond).Wait` frame (live across the wait: Wait locks c.L afterwards), accepted only if the
Cond's notify list holds this goroutine's sudog. (Go records the list in g.waiting only from 1.26.)"""

from __future__ import annotations

from ...debuggee.api import UnreadableMemory
from ..goroutines import Goroutine
from ..process import GoProcess
from .stackmaps import StackMaps, live_words
from .sudogs import SudogReader

_WAIT_FRAME = "sync.(*Cond).Wait"
_FRAMES_LOOKED_AT = 8


def cond_of(process: GoProcess, maps: StackMaps, sudogs: SudogReader, g: Goroutine) -> int | None:
    """The address of the Cond `g` waits on, or None when its frames do not show it."""
    layouts = process.layouts
    notify, head = layouts.offset("sync.Cond", "notify"), layouts.offset("runtime.notifyList", "head")
    if notify is None or head is None:
        return None
    try:
        frames = [f for f in process.frames(g)[:_FRAMES_LOOKED_AT] if f.function == _WAIT_FRAME]
    except UnreadableMemory:
        return None
    for candidate in live_words(process, maps, frames):
        try:
            first = process.memory.u64(candidate + notify + head)
        except UnreadableMemory:
            continue
        if first and any(s.g == g.addr for s in sudogs.chain(first)):
            return candidate
    return None
