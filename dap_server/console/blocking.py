"""The blocking graph in the console: `blocked`, `waiters EXPR` and `deadlocks`."""

from __future__ import annotations

from ..goruntime.blocking.records import Finding, WaitObject
from ..goruntime.expr.evaluate import evaluate
from ..goruntime.values.base import Value
from .base import ConsoleError, ConsoleResult, Where

MAX_LISTED = 1000  # blocked goroutines listed by one `blocked`
MAX_IDS = 200  # goroutine ids listed per line


def blocked(where: Where, args: list[str]) -> ConsoleResult:
    """blocked: every blocked user goroutine and what it waits on."""
    session = where.session
    if session.blocking_problem:
        raise ConsoleError(session.blocking_problem)
    waits = session.blocked()
    lines = [f"[{len(waits):,} blocked goroutines]"]
    lines += [f"Goroutine {w.goid} [{w.reason}] {w.summary}" for w in waits[:MAX_LISTED]]
    if len(waits) > MAX_LISTED:
        lines.append(f"...+{len(waits) - MAX_LISTED:,} more (`deadlocks` groups them)")
    return ConsoleResult("\n".join(lines))


def waiters(where: Where, args: list[str]) -> ConsoleResult:
    """waiters EXPR: who waits on a channel or lock (an expression or an address), and who could wake them."""
    if not args:
        raise ConsoleError("waiters needs a channel, a lock or an address")
    session = where.session
    address = _address(where, " ".join(args))
    known = {e.obj for w in session.blocked() for e in w.edges if e.obj.address == address}
    if not known:
        return ConsoleResult(f"no goroutine waits on {address:#x}")
    lines = []
    for obj in sorted(known, key=lambda o: o.kind):
        state = session.wait_object(obj)
        lines.append(state.summary)
        waiting = session.waiters(obj)
        by_direction: dict[str, list[int]] = {}
        for wait in waiting:
            how = next((e.direction for e in wait.edges if e.obj == obj), "")
            by_direction.setdefault(how or "wait", []).append(wait.goid)
        for how, goids in by_direction.items():
            lines.append(f"\t{how} ({len(goids):,}): {_ids(goids)}")
        lines.append("\tcould wake it: " + _wakers(where, obj))
    return ConsoleResult("\n".join(lines))


def deadlocks(where: Where, args: list[str]) -> ConsoleResult:
    """deadlocks: cycles of goroutines waiting on each other, leaks, and the biggest groups of identical waits."""
    session = where.session
    if session.blocking_problem:
        raise ConsoleError(session.blocking_problem)
    found = session.blocking_findings()
    lines = [_finding(f) for f in found] or ["no deadlock, leak or group of identical waits found"]
    lines += [f"(search bound: {limit})" for limit in session.reference_limits()]
    return ConsoleResult("\n".join(lines))


def _finding(finding: Finding) -> str:
    lines = [finding.title, f"\tgoroutines ({len(finding.goroutines):,}): {_ids(finding.goroutines)}"]
    lines += [f"\t{detail}" for detail in finding.details]
    return "\n".join(lines)


def _wakers(where: Where, obj: WaitObject) -> str:
    session = where.session
    wakers = session.wakers(obj)
    text = f"goroutines {_ids(wakers)}" if wakers else "no other goroutine refers to it"
    if obj.kind.startswith("sync.") and len(wakers) == 1:
        text = f"goroutine {wakers[0]} (likely holder: it refers to the lock and does not wait on it)"
    if session.held_by_global(obj):
        text += "; a package variable refers to it, so any goroutine may"
    return text


def _address(where: Where, text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        pass
    value = evaluate(where.scope, text)
    address = _object_address(value)
    if address is None:
        raise ConsoleError(f"{text} is not a channel, a lock or a pointer to one ({value.type_name})")
    return address


def _object_address(value: Value) -> int | None:
    if value.kind in ("chan", "pointer", "unsafe.Pointer"):
        return value.referenced_address()
    return value.address


def _ids(goids: list[int]) -> str:
    shown = ", ".join(str(g) for g in goids[:MAX_IDS])
    return shown + (f" ...+{len(goids) - MAX_IDS:,} more" if len(goids) > MAX_IDS else "")
