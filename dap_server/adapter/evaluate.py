"""evaluate and completions: Go expressions in watch, hover, clipboard and variables contexts, and
the debug console (context `repl`), whose commands are Delve's.

Errors never pop up: they are error responses with showUser false, which VS Code shows in the
watch view or the console and, for hovers, answers by showing no hover at all.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

from ..console.base import STACKS, THREADS, ConsoleError, ConsoleResult
from ..console.console import NAMES, Console
from ..dap.bodies import CompletionsResponseBody, EvaluateResponseBody
from ..dap.context import RequestContext
from ..dap.errors import DapError
from ..dap.events import InvalidatedEventBody, ThreadEventBody
from ..dap.messages import CompletionItem
from ..dap.requests import CompletionsArguments, EvaluateArguments
from ..goruntime import variables
from ..goruntime.expr.errors import ExpressionError
from ..goruntime.expr.evaluate import evaluate
from ..goruntime.expr.evaluate_scope import Scope
from ..goruntime.values.base import Value
from ..goruntime.values.format import quote
from ..program.dwarf.types import Kind
from ..session import Session
from .variables import to_variable

if TYPE_CHECKING:
    from .go_adapter import GoAdapter

FULL_TEXT = 1 << 16  # characters of a compound value copied to the clipboard
MAX_COMPLETIONS = 500
_FULL_CONTEXTS = frozenset({"clipboard", "variables"})
_WORD = re.compile(r"[\w~]*$")
_EXPRESSION_TAIL = re.compile(r"[\w~.\[\]\"()*]+$")
_CONSOLES: weakref.WeakKeyDictionary[GoAdapter, Console] = weakref.WeakKeyDictionary()


def evaluate_request(adapter: GoAdapter, args: EvaluateArguments, ctx: RequestContext) -> EvaluateResponseBody:
    session = adapter._require()
    origin = _origin(adapter, args.frameId)
    try:
        if args.context in (None, "repl"):
            result = _console(adapter, session).run(args.expression, origin)
            _refresh(adapter, result, ctx)
        else:
            result = ConsoleResult("", evaluate(_scope(session, origin), args.expression))
    except (ExpressionError, ConsoleError) as exc:
        raise DapError(str(exc), show_user=False) from None
    value = result.value
    if value is None:
        return EvaluateResponseBody(result=result.text, variablesReference=0)
    variable = to_variable(adapter._vars, value)
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


def completions_request(adapter: GoAdapter, args: CompletionsArguments, ctx: RequestContext) -> CompletionsResponseBody:
    """Console command names at the start of a line, names in scope, fields after a dot."""
    session = adapter._require()
    before = args.text[: max(0, args.column - 1)]
    word = _WORD.search(before)
    partial = word.group() if word is not None else ""
    head = before[: len(before) - len(partial)]
    scope = _scope(session, _origin(adapter, args.frameId))
    if head.endswith("."):
        candidates = [(name, "field") for name in _members(scope, head[:-1])]
    else:
        candidates = [(name, "variable") for name in _names(scope)]
        if not head.strip():
            candidates += [(name, "keyword") for name in NAMES]
    found = sorted({(n, kind) for n, kind in candidates if n.startswith(partial)})[:MAX_COMPLETIONS]
    return CompletionsResponseBody(
        targets=[
            CompletionItem(label=name, type=kind, start=len(head), length=len(partial))  # type: ignore[arg-type]
            for name, kind in found
        ]
    )


def _origin(adapter: GoAdapter, frame_id: int | None) -> tuple[int, int] | None:
    if frame_id is None:
        return None
    g, index = adapter._frame(frame_id)
    return g.goid, index


def _scope(session: Session, origin: tuple[int, int] | None) -> Scope:
    if origin is None:
        return Scope(session.process)
    g = session.goroutine(origin[0])
    frames = session.frames(g) if g is not None else []
    return Scope(session.process, frames[origin[1]] if origin[1] < len(frames) else None)


def _console(adapter: GoAdapter, session: Session) -> Console:
    console = _CONSOLES.get(adapter)
    if console is None or console.session is not session:
        console = _CONSOLES[adapter] = Console(session, adapter._stopped_goroutine())
    return console


def _refresh(adapter: GoAdapter, result: ConsoleResult, ctx: RequestContext) -> None:
    """Tell the client to fetch again what a command changed (after the response)."""
    if not result.refresh:
        return
    client = ctx.client
    arguments = client.initialize_arguments
    if arguments is not None and arguments.supportsInvalidatedEvent:
        areas = sorted(result.refresh & {THREADS, STACKS})
        ctx.after_response(lambda: client.send_event("invalidated", InvalidatedEventBody(areas=areas)))
    elif THREADS in result.refresh:
        g = adapter._stopped_goroutine()
        if g is not None:
            thread = adapter._threads.thread_id(g.goid)
            ctx.after_response(lambda: client.send_event("thread", ThreadEventBody(reason="started", threadId=thread)))


def _full_text(value: Value) -> str:
    """The whole value for the clipboard: strings uncut, compound values in one long line."""
    text = value.full_string()
    if text is not None and value.unreadable is None:
        return quote(text.encode())
    return value.render(FULL_TEXT, 0)


def _names(scope: Scope) -> list[str]:
    names = [v.name for v in scope.frame_values if not v.name.startswith("(")]
    return names + [v.name for v in variables.package_globals(scope.process, scope.package)]


def _members(scope: Scope, expression: str) -> list[str]:
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
        return [v.name for v in variables.package_globals(scope.process, path)]
    try:
        value = evaluate(scope, text)
    except ExpressionError:
        return []
    gotype = value.gotype
    if gotype.kind == Kind.POINTER and gotype.elem is not None:
        gotype = gotype.elem
    return [f.name for f in gotype.fields if f.name != "_"]
