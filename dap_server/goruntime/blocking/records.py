"""Plain records of the blocking graph: wait objects, one goroutine's wait, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

CHAN, MUTEX, RWMUTEX, WAITGROUP, SEMAPHORE = "chan", "sync.Mutex", "sync.RWMutex", "sync.WaitGroup", "semaphore"
COND = "sync.Cond"
RECEIVE, SEND = "receive", "send"


class WaitObject(NamedTuple):
    """A channel, lock or semaphore some goroutine waits on, named by its address."""

    kind: str
    address: int

    @property
    def label(self) -> str:
        return f"{self.kind} {self.address:#x}"


class WaitEdge(NamedTuple):
    """One thing a goroutine waits on (a select has one per case), and how."""

    obj: WaitObject
    direction: str = ""  # RECEIVE or SEND for channels


class Wait(NamedTuple):
    """What one blocked goroutine waits on. `edges` is empty when the runtime records no object:
    `why` then says what is known (a sleep, a system call, a nil channel, …)."""

    goid: int
    g_addr: int
    reason: str
    edges: tuple[WaitEdge, ...] = ()
    why: str = ""
    wakeable: bool = True  # False: nothing can ever wake it (nil channel, select {})
    runtime_wakes: bool = False  # a timer, the network poller or the kernel will wake it
    label: str = ""  # what a thread name says when there is no object (`read on fd 7`)

    @property
    def short(self) -> str:
        """What a thread name says: the objects, or the label; empty when neither is known."""
        return self.summary if self.edges else self.label

    @property
    def summary(self) -> str:
        if not self.edges:
            return self.why or self.reason
        if len(self.edges) == 1:
            edge = self.edges[0]
            verb = f"{edge.direction} on " if edge.direction else "on "
            return verb + edge.obj.label
        return "select on " + ", ".join(f"{e.direction} {e.obj.label}" for e in self.edges)


@dataclass(slots=True)
class Finding:
    """One conclusion about the process, with every goroutine it involves."""

    kind: str  # "deadlock", "leak", "group"
    title: str
    goroutines: list[int]
    objects: list[WaitObject] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
