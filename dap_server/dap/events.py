"""Bodies of DAP events, sent with `send_event("<event>", body)`; `initialized` has none."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from .messages import Capabilities, Module, Source

ChangeReason = Literal["new", "changed", "removed"]


@attrs.frozen(kw_only=True)
class StoppedEventBody:
    reason: str  # "exception", "pause", "entry", ... (open enumeration)
    description: str | None = None
    threadId: int | None = None
    preserveFocusHint: bool | None = None
    text: str | None = None
    allThreadsStopped: bool | None = None
    hitBreakpointIds: list[int] | None = None


@attrs.frozen(kw_only=True)
class ContinuedEventBody:
    threadId: int
    allThreadsContinued: bool | None = None


@attrs.frozen(kw_only=True)
class ExitedEventBody:
    exitCode: int


@attrs.frozen(kw_only=True)
class TerminatedEventBody:
    restart: Any = None


@attrs.frozen(kw_only=True)
class ThreadEventBody:
    reason: str  # "started", "exited" or another
    threadId: int


@attrs.frozen(kw_only=True)
class OutputEventBody:
    category: str | None = None  # "console", "important", "stdout", "stderr", "telemetry" or another
    output: str
    group: Literal["start", "startCollapsed", "end"] | None = None
    variablesReference: int | None = None
    source: Source | None = None
    line: int | None = None
    column: int | None = None
    data: Any = None


@attrs.frozen(kw_only=True)
class ProcessEventBody:
    name: str
    systemProcessId: int | None = None
    isLocalProcess: bool | None = None
    startMethod: Literal["launch", "attach", "attachForSuspendedLaunch"] | None = None
    pointerSize: int | None = None


@attrs.frozen(kw_only=True)
class ModuleEventBody:
    reason: ChangeReason
    module: Module


@attrs.frozen(kw_only=True)
class LoadedSourceEventBody:
    reason: ChangeReason
    source: Source


@attrs.frozen(kw_only=True)
class InvalidatedEventBody:
    areas: list[str] | None = None  # "all", "stacks", "threads", "variables" or another
    threadId: int | None = None
    stackFrameId: int | None = None


@attrs.frozen(kw_only=True)
class ProgressStartEventBody:
    progressId: str
    title: str
    requestId: int | None = None
    cancellable: bool | None = None
    message: str | None = None
    percentage: float | None = None


@attrs.frozen(kw_only=True)
class ProgressUpdateEventBody:
    progressId: str
    message: str | None = None
    percentage: float | None = None


@attrs.frozen(kw_only=True)
class ProgressEndEventBody:
    progressId: str
    message: str | None = None


@attrs.frozen(kw_only=True)
class CapabilitiesEventBody:
    capabilities: Capabilities


@attrs.frozen(kw_only=True)
class MemoryEventBody:
    memoryReference: str
    offset: int
    count: int
