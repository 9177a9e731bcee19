"""godap's launch and attach arguments: the keys of its debug configurations (the extension's
package.json declares the same), on top of what the DAP spec itself defines."""

from __future__ import annotations

from typing import Any

from ..dap.message_class import field, message


@message
class SubstitutePath:
    """One `substitutePath` rule: source paths starting with `from` are shown starting with `to`."""

    from_: str = field(wire="from")
    to: str


@message
class GoArguments:
    """The keys `launch` and `attach` share."""

    # `__restart` would be name-mangled as an attribute; the client echoes it back untouched.
    restart_data: Any = field(default=None, wire="__restart")
    program: str | None = None
    substitutePath: list[SubstitutePath] = field(factory=list)
    hideSystemGoroutines: bool = False
    goroutineFilters: str | list[str] | None = None
    groupGoroutines: bool = False
    showGlobalVariables: bool = True
    showRegisters: bool = False
    stackTraceDepth: int = 50
    logFile: str | None = None
    cwd: str | None = None
    mode: str | None = None  # launch: "core"; attach: "local" (vscode-go's word)


@message
class LaunchArguments(GoArguments):
    """`launch` opens a core dump."""

    noDebug: bool = False
    coreFilePath: str | None = None


@message
class AttachArguments(GoArguments):
    """`attach` stops a running process; `processId` is a number or, from a picker, a string."""

    processId: int | str | None = None
    snapshot: bool = False  # copy what the views need and let the process run on at once
