"""How goroutines and frames are named in the client (thread list, call stack)."""

from __future__ import annotations

import os

from ..goruntime.describe import GoroutineSummary


def short_function(name: str) -> str:
    """ "github.com/x/y/pkg.(*T).M" → "pkg.(*T).M" (the package path trimmed to its last element)."""
    slash = name.split("[", 1)[0].rfind("/")
    return name[slash + 1 :]


def thread_name(summary: GoroutineSummary) -> str:
    """`Goroutine 27 [chan receive, 14 minutes] main.refreshOnNotification (views.go:89)` + labels."""
    where = summary.user or summary.top
    text = f"Goroutine {summary.goid} {summary.header}"
    if where is not None:
        text += f" {short_function(where.function)}"
        if where.line > 0:
            text += f" ({os.path.basename(where.file)}:{where.line})"
    if summary.labels:
        text += " {" + ", ".join(f"{k}={v}" for k, v in summary.labels) + "}"
    return text
