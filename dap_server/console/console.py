"""The debug console: Delve's commands where Delve has them, and any other line as an expression.

The console keeps a current goroutine and frame, as Delve does (`goroutine N`, `frame M`, `up`,
`down`). It starts at the frame the client evaluates in, and follows the client whenever the
client moves to another frame; `goroutine N [frame M] CMD` and `frame M CMD` run one command
elsewhere without moving.
"""

from __future__ import annotations

import shlex

from ..goruntime import filters
from ..goruntime.expr.errors import ExpressionError
from ..goruntime.expr.evaluate import evaluate
from ..goruntime.expr.parser import parse
from ..goruntime.goroutines import Goroutine
from ..session import Session
from . import blocking, catalog, heap, inspect, memory, settings, stacks
from .base import Command, ConsoleError, ConsoleResult, Where, integer

FORCE = "dlv"  # `dlv CMD` runs the command even where a variable has its name (Delve's DAP prefix)


class Console:
    """One session's console: its commands and its current goroutine and frame."""

    def __init__(self, session: Session, goroutine: Goroutine | None) -> None:
        self.session = session
        self.goid = goroutine.goid if goroutine is not None else None
        self.index = 0
        self._origin: tuple[int, int] | None = None

    def run(self, line: str, origin: tuple[int, int] | None = None) -> ConsoleResult:
        """Run one console line; `origin` is the (goroutine, frame) the client evaluates in."""
        if origin is not None and origin != self._origin:
            self._origin = origin
            self.goid, self.index = origin
        try:
            words = shlex.split(line, posix=False)
        except ValueError as exc:
            raise ConsoleError(f"cannot split the command line: {exc}") from None
        if not words:
            raise ConsoleError("empty command (type `help` for the commands)")
        where = self.where(self.goid, self.index)
        if words[0] == FORCE and len(words) > 1:
            return self._dispatch(words[1:], _after(words[1:]), where, move=True)
        if words[0] in NAMES and _names_a_variable(where, words[0], line):
            value = evaluate(where.scope, line.strip())
            return ConsoleResult(value.summary, value)
        return self._dispatch(words, line, where, move=True)

    def where(self, goid: int | None, index: int) -> Where:
        g = self.session.goroutine(goid) if goid is not None else None
        if goid is not None and g is None:
            raise ConsoleError(f"there is no goroutine {goid} in this core")
        return Where(self.session, g, index)

    def _dispatch(self, words: list[str], line: str, where: Where, move: bool) -> ConsoleResult:
        name, args = words[0], words[1:]
        if name in ("goroutine", "gr"):
            return self._goroutine(args, where, move)
        if name == "frame":
            return self._frame(args, where, move)
        if name in ("up", "down"):
            steps = integer(args[0], "the number of frames") if args else 1
            return self._move(where, where.index + (steps if name == "up" else -steps), move)
        command = COMMANDS.get(name)
        if command is None:
            value = evaluate(where.scope, line.strip())
            return ConsoleResult(value.summary, value)
        return command.run(where, args)

    def _goroutine(self, args: list[str], where: Where, move: bool) -> ConsoleResult:
        if not args:
            return stacks.goroutine_info(where)
        target = self.where(integer(args[0], "the goroutine id"), 0)
        rest = args[1:]
        if rest[:1] == ["frame"]:
            return self._frame(rest[1:], target, move=False if len(rest) > 2 else move)
        if rest:
            return self._dispatch(rest, _after(rest), target, move=False)
        previous = self.goid
        if move:
            self.goid, self.index = target.goroutine.goid if target.goroutine else None, 0
        return ConsoleResult(f"Switched from {previous} to {self.goid}")

    def _frame(self, args: list[str], where: Where, move: bool) -> ConsoleResult:
        if not args:
            raise ConsoleError("usage: frame N [command]")
        target = Where(self.session, where.goroutine, integer(args[0], "the frame number"))
        if len(args) > 1:
            target.require_frame()
            return self._dispatch(args[1:], _after(args[1:]), target, move=False)
        return self._move(target, target.index, move)

    def _move(self, where: Where, index: int, move: bool) -> ConsoleResult:
        target = Where(self.session, where.goroutine, index)
        target.require_frame()
        if move:
            self.goid = where.goroutine.goid if where.goroutine is not None else None
            self.index = index
        return ConsoleResult(stacks.frame_header(target))


def _names_a_variable(where: Where, name: str, line: str) -> bool:
    """Whether `line`, which starts with a command's name, is an expression on a variable of that
    name in scope (`up`, `x`, `list`, `p`): the variable wins, as in Go; `dlv up` is the command."""
    scope = where.scope
    if scope.local(name) is None and scope.global_variable(scope.package, name) is None:
        return False
    try:
        parse(line)
    except ExpressionError:
        return False
    return True


