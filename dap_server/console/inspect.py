"""Variables and expressions: print, whatis, args, locals, vars, regs."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..goruntime.expr.errors import ExpressionError
from ..goruntime.expr.evaluate import Evaluator, evaluate
from ..goruntime.expr.parser import parse
from ..goruntime.frames import Frame, package_of
from ..goruntime.values.base import Value
from ..goruntime.values.interfaces import InterfaceValue
from ..session import Session
from .base import ConsoleError, ConsoleResult, Where, assignments, parse_flags, pattern

MAX_VARS = 2000
ScopeReader = Callable[[Session, Frame], list[Value]]
_NOT_VARIABLES = ("go:", "type:", "runtime.firstmoduledata")


def print_expression(where: Where, args: list[str]) -> ConsoleResult:
    """print EXPR: the value, expandable."""
    text = " ".join(args)
    if not text:
        raise ConsoleError("print needs an expression")
    value = evaluate(where.scope, text)
    return ConsoleResult(value.summary, value)


def whatis(where: Where, args: list[str]) -> ConsoleResult:
    """whatis EXPR|TYPE: the static type; for interfaces, the dynamic type too."""
    text = " ".join(args)
    if not text:
        raise ConsoleError("whatis needs an expression or a type")
    try:
        value = evaluate(where.scope, text)
    except ExpressionError as missing:
        return ConsoleResult(_describe_type(where, text, missing))
    lines = [value.type_name]
    if isinstance(value, InterfaceValue) and value.unreadable is None and value.dynamic is not None:
        lines.append(f"Concrete type: {value.dynamic.type_name}")
    return ConsoleResult("\n".join(lines))


def _describe_type(where: Where, text: str, missing: ExpressionError) -> str:
    """`whatis T` for a type (as Go spells it, or by its full DWARF name): its kind and size, and
    its fields for structs."""
    gotype = where.scope.ctx.types.named(text.strip())
    if gotype is None:
        try:
            gotype = Evaluator(where.scope).types.resolve(parse(text))
        except ExpressionError:
            raise missing from None
    lines = [f"{gotype.name}: {gotype.kind.value} type, size: {gotype.size} bytes"]
    if gotype.fields:
        lines.append("Fields:")
        lines += [f"\t{f.name} {f.type.name}" for f in gotype.fields]
    return "\n".join(lines)


def arguments(where: Where, args: list[str]) -> ConsoleResult:
    """args [-v] [regexp]: the current frame's arguments and results."""
    return _scope_listing(where, args, Session.arguments)


def local_variables(where: Where, args: list[str]) -> ConsoleResult:
    """locals [-v] [regexp]: the current frame's local variables."""
    return _scope_listing(where, args, Session.locals)


def _scope_listing(where: Where, args: list[str], read: ScopeReader) -> ConsoleResult:
    flags = parse_flags(args, frozenset({"-v"}), frozenset())
    frame = where.require_frame()
    values = read(where.session, frame) if not frame.is_synthetic else []
    return ConsoleResult(assignments(values, "-v" in flags.switches, pattern(flags.words)))


def package_variables(where: Where, args: list[str]) -> ConsoleResult:
    """vars [-v] [regexp]: package variables whose full name matches."""
    flags = parse_flags(args, frozenset({"-v"}), frozenset())
    regexp = pattern(flags.words)
    found = global_values(where, regexp)
    text = assignments(found, "-v" in flags.switches, None, full_names=True)
    if len(found) >= MAX_VARS:
        text += f"\n...more than {MAX_VARS} variables: narrow the regular expression"
    return ConsoleResult(text)


def global_values(where: Where, regexp: re.Pattern[str] | None) -> list[Value]:
    """Package variables (named by their full name) matching `regexp`, found through the symbol
    table and read through DWARF."""
    session = where.session
    names = sorted(
        name
        for name in session.global_variable_names()
        if not name.startswith(_NOT_VARIABLES) and (regexp is None or regexp.search(name))
    )
    wanted = set(names)
    out: list[Value] = []
    for package in sorted({package_of(name) for name in names}):
        for value in session.package_globals(package):
            if value.evaluate_name in wanted:
                out.append(value)
                if len(out) >= MAX_VARS:
                    return out
    return out


def registers(where: Where, args: list[str]) -> ConsoleResult:
    """regs: the current frame's registers (all of them only where the core saved them)."""
    frame = where.require_frame()
    values = where.session.registers(frame)
    width = max((len(v.name) for v in values), default=0)
    return ConsoleResult("\n".join(f"{v.name.capitalize():>{width}} = {v.summary}" for v in values))
