"""Which file descriptor a goroutine in "IO wait" waits on: netpollblock's live `gpp` points to
the `rg` or `wg` word of a runtime.pollDesc, that word holds the parked g itself
(netpollblockcommit stores it), and the pollDesc's `self` field points back to it."""

from __future__ import annotations

from typing import NamedTuple

from ...debuggee.api import UnreadableMemory
from ..goroutines import Goroutine
from ..process import GoProcess
from .stackmaps import StackMaps, live_words

_POLL_FRAMES = frozenset({"runtime.netpollblock", "internal/poll.runtime_pollWait", "runtime.poll_runtime_pollWait"})
_FRAMES_LOOKED_AT = 8


class PollWait(NamedTuple):
    fd: int
    mode: str  # "read" or "write"
    poll_desc: int


def poll_wait(process: GoProcess, maps: StackMaps, g: Goroutine) -> PollWait | None:
    """The descriptor `g` waits on, or None when its frames hold no pollDesc that names it."""
    layouts = process.layouts
    offsets = [layouts.offset("runtime.pollDesc", name) for name in ("fd", "rg", "wg", "self")]
    if any(off is None for off in offsets):
        return None
    fd_off, rg_off, wg_off, self_off = (off or 0 for off in offsets)
    try:
        frames = [f for f in process.frames(g)[:_FRAMES_LOOKED_AT] if f.function in _POLL_FRAMES]
    except UnreadableMemory:
        return None
    memory = process.memory
    for gpp in live_words(process, maps, frames):
        for mode, off in (("read", rg_off), ("write", wg_off)):
            desc = gpp - off
            try:  # a pollDesc points to itself (`self`, the timers' argument): that tells rg from wg
                if memory.u64(gpp) == g.addr and memory.u64(desc + self_off) == desc:
                    return PollWait(memory.u64(desc + fd_off), mode, desc)
            except UnreadableMemory:
                continue
    return None
