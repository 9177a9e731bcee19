"""Goroutines and stacks in Delve's words: `goroutines`, `goroutine` (the current one's
locations), `stack` and `list`."""

from __future__ import annotations

import os

from ..goruntime.describe import GoroutineSummary
from ..goruntime.filters import FilterError, matches_all, parse_filters
from ..goruntime.frames import Frame
from ..program.pclntab import SourceLocation
from ..session import SessionError
from .base import ConsoleError, ConsoleResult, Where, integer, parse_flags

MAX_LISTED = 1000  # goroutines (or groups) listed by one `goroutines`; filters narrow the rest
MAX_MEMBERS = 200  # member ids listed per group
LIST_CONTEXT = 5  # source lines shown either side of the current one


def goroutines(where: Where, args: list[str]) -> ConsoleResult:
    """goroutines [-group] [filters]: every goroutine (filters applied to all), or groups of
    goroutines with identical stacks and their ids."""
    flags = parse_flags(args, frozenset({"-group"}), frozenset())
    try:
        filters = parse_filters(flags.words)
    except FilterError as exc:
        raise ConsoleError(str(exc)) from None
    session = where.session
    chosen = [(g, s) for g in session.goroutines if matches_all(filters, s := session.summary(g))]
    current = where.goroutine.goid if where.goroutine is not None else None
    if "-group" in flags.switches:
        groups = session.group([g for g, _ in chosen], [s for _, s in chosen])
        lines = [f"[{len(groups)} groups, {len(chosen)} goroutines]"]
        for group in groups[:MAX_LISTED]:
            ids = [g.goid for g in group.members]
            shown = ", ".join(str(i) for i in ids[:MAX_MEMBERS])
            more = f" ...+{len(ids) - MAX_MEMBERS} more" if len(ids) > MAX_MEMBERS else ""
            marker = "*" if current in ids else " "
            lines += [f"{marker} {group.name}", f"\tgoroutines: {shown}{more}"]
        return ConsoleResult(_with_rest(lines, len(groups), "groups"))
    lines = [f"[{len(chosen)} goroutines]"]
    lines += [goroutine_line(s, s.goid == current) for _, s in chosen[:MAX_LISTED]]
    return ConsoleResult(_with_rest(lines, len(chosen), "goroutines"))


def _with_rest(lines: list[str], total: int, what: str) -> str:
    if total > MAX_LISTED:
        lines.append(f"...+{total - MAX_LISTED} more {what} (narrow the list with filters, see `help goroutines`)")
    return "\n".join(lines)


def goroutine_line(summary: GoroutineSummary, current: bool) -> str:
    """`* Goroutine 27 - User: /path/views.go:89 pkg.refresh [select, 14 minutes]`."""
    where = summary.user or summary.top
    kind = "User" if summary.user is not None else "Runtime"
    place = _location(where) if where is not None else "?"
    thread = f" (thread {summary.thread})" if summary.thread else ""
    return f"{'*' if current else ' '} Goroutine {summary.goid} - {kind}: {place}{thread} {summary.header}"


def _location(loc: SourceLocation) -> str:
    return f"{loc.file}:{loc.line} {loc.function}"


def goroutine_info(where: Where) -> ConsoleResult:
    """The current goroutine's runtime, user, creation and start locations."""
    g = where.goroutine
    if g is None:
        raise ConsoleError("no goroutine is selected")
    summary = where.session.summary(g)
    lines = [f"Goroutine {g.goid} {summary.header}:"]
    if summary.top is not None:
        lines.append(f"\tRuntime: {_location(summary.top)}")
    if summary.user is not None:
        lines.append(f"\tUser: {_location(summary.user)}")
    created = summary.created_by
    if created is not None:
        parent = f" in goroutine {created.parent_goid}" if created.parent_goid else ""
        lines.append(f"\tGo: {created.file}:{created.line} {created.function}{parent}")
    if summary.start_function:
        lines.append(f"\tStart: {summary.start_function}")
    if summary.thread:
        lines.append(f"\tThread: {summary.thread}")
    return ConsoleResult("\n".join(lines))


def stack(where: Where, args: list[str]) -> ConsoleResult:
    """stack [depth] [-full]: the current goroutine's frames, with arguments and locals if -full."""
    flags = parse_flags(args, frozenset({"-full"}), frozenset())
    if where.goroutine is None:
        raise ConsoleError("no goroutine is selected: use `goroutine N` first")
    depth = where.session.options.stack_trace_depth
    if flags.words:
        depth = integer(flags.words[0], "the depth")
    frames = where.frames
    lines: list[str] = []
    for index, frame in enumerate(frames[: depth + 1]):
        lines += frame_lines(where, index, frame)
        if "-full" in flags.switches and not frame.is_synthetic:
            values = where.session.arguments(frame) + where.session.locals(frame)
            lines += [f"       {v.name} = {v.summary}" for v in values]
            lines.append("")
    if len(frames) > depth + 1:
        lines.append("(truncated)")
    return ConsoleResult("\n".join(lines))


def frame_lines(where: Where, index: int, frame: Frame) -> list[str]:
    if frame.is_synthetic:
        return [f"{index:<2} ({frame.note})"]
    inlined = " (inlined)" if frame.inlined else ""
    path = where.session.local_path(frame.file) if frame.file else "?"
    return [f"{index:<2} 0x{frame.pc:016x} in {frame.function}{inlined}", f"   at {path}:{frame.line}"]


def source_listing(where: Where, args: list[str]) -> ConsoleResult:
    """list: the source around the current frame's line."""
    frame = where.require_frame()
    if not frame.file or frame.line <= 0:
        raise ConsoleError(f"frame {where.index} has no source line")
    try:
        path, text = where.session.read_source(frame.file)
    except SessionError as exc:
        raise ConsoleError(str(exc)) from None
    source = text.splitlines()
    g = where.goroutine
    header = f"Goroutine {g.goid if g else '?'} frame {where.index} at {path}:{frame.line} (PC: {frame.pc:#x})"
    first = max(1, frame.line - LIST_CONTEXT)
    last = min(len(source), frame.line + LIST_CONTEXT)
    width = len(str(last))
    lines = [header]
    for number in range(first, last + 1):
        arrow = "=>" if number == frame.line else "  "
        lines.append(f"{arrow}{number:>{width + 2}}:\t{source[number - 1]}")
    return ConsoleResult("\n".join(lines))


def frame_header(where: Where) -> str:
    frame = where.require_frame()
    place = f"{os.path.basename(frame.file)}:{frame.line}" if frame.file else "?"
    return f"Frame {where.index}: {frame.function} at {place} (PC: {frame.pc:#x})"
