"""Why a process cannot be attached, in words that say what to change."""

from __future__ import annotations

import errno
import os

from .errors import DebuggeeError

CAP_SYS_PTRACE = 19
_YAMA = "/proc/sys/kernel/yama/ptrace_scope"


def _status(pid: int | str) -> dict[str, str]:
    fields = {}
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    except OSError:
        pass
    return fields


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return "?"


def refuse_early(pid: int) -> None:
    """Raise DebuggeeError for what /proc already shows: no such process, a zombie, godap itself,
    a process another debugger traces."""
    if pid <= 0:
        raise DebuggeeError(f"{pid} is not a process id")
    if pid == os.getpid():
        raise DebuggeeError("godap cannot attach to itself")
    status = _status(pid)
    if not status:
        raise DebuggeeError(f"there is no process {pid}")
    if status.get("State", "").startswith(("Z", "X")):
        raise DebuggeeError(
            f"process {pid} ({_command(pid)}) is a zombie: it has exited and waits for its parent to reap it; "
            "there is nothing left to inspect"
        )
    tracer = int(status.get("TracerPid", "0") or 0)
    if tracer:
        raise DebuggeeError(
            f"process {pid} is already traced by process {tracer} ({_command(tracer)}); "
            "detach that debugger first (only one tracer at a time)"
        )


def explain_denied(pid: int, exc: OSError) -> str:
    """What an EPERM from PTRACE_SEIZE means here, and what to change."""
    if exc.errno != errno.EPERM:
        return f"cannot attach to process {pid}: {exc.strerror}"
    head = f"cannot attach to process {pid} ({_command(pid)}): permission denied"
    mine = _status("self")
    theirs = _status(pid)
    has_cap = bool(int(mine.get("CapEff", "0") or "0", 16) >> CAP_SYS_PTRACE & 1)
    my_uid = mine.get("Uid", "").split()[:1]
    their_uid = theirs.get("Uid", "").split()[:1]
    tracer = int(theirs.get("TracerPid", "0") or 0)
    if tracer:
        return f"{head}: it is already traced by process {tracer} ({_command(tracer)}); detach that debugger first"
    if not has_cap and my_uid != their_uid:
        return (
            f"{head}: it runs as uid {their_uid[0] if their_uid else '?'} and godap as uid "
            f"{my_uid[0] if my_uid else '?'}; run godap as that user or as root (with CAP_SYS_PTRACE)"
        )
    scope = _yama_scope()
    if scope == 3:
        return f"{head}: {_YAMA} is 3, which forbids ptrace for everyone until reboot"
    if scope == 2 and not has_cap:
        return f"{head}: {_YAMA} is 2: only a process with CAP_SYS_PTRACE may attach; run godap as root"
    if scope == 1 and not has_cap:
        return (
            f"{head}: {_YAMA} is 1: only a parent may attach; run godap with CAP_SYS_PTRACE (root), "
            f"or set it to 0 (sysctl kernel.yama.ptrace_scope=0)"
        )
    if not has_cap:
        return (
            f"{head}: godap lacks CAP_SYS_PTRACE (a container drops it by default: add it, e.g. "
            "`docker run --cap-add=SYS_PTRACE` or Kubernetes securityContext.capabilities.add: [SYS_PTRACE]), "
            "or the process is not dumpable (setuid, or prctl(PR_SET_DUMPABLE, 0))"
        )
    return f"{head}: a seccomp or LSM policy (AppArmor, SELinux) forbids ptrace here"


def _yama_scope() -> int | None:
    try:
        with open(_YAMA) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None