def _after(words: list[str]) -> str:
    """The text of a command line made of `words` (for expressions that follow a prefix)."""
    return " ".join(words)


def help_text(where: Where, args: list[str]) -> ConsoleResult:
    """help [command]: the commands, or one command's usage."""
    if args:
        command = COMMANDS.get(args[0])
        if command is None:
            raise ConsoleError(f"no command {args[0]!r}")
        details = f"\n{filters.__doc__}" if command.name == "goroutines" else ""
        return ConsoleResult(f"{command.usage}\n\t{command.summary}{details}")
    lines = [
        "Commands (Delve's names; anything else is evaluated as a Go expression). A variable in",
        f"scope named like a command (`up`, `x`, `p`) is the variable: `{FORCE} up` runs the command.",
    ]
    seen: set[str] = set()
    for command in list(COMMANDS.values()) + list(_NAVIGATION):
        if command.name in seen:
            continue
        seen.add(command.name)
        aliases = f" (alias: {', '.join(command.aliases)})" if command.aliases else ""
        lines.append(f"    {command.usage:<54} {command.summary}{aliases}")
    return ConsoleResult("\n".join(lines))


def _unreachable(where: Where, args: list[str]) -> ConsoleResult:
    raise ConsoleError("handled by the console itself")


_NAVIGATION = (
    Command(
        "goroutine", "goroutine [N [frame M]] [command]", "show or switch the current goroutine", _unreachable, ("gr",)
    ),
    Command("frame", "frame M [command]", "switch to frame M, or run a command there", _unreachable),
    Command("up", "up [N]", "move N frames towards the caller", _unreachable),
    Command("down", "down [N]", "move N frames towards the callee", _unreachable),
)
_TABLE = (
    Command(
        "goroutines",
        "goroutines [-group] [filters]",
        "list goroutines (filters: help goroutines)",
        stacks.goroutines,
        ("grs",),
    ),
    Command("stack", "stack [depth] [-full]", "the current goroutine's frames", stacks.stack, ("bt",)),
    Command("list", "list", "the source around the current frame's line", stacks.source_listing, ("ls", "l")),
    Command("args", "args [-v] [regexp]", "the current frame's arguments", inspect.arguments),
    Command("locals", "locals [-v] [regexp]", "the current frame's local variables", inspect.local_variables),
    Command("vars", "vars [-v] [regexp]", "package variables whose full name matches", inspect.package_variables),
    Command("print", "print EXPR", "evaluate a Go expression", inspect.print_expression, ("p",)),
    Command("whatis", "whatis EXPR|TYPE", "the type of an expression, or a type's layout", inspect.whatis),
    Command("regs", "regs", "the current frame's registers", inspect.registers),
    Command(
        "examinemem",
        "examinemem [-fmt F] [-count N] [-size S] ADDR|-x EXPR",
        "raw memory (F: hex dec oct bin raw)",
        memory.examine,
        ("x",),
    ),
    Command(
        "disassemble",
        "disassemble [-a START END] [-l FUNC]",
        "machine code with source lines (Intel syntax)",
        memory.disassemble,
        ("disass",),
    ),
    Command("blocked", "blocked", "every blocked goroutine and what it waits on", blocking.blocked),
    Command(
        "waiters", "waiters EXPR|ADDRESS", "who waits on a channel or lock, and who could wake them", blocking.waiters
    ),
    Command(
        "deadlocks", "deadlocks", "deadlock cycles, leaked goroutines, the biggest groups of waits", blocking.deadlocks
    ),
    Command(
        "heap", "heap [N] | heap top [N]", "the live heap by type, or its biggest objects and retainers", heap.heap
    ),
    Command("refs", "refs EXPR", "what points to the heap object EXPR names", heap.refs),
    Command("retainers", "retainers EXPR", "what keeps the object alive, as a tree to expand", heap.retainers),
    Command("path", "path EXPR", "one chain of references from a root to the object", heap.path),
    Command("retained", "retained EXPR", "the bytes the object (or global) keeps alive", heap.retained),
    Command("sources", "sources [regexp]", "the program's source files", catalog.sources),
    Command("funcs", "funcs [regexp]", "the program's functions", catalog.functions),
    Command("types", "types [regexp]", "the program's types", catalog.types),
    Command("config", "config [-list] | config NAME VALUE", "show or change the session's options", settings.config),
    Command("help", "help [command]", "this list", help_text, ("h",)),
)
COMMANDS: dict[str, Command] = {name: c for c in _TABLE for name in (c.name, *c.aliases)}
NAMES = sorted({*COMMANDS, *(name for c in _NAVIGATION for name in (c.name, *c.aliases))})
