"""Bodies of DAP events, sent with `send_event("<event>", body)`; `initialized` has none."""

from __future__ import annotations

from typing import Any, Literal

from .message_class import message
from .messages import Capabilities, Module, Source

ChangeReason = Literal["new", "changed", "removed"]


@message
class StoppedEventBody:
    reason: str  # "exception", "pause", "entry", ... (open enumeration)
    description: str | None = None
    threadId: int | None = None
    preserveFocusHint: bool | None = None
    text: str | None = None
    allThreadsStopped: bool | None = None
    hitBreakpointIds: list[int] | None = None


@message
class ContinuedEventBody:
    threadId: int
    allThreadsContinued: bool | None = None


@message
class ExitedEventBody:
    exitCode: int


@message
class TerminatedEventBody:
    restart: Any = None


@message
class ThreadEventBody:
    reason: str  # "started", "exited" or another
    threadId: int


@message
class OutputEventBody:
    category: str | None = None  # "console", "important", "stdout", "stderr", "telemetry" or another
    output: str
    group: Literal["start", "startCollapsed", "end"] | None = None
    variablesReference: int | None = None
    source: Source | None = None
    line: int | None = None
    column: int | None = None
    data: Any = None


@message
class ProcessEventBody:
    name: str
    systemProcessId: int | None = None
    isLocalProcess: bool | None = None
    startMethod: Literal["launch", "attach", "attachForSuspendedLaunch"] | None = None
    pointerSize: int | None = None


@message
class ModuleEventBody:
    reason: ChangeReason
    module: Module


@message
class LoadedSourceEventBody:
    reason: ChangeReason
    source: Source


@message
class InvalidatedEventBody:
    areas: list[str] | None = None  # "all", "stacks", "threads", "variables" or another
    threadId: int | None = None
    stackFrameId: int | None = None


@message
class ProgressStartEventBody:
    progressId: str
    title: str
    requestId: int | None = None
    cancellable: bool | None = None
    message: str | None = None
    percentage: float | None = None


@message
class ProgressUpdateEventBody:
    progressId: str
    message: str | None = None
    percentage: float | None = None


@message
class ProgressEndEventBody:
    progressId: str
    message: str | None = None


@message
class CapabilitiesEventBody:
    capabilities: Capabilities


@message
class MemoryEventBody:
    memoryReference: str
    offset: int
    count: int
