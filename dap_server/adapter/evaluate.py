"""evaluate and completions: Go expressions in watch, hover, clipboard and variables contexts, and
the debug console (context `repl`), whose commands are Delve's.

Errors never pop up: they are error responses with showUser false, which VS Code shows in the
watch view or the console and, for hovers, answers by showing no hover at all.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from ..console.base import STACKS, THREADS, ConsoleError, ConsoleResult
from ..console.console import NAMES, Console
from ..console.heap import HEAP_COMMANDS
from ..dap.bodies import CompletionsResponseBody, EvaluateResponseBody
from ..dap.context import RequestContext
from ..dap.errors import DapError
from ..dap.events import InvalidatedEventBody, ThreadEventBody
from ..dap.messages import CompletionItem
from ..dap.requests import CompletionsArguments, EvaluateArguments
from ..goruntime.expr.errors import ExpressionError
from ..goruntime.expr.evaluate import evaluate
from ..goruntime.expr.evaluate_scope import ExpressionScope
from ..goruntime.values.base import Value
from ..goruntime.values.format import quote
from ..program.dwarf.types import Kind
from ..session import Session, SessionError
from .heap import analysed
from .variables import VariableRefs, to_variable

FULL_TEXT = 1 << 16  # characters of a compound value copied to the clipboard
MAX_COMPLETIONS = 500
_FULL_CONTEXTS = frozenset({"clipboard", "variables"})
_WORD = re.compile(r"[\w~]*$")
_EXPRESSION_TAIL = re.compile(r"[\w~.\[\]\"()*]+$")


@dataclass(frozen=True)
class EvaluationSite:
    """What an evaluate or completions request runs against: the session, the frame it names
    (goroutine id and frame index, None for none), the console, and the adapter's references."""

    session: Session
    origin: tuple[int, int] | None
    console: Console
    refs: VariableRefs
    stopped_thread: int | None  # the thread a `thread` event names after a console command


def evaluate_request(site: EvaluationSite, args: EvaluateArguments, ctx: RequestContext) -> EvaluateResponseBody:
    try:
        if args.context in (None, "repl"):
            if args.expression.split()[:1] and args.expression.split()[0] in HEAP_COMMANDS:
                with contextlib.suppress(SessionError):  # the command itself says why
                    analysed(site.session, ctx)
            result = site.console.run(args.expression, site.origin)
            _refresh(site, result, ctx)
        else:
            result = ConsoleResult("", evaluate(_scope(site), args.expression))
    except (ExpressionError, ConsoleError) as exc:
        raise DapError(str(exc), show_user=False) from None
    value = result.value
    if value is None:
        return EvaluateResponseBody(result=result.text, variablesReference=0)
    variable = to_variable(site.refs, value)
    text = _full_text(value) if args.context in _FULL_CONTEXTS else variable.value
    return EvaluateResponseBody(
        result=text,
        type=variable.type,
        presentationHint=variable.presentationHint,
        variablesReference=variable.variablesReference,
        namedVariables=variable.namedVariables,
        indexedVariables=variable.indexedVariables,
        memoryReference=variable.memoryReference,
    )


def completions_request(site: EvaluationSite, args: CompletionsArguments) -> CompletionsResponseBody:
    """Console command names at the start of a line, names in scope, fields after a dot."""
    before = args.text[: max(0, args.column - 1)]
    word = _WORD.search(before)
    partial = word.group() if word is not None else ""
    head = before[: len(before) - len(partial)]
    scope = _scope(site)
    if head.endswith("."):
        candidates = [(name, "field") for name in _members(site.session, scope, head[:-1])]
    else:
        candidates = [(name, "variable") for name in _names(site.session, scope)]
        if not head.strip():
            candidates += [(name, "keyword") for name in NAMES]
    found = sorted({(n, kind) for n, kind in candidates if n.startswith(partial)})[:MAX_COMPLETIONS]
    return CompletionsResponseBody(
        targets=[
            CompletionItem(label=name, type=kind, start=len(head), length=len(partial))  # type: ignore[arg-type]
            for name, kind in found
        ]
    )


def _scope(site: EvaluationSite) -> ExpressionScope:
    session, origin = site.session, site.origin
    if origin is None:
        return session.expression_scope()
    g = session.goroutine(origin[0])
    frames = session.frames(g) if g is not None else []
    return session.expression_scope(frames[origin[1]] if origin[1] < len(frames) else None)


def _refresh(site: EvaluationSite, result: ConsoleResult, ctx: RequestContext) -> None:
    """Tell the client to fetch again what a command changed (after the response)."""
    if not result.refresh:
        return
    client = ctx.client
    arguments = client.initialize_arguments
    if arguments is not None and arguments.supportsInvalidatedEvent:
        areas = sorted(result.refresh & {THREADS, STACKS})
        ctx.after_response(lambda: client.send_event("invalidated", InvalidatedEventBody(areas=areas)))
    elif THREADS in result.refresh:
        thread = site.stopped_thread
        if thread is not None:
            ctx.after_response(lambda: client.send_event("thread", ThreadEventBody(reason="started", threadId=thread)))


def _full_text(value: Value) -> str:
    """The whole value for the clipboard: strings uncut, compound values in one long line."""
    text = value.full_string()
    if text is not None and value.unreadable is None:
        return quote(text.encode())
    return value.render(FULL_TEXT, 0)


def _names(session: Session, scope: ExpressionScope) -> list[str]:
    names = [v.name for v in scope.frame_values if not v.name.startswith("(")]
    return names + [v.name for v in session.package_globals(scope.package)] + scope.known_packages()


def _members(session: Session, scope: ExpressionScope, expression: str) -> list[str]:
    """Field names of the value before the dot (through pointers), or a package's variables."""
    target = _EXPRESSION_TAIL.search(expression)
    text = target.group() if target is not None else ""
    if not text:
        return []
    if re.fullmatch(r"\w+", text) and scope.local(text) is None and scope.is_package(text):
        try:
            path = scope.package_path(text, 1)
        except ExpressionError:
            return []
        return [v.name for v in session.package_globals(path)]
    try:
        value = evaluate(scope, text)
    except ExpressionError:
        return []
    gotype = value.gotype
    if gotype.kind == Kind.POINTER and gotype.elem is not None:
        gotype = gotype.elem
    return [f.name for f in gotype.fields if f.name != "_"]
