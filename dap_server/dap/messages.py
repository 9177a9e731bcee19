"""DAP data types shared by requests, responses and events.

Field names are the spec's camelCase JSON names. Fields the spec requires have no
default; optional fields default to None and are then left out of the JSON.
Closed enumerations are `Literal`s; the spec's open ones (`_enum`) are plain `str`.
"""

from __future__ import annotations

from typing import Any, Literal

from .message_class import message

ChecksumAlgorithm = Literal["MD5", "SHA1", "SHA256", "timestamp"]
ExceptionBreakMode = Literal["never", "always", "unhandled", "userUnhandled"]
DataBreakpointAccessType = Literal["read", "write", "readWrite"]
CompletionItemType = Literal[
    "method",
    "function",
    "constructor",
    "field",
    "variable",
    "class",
    "interface",
    "module",
    "property",
    "unit",
    "value",
    "enum",
    "keyword",
    "snippet",
    "text",
    "color",
    "file",
    "reference",
    "customcolor",
]


@message
class Checksum:
    algorithm: ChecksumAlgorithm
    checksum: str


@message
class Source:
    name: str | None = None
    path: str | None = None
    sourceReference: int | None = None
    presentationHint: Literal["normal", "emphasize", "deemphasize"] | None = None
    origin: str | None = None
    sources: list[Source] | None = None
    adapterData: Any = None
    checksums: list[Checksum] | None = None


@message
class Thread:
    id: int
    name: str


@message
class ValueFormat:
    hex: bool | None = None


@message
class StackFrameFormat(ValueFormat):
    parameters: bool | None = None
    parameterTypes: bool | None = None
    parameterNames: bool | None = None
    parameterValues: bool | None = None
    line: bool | None = None
    module: bool | None = None
    includeAll: bool | None = None


@message
class StackFrame:
    id: int
    name: str
    source: Source | None = None
    line: int
    column: int
    endLine: int | None = None
    endColumn: int | None = None
    canRestart: bool | None = None
    instructionPointerReference: str | None = None
    moduleId: int | str | None = None
    presentationHint: Literal["normal", "label", "subtle"] | None = None


@message
class Scope:
    name: str
    presentationHint: str | None = None  # "arguments", "locals", "registers" or another
    variablesReference: int
    namedVariables: int | None = None
    indexedVariables: int | None = None
    expensive: bool
    source: Source | None = None
    line: int | None = None
    column: int | None = None
    endLine: int | None = None
    endColumn: int | None = None


@message
class VariablePresentationHint:
    kind: str | None = None
    attributes: list[str] | None = None
    visibility: str | None = None
    lazy: bool | None = None


@message
class Variable:
    name: str
    value: str
    type: str | None = None
    presentationHint: VariablePresentationHint | None = None
    evaluateName: str | None = None
    variablesReference: int
    namedVariables: int | None = None
    indexedVariables: int | None = None
    memoryReference: str | None = None


@message
class ExceptionDetails:
    message: str | None = None
    typeName: str | None = None
    fullTypeName: str | None = None
    evaluateName: str | None = None
    stackTrace: str | None = None
    innerException: list[ExceptionDetails] | None = None


@message
class Module:
    id: int | str
    name: str
    path: str | None = None
    isOptimized: bool | None = None
    isUserCode: bool | None = None
    version: str | None = None
    symbolStatus: str | None = None
    symbolFilePath: str | None = None
    dateTimeStamp: str | None = None
    addressRange: str | None = None


@message
class DisassembledInstruction:
    address: str
    instructionBytes: str | None = None
    instruction: str
    symbol: str | None = None
    location: Source | None = None
    line: int | None = None
    column: int | None = None
    endLine: int | None = None
    endColumn: int | None = None
    presentationHint: Literal["normal", "invalid"] | None = None


@message
class CompletionItem:
    label: str
    text: str | None = None
    sortText: str | None = None
    detail: str | None = None
    type: CompletionItemType | None = None
    start: int | None = None
    length: int | None = None
    selectionStart: int | None = None
    selectionLength: int | None = None


