"""Stack frames as the unwinder produces them: plain data, no DAP types."""

from __future__ import annotations

from dataclasses import dataclass

from ..debuggee.api import Registers, SigInfo
from ..program.pclntab import Func

STACK_GOROUTINE = "goroutine"
STACK_SYSTEM = "system"
STACK_SIGNAL = "signal"
STACK_DUMP = "core dump"  # the label before the frames of the runtime's re-raise (crash_stack.py)


@dataclass(slots=True)
class Frame:
    """One logical frame. Inlined calls share the pc/sp/cfa of the physical frame that holds them.

    A frame with `note` set and no function is synthetic: it says why unwinding stopped or where
    the walk crossed from one stack to another.
    """

    pc: int
    sp: int
    cfa: int
    function: str
    file: str = ""
    line: int = 0
    inlined: bool = False
    trap: bool = False
    stack: str = STACK_GOROUTINE
    func: Func | None = None
    note: str | None = None
    registers: Registers | None = None
    signal: int = 0
    siginfo: SigInfo | None = None
    foreign: bool = False

    @property
    def is_synthetic(self) -> bool:
        return self.func is None and not self.foreign

    @property
    def package(self) -> str:
        """The import path of the frame's function ("main", "net/http", "runtime")."""
        return package_of(self.function)


def package_of(function: str) -> str:
    """The package path of a Go symbol name: "net/http.(*Server).Serve" → "net/http"."""
    head = function.split("[", 1)[0]
    dot = head.find(".", head.rfind("/") + 1)
    return head if dot < 0 else head[:dot]


def is_runtime_function(function: str) -> bool:
    return function.startswith(("runtime.", "internal/runtime/", "runtime/internal/")) or package_of(function) in (
        "runtime",
    )
