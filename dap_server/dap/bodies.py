"""Bodies of successful DAP responses (the `initialize` body is `messages.Capabilities`)."""

from __future__ import annotations

import attrs

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


@attrs.frozen(kw_only=True)
class ThreadsResponseBody:
    threads: list[Thread]


@attrs.frozen(kw_only=True)
class StackTraceResponseBody:
    stackFrames: list[StackFrame]
    totalFrames: int | None = None


@attrs.frozen(kw_only=True)
class ScopesResponseBody:
    scopes: list[Scope]


@attrs.frozen(kw_only=True)
class VariablesResponseBody:
    variables: list[Variable]


@attrs.frozen(kw_only=True)
class SourceResponseBody:
    content: str
    mimeType: str | None = None


@attrs.frozen(kw_only=True)
class EvaluateResponseBody:
    result: str
    type: str | None = None
    presentationHint: VariablePresentationHint | None = None
    variablesReference: int
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@attrs.frozen(kw_only=True)
class ExceptionInfoResponseBody:
    exceptionId: str
    description: str | None = None
    breakMode: ExceptionBreakMode
    details: ExceptionDetails | None = None


@attrs.frozen(kw_only=True)
class SetVariableResponseBody:
    value: str
    type: str | None = None
    variablesReference: int | None = None
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@attrs.frozen(kw_only=True)
class SetExpressionResponseBody:
    value: str
    type: str | None = None
    presentationHint: VariablePresentationHint | None = None
    variablesReference: int | None = None
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@attrs.frozen(kw_only=True)
class CompletionsResponseBody:
    targets: list[CompletionItem]


@attrs.frozen(kw_only=True)
class ReadMemoryResponseBody:
    address: str
    unreadableBytes: int | None = None
    data: str | None = None  # base64


@attrs.frozen(kw_only=True)
class WriteMemoryResponseBody:
    offset: int | None = None
    bytesWritten: int | None = None


@attrs.frozen(kw_only=True)
class DisassembleResponseBody:
    instructions: list[DisassembledInstruction]


@attrs.frozen(kw_only=True)
class LoadedSourcesResponseBody:
    sources: list[Source]


@attrs.frozen(kw_only=True)
class ModulesResponseBody:
    modules: list[Module]
    totalModules: int | None = None


@attrs.frozen(kw_only=True)
class ContinueResponseBody:
    allThreadsContinued: bool | None = None


@attrs.frozen(kw_only=True)
class BreakpointsResponseBody:
    """The body of setBreakpoints, setFunctionBreakpoints, setExceptionBreakpoints,
    setInstructionBreakpoints and setDataBreakpoints responses (the same shape in the spec)."""

    breakpoints: list[Breakpoint]


@attrs.frozen(kw_only=True)
class BreakpointLocationsResponseBody:
    breakpoints: list[BreakpointLocation]


@attrs.frozen(kw_only=True)
class DataBreakpointInfoResponseBody:
    dataId: str | None  # required, null when no data breakpoint is possible
    description: str
    accessTypes: list[DataBreakpointAccessType] | None = None
    canPersist: bool | None = None
