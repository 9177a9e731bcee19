"""Bodies of successful DAP responses (the `initialize` body is `messages.Capabilities`)."""

from __future__ import annotations

from .message_class import message
from .messages import (
    Breakpoint,
    BreakpointLocation,
    CompletionItem,
    DataBreakpointAccessType,
    DisassembledInstruction,
    ExceptionBreakMode,
    ExceptionDetails,
    Module,
    Scope,
    Source,
    StackFrame,
    Thread,
    Variable,
    VariablePresentationHint,
)


@message
class ThreadsResponseBody:
    threads: list[Thread]


@message
class StackTraceResponseBody:
    stackFrames: list[StackFrame]
    totalFrames: int | None = None


@message
class ScopesResponseBody:
    scopes: list[Scope]


@message
class VariablesResponseBody:
    variables: list[Variable]


@message
class SourceResponseBody:
    content: str
    mimeType: str | None = None


@message
class EvaluateResponseBody:
    result: str
    type: str | None = None
    presentationHint: VariablePresentationHint | None = None
    variablesReference: int
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@message
class ExceptionInfoResponseBody:
    exceptionId: str
    description: str | None = None
    breakMode: ExceptionBreakMode
    details: ExceptionDetails | None = None


@message
class SetVariableResponseBody:
    value: str
    type: str | None = None
    variablesReference: int | None = None
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@message
class SetExpressionResponseBody:
    value: str
    type: str | None = None
    presentationHint: VariablePresentationHint | None = None
    variablesReference: int | None = None
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@message
class CompletionsResponseBody:
    targets: list[CompletionItem]


@message
class ReadMemoryResponseBody:
    address: str
    unreadableBytes: int | None = None
    data: str | None = None  # base64


@message
class WriteMemoryResponseBody:
    offset: int | None = None
    bytesWritten: int | None = None


@message
class DisassembleResponseBody:
    instructions: list[DisassembledInstruction]


@message
class LoadedSourcesResponseBody:
    sources: list[Source]


@message
class ModulesResponseBody:
    modules: list[Module]
    totalModules: int | None = None


@message
class ContinueResponseBody:
    allThreadsContinued: bool | None = None


@message
class BreakpointsResponseBody:
    """The body of setBreakpoints, setFunctionBreakpoints, setExceptionBreakpoints,
    setInstructionBreakpoints and setDataBreakpoints responses (the same shape in the spec)."""

    breakpoints: list[Breakpoint]


@message
class BreakpointLocationsResponseBody:
    breakpoints: list[BreakpointLocation]


@message
class DataBreakpointInfoResponseBody:
    dataId: str | None  # required, null when no data breakpoint is possible
    description: str
    accessTypes: list[DataBreakpointAccessType] | None = None
    canPersist: bool | None = None
