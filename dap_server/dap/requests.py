"""Argument classes of DAP requests, named as in the spec.

Optional arguments default to the value the spec says an absent one means, so a
handler never has to tell "absent" from "default". Requests without arguments in
the spec (`threads`, `configurationDone`, ...) take the raw dict or an empty class.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from .converter import wire_name
from .messages import (
    DataBreakpoint,
    ExceptionFilterOptions,
    ExceptionOptions,
    FunctionBreakpoint,
    InstructionBreakpoint,
    Source,
    SourceBreakpoint,
    StackFrameFormat,
    ValueFormat,
)

SteppingGranularity = Literal["statement", "line", "instruction"]


@attrs.frozen(kw_only=True)
class InitializeRequestArguments:
    clientID: str | None = None
    clientName: str | None = None
    # Required by the spec, but nothing here depends on it; refusing a client over it helps nobody.
    adapterID: str | None = None
    locale: str | None = None
    linesStartAt1: bool = True
    columnsStartAt1: bool = True
    pathFormat: str = "path"
    supportsVariableType: bool = False
    supportsVariablePaging: bool = False
    supportsRunInTerminalRequest: bool = False
    supportsMemoryReferences: bool = False
    supportsProgressReporting: bool = False
    supportsInvalidatedEvent: bool = False
    supportsMemoryEvent: bool = False
    supportsArgsCanBeInterpretedByShell: bool = False
    supportsStartDebuggingRequest: bool = False


@attrs.frozen(kw_only=True)
class LaunchRequestArguments:
    """The spec's own launch arguments; an adapter's configuration adds its keys (godap's are in
    `adapter/arguments.py`)."""

    # `__restart` would be name-mangled as an attribute; the client echoes it back untouched.
    restart_data: Any = attrs.field(default=None, metadata=wire_name("__restart"))
    noDebug: bool = False


@attrs.frozen(kw_only=True)
class AttachRequestArguments:
    restart_data: Any = attrs.field(default=None, metadata=wire_name("__restart"))


@attrs.frozen(kw_only=True)
class ConfigurationDoneArguments:
    pass


@attrs.frozen(kw_only=True)
class DisconnectArguments:
    restart: bool = False
    terminateDebuggee: bool | None = None
    suspendDebuggee: bool | None = None


@attrs.frozen(kw_only=True)
class TerminateArguments:
    restart: bool = False


@attrs.frozen(kw_only=True)
class RestartArguments:
    arguments: dict[str, Any] | None = None  # the launch or attach arguments


@attrs.frozen(kw_only=True)
class CancelArguments:
    requestId: int | None = None
    progressId: str | None = None


@attrs.frozen(kw_only=True)
class StackTraceArguments:
    threadId: int
    startFrame: int = 0
    levels: int = 0  # 0: all
    format: StackFrameFormat | None = None


@attrs.frozen(kw_only=True)
class ScopesArguments:
    frameId: int


@attrs.frozen(kw_only=True)
class VariablesArguments:
    variablesReference: int
    filter: Literal["indexed", "named"] | None = None
    start: int = 0
    count: int = 0  # 0: all
    format: ValueFormat | None = None


@attrs.frozen(kw_only=True)
class SourceArguments:
    source: Source | None = None
    sourceReference: int


@attrs.frozen(kw_only=True)
class EvaluateArguments:
    expression: str
    frameId: int | None = None
    context: str | None = None  # "watch", "repl", "hover", "clipboard", "variables" or another
    format: ValueFormat | None = None


@attrs.frozen(kw_only=True)
class ExceptionInfoArguments:
    threadId: int


@attrs.frozen(kw_only=True)
class SetVariableArguments:
    variablesReference: int
    name: str
    value: str
    format: ValueFormat | None = None


@attrs.frozen(kw_only=True)
class SetExpressionArguments:
    expression: str
    value: str
    frameId: int | None = None
    format: ValueFormat | None = None


@attrs.frozen(kw_only=True)
class CompletionsArguments:
    frameId: int | None = None
    text: str
    column: int
    line: int | None = None


@attrs.frozen(kw_only=True)
class ReadMemoryArguments:
    memoryReference: str
    offset: int = 0
    count: int


@attrs.frozen(kw_only=True)
class WriteMemoryArguments:
    memoryReference: str
    offset: int = 0
    allowPartial: bool = False
    data: str


@attrs.frozen(kw_only=True)
class DisassembleArguments:
    memoryReference: str
    offset: int = 0
    instructionOffset: int = 0
    instructionCount: int
    resolveSymbols: bool = False


@attrs.frozen(kw_only=True)
class LoadedSourcesArguments:
    pass


@attrs.frozen(kw_only=True)
class ModulesArguments:
    startModule: int = 0
    moduleCount: int = 0  # 0: all


@attrs.frozen(kw_only=True)
class PauseArguments:
    threadId: int


@attrs.frozen(kw_only=True)
class ContinueArguments:
    threadId: int
    singleThread: bool = False


@attrs.frozen(kw_only=True)
class NextArguments:
    threadId: int
    singleThread: bool = False
    granularity: SteppingGranularity | None = None


@attrs.frozen(kw_only=True)
class StepInArguments:
    threadId: int
    singleThread: bool = False
    targetId: int | None = None
    granularity: SteppingGranularity | None = None


@attrs.frozen(kw_only=True)
class StepOutArguments:
    threadId: int
    singleThread: bool = False
    granularity: SteppingGranularity | None = None


@attrs.frozen(kw_only=True)
class StepBackArguments:
    threadId: int
    singleThread: bool = False
    granularity: SteppingGranularity | None = None


@attrs.frozen(kw_only=True)
class ReverseContinueArguments:
    threadId: int
    singleThread: bool = False


@attrs.frozen(kw_only=True)
class RestartFrameArguments:
    frameId: int


@attrs.frozen(kw_only=True)
class GotoArguments:
    threadId: int
    targetId: int


@attrs.frozen(kw_only=True)
class TerminateThreadsArguments:
    threadIds: list[int] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class SetBreakpointsArguments:
    source: Source
    breakpoints: list[SourceBreakpoint] = attrs.field(factory=list)
    lines: list[int] | None = None
    sourceModified: bool = False


@attrs.frozen(kw_only=True)
class SetFunctionBreakpointsArguments:
    breakpoints: list[FunctionBreakpoint]


@attrs.frozen(kw_only=True)
class SetExceptionBreakpointsArguments:
    filters: list[str]
    filterOptions: list[ExceptionFilterOptions] = attrs.field(factory=list)
    exceptionOptions: list[ExceptionOptions] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class SetInstructionBreakpointsArguments:
    breakpoints: list[InstructionBreakpoint]


@attrs.frozen(kw_only=True)
class SetDataBreakpointsArguments:
    breakpoints: list[DataBreakpoint]


@attrs.frozen(kw_only=True)
class DataBreakpointInfoArguments:
    variablesReference: int | None = None
    name: str
    frameId: int | None = None


@attrs.frozen(kw_only=True)
class BreakpointLocationsArguments:
    source: Source
    line: int
    column: int | None = None
    endLine: int | None = None
    endColumn: int | None = None
