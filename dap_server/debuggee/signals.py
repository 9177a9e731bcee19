"""Linux signals as a stopped thread reports them: numbers, names and the `siginfo_t` fields
that explain a signal (the same layout in a core's NT_SIGINFO and from PTRACE_GETSIGINFO)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

_SIGINFO = struct.Struct("<iii4xQ")
_SIGINFO_KILL = struct.Struct("<iii4xiI")

SIGNAL_NAMES = {
    1: "SIGHUP",
    2: "SIGINT",
    3: "SIGQUIT",
    4: "SIGILL",
    5: "SIGTRAP",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    10: "SIGUSR1",
    11: "SIGSEGV",
    12: "SIGUSR2",
    13: "SIGPIPE",
    14: "SIGALRM",
    15: "SIGTERM",
    16: "SIGSTKFLT",
    17: "SIGCHLD",
    18: "SIGCONT",
    19: "SIGSTOP",
    20: "SIGTSTP",
    21: "SIGTTIN",
    22: "SIGTTOU",
    23: "SIGURG",
    24: "SIGXCPU",
    25: "SIGXFSZ",
    26: "SIGVTALRM",
    27: "SIGPROF",
    28: "SIGWINCH",
    29: "SIGIO",
    30: "SIGPWR",
    31: "SIGSYS",
}


def signal_name(number: int) -> str:
    return SIGNAL_NAMES.get(number, f"signal {number}")


@dataclass(slots=True)
class SigInfo:
    """The fields of a `siginfo_t` that explain a signal: who sent it, or which address faulted."""

    signo: int
    errno: int
    code: int
    addr: int
    sender_pid: int
    sender_uid: int

    @property
    def name(self) -> str:
        return signal_name(self.signo)

    @property
    def sent_by_process(self) -> bool:
        """True for kill/tkill/sigqueue (si_code ≤ 0): the pid/uid fields are meaningful."""
        return self.code <= 0


def parse_siginfo(desc: bytes) -> SigInfo | None:
    if len(desc) < _SIGINFO.size:
        return None
    signo, errno, code, addr = _SIGINFO.unpack_from(desc)
    _, _, _, pid, uid = _SIGINFO_KILL.unpack_from(desc)
    return SigInfo(signo, errno, code, addr, pid, uid)
