"""DAP request handlers for a Go core dump or a running Go process. Each handler is thin: it
validates, calls the Session, and converts the answer with the presentation helpers of this package."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .. import logs
from ..dap.bodies import (
    CompletionsResponseBody,
    ContinueResponseBody,
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
    ThreadEventBody,
)
from ..dap.messages import Capabilities, ExceptionDetails, StackFrame
from ..dap.raw_json import thread_array
from ..dap.requests import (
    CompletionsArguments,
    ConfigurationDoneArguments,
    DisassembleArguments,
    DisconnectArguments,
    EvaluateArguments,
    ExceptionInfoArguments,
    InitializeRequestArguments,
    ModulesArguments,
    PauseArguments,
    ReadMemoryArguments,
    ScopesArguments,
    SourceArguments,
    StackTraceArguments,
    TerminateArguments,
    VariablesArguments,
)
from ..goruntime.frames import STACK_DUMP
from ..goruntime.goroutines import Goroutine
from ..goruntime.grouping import GoroutineGroup
from ..program.dwarf.dies import DwarfError
from ..session import GoroutineView, ProcessExited, Progress, Session, SessionError
from .arguments import AttachArguments, GoArguments, LaunchArguments
from .handles import HandleTable, ThreadIds
from .naming import thread_name, thread_names
from .options import add_log_file, attach_options, launch_options
from .progress import reporter
from .stack import created_by_frame, stack_frame
from .variables import ScopeRef, VariableRefs, children, frame_scopes, page, scope_values, to_variable

if TYPE_CHECKING:
    from ..console.console import Console
    from .evaluate import EvaluationSite

log = logs.get("godap.adapter")

CANNOT_RUN = "a core dump is a snapshot: it cannot run, step or stop at breakpoints"
CANNOT_STEP = "godap looks at a running process without changing it: it can continue and pause, not step"
THREAD_EVENTS_LIMIT = 1000  # goroutines that came or went: past this the client just lists threads anew
KILLED_EXIT_CODE = 128 + 9  # SIGKILL, in a shell's words
WAIT_NAMES_LIMIT = 20_000  # goroutines: past this, thread names leave out what each waits on
PROGRESS_THRESHOLD = 20_000  # goroutines: below this the list is ready before a progress bar would show
LAUNCH_BUDGET = 1800.0  # seconds: a huge compressed core takes minutes to open (and shows progress)
# The exception type of a signal that landed on a thread running no goroutine (`godap report` reads it).
NO_GOROUTINE = "signal on a thread running no goroutine"


_SUMMARY = itemgetter(1)  # of a GoroutineView


def _view_name(session: Session, view: GoroutineView, with_wait: bool) -> str:
    if view.group is not None:
        return view.group.name
    g = view.goroutine
    if g.unreadable is not None:
        return f"Goroutine ? (record at {g.addr:#x}) [unreadable: {g.unreadable}]"
    wait = session.wait_of(g) if with_wait else None
    return thread_name(view.summary, wait.short if wait is not None else "")


def _names_waits(session: Session) -> bool:
    """Whether thread names end with what each goroutine waits on: reading every wait costs ~13 µs a
    goroutine, so past WAIT_NAMES_LIMIT the list stays fast and the "Blocked on" scope says it."""
    return len(session.goroutines) <= WAIT_NAMES_LIMIT


class GoAdapter:
    """One DAP session over one Go core dump or one running Go process."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._threads = ThreadIds()
        self._frames: HandleTable[tuple[int, int]] = HandleTable()
        self._vars = VariableRefs()
        self._console: Console | None = None  # the debug console, made on first use
        self._terminated = False
        self._end_lock = threading.Lock()  # `_end` runs on the request thread or the exit watch's
        self._remove_log_file: Callable[[], None] | None = None
        self._listed: list[dict[str, Any]] = []  # the last thread list sent: what `threads` shows while running
        self._killed = False

    # lifecycle ----------------------------------------------------------------------------------
    def initialize_request(self, args: InitializeRequestArguments, ctx: RequestContext) -> Capabilities:
        return Capabilities(
            supportsConfigurationDoneRequest=True,
            supportsTerminateRequest=True,
            supportTerminateDebuggee=True,
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

    def launch_request(self, args: LaunchArguments, ctx: RequestContext) -> None:
        options = launch_options(args)
        self._start(args, ctx, "Opening the core dump", options.core, lambda report: Session.open(options, report))

    def attach_request(self, args: AttachArguments, ctx: RequestContext) -> None:
        options, pid = attach_options(args)
        self._start(
            args,
            ctx,
            "Attaching",
            f"process {pid}",
            lambda report: Session.attach(options, pid, report, snapshot=args.snapshot),
        )

    def _start(
        self,
        args: GoArguments,
        ctx: RequestContext,
        title: str,
        message: str,
        open_session: Callable[[Progress], Session],
    ) -> None:
        if self._session is not None:
            raise DapError("this session already has a debuggee; start a new session for another one")
        ctx.set_budget(LAUNCH_BUDGET)
        if args.logFile:
            self._remove_log_file = add_log_file(args.logFile)
        with ctx.progress(title, message=message) as progress:
            try:
                session = open_session(reporter(ctx, progress))
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
                isLocalProcess=session.can_run,
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
                description=crash.summary,
                text=crash.description,
                threadId=tid,
                allThreadsStopped=True,
            )
        else:
            message, description = _pause_words(session)
            self._output(message, "console")
            body = StoppedEventBody(reason="pause", description=description, threadId=tid, allThreadsStopped=True)
        log.debug("stopped at goroutine %s of %d", g.goid if g else None, len(session.goroutines))
        self._client.send_event("stopped", body)

    def disconnect_request(self, args: DisconnectArguments, ctx: RequestContext) -> None:
        session = self._session
        if args.terminateDebuggee and session is not None and session.can_run:
            session.kill()
            self._killed = True
        self._end(ctx.send_event)
        self.close()

    def terminate_request(self, args: TerminateArguments, ctx: RequestContext) -> None:
        self._end(ctx.send_event)

    def _end(self, send: Callable[[str, object], None]) -> None:
        """The session's last events (once, whichever thread ends it first)."""
        with self._end_lock:
            if self._terminated:
                return
            self._terminated = True
        session = self._session
        if session is not None and self._killed:
            send("exited", ExitedEventBody(exitCode=KILLED_EXIT_CODE))
        elif session is not None and not session.can_run:
            send("exited", ExitedEventBody(exitCode=session.exit_code()))
        send("terminated", TerminatedEventBody())

    def _ended_while_running(self) -> None:
        """The exit watch's call: a resumed process ended (its exit status is its parent's to read)."""
        session = self._session
        if session is not None:
            self._output(f"{session.description} ended while it ran: there is nothing left to look at.\n", "important")
        self._end(self._client.send_event)

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
            if self._remove_log_file is not None:
                self._remove_log_file()
                self._remove_log_file = None

    # execution control: a core cannot run; a live process continues and pauses ------------------
    def pause_request(self, args: PauseArguments, ctx: RequestContext) -> None:
        session = self._session_any()
        if not session.running:
            return
        before = self._listed_goids()
        try:
            session.stop()
        except ProcessExited as exc:
            self._end(ctx.send_event)  # nothing is left to look at: the session ends
            raise DapError(str(exc), show_user=True) from exc
        except SessionError as exc:
            raise DapError(str(exc), show_user=True) from exc
        self._forget_stop()
        ctx.after_response(lambda: self._announce_changes(before))

    def continue_request(self, args: dict[str, Any], ctx: RequestContext) -> ContinueResponseBody:
        session = self._session_any()
        if not session.running:
            self._listed_goids()  # keep the thread list to show (and compare with) while it runs
            try:
                session.resume(on_exit=self._ended_while_running)
            except SessionError as exc:
                raise DapError(str(exc), show_user=True) from exc
            self._forget_stop()
        return ContinueResponseBody(allThreadsContinued=True)

    def next_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def stepIn_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def stepOut_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def stepBack_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def reverseContinue_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def restartFrame_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def goto_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        self._cannot_step()

    def _cannot_step(self) -> None:
        raise DapError(CANNOT_STEP if self._session is not None and self._session.can_run else CANNOT_RUN)

    def _forget_stop(self) -> None:
        """Frame ids, variable references and the console's results named things of the last stop."""
        self._frames.clear()
        self._vars.clear()
        self._console = None

    def _listed_goids(self) -> set[int]:
        if self._session is not None and not self._session.running:
            self._listed = self._thread_list()
        return {self._threads.goid(entry["id"]) for entry in self._listed}

    def _announce_changes(self, before: set[int]) -> None:
        """`thread` events for goroutines that started or ended while the process ran, then the stop."""
        now = self._listed_goids()
        started, ended = sorted(now - before), sorted(before - now)
        if len(started) + len(ended) <= THREAD_EVENTS_LIMIT:
            for reason, goids in (("started", started), ("exited", ended)):
                for goid in goids:
                    self._client.send_event(
                        "thread", ThreadEventBody(reason=reason, threadId=self._threads.thread_id(goid))
                    )
        self._announce_stop()

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
        if self._session is not None and self._session.running:
            return {"threads": self._listed}  # what the last stop showed: nothing can be read now
        # Not kept: `continue` lists the threads again (100,000 entries are tens of MiB).
        return {"threads": thread_array(self._thread_entries(ctx))}

    def _thread_list(self) -> list[dict[str, Any]]:
        return [{"id": thread_id, "name": name} for thread_id, name in self._thread_entries(None)]

    def _thread_entries(self, ctx: RequestContext | None) -> Iterator[tuple[int, str]]:
        """(thread id, name) of each entry of the thread list, made as they are sent."""
        views = self._views(ctx)
        session = self._session
        if session is None:
            return
        with_wait = _names_waits(session)
        if with_wait:
            for view in views:
                yield self._thread_id(view), _view_name(session, view, with_wait)
            return
        plain = self._threads.plain_goid
        for view, name in zip(views, thread_names(map(_SUMMARY, views)), strict=True):
            g = view.goroutine
            if view.group is None and g.unreadable is None and plain(g.goid):
                yield g.goid, name  # the common entry (one readable goroutine, its id its thread id)
            else:
                yield self._thread_id(view), _view_name(session, view, with_wait)

    def goroutineGroups_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        """godap's own request (`godap report` sends it): the thread list with what each entry's
        name says as separate fields, so that no client parses names back."""
        entries: list[dict[str, Any]] = []
        session = self._session
        if session is None:
            return {"groups": entries}
        with_wait = _names_waits(session)
        for view in self._views(ctx):
            group = view.group or GoroutineGroup([view.goroutine], [view.summary])
            entries.append(
                {
                    "threadId": self._thread_id(view),
                    "name": _view_name(session, view, with_wait),
                    "count": len(group.members),
                    "state": group.state,
                    "where": group.where,
                }
            )
        return {"groups": entries}

    def blocking_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        """godap's own request (`godap report` sends it): the blocking graph's findings."""
        session = self._require()
        if session.blocking_problem:
            raise DapError(session.blocking_problem)
        with ctx.progress("Searching what blocked goroutines wait on") as progress:

            def report(step: str, done: int, total: int) -> None:
                ctx.check_cancelled()
                progress.update(message=f"{step}: {done:,} of {total:,}", percentage=100.0 * done / max(total, 1))

            found = session.blocking_findings(report)
        return {
            "blocked": session.blocked_count(),
            "findings": [
                {
                    "kind": f.kind,
                    "title": f.title,
                    "goroutines": f.goroutines,
                    "objects": [{"kind": o.kind, "address": f"{o.address:#x}"} for o in f.objects],
                    "details": f.details,
                }
                for f in found
            ],
            "limits": session.reference_limits(),
        }

    def heapSummary_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        """godap's own request (`godap report --heap` sends it): the heap analysis as fields;
        arguments `rows` (histogram rows, default 50) and `top` (largest objects, default 10)."""
        session = self._require()
        rows, top = args.get("rows", 50), args.get("top", 10)
        if not isinstance(rows, int) or not isinstance(top, int) or rows < 0 or top < 0:
            raise DapError("heapSummary: rows and top must be non-negative integers")
        from .heap import analysed, heap_summary  # the heap's requests and memory's load on first use

        try:
            found = analysed(session, ctx)
        except SessionError as exc:
            raise DapError(str(exc), show_user=True) from exc
        return heap_summary(found, rows, top)

    def _views(self, ctx: RequestContext | None) -> list[GoroutineView]:
        session = self._session
        if session is None:
            return []
        big = ctx is not None and len(session.goroutines) >= PROGRESS_THRESHOLD
        with ctx.progress("Listing goroutines") if ctx is not None and big else contextlib.nullcontext() as progress:

            def report(step: str, done: int, total: int) -> None:
                if ctx is not None:
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
            # after the goroutine's own frames, before those of a core dump's re-raise
            at = next((i for i, frame in enumerate(frames) if frame.stack == STACK_DUMP), len(frames))
            entries.insert(at, created_by_frame(session, self._frames.id_for((g.goid, len(frames))), created))
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
                scope = scope_values(session, node.goid, frames[node.frame_index], node.scope)
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
        from .memory import read_memory

        return read_memory(self._require(), args)

    def disassemble_request(self, args: DisassembleArguments, ctx: RequestContext) -> DisassembleResponseBody:
        from .memory import disassemble

        return disassemble(self._require(), args)

    def loadedSources_request(self, args: dict[str, Any], ctx: RequestContext) -> LoadedSourcesResponseBody:
        from .memory import loaded_sources

        return loaded_sources(self._require())

    def modules_request(self, args: ModulesArguments, ctx: RequestContext) -> ModulesResponseBody:
        from .memory import modules

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
            return ExceptionInfoResponseBody(exceptionId="no crash", breakMode="never", description=crash.description)
        inner = [ExceptionDetails(message=p.text, typeName=p.type_name) for p in crash.panics[:-1]]
        last = crash.panics[-1] if crash.panics else None
        return ExceptionInfoResponseBody(
            exceptionId=crash.exception_id,
            description=crash.description,
            breakMode="unhandled",
            details=ExceptionDetails(
                message=crash.headline,
                typeName=last.type_name if last else (NO_GOROUTINE if crash.no_goroutine else crash.kind),
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
    def _session_any(self) -> Session:
        """The session, stopped or running."""
        if self._session is None:
            raise DapError("nothing is open yet: send launch with program and coreFilePath, or attach with processId")
        return self._session

    def _require(self) -> Session:
        """The session, stopped: what a request reads belongs to the stop."""
        session = self._session_any()
        if session.running:
            raise DapError(f"process {session.pid} is running: pause it to look at it")
        return session

    def _goroutine(self, thread_id: int) -> Goroutine:
        session = self._require()
        goid = self._threads.goid(thread_id)
        g = session.goroutine(goid) if goid >= 0 else session.goroutine_at(-goid)
        if g is None:
            raise DapError(f"there is no goroutine {goid} in this {'stop' if session.can_run else 'core'}")
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


def _pause_words(session: Session) -> tuple[str, str]:
    """What the console says of a stop that is no crash, and the stopped event's description."""
    count = f"{len(session.goroutines):,} goroutines"
    stopped_ms = f"{session.stop_seconds * 1000:.1f} ms"
    if session.can_run:
        return (
            f"Process {session.pid} stopped in {stopped_ms} ({count}). Continue lets it run; pause stops it again.\n",
            "stopped by godap",
        )
    if session.stop_seconds > 0:  # a snapshot: a core has no stop time
        return (
            f"Snapshot of process {session.pid}: it was stopped for {stopped_ms} and runs on; "
            f"this is how it was then ({count}).\n",
            "snapshot (the process runs on)",
        )
    return "The core was taken from a running process: nothing crashed.\n", "core dump (no crash)"


def _unverified(line: object) -> dict[str, Any]:
    """A breakpoint answer: never verified; the client's line echoed only when it is a valid one."""
    answer: dict[str, Any] = {"verified": False, "message": "breakpoints cannot stop a core dump"}
    if type(line) is int and 0 <= line <= 2**31 - 1:
        answer["line"] = line
    return answer
