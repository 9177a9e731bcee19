"""The crashing goroutine's frames in the order a reader of Go's traceback expects them.

With GOTRACEBACK=crash the runtime dumps the core by re-raising SIGABRT from inside its own crash
path (runtime.crash → dieFromSignal → raise), so the thread's innermost frames are the signal
handler's, not the panic's. Go's printed traceback starts below them: at the caller of
runtime.fatalpanic (the `panic(…)` frame) or runtime.fatalthrow (runtime.throw/fatal), or at the
frame a signal interrupted. Those frames come first here; one label frame then says that the
runtime re-raised the signal to dump the core (or, before Go 1.22, that its handler waits for
another thread to; or, when several Ms threw at once, that this one waits in the crash path while
another dumps the core), and the handler's or the waiting frames follow it.
"""

from __future__ import annotations

from ..debuggee.api import SigInfo
from .frames import STACK_DUMP, Frame

SI_TKILL = -6  # si_code of tgkill(2): runtime.raise and the runtime's signals between its Ms
SIGQUIT = 3
_PRINTS_CALLER = frozenset({"runtime.fatalpanic", "runtime.fatalthrow"})
_RERAISE = frozenset({"runtime.dieFromSignal", "runtime.crash"})
# Before 1.22 a thread that got the fatal signal asks the next M to print its stack and sleeps in
# the handler; the last M re-raises. Its goroutine's stack starts in the handler as well.
_HANDLER = frozenset({"runtime.sighandler"})
# Ms that threw at once (concurrent map writes): the one Go printed first waits in dopanic_m for
# the crash lock while another M dumps the core.
_WAITING = frozenset({"runtime.dopanic_m"})


def sent_by_runtime(info: SigInfo, pid: int) -> bool:
    """A signal the Go runtime sent itself while crashing: runtime.raise (tgkill), or the SIGQUIT
    with which the crashing M asks the others to print their stacks (kill). A program's own
    kill(getpid(), SIGABRT) is not one of them."""
    if not info.sent_by_process or info.sender_pid != pid:
        return False
    return info.code == SI_TKILL or info.signo == SIGQUIT


def traceback_start(frames: list[Frame], pid: int) -> int:
    """Index of the frame Go's traceback of this goroutine starts with (0 if nothing precedes it)."""
    for index in range(len(frames) - 1, -1, -1):
        if frames[index].function in _PRINTS_CALLER:
            return index + 1
    for index in range(len(frames) - 1, -1, -1):
        info = frames[index].siginfo
        if info is not None and not sent_by_runtime(info, pid):
            return index + 1
    return 0


def go_traceback_order(frames: list[Frame], pid: int) -> list[Frame]:
    """`frames` (innermost first) starting where Go's traceback starts, then the label frame and
    the frames of the runtime's re-raise; unchanged when the core was not dumped that way."""
    start = traceback_start(frames, pid)
    machinery = [f for f in frames[:start] if not f.is_synthetic]
    functions = {f.function for f in machinery}
    if start >= len(frames) or not functions & (_RERAISE | _HANDLER | _WAITING):
        return frames
    signals = [f.siginfo.name for f in frames[:start] if f.siginfo is not None]
    if functions & _RERAISE:
        raised = signals[0] if signals else "SIGABRT"
        note = f"the runtime re-raised {raised} to dump the core; its signal handler's frames follow"
    elif functions & _HANDLER:
        received = signals[-1] if signals else "the signal"
        note = f"the runtime's {received} handler waits here for another thread to dump the core; its frames follow"
    else:
        note = "another thread re-raised SIGABRT to dump the core while this one waited to crash; its frames follow"
    label = Frame(pc=0, sp=0, cfa=0, function="", stack=STACK_DUMP, note=note)
    return [*frames[start:], label, *machinery]
