"""How goroutines and frames are named in the client (thread list, call stack)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache

from ..goruntime.describe import GoroutineSummary


def short_function(name: str) -> str:
    """ "github.com/x/y/pkg.(*T).M" → "pkg.(*T).M" (the package path trimmed to its last element)."""
    slash = name.split("[", 1)[0].rfind("/")
    return name[slash + 1 :]


def thread_name(summary: GoroutineSummary, blocked_on: str = "") -> str:
    """`Goroutine 27 [chan receive, 14 minutes] main.refreshOnNotification (views.go:89)` + labels,
    then what it waits on (`receive on chan 0xc000123400`) when the runtime names an object."""
    rest = _rest(summary)
    return f"Goroutine {summary.goid} {rest} · {blocked_on}" if blocked_on else f"Goroutine {summary.goid} {rest}"


def thread_names(summaries: Iterable[GoroutineSummary]) -> list[str]:
    """`thread_name` of each (without what it waits on), for a whole thread list: goroutines whose
    summaries share their state, wait, location and labels share the text after the id, looked up
    by the location's identity (a bulk walk gives such goroutines the same object)."""
    texts: dict[tuple[object, ...], str] = {}
    names = []
    for summary in summaries:
        where = summary.user or summary.top
        key = (summary.state, summary.wait_minutes, summary.locked, id(where), summary.labels)
        rest = texts.get(key)
        if rest is None:
            rest = texts[key] = _rest(summary)
        names.append(f"Goroutine {summary.goid} {rest}")
    return names


def _rest(summary: GoroutineSummary) -> str:
    where = summary.user or summary.top
    # The location goes in as strings: hashing them is cached, hashing a SourceLocation is not.
    function, file, line = (where.function, where.file, where.line) if where is not None else ("", "", 0)
    return _describe(summary.state, summary.wait_minutes, summary.locked, function, file, line, summary.labels)


@lru_cache(maxsize=65536)
def _describe(
    state: str,
    minutes: int | None,
    locked: bool,
    function: str,
    file: str,
    line: int,
    labels: tuple[tuple[str, str], ...],
) -> str:
    """Everything in a thread name but the id; goroutines waiting alike share one string."""
    parts = [state]
    if minutes:
        parts.append(f"{minutes} minutes")
    if locked:
        parts.append("locked to thread")
    text = "[" + ", ".join(parts) + "]"
    if function:
        text += f" {short_function(function)}"
        if line > 0:
            text += f" ({os.path.basename(file)}:{line})"
    if labels:
        text += " {" + ", ".join(f"{k}={v}" for k, v in labels) + "}"
    return text