@message
class Breakpoint:
    id: int | None = None
    verified: bool
    message: str | None = None
    source: Source | None = None
    line: int | None = None
    column: int | None = None
    endLine: int | None = None
    endColumn: int | None = None
    instructionReference: str | None = None
    offset: int | None = None
    reason: Literal["pending", "failed"] | None = None


@message
class BreakpointLocation:
    line: int
    column: int | None = None
    endLine: int | None = None
    endColumn: int | None = None


@message
class SourceBreakpoint:
    line: int
    column: int | None = None
    condition: str | None = None
    hitCondition: str | None = None
    logMessage: str | None = None


@message
class FunctionBreakpoint:
    name: str
    condition: str | None = None
    hitCondition: str | None = None


@message
class InstructionBreakpoint:
    instructionReference: str
    offset: int | None = None
    condition: str | None = None
    hitCondition: str | None = None


@message
class DataBreakpoint:
    dataId: str
    accessType: DataBreakpointAccessType | None = None
    condition: str | None = None
    hitCondition: str | None = None


@message
class ExceptionFilterOptions:
    filterId: str
    condition: str | None = None


@message
class ExceptionPathSegment:
    negate: bool | None = None
    names: list[str]


@message
class ExceptionOptions:
    path: list[ExceptionPathSegment] | None = None
    breakMode: ExceptionBreakMode


@message
class ExceptionBreakpointsFilter:
    filter: str
    label: str
    description: str | None = None
    default: bool | None = None
    supportsCondition: bool | None = None
    conditionDescription: str | None = None


@message
class ColumnDescriptor:
    attributeName: str
    label: str
    format: str | None = None
    type: Literal["string", "number", "boolean", "unixTimestampUTC"] | None = None
    width: int | None = None


@message
class Message:
    """The `error` of an error response's body."""

    id: int
    format: str
    variables: dict[str, str] | None = None
    sendTelemetry: bool | None = None
    showUser: bool | None = None
    url: str | None = None
    urlLabel: str | None = None


@message
class Capabilities:
    """The body of the `initialize` response and of the `capabilities` event."""

    supportsConfigurationDoneRequest: bool | None = None
    supportsFunctionBreakpoints: bool | None = None
    supportsConditionalBreakpoints: bool | None = None
    supportsHitConditionalBreakpoints: bool | None = None
    supportsEvaluateForHovers: bool | None = None
    exceptionBreakpointFilters: list[ExceptionBreakpointsFilter] | None = None
    supportsStepBack: bool | None = None
    supportsSetVariable: bool | None = None
    supportsRestartFrame: bool | None = None
    supportsGotoTargetsRequest: bool | None = None
    supportsStepInTargetsRequest: bool | None = None
    supportsCompletionsRequest: bool | None = None
    completionTriggerCharacters: list[str] | None = None
    supportsModulesRequest: bool | None = None
    additionalModuleColumns: list[ColumnDescriptor] | None = None
    supportedChecksumAlgorithms: list[ChecksumAlgorithm] | None = None
    supportsRestartRequest: bool | None = None
    supportsExceptionOptions: bool | None = None
    supportsValueFormattingOptions: bool | None = None
    supportsExceptionInfoRequest: bool | None = None
    supportTerminateDebuggee: bool | None = None
    supportSuspendDebuggee: bool | None = None
    supportsDelayedStackTraceLoading: bool | None = None
    supportsLoadedSourcesRequest: bool | None = None
    supportsLogPoints: bool | None = None
    supportsTerminateThreadsRequest: bool | None = None
    supportsSetExpression: bool | None = None
    supportsTerminateRequest: bool | None = None
    supportsDataBreakpoints: bool | None = None
    supportsReadMemoryRequest: bool | None = None
    supportsWriteMemoryRequest: bool | None = None
    supportsDisassembleRequest: bool | None = None
    supportsCancelRequest: bool | None = None
    supportsBreakpointLocationsRequest: bool | None = None
    supportsClipboardContext: bool | None = None
    supportsSteppingGranularity: bool | None = None
    supportsInstructionBreakpoints: bool | None = None
    supportsExceptionFilterOptions: bool | None = None
    supportsSingleThreadExecutionRequests: bool | None = None
