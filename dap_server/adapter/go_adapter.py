"""DAP request handlers for a Go core dump. Each handler is thin: it validates, calls the
Session, and converts the answer with the presentation helpers of this package."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..dap.bodies import (
    CompletionsResponseBody,
    DisassembleResponseBody,
    EvaluateResponseBody,
    ExceptionInfoResponseBody,
    LoadedSourcesResponseBody,
    ModulesResponseBody,
    ReadMemoryResponseBody,
    ScopesResponseBody,
    SourceResponseBody,
    StackTraceResponseBody,
    VariablesResponseBody,
)
from ..dap.client import Client
from ..dap.context import RequestContext
from ..dap.errors import DapError
from ..dap.events import (
    ExitedEventBody,
    OutputEventBody,
    ProcessEventBody,
    StoppedEventBody,
    TerminatedEventBody,
)
from ..dap.messages import Capabilities, ExceptionDetails, StackFrame
from ..dap.requests import (
    CompletionsArguments,
    ConfigurationDoneArguments,
    DisassembleArguments,
    DisconnectArguments,
    EvaluateArguments,
    ExceptionInfoArguments,
    InitializeRequestArguments,
    LaunchRequestArguments,
    ModulesArguments,
    PauseArguments,
    ReadMemoryArguments,
    ScopesArguments,
    SourceArguments,
    StackTraceArguments,
    TerminateArguments,
    VariablesArguments,
)
from ..goruntime.goroutines import Goroutine
from ..goruntime.grouping import GoroutineGroup
from ..program.dwarf.info import DwarfError
from ..session import GoroutineView, Session, SessionError
from .handles import HandleTable, ThreadIds
from .memory import disassemble, loaded_sources, modules, read_memory
from .naming import thread_name
from .options import add_log_file, session_options
from .stack import created_by_frame, stack_frame
from .variables import ScopeRef, VariableRefs, children, frame_scopes, page, scope_values, to_variable

if TYPE_CHECKING:
    from ..console.console import Console
    from .evaluate import EvaluationSite

log = logging.getLogger("godap.adapter")

CANNOT_RUN = "a core dump is a snapshot: it cannot run, step or stop at breakpoints"
PROGRESS_THRESHOLD = 20_000  # goroutines: below this the list is ready before a progress bar would show
LAUNCH_BUDGET = 1800.0  # seconds: a huge compressed core takes minutes to open (and shows progress)


def _view_name(view: GoroutineView) -> str:
    if view.group is not None:
        return view.group.name
    g = view.goroutine
    if g.unreadable is not None:
        return f"Goroutine ? (record at {g.addr:#x}) [unreadable: {g.unreadable}]"
    return thread_name(view.summary)


class GoAdapter:
    """One DAP session over one Go core dump."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._threads = ThreadIds()
        self._frames: HandleTable[tuple[int, int]] = HandleTable()
        self._vars = VariableRefs()
        self._console: Console | None = None  # the debug console, made on first use
        self._terminated = False
        self._remove_log_file: Callable[[], None] | None = None
        self._client_args = InitializeRequestArguments()

    # lifecycle ----------------------------------------------------------------------------------
    def initialize_request(self, args: InitializeRequestArguments, ctx: RequestContext) -> Capabilities:
        self._client_args = args
        return Capabilities(
            supportsConfigurationDoneRequest=True,
            supportsTerminateRequest=True,
            supportsCancelRequest=True,
            supportsExceptionInfoRequest=True,
            supportsDelayedStackTraceLoading=True,
            supportsReadMemoryRequest=True,
            supportsDisassembleRequest=True,
            supportsLoadedSourcesRequest=True,
            supportsModulesRequest=True,
            supportsValueFormattingOptions=False,
            supportsSetVariable=False,
            supportsStepBack=False,
            supportsRestartRequest=False,
            supportsFunctionBreakpoints=False,
            supportsConditionalBreakpoints=False,
            supportsDataBreakpoints=False,
            exceptionBreakpointFilters=[],
            supportsEvaluateForHovers=True,
            supportsClipboardContext=True,
            supportsCompletionsRequest=True,
            completionTriggerCharacters=["."],
        )

    def launch_request(self, args: LaunchRequestArguments, ctx: RequestContext) -> None:
        if self._session is not None:
            raise DapError("this session already has a core open; start a new session for another core")
        ctx.set_budget(LAUNCH_BUDGET)
        options = session_options(args)
        if args.logFile:
            self._remove_log_file = add_log_file(args.logFile)
        with ctx.progress("Opening the core dump", message=options.core) as progress:

            def report(title: str, done: int, total: int) -> None:
                ctx.check_cancelled()
                progress.update(
                    message=f"{title}: {done:,}" + (f" of {total:,}" if total else ""),
                    percentage=100.0 * done / total if total else None,
                )

            try:
                session = Session.open(options, report)
            except SessionError as exc:
                raise DapError(str(exc), show_user=True) from exc
            session.crash()  # explained while the progress bar shows
        self._session = session
        ctx.after_response(self._after_launch)

    def _after_launch(self) -> None:
        session = self._require()
        self._client.send_event("initialized")
        self._client.send_event(
            "process",
            ProcessEventBody(
                name=session.executable,
                systemProcessId=session.pid,
                isLocalProcess=False,
                startMethod="attach",
                pointerSize=64,
            ),
        )
        for warning in session.warnings:
            self._output(f"warning: {warning}\n", "important")

    def configurationDone_request(self, args: ConfigurationDoneArguments, ctx: RequestContext) -> None:
        self._require()
        ctx.after_response(self._announce_stop)

    def _announce_stop(self) -> None:
        session = self._require()
        crash = session.crash()
        g = self._stopped_goroutine()
        tid = self._threads.thread_id(g.goid) if g is not None else None
        if crash.crashed:
            self._output(crash.description + "\n", "stderr")
            body = StoppedEventBody(
                reason="exception",
                description=crash.headline,
                text=crash.description,
                threadId=tid,
                allThreadsStopped=True,
            )
        else:
            self._output("The core was taken from a running process: nothing crashed.\n", "console")
            body = StoppedEventBody(
                reason="pause", description="core dump (no crash)", threadId=tid, allThreadsStopped=True
            )
        log.debug("stopped at goroutine %s of %d", g.goid if g else None, len(session.goroutines))
        self._client.send_event("stopped", body)

    def disconnect_request(self, args: DisconnectArguments, ctx: RequestContext) -> None:
        self._end(ctx)
        self.close()

    def terminate_request(self, args: TerminateArguments, ctx: RequestContext) -> None:
        self._end(ctx)

    def _end(self, ctx: RequestContext) -> None:
        if self._terminated:
            return
        self._terminated = True
        if self._session is not None:
            ctx.send_event("exited", ExitedEventBody(exitCode=self._exit_code()))
        ctx.send_event("terminated", TerminatedEventBody())

    def _exit_code(self) -> int:
        return self._session.exit_code() if self._session is not None else 0

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
            if self._remove_log_file is not None:
                self._remove_log_file()
                self._remove_log_file = None

    # execution control: a core cannot run ---------------------------------------------------------
    def pause_request(self, args: PauseArguments, ctx: RequestContext) -> None:
        self._require()

    def continue_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def next_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def stepIn_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def stepOut_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def stepBack_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def reverseContinue_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def restartFrame_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def goto_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError(CANNOT_RUN)

    def setExceptionBreakpoints_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return {}

    def setBreakpoints_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        points = args.get("breakpoints")
        if not isinstance(points, list):
            lines = args.get("lines")
            points = [{"line": line} for line in lines] if isinstance(lines, list) else []
        return {"breakpoints": [_unverified(p.get("line") if isinstance(p, dict) else None) for p in points]}

    def setFunctionBreakpoints_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        points = args.get("breakpoints")
        return {"breakpoints": [_unverified(None) for _ in points] if isinstance(points, list) else []}

    # threads and stacks ---------------------------------------------------------------------------
    def threads_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        # Plain dicts: the list may hold 100,000 threads, and typed objects cost 10× more to send.
        return {"threads": [{"id": self._thread_id(view), "name": _view_name(view)} for view in self._views(ctx)]}

    def goroutineGroups_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        """godap's own request (`godap report` sends it): the thread list with what each entry's
        name says as separate fields, so that no client parses names back."""
        entries = []
        for view in self._views(ctx):
            group = view.group or GoroutineGroup([view.goroutine], [view.summary])
            entries.append(
                {
                    "threadId": self._thread_id(view),
                    "name": _view_name(view),
                    "count": len(group.members),
                    "state": group.state,
                    "where": group.where,
                }
            )
        return {"groups": entries}

    def _views(self, ctx: RequestContext) -> list[GoroutineView]:
        session = self._session
        if session is None:
            return []
        big = len(session.goroutines) >= PROGRESS_THRESHOLD
        with ctx.progress("Listing goroutines") if big else contextlib.nullcontext() as progress:

            def report(step: str, done: int, total: int) -> None:
                ctx.check_cancelled()
                if progress is not None:
                    progress.update(message=f"{step}: {done:,} of {total:,}", percentage=100.0 * done / total)

            return session.goroutine_views(self._stopped_goroutine(), report)

    def _thread_id(self, view: GoroutineView) -> int:
        g = view.goroutine
        return self._threads.for_goroutine(g.goid, g.addr, g.unreadable is None)

    def stackTrace_request(self, args: StackTraceArguments, ctx: RequestContext) -> StackTraceResponseBody:
        session = self._require()
        g = self._goroutine(args.threadId)
        if g.unreadable is not None:
            note = StackFrame(
                id=self._frames.id_for((-g.addr, 0)),
                name=f"this goroutine cannot be read: {g.unreadable}",
                line=0,
                column=0,
                presentationHint="label",
            )
            return StackTraceResponseBody(stackFrames=[note], totalFrames=1)
        frames = session.frames(g)
        entries: list[StackFrame] = [
            stack_frame(session, self._frames.id_for((g.goid, i)), frame) for i, frame in enumerate(frames)
        ]
        created = session.created_by(g)
        if created is not None:
            entries.append(created_by_frame(session, self._frames.id_for((g.goid, len(frames))), created))
        start = max(0, args.startFrame)
        levels = args.levels if args.levels > 0 else len(entries)
        return StackTraceResponseBody(stackFrames=entries[start : start + levels], totalFrames=len(entries))

    def scopes_request(self, args: ScopesArguments, ctx: RequestContext) -> ScopesResponseBody:
        g, index = self._frame(args.frameId)
        session = self._require()
        frames = session.frames(g)
        if index >= len(frames):
            return ScopesResponseBody(scopes=[])
        return ScopesResponseBody(scopes=frame_scopes(session, self._vars, g.goid, index, frames[index]))

    def variables_request(self, args: VariablesArguments, ctx: RequestContext) -> VariablesResponseBody:
        session = self._require()
        node = self._vars.get(args.variablesReference)
        if node is None:
            raise DapError(f"unknown variablesReference {args.variablesReference} (it may have expired)")
        if isinstance(node, ScopeRef):
            g = session.goroutine(node.goid)
            frames = session.frames(g) if g is not None else []
            if node.frame_index >= len(frames):
                raise DapError(f"unknown variablesReference {args.variablesReference}")
            try:
                scope = scope_values(session, frames[node.frame_index], node.scope)
            except DwarfError as exc:  # damaged DWARF: the scope cannot be listed, the session goes on
                raise DapError(f"cannot list the {node.scope} of this frame: {exc}") from exc
            values = page(scope, args.start, args.count)
        else:
            values = children(node, args.filter, args.start, args.count)
        result = []
        for i, value in enumerate(values):
            if i % 256 == 255:
                ctx.check_cancelled()
            result.append(to_variable(self._vars, value))
        return VariablesResponseBody(variables=result)

    def readMemory_request(self, args: ReadMemoryArguments, ctx: RequestContext) -> ReadMemoryResponseBody:
        return read_memory(self._require(), args)

    def disassemble_request(self, args: DisassembleArguments, ctx: RequestContext) -> DisassembleResponseBody:
        return disassemble(self._require(), args)

    def loadedSources_request(self, args: dict[str, Any], ctx: RequestContext) -> LoadedSourcesResponseBody:
        return loaded_sources(self._require())

    def modules_request(self, args: ModulesArguments, ctx: RequestContext) -> ModulesResponseBody:
        return modules(self._require(), args.startModule, args.moduleCount)

    def evaluate_request(self, args: EvaluateArguments, ctx: RequestContext) -> EvaluateResponseBody:
        from . import evaluate  # the expression evaluator and console load on first use

        return evaluate.evaluate_request(self._evaluation_site(args.frameId), args, ctx)

    def completions_request(self, args: CompletionsArguments, ctx: RequestContext) -> CompletionsResponseBody:
        from . import evaluate

        return evaluate.completions_request(self._evaluation_site(args.frameId), args)

    def _evaluation_site(self, frame_id: int | None) -> EvaluationSite:
        from ..console.console import Console
        from .evaluate import EvaluationSite

        session = self._require()
        origin = None
        if frame_id is not None:
            g, index = self._frame(frame_id)
            origin = (g.goid, index)
        stopped = self._stopped_goroutine()
        if self._console is None:
            self._console = Console(session, stopped)
        thread = self._threads.thread_id(stopped.goid) if stopped is not None else None
        return EvaluationSite(session, origin, self._console, self._vars, thread)

    def setVariable_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError("a core dump is read-only: variables cannot be changed")

    def setExpression_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        raise DapError("a core dump is read-only: variables cannot be changed")

    def exceptionInfo_request(self, args: ExceptionInfoArguments, ctx: RequestContext) -> ExceptionInfoResponseBody:
        crash = self._require().crash()
        if not crash.crashed:
            return ExceptionInfoResponseBody(
                exceptionId="no crash", breakMode="never", description="the core was taken from a running process"
            )
        inner = [ExceptionDetails(message=p.text, typeName=p.type_name) for p in crash.panics[:-1]]
        last = crash.panics[-1] if crash.panics else None
        return ExceptionInfoResponseBody(
            exceptionId=crash.exception_id,
            description=crash.description,
            breakMode="unhandled",
            details=ExceptionDetails(
                message=crash.headline,
                typeName=last.type_name if last else crash.kind,
                stackTrace="\n".join(crash.details) or None,
                innerException=inner or None,
            ),
        )

    def source_request(self, args: SourceArguments, ctx: RequestContext) -> SourceResponseBody:
        session = self._require()
        path = args.source.path if args.source is not None else None
        if not path:
            raise DapError("no source is available for this frame")
        try:
            _, text = session.read_source(path)
        except SessionError as exc:
            raise DapError(str(exc)) from exc
        return SourceResponseBody(content=text, mimeType="text/x-go")

    # helpers --------------------------------------------------------------------------------------
    def _require(self) -> Session:
        if self._session is None:
            raise DapError("no core is open yet: send launch with program and coreFilePath first")
        return self._session

    def _goroutine(self, thread_id: int) -> Goroutine:
        session = self._require()
        goid = self._threads.goid(thread_id)
        g = session.goroutine(goid) if goid >= 0 else session.goroutine_at(-goid)
        if g is None:
            raise DapError(f"there is no goroutine {goid} in this core")
        return g

    def _frame(self, frame_id: int) -> tuple[Goroutine, int]:
        key = self._frames.get(frame_id)
        if key is None:
            raise DapError(f"unknown frame id {frame_id}")
        goid, index = key
        session = self._require()
        g = session.goroutine(goid)
        if g is None:
            raise DapError(f"unknown frame id {frame_id}")
        return g, index

    def _stopped_goroutine(self) -> Goroutine | None:
        session = self._session
        if session is None:
            return None
        crash = session.crash()
        if crash.goid is not None:
            g = session.goroutine(crash.goid)
            if g is not None:
                return g
        if crash.crashed:
            main = session.goroutine(1)
            if main is not None:
                return main
        return session.stopped_goroutine()

    def _output(self, text: str, category: str) -> None:
        self._client.send_event("output", OutputEventBody(category=category, output=text))


def _unverified(line: object) -> dict[str, Any]:
    """A breakpoint answer: never verified; the client's line echoed only when it is a valid one."""
    answer: dict[str, Any] = {"verified": False, "message": "breakpoints cannot stop a core dump"}
    if type(line) is int and 0 <= line <= 2**31 - 1:
        answer["line"] = line
    return answer
