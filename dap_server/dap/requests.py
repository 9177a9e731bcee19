"""Argument classes of DAP requests, named as in the spec.

Optional arguments default to the value the spec says an absent one means, so a
handler never has to tell "absent" from "default". Requests without arguments in
the spec (`threads`, `configurationDone`, ...) take the raw dict or an empty class.
"""

from __future__ import annotations

from typing import Any, Literal

from .message_class import field, message
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


@message
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


@message
class LaunchRequestArguments:
    """The spec's own launch arguments; an adapter's configuration adds its keys (godap's are in
    `adapter/arguments.py`)."""

    # `__restart` would be name-mangled as an attribute; the client echoes it back untouched.
    restart_data: Any = field(default=None, wire="__restart")
    noDebug: bool = False


@message
class AttachRequestArguments:
    restart_data: Any = field(default=None, wire="__restart")


@message
class ConfigurationDoneArguments:
    pass


@message
class DisconnectArguments:
    restart: bool = False
    terminateDebuggee: bool | None = None
    suspendDebuggee: bool | None = None


@message
class TerminateArguments:
    restart: bool = False


@message
class RestartArguments:
    arguments: dict[str, Any] | None = None  # the launch or attach arguments


@message
class CancelArguments:
    requestId: int | None = None
    progressId: str | None = None


@message
class StackTraceArguments:
    threadId: int
    startFrame: int = 0
    levels: int = 0  # 0: all
    format: StackFrameFormat | None = None


@message
class ScopesArguments:
    frameId: int


@message
class VariablesArguments:
    variablesReference: int
    filter: Literal["indexed", "named"] | None = None
    start: int = 0
    count: int = 0  # 0: all
    format: ValueFormat | None = None


@message
class SourceArguments:
    source: Source | None = None
    sourceReference: int


@message
class EvaluateArguments:
    expression: str
    frameId: int | None = None
    context: str | None = None  # "watch", "repl", "hover", "clipboard", "variables" or another
    format: ValueFormat | None = None


@message
class ExceptionInfoArguments:
    threadId: int


@message
class SetVariableArguments:
    variablesReference: int
    name: str
    value: str
    format: ValueFormat | None = None


@message
class SetExpressionArguments:
    expression: str
    value: str
    frameId: int | None = None
    format: ValueFormat | None = None


@message
class CompletionsArguments:
    frameId: int | None = None
    text: str
    column: int
    line: int | None = None


@message
class ReadMemoryArguments:
    memoryReference: str
    offset: int = 0
    count: int


@message
class WriteMemoryArguments:
    memoryReference: str
    offset: int = 0
    allowPartial: bool = False
    data: str


@message
class DisassembleArguments:
    memoryReference: str
    offset: int = 0
    instructionOffset: int = 0
    instructionCount: int
    resolveSymbols: bool = False


@message
class LoadedSourcesArguments:
    pass


@message
class ModulesArguments:
    startModule: int = 0
    moduleCount: int = 0  # 0: all


@message
class PauseArguments:
    threadId: int


@message
class ContinueArguments:
    threadId: int
    singleThread: bool = False


@message
class NextArguments:
    threadId: int
    singleThread: bool = False
    granularity: SteppingGranularity | None = None


@message
class StepInArguments:
    threadId: int
    singleThread: bool = False
    targetId: int | None = None
    granularity: SteppingGranularity | None = None


@message
class StepOutArguments:
    threadId: int
    singleThread: bool = False
    granularity: SteppingGranularity | None = None


@message
class StepBackArguments:
    threadId: int
    singleThread: bool = False
    granularity: SteppingGranularity | None = None


@message
class ReverseContinueArguments:
    threadId: int
    singleThread: bool = False


@message
class RestartFrameArguments:
    frameId: int


@message
class GotoArguments:
    threadId: int
    targetId: int


@message
class TerminateThreadsArguments:
    threadIds: list[int] = field(factory=list)


@message
class SetBreakpointsArguments:
    source: Source
    breakpoints: list[SourceBreakpoint] = field(factory=list)
    lines: list[int] | None = None
    sourceModified: bool = False


@message
class SetFunctionBreakpointsArguments:
    breakpoints: list[FunctionBreakpoint]


@message
class SetExceptionBreakpointsArguments:
    filters: list[str]
    filterOptions: list[ExceptionFilterOptions] = field(factory=list)
    exceptionOptions: list[ExceptionOptions] = field(factory=list)


@message
class SetInstructionBreakpointsArguments:
    breakpoints: list[InstructionBreakpoint]


@message
class SetDataBreakpointsArguments:
    breakpoints: list[DataBreakpoint]


@message
class DataBreakpointInfoArguments:
    variablesReference: int | None = None
    name: str
    frameId: int | None = None


@message
class BreakpointLocationsArguments:
    source: Source
    line: int
    column: int | None = None
    endLine: int | None = None
    endColumn: int | None = None
